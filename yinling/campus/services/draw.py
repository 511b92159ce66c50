"""The lottery draw: `do_draw` turns a closed application window into enrolments and waitlists.

The seed was made with the term and its SHA-256 published from the start (`Term.seed_sha256`); the draw
reveals it. The inputs (anonymised applicants with their ranked choices and priority group, the free seats,
the classes' times) and the results are kept whole in `LotteryDraw`, so `manage.py verify_lottery` and the
public page can re-run `campus.lottery.draw` and show the same results.
"""

from __future__ import annotations

import datetime as dt
import gc
import secrets
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.campus import lottery, policy
from yinling.campus.models import Enrolment, LotteryDraw, Section, Slot, Term
from yinling.campus.services.rules import local_today
from yinling.core.refusals import Refused
from yinling.notifications.services import notify_many

BATCH = 2000
# PostgreSQL writes the draw's results with one UPDATE joined to arrays (`_apply_pg`); False takes the
# portable ORM path there too (benchmarks/campus_lottery.py --portable-apply compares the two).
APPLY_IN_ONE_STATEMENT = True


def new_seed() -> tuple[str, str]:
    seed = secrets.token_hex(32)
    return seed, lottery.seed_sha256(seed)


def applicant_key(term_id: int, retiree_id: int) -> str:
    """A person's anonymised key in a term's lottery: stable, shown to them, meaningless to anyone else
    (an HMAC under the site's secret, so the revealed seed does not let anyone map keys back to ids)."""
    return salted_hmac("yinling.campus.applicant", f"{term_id}:{retiree_id}").hexdigest()[:16]


def _returning(term: Term, retiree_ids: set[int]) -> set[int]:
    """Those enrolled at the school in a term that ended before this one starts (priority when the school wants it)."""
    if not term.school.returning_priority or not retiree_ids:
        return set()
    return set(
        Enrolment.objects.unrestricted()
        .filter(
            term__school_id=term.school_id,
            term__ends__lt=term.starts,
            status=Enrolment.Status.ENROLLED,
            retiree_id__in=retiree_ids,
        )
        .values_list("retiree_id", flat=True)
        .distinct()
    )


def build_inputs(term: Term) -> tuple[lottery.Inputs, dict[str, int], dict[tuple[int, int], int]]:
    """(the inputs, applicant key -> retiree id, (retiree id, section id) -> enrolment id)."""
    apps = list(
        Enrolment.objects.unrestricted()
        .filter(term=term, status=Enrolment.Status.APPLIED)
        .values_list("pk", "retiree_id", "section_id", "rank")
        .order_by("retiree_id", "rank", "pk")
    )
    choices: dict[int, list[int]] = defaultdict(list)
    rows: dict[tuple[int, int], int] = {}
    for pk, retiree_id, section_id, _rank in apps:
        choices[retiree_id].append(section_id)
        rows[(retiree_id, section_id)] = pk
    returning = _returning(term, set(choices))
    keys = {applicant_key(term.pk, rid): rid for rid in choices}
    sections = list(
        Section.objects.unrestricted()
        .filter(term=term, is_deleted=False)
        .values_list("pk", "capacity", "taken", "waitlist")
    )
    slots: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for section_id, weekday, start, end in (
        Slot.objects.unrestricted().filter(section__term=term).values_list("section_id", "weekday", "start", "end")
    ):
        slots[section_id].append((weekday, start.strftime("%H:%M"), end.strftime("%H:%M")))
    live_ids = {pk for pk, *_ in sections}
    inputs = lottery.Inputs(
        seed=term.seed,
        limit=term.limit,
        seats={pk: max(0, cap - taken) for pk, cap, taken, _w in sections},
        waitlist={pk for pk, _c, _t, keeps in sections if keeps},
        slots={k: sorted(v) for k, v in slots.items()},
        applicants=[
            lottery.Applicant(key, [s for s in choices[rid] if s in live_ids], 0 if rid in returning else 1)
            for key, rid in keys.items()
        ],
    )
    return inputs, keys, rows


def _apply(
    term: Term, results: list[lottery.Result], keys: dict[str, int], rows: dict[tuple[int, int], int]
) -> dict[str, int]:
    today = local_today()
    week = today + dt.timedelta(days=7)
    due = max(term.fees_due, week) if term.fees_due else week
    fees = dict(Section.objects.unrestricted().filter(term=term).values_list("pk", "fee"))
    enrolled_paying: list[int] = []
    enrolled_free: list[int] = []
    waitlisted: list[Enrolment] = []
    wins: dict[int, int] = defaultdict(int)
    for r in results:
        pk = rows[(keys[r.applicant], r.section)]
        if r.status == "enrolled":
            (enrolled_paying if fees.get(r.section) else enrolled_free).append(pk)
            wins[r.section] += 1
        else:
            waitlisted.append(Enrolment(pk=pk, status=Enrolment.Status.WAITLISTED, queue=r.position or 0))
    manager = Enrolment.objects.unrestricted()
    one_statement = APPLY_IN_ONE_STATEMENT and connection.vendor == "postgresql"
    not_drawn: set[int] = set()
    if one_statement:
        not_drawn = set(rows.values()) - set(enrolled_paying) - set(enrolled_free) - {e.pk for e in waitlisted}
        _apply_pg(enrolled_paying, enrolled_free, waitlisted, sorted(not_drawn), due, wins)
    else:
        for i in range(0, len(enrolled_paying), BATCH):
            manager.filter(pk__in=enrolled_paying[i : i + BATCH]).update(
                status=Enrolment.Status.ENROLLED, fee_due_on=due
            )
        for i in range(0, len(enrolled_free), BATCH):
            manager.filter(pk__in=enrolled_free[i : i + BATCH]).update(status=Enrolment.Status.ENROLLED)
        manager.bulk_update(waitlisted, ["status", "queue"], batch_size=BATCH)
        for section_id, n in wins.items():
            Section.objects.unrestricted().filter(pk=section_id).update(taken=F("taken") + n)
    # Every application not in the results was not drawn (on PostgreSQL already written above: this
    # then finds none, and stays as the safety net for a row `rows` did not hold).
    not_drawn_n = manager.filter(term=term, status=Enrolment.Status.APPLIED).update(status=Enrolment.Status.NOT_DRAWN)
    not_drawn_n += len(not_drawn)
    return {
        "enrolled": len(enrolled_paying) + len(enrolled_free),
        "waitlisted": len(waitlisted),
        "not_drawn": not_drawn_n,
        "applicants": len(keys),
    }


def _apply_pg(
    paying: list[int],
    free: list[int],
    waitlisted: list[Enrolment],
    not_drawn: list[int],
    due: dt.date,
    wins: dict[int, int],
) -> None:
    """PostgreSQL: every application's new status (with its waitlist place and fee date) in one UPDATE
    joined to arrays (unnest), and the seats won in another.

    Why (benchmarks/campus_lottery.py, 100,000 applicants, 224,600 applications): the portable path is 30
    `pk IN (…)` UPDATEs for the enrolled, `bulk_update` for the waitlisted (`CASE WHEN id = … THEN …` per
    row, evaluated arm by arm: quadratic in the batch; 2.8 s for 11,500 results alone), one UPDATE a section
    for the seats, and a last pass over the term for the rest: 141 s for `_apply` on the loaded bench machine,
    against 19–31 s this way (benchmarks/README.md). Each row is written once, by one statement, with the same
    values (status, queue, fee_due_on; changed_at untouched, as there): test_lottery_properties_apply.py."""
    enrolments, sections = Enrolment._meta.db_table, Section._meta.db_table
    ids: list[int] = [*paying, *free, *(e.pk for e in waitlisted), *not_drawn]
    statuses = (
        [Enrolment.Status.ENROLLED] * (len(paying) + len(free))
        + [Enrolment.Status.WAITLISTED] * len(waitlisted)
        + [Enrolment.Status.NOT_DRAWN] * len(not_drawn)
    )
    queues = [0] * (len(paying) + len(free)) + [e.queue for e in waitlisted] + [0] * len(not_drawn)
    dues = [due] * len(paying) + [None] * (len(ids) - len(paying))
    # In id order, which is the order the rows were written in: the UPDATE then walks the table's pages
    # (and its indexes) front to back instead of jumping about (results come section by section).
    order = sorted(range(len(ids)), key=ids.__getitem__)
    ids, statuses = [ids[i] for i in order], [statuses[i] for i in order]
    queues, dues = [queues[i] for i in order], [dues[i] for i in order]
    with connection.cursor() as cur:
        if ids:
            cur.execute(
                f"UPDATE {enrolments} AS e SET status = v.status, "  # noqa: S608 - our table names
                "queue = CASE WHEN v.status = 'waitlisted' THEN v.queue ELSE e.queue END, "
                "fee_due_on = COALESCE(v.due, e.fee_due_on) "
                "FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::date[]) AS v(id, status, queue, due) "
                "WHERE e.id = v.id",
                [ids, statuses, queues, dues],
            )
        if wins:
            cur.execute(
                f"UPDATE {sections} AS s SET taken = s.taken + v.n "  # noqa: S608 - our table names
                "FROM unnest(%s::bigint[], %s::integer[]) AS v(id, n) WHERE s.id = v.id",
                [list(wins), list(wins.values())],
            )


@contextmanager
def _no_gc() -> Iterator[None]:
    """Python's cyclic garbage collector off while the draw builds its hundreds of thousands of small objects
    (rows, applicants, results; none of them in cycles) and back on after. bench: the collector's passes over
    the growing heap took 30–45% of `lottery.draw` at 100,000 applicants (1.34 s with it, 0.95 s without)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@transaction.atomic
def do_draw(*, by: Any, term: Term, now: Any = None) -> LotteryDraw:
    policy.check_draw(by, term)
    locked = Term.objects.unrestricted().select_for_update().select_related("school__org").get(pk=term.pk)
    now = now or timezone.now()
    if locked.mode != Term.Mode.LOTTERY:
        raise Refused("closed", _("This term enrols first come, first served: there is nothing to draw."))
    if locked.drawn_at is not None:
        raise Refused("duplicate", _("This term's lottery has already been drawn."))
    if now < locked.apply_until:
        raise Refused("closed", _("The application window is still open; draw once it has closed."))
    with _no_gc():
        inputs, keys, rows = build_inputs(locked)
        results = lottery.draw(inputs)
        results_json = lottery.results_to_json(results)
        counts = _apply(locked, results, keys, rows)
    draw = LotteryDraw.objects.create(
        term=locked,
        inputs=lottery.inputs_to_json(inputs),
        results=results_json,
        digest=lottery.digest(results_json),
        algorithm=lottery.ALGORITHM,
        drawn_by=by if getattr(by, "is_authenticated", False) else None,
    )
    locked.drawn_at = now
    locked.draw_digest = draw.digest
    locked.save(update_fields=["drawn_at", "draw_digest"])
    # One record for the draw: its inputs and results are kept whole in LotteryDraw (digest here), and
    # each person's later changes (accepting, withdrawing) are recorded one by one.
    record(
        AuditRecord.Action.UPDATE,
        locked,
        extra={"event": "campus_drawn", "digest": draw.digest, **counts},
        org_path=locked.school.org.path,
    )
    accounts = _accounts(locked)
    if accounts:
        notify_many(
            accounts,
            "campus.drawn",
            _("The lottery for %(term)s has been drawn: see your result.") % {"term": locked},
            reverse("campus:my_classes"),
        )
    return draw


def _accounts(term: Term) -> list[Any]:
    from yinling.registry.models import Retiree

    applicants = Enrolment.objects.unrestricted().filter(term=term).values("retiree_id")
    return [
        r.account
        for r in Retiree.objects.unrestricted()
        .filter(pk__in=applicants, account__isnull=False, account__is_active=True)
        .select_related("account")
    ]


def verify(draw: LotteryDraw, seed: str, published_sha256: str) -> list[str]:
    """Re-run a draw from what was published; the problems found (none: it checks out)."""
    problems: list[str] = []
    if lottery.seed_sha256(seed) != published_sha256:
        problems.append("the seed's SHA-256 is not the one published when the window opened")
    with _no_gc():
        again = lottery.results_to_json(lottery.draw(lottery.inputs_from_json(draw.inputs, seed)))
    if again != draw.results:
        problems.append("re-running the draw gives different results")
    if lottery.digest(draw.results) != draw.digest:
        problems.append("the stored results do not match their digest")
    return problems
