"""The registry's answers in the staff quick search: people the user may view, labelled as the picker
labels them (age this year, managing org, the ID's last four), through the exact-search guard."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yinling.core.quicksearch import Hit, Provider
from yinling.core.scoping import has_anywhere
from yinling.registry import search_guard
from yinling.registry.lookups import people_for, person_detail, search_people
from yinling.registry.models import Retiree


def people(user: Any, text: str, limit: int) -> list[Hit]:
    exact = search_guard.check(user, text, "quick")  # Refused past the hour's limit: the box says so
    rows = list(search_people(people_for(user, "view", "all"), text)[:limit])
    if exact:
        search_guard.audited(user, text, "quick", len(rows))
    return [Hit(r.name, person_detail(r), r.get_absolute_url()) for r in rows]


PROVIDER = Provider("people", _("People"), people, order=10, visible_to=lambda u: has_anywhere(u, Retiree, "view"))
