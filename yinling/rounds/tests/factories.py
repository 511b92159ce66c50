"""Rounds on the personas' tree, for the tests and the URL walk."""

from __future__ import annotations

from typing import Any

from yinling.audit.context import acting
from yinling.registry.models import Retiree
from yinling.rounds.models import Round, RoundEntry
from yinling.rounds.services import do_open_round
from yinling.testing.personas import Cast, make_retiree_record


def person(org: Any, name: str, i: int, **fields: Any) -> Retiree:
    return make_retiree_record(org, name, f"137{i:08d}", 10 + i, **fields)


def open_round(cast: Cast, org: Any = None, title: str = "台风平安报") -> Round:
    by = cast.bureau_admin
    with acting(by):
        return do_open_round(by=by, org=org or cast.tree.city_a, title=title)


def entry_of(round_: Round, retiree: Retiree) -> RoundEntry:
    return RoundEntry.objects.unrestricted().get(round=round_, retiree=retiree)


def walk_objects(cast: Cast) -> dict[str, Any]:
    """An open round of city A (the retiree's entry in it) for the URL walk."""
    found = open_round(cast)
    return {"round": found, "round_entry": entry_of(found, cast.retiree_record)}
