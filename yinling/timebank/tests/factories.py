"""Members for time bank tests, built from the registry's demo generator."""

from __future__ import annotations

import datetime as dt
import itertools

from yinling.orgs.models import Org
from yinling.registry.demo import make_retiree
from yinling.registry.models import FamilyContact, Retiree

_counter = itertools.count(50_000)


def person(
    org: Org, *, age: int = 65, name: str | None = None, living: str = "with_children", flags: list[str] | None = None
) -> Retiree:
    retiree, _contacts = make_retiree(next(_counter), org, (org.division_id or org.code)[:6])
    today = dt.date.today()
    birth = (
        dt.date(today.year - age, 1, 1) if (today.month, today.day) >= (1, 1) else dt.date(today.year - age - 1, 1, 1)
    )
    from yinling.registry import idcard

    retiree.birth_date = birth
    # Sequences 500-999: the personas' records (testing/personas.py) use 2·i (+1), small numbers, on the
    # same regions and 1 January birthdays, and a shared number broke a test now and then.
    sequence = 500 + next(_counter) % 500
    retiree.id_number = idcard.make((org.division_id or "330106")[:6], birth, sequence, retiree.gender)
    retiree.status, retiree.deceased_on = "active", None
    retiree.disabled, retiree.health = False, "good"
    retiree.living = living
    retiree.special_flags = flags or []
    if name:
        retiree.name = name
    retiree.save()
    return retiree


def relate(a: Retiree, b: Retiree, relation: str = "女儿") -> None:
    FamilyContact.objects.create(retiree=a, relation=relation, name=b.name, phone=b.phone)


def sign_in_account(retiree: Retiree, *, elder_mode: bool = True):  # type: ignore[no-untyped-def]
    """A retiree account (kind "retiree") linked to the record, as staff open them."""
    from yinling.accounts.models import User
    from yinling.testing.personas import PASSWORD

    user = User.objects.create_user(
        username=f"r{retiree.pk:06d}",
        password=PASSWORD,
        kind=User.Kind.RETIREE,
        full_name=retiree.name,
        org=retiree.org,
        elder_mode=elder_mode,
    )
    Retiree.objects.filter(pk=retiree.pk).update(account=user)
    retiree.account = user
    return user
