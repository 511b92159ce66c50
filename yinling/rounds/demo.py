"""The demo's 平安报: one closed round in 西湖区 with its report.

The round is opened by the Hangzhou bureau admin (`hangzhou`) for the smallest org of 西湖区 that has
people (a whole district of a large demo would be thousands of answers), the answers come through
`do_record_entry` as the 西湖区 clerk's calls and visits (each audited), a few people stay unreached,
and the round is closed with its report. Idempotent: a second run leaves an existing round alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.db.models import Count

from yinling.audit.context import acting
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.rounds.models import EntryStatus, Round, RoundEntry, Source
from yinling.rounds.services import do_close_round, do_open_round, do_record_entry

TITLE = "2026年台风“烟花”平安报"
MAX_PEOPLE = 300
NEEDS = ("家中停电，需要手电和饮用水", "腿脚不便，需要人帮忙买菜", "降压药快吃完了", "屋顶漏水，需要上门查看")
REPORT = (
    "台风过境期间，西湖区经办人员通过电话和上门走访逐一联系辖区离退休干部。"
    "需要帮助的已由社区落实送水、送药和房屋检查；联系不上的已请社区网格员继续上门核实。"
)


def _org() -> Org | None:
    """The smallest org under 西湖区 with people on register (at most MAX_PEOPLE), else 西湖区 itself."""
    xihu = Org.objects.unrestricted().filter(code="330106").first()
    if xihu is None:
        return None
    sizes = (
        Retiree.objects.unrestricted()
        .filter(org__path__under=xihu.path, is_deleted=False, status="active")
        .values("org")
        .annotate(n=Count("id"))
        .order_by("n")
    )
    for row in sizes:
        if row["n"] <= MAX_PEOPLE:
            return Org.objects.unrestricted().get(pk=row["org"])
    return xihu if sizes else None


def seed_rounds(options: dict[str, Any], write: Callable[[str], None]) -> None:
    from yinling.accounts.models import User

    if Round.objects.unrestricted().exists():
        write("rounds: a 平安报 round already exists; left as it is")
        return
    admin = User.objects.unrestricted().filter(username="hangzhou").first()
    clerk = User.objects.unrestricted().filter(username="xihu").first()
    org = _org()
    if admin is None or clerk is None or org is None:
        write("rounds: no people in 西湖区 (or no demo accounts); skipped")
        return
    with acting(admin):
        found = do_open_round(by=admin, org=org, title=TITLE)
    rng = random.Random(2026)  # noqa: S311 - synthetic demo data
    entries = list(RoundEntry.objects.unrestricted().filter(round=found).order_by("id")[:MAX_PEOPLE])
    done = 0
    for n, entry in enumerate(entries):
        # The first four show every outcome whatever the demo's size; the rest as a real round goes.
        roll = (0.0, 0.14, 0.08, 0.1)[n] if n < 4 else rng.random()
        if roll < 0.05:
            continue  # still not reached when the round closed
        status = EntryStatus.SAFE
        needs = ""
        if roll < 0.12:
            status, needs = EntryStatus.NEEDS_HELP, rng.choice(NEEDS)
        elif roll < 0.17:
            status = EntryStatus.UNREACHABLE
        source = Source.VISIT if rng.random() < 0.3 else Source.CALL
        with acting(clerk):
            do_record_entry(by=clerk, entry=entry, status=status, needs=needs, source=source)
        done += 1
    with acting(admin):
        closed = do_close_round(by=admin, round_=found, report=REPORT)
    s = closed.summary
    write(
        f"rounds: one closed 平安报 round at {org.name} ({org.code}): {closed.total} people, {s.get('safe', 0)} safe, "
        f"{s.get('needs_help', 0)} needing help, {s.get('unreachable', 0)} unreachable, "
        f"{s.get('not_reached', 0)} not reached; report at /rounds/{closed.pk}/report/ (hangzhou or xihu)"
    )
