"""Members for time bank tests, built from the registry's demo generator."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import IntegrityError, transaction

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
    retiree.status, retiree.deceased_on = "active", None
    retiree.disabled, retiree.health = False, "good"
    # Always 退休: the demo generator's category follows the shared counter, so a time bank member was
    # sometimes 离休 and changed another test's count of 离休 cadres (test_dashboard, seen in a full run).
    retiree.category = "tuixiu"
    retiree.living = living
    retiree.special_flags = flags or []
    if name:
        retiree.name = name
    # The ID number must be unique; another factory's person of the same region and birthday can hold this
    # one (seen once in a full run), so the next free sequence is taken then.
    for step in range(0, 500, 2):
        retiree.id_number = idcard.make((org.division_id or "330106")[:6], birth, sequence + step, retiree.gender)
        try:
            with transaction.atomic():
                retiree.save()
            return retiree
        except IntegrityError:
            retiree.pk = None
            retiree._state.adding = True
    raise AssertionError("no free ID number for a test person")


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


def service_to_confirm(p):  # type: ignore[no-untyped-def]
    """李秀英 (88, with 4 granted hours) and the helper 王志强 (63) in unit A, and a meal service he took on
    and reported done half an hour into its window: it waits for her confirmation. (elder, helper, need)"""
    from decimal import Decimal

    from django.utils import timezone

    from yinling.timebank import services

    hours = Decimal
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=hours("100"), reason="发放", document_no="1号")
    elder = person(p.tree.unit_a, age=88, name="李秀英")
    helper = person(p.tree.unit_a, age=63, name="王志强")
    services.do_join(by=None, retiree=helper, as_provider=True)
    services.do_grant(by=p.owner, retiree=elder, hours=hours("4"), reason="慰问")
    start = timezone.now() - dt.timedelta(minutes=30)
    need = services.do_post_need(
        by=p.owner,
        recipient=elder,
        category="meals",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=hours("1"),
    )
    services.do_accept(by=None, need=need, provider=helper)
    services.do_report(by=None, need=need, hours=hours("1"))
    return elder, helper, need
