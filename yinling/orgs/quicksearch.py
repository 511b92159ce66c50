"""The org tree's answers in the staff quick search: orgs the user may view, by name or code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yinling.core.quicksearch import Hit, Provider
from yinling.core.scoping import has_anywhere
from yinling.orgs.lookups import search_orgs
from yinling.orgs.models import Org


def orgs(user: Any, text: str, limit: int) -> list[Hit]:
    rows = list(search_orgs(Org.objects.restrict(user, "view"), text)[:limit])
    return [Hit(o.name, o.code, o.get_absolute_url()) for o in rows]


PROVIDER = Provider("orgs", _("Orgs"), orgs, order=20, visible_to=lambda u: has_anywhere(u, Org, "view"))
