"""Who may do what in a 平安报 round (pure functions, no writes). Services call `check_*`.

- Opening: `rounds.add_round` at the org (bureau admins).
- Closing: `rounds.change_round` at the round's own org (not merely below it: a county cannot close the
  city's round, though its staff work in it).
- Recording a status: staff with `rounds.change_roundentry` at the person's org (the entry's), the retiree
  themselves, or a relative recorded in the registry (registry/acting.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from yinling.core.scoping import can, can_at
from yinling.orgs.models import Org
from yinling.registry import acting
from yinling.rounds.models import Round, RoundEntry


def can_open(user: Any, org: Org) -> bool:
    return can_at(user, Round, "add", org)


def check_open(user: Any, org: Org) -> None:
    if not can_open(user, org):
        raise PermissionDenied


def can_close(user: Any, round_: Round) -> bool:
    return can_at(user, Round, "change", round_.org)


def check_close(user: Any, round_: Round) -> None:
    if not can_close(user, round_):
        raise PermissionDenied


def staff_may_record(user: Any, entry: RoundEntry) -> bool:
    return can(user, "change", entry)


def member_may_record(user: Any, entry: RoundEntry) -> bool:
    """The person themselves, or a relative the registry records (either lists the other)."""
    me = acting.retiree_of(user)
    if me is None:
        return False
    if entry.retiree_id == me.pk:
        return True
    return acting.are_relatives(me, entry.retiree)


def check_record(user: Any, entry: RoundEntry) -> None:
    if not (staff_may_record(user, entry) or member_may_record(user, entry)):
        raise PermissionDenied
