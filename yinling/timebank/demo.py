"""Demo time bank: three months of plausible history for the demo retirees.

Pools for the 11 cities, issued from the province; about 200 members in a dozen counties
(helpers aged 60–75, recipients 80+); services confirmed over the past 90 days, paid by
the pools for priority elders or from members' own hours; gifts between relatives (a
daughter or son recorded in the registry), donations, grants; and the present: open
needs, accepted ones, services awaiting confirmation, a dispute, a few offers.

Everything goes through the services, so the ledger's rules hold (balances, caps — the
daily cap counts the hours served on each service's own day — movements, audit records).
The services stamp "now"; once the history is written, its transfers and needs get the
dates they stand for (the ledger's append-only triggers are lifted for that one UPDATE,
inside seed_demo's transaction). Every date given is in the past: needs for the coming days
were posted (and accepted) in the last day or two. Idempotent: nothing happens if the
ledger already has transfers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from yinling.orgs.models import Org
from yinling.registry.models import FamilyContact, Retiree
from yinling.timebank import ledger, services, triggers
from yinling.timebank.models import Account, Offer, ServiceRequest, Transfer

H = Decimal
DAYS = 90
HOURS = [H("1"), H("1"), H("1.5"), H("1.5"), H("2"), H("2"), H("2.5"), H("3")]
CATEGORIES = [
    ("company", "陪老人聊聊天、读读报"),
    ("company", "陪着到楼下公园走走"),
    ("errands", "帮忙买菜和常用药"),
    ("errands", "代缴水电燃气费"),
    ("meals", "送午饭到家"),
    ("cleaning", "打扫厨房和卫生间"),
    ("medical_escort", "陪同去社区医院复查"),
    ("haircut", "上门理发"),
    ("smartphone", "教用手机视频通话和健康码"),
]
OFFERS = [
    ("haircut", "退休前学过理发，可以上门理发"),
    ("smartphone", "教老同志用智能手机：微信、视频、挂号"),
    ("company", "周末可以陪老人聊天、下棋"),
    ("errands", "每周二、四可以帮忙买菜代办"),
]


@dataclass
class Clock:
    """Dates for what the services stamp "now": transfer id → time, need id → (created, updated).

    No date is later than `now`: what was written is history, whatever day it is about."""

    now: dt.datetime
    transfers: dict[int, dt.datetime] = field(default_factory=dict)
    needs: dict[int, list[dt.datetime]] = field(default_factory=dict)
    last_transfer: int = 0

    def stamp(self, at: dt.datetime, need: ServiceRequest | None = None, *, moved: bool = True) -> None:
        """Date what was just written: the need's step, and (moved) the transfers since the last stamp."""
        at = min(at, self.now)
        if moved:
            for pk in Transfer.objects.filter(pk__gt=self.last_transfer).values_list("pk", flat=True):
                self.transfers[pk] = at
                self.last_transfer = max(self.last_transfer, pk)
        if need is not None:
            stamps = self.needs.setdefault(need.pk, [at, at])
            stamps[1] = at


def _counties() -> list[Org]:
    """The first county of every city, and the two the demo clerks work in (西湖, 鄞州)."""
    chosen: dict[str, Org] = {}
    for city in Org.objects.filter(kind=Org.Kind.CITY_BUREAU).order_by("code"):
        first = Org.objects.filter(parent=city, kind=Org.Kind.COUNTY_BUREAU).order_by("code").first()
        if first is not None:
            chosen[first.code] = first
    for code in ("330106", "330212"):
        org = Org.objects.filter(code=code).first()
        if org is not None:
            chosen[code] = org
    return list(chosen.values())


def _people(county: Org, today: dt.date) -> tuple[list[Retiree], list[Retiree]]:
    """(possible helpers, possible recipients) in a county: retirees with sign-in accounts first."""
    qs = Retiree.objects.filter(org__path__startswith=county.path, is_deleted=False, status="active")
    people = sorted(qs.select_related("org", "account"), key=lambda r: (r.account_id is None, r.pk))
    helpers = [
        r for r in people if 60 <= r.age_on(today) <= 75 and not r.disabled and r.health in ("good", "fair", "chronic")
    ]
    recipients = [r for r in people if r.age_on(today) >= 80]
    return helpers[:8], recipients[:8]


def _second(people: list[Retiree]) -> Retiree:
    """The second person of a non-empty list, or the only one."""
    return people[1] if len(people) > 1 else people[0]


def _user(r: Retiree) -> Any:
    return r.account if r.account_id else None


def seed_timebank(options: dict[str, Any], write: Callable[[str], None]) -> None:
    if Transfer.objects.exists():
        write("time bank: the ledger already has transfers; left as it is")
        return
    from yinling.accounts.models import User

    admin = User.objects.filter(username="zhejiang").first()
    province = Org.objects.filter(code="330000").first()
    if admin is None or province is None:
        write("time bank: no demo org tree or province admin; skipped")
        return
    rng = random.Random(2020)  # noqa: S311 - synthetic demo data
    now = timezone.now()
    today = timezone.localdate()
    clock = Clock(now)

    def day(offset: int, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(hour, minute)))

    # Pools for the 11 cities, issued from the province before anyone joined.
    start = day(-DAYS - 10, 9)
    for n, city in enumerate(Org.objects.filter(kind=Org.Kind.CITY_BUREAU).order_by("code"), 1):
        services.do_issue(
            by=admin, org=city, hours=H("2000"), reason="2026 年度银龄互助时长发放", document_no=f"浙老干〔2026〕{n}号"
        )
        clock.stamp(start)

    members: list[tuple[Org, list[Retiree], list[Retiree]]] = []
    joined: dict[int, dt.datetime] = {}
    for county in _counties():
        helpers, recipients = _people(county, today)
        for r in helpers + recipients:
            account = services.do_join(by=_user(r), retiree=r, as_provider=r in helpers)
            # Before the first needs are posted (up to three days ahead of the first services).
            joined[account.pk] = day(-DAYS - rng.randint(4, 8), rng.randint(9, 16))
        if helpers and recipients:
            members.append((county, helpers, recipients))
    clock.stamp(start)

    # Relatives: some helpers are a recipient's daughter or son, recorded in the registry.
    pairs: list[tuple[Retiree, Retiree]] = []
    for _county, helpers, recipients in members:
        for helper, elder in list(zip(helpers, recipients, strict=False))[:2]:
            FamilyContact.objects.create(
                retiree=elder, relation="女儿" if helper.gender == "F" else "儿子", name=helper.name, phone=helper.phone
            )
            pairs.append((helper, elder))

    def serve(elder: Retiree, helper: Retiree, at: dt.datetime, *, finish: str = "confirmed") -> ServiceRequest | None:
        category, description = rng.choice(CATEGORIES)
        hours = rng.choice(HOURS)
        # Posted one to three days ahead; a need for the coming days was posted in the last two days.
        posted = at - dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
        if posted > now - dt.timedelta(hours=1):
            posted = now - dt.timedelta(hours=rng.randint(2, 48), minutes=rng.choice([0, 15, 30, 45]))
        # Served in full only once its window has passed: the present's open and accepted needs lie ahead.
        assert finish in ("open", "accepted") or at + dt.timedelta(hours=float(hours)) <= now
        need = services.do_post_need(
            by=_user(elder) or admin,
            recipient=elder,
            category=category,
            starts_at=at,
            ends_at=at + dt.timedelta(hours=float(hours) + 1),
            expected_hours=hours,
            description=description,
        )
        clock.stamp(posted, need, moved=False)
        if finish == "open":
            return need
        services.do_accept(by=_user(helper), need=need, provider=helper)
        accepted = posted + dt.timedelta(hours=rng.randint(1, 20))
        if accepted >= min(at, now):  # taken on between posting and now (and before the service starts)
            accepted = posted + (min(at, now) - posted) * rng.uniform(0.2, 0.8)
        clock.stamp(accepted, need, moved=False)
        if finish == "accepted":
            return need
        done = at + dt.timedelta(hours=float(hours))
        try:
            services.do_report(by=_user(helper), need=need, hours=hours)
        except ledger.Refused:
            return need  # the helper's daily cap that day: left accepted, for staff to look into
        clock.stamp(done, need, moved=False)
        if finish == "reported":
            return need
        if finish == "disputed":
            services.do_dispute(by=_user(elder), need=need, reason="实际只服务了一个小时左右")
            clock.stamp(done + dt.timedelta(hours=3), need, moved=False)
            return need
        by = _user(elder)
        try:
            services.do_confirm(
                by=by or admin, need=need, rating=rng.choice([5, 5, 5, 5, 4, 4, 3]), on_behalf=by is None
            )
        except ledger.Refused:
            return need  # e.g. a helper at the cap's edge: left for staff, as in real life
        clock.stamp(done + dt.timedelta(minutes=rng.randint(20, 90)), need)
        return need

    # Three months of services, day by day, in order (balances after each movement stay true).
    confirmed = 0
    for offset in range(-DAYS, 0):
        for _county, helpers, recipients in members:
            if rng.random() < 0.3:
                elder = rng.choice(recipients)
                same = [h for h in helpers if h.community == elder.community] or helpers
                helper = rng.choice(same)
                if serve(elder, helper, day(offset, rng.randint(8, 15), rng.choice([0, 30]))) is not None:
                    confirmed += 1
            if rng.random() < 0.06 and len(helpers) > 1:
                # Helpers spend their own hours too: a younger member served by another.
                taker, giver = rng.sample(helpers, 2)
                held = services.member_account(taker)
                if held is not None and held.balance >= 3:
                    serve(taker, giver, day(offset, rng.randint(9, 16)))
        if offset == -45:
            for helper, elder in pairs:
                held = services.member_account(helper)
                if held is not None and held.balance >= 2:
                    services.do_gift(by=_user(helper) or admin, giver=helper, to=elder, hours=H("2"))
                    clock.stamp(day(offset, 21))
        if offset in (-60, -20):
            for _county, helpers, _recipients in members:
                helper = helpers[0]
                held = services.member_account(helper)
                if held is not None and held.balance >= 1:
                    services.do_donate(by=_user(helper) or admin, retiree=helper, hours=H("1"))
                    clock.stamp(day(offset, 21, 30))
        if offset == -30:
            for _county, _helpers, recipients in members:
                for elder in recipients[:2]:
                    services.do_grant(by=admin, retiree=elder, hours=H("5"), reason="重阳节关爱高龄独居老人")
                    clock.stamp(day(offset, 21, 45))

    # The present: what the pages show as waiting. A small demo (seed_demo --retirees 2) may
    # have one helper and one elder in a county, so the second of each is the first again.
    waiting = 0
    for n, (_county, helpers, recipients) in enumerate(members):
        for k in range(2):
            serve(rng.choice(recipients), rng.choice(helpers), day(rng.randint(1, 5), 9 + 3 * k), finish="open")
            waiting += 1
        serve(recipients[-1], helpers[-1], day(2, 14), finish="accepted")
        serve(recipients[0], helpers[0], day(-1, 9), finish="reported")
        if n % 4 == 0:
            serve(_second(recipients), _second(helpers), day(-2, 15), finish="disputed")
        if n % 3 == 0:
            category, description = rng.choice(OFFERS)
            offerer = _second(helpers)
            services.do_publish_offer(by=_user(offerer), provider=offerer, category=category, description=description)

    _backdate(clock, joined, now)
    demo_users = [
        (r, kind)
        for _c, helpers, recipients in members[-2:]
        for r, kind in ((helpers[0], "helper"), (recipients[0], "recipient"))
        if r.account_id
    ]
    write(
        f"time bank: {len(members)} counties, {Account.objects.filter(kind='member').count()} members, "
        f"{Transfer.objects.count()} transfers ({confirmed} services over {DAYS} days), {waiting} open needs, "
        f"{Offer.objects.count()} offers"
    )
    for r, kind in demo_users:
        write(f"  time bank {kind}: {getattr(r.account, 'username', '')} ({r.name}, {r.org.name})")


def _backdate(clock: Clock, joined: dict[int, dt.datetime], now: dt.datetime) -> None:
    """Give the history its dates. The ledger is append-only, so its triggers come off for this one step."""
    adapt = connection.ops.adapt_datetimefield_value
    joined = {pk: min(at, now) for pk, at in joined.items()}
    triggers.remove(connection)
    try:
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE timebank_transfer SET created_at = %s WHERE id = %s",
                [(adapt(at), pk) for pk, at in clock.transfers.items()],
            )
            cur.executemany(
                "UPDATE timebank_movement SET created_at = %s WHERE transfer_id = %s",
                [(adapt(at), pk) for pk, at in clock.transfers.items()],
            )
            cur.executemany(
                "UPDATE timebank_servicerequest SET created_at = %s, updated_at = %s WHERE id = %s",
                [(adapt(created), adapt(updated), pk) for pk, (created, updated) in clock.needs.items()],
            )
            cur.executemany(
                "UPDATE timebank_account SET joined_at = %s WHERE id = %s",
                [(adapt(at), pk) for pk, at in joined.items()],
            )
    finally:
        triggers.install(connection)
