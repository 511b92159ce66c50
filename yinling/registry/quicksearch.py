"""The registry's answers in the staff quick search: people the user may view, labelled as the picker
labels them (age this year, managing org, the ID's last four), through the exact-search guard."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.core.quicksearch import Hit, Provider
from yinling.core.scoping import has_anywhere
from yinling.registry import search_guard
from yinling.registry.lookups import people_for, person_detail, search_people
from yinling.registry.models import Retiree


def people(user: Any, text: str, limit: int) -> list[Hit]:
    exact = search_guard.check(user, text, "quick")  # Refused past the hour's limit: the box says so
    # The first matches the indexes give, sorted here: sorting every match of a surname in a city
    # (benchmarks/quick_search.py: 168 ms at p95 against 18) is the list page's job, linked below.
    # Only what the label shows: loading whole records would decrypt every sensitive field of each hit.
    found = search_people(people_for(user, "view", "all"), text).order_by()
    rows = list(found.only("pk", "name", "name_pinyin", "birth_date", "id_last4", "org__name")[: limit + 1])
    if exact:
        search_guard.audited(user, text, "quick", len(rows))
    hits = [Hit(r.name, person_detail(r), r.get_absolute_url()) for r in sorted(rows[:limit], key=_pinyin)]
    if len(rows) > limit:
        more = f"{reverse('registry:list')}?{urlencode({'q': text, 'status': 'all'})}"
        hits.append(Hit(gettext("All matches in the registry"), "", more))
    return hits


def _pinyin(r: Retiree) -> tuple[str, int]:
    return (r.name_pinyin, r.pk)


PROVIDER = Provider("people", _("People"), people, order=10, visible_to=lambda u: has_anywhere(u, Retiree, "view"))
