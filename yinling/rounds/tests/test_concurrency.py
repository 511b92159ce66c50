"""Many staff recording at once on PostgreSQL: none lost, answers for one person queue on its row, and a
close racing the answers leaves none recorded after it."""

from __future__ import annotations

import pytest

from yinling.audit.models import AuditRecord
from yinling.rounds.models import EntryUpdate, Round, RoundEntry
from yinling.rounds.services import do_close_round, do_open_round, do_record_entry
from yinling.rounds.tests.factories import open_round, person
from yinling.testing.concurrency import run_threads, split_refused
from yinling.testing.personas import Cast, make_cast, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 20


def _world() -> tuple[Cast, Round, list[RoundEntry]]:
    cast = make_cast()
    for i in range(N):
        person(cast.tree.county_a, f"测试{i:02d}", 20 + i)
    found = open_round(cast)
    entries = list(RoundEntry.objects.unrestricted().filter(round=found).order_by("id"))
    return cast, found, entries


def test_it_loses_no_answer_when_many_staff_record_at_once() -> None:
    cast, found, entries = _world()
    staff = [make_user(f"clerk{i:02d}", cast.tree.county_a, "clerk") for i in range(len(entries))]

    def work(i: int) -> None:
        do_record_entry(by=staff[i], entry=entries[i], status="safe" if i % 2 else "unreachable")

    errors = run_threads(len(entries), work)

    assert errors == []
    rows = RoundEntry.objects.unrestricted().filter(round=found)
    assert rows.filter(status="not_reached").count() == 0 and all(r.version == 1 for r in rows)
    assert EntryUpdate.objects.unrestricted().filter(entry__round=found).count() == len(entries)
    assert AuditRecord.objects.filter(object_type="rounds.roundentry").count() == len(entries)


def test_it_queues_answers_for_the_same_person_and_keeps_them_all() -> None:
    cast, _found, entries = _world()
    one = entries[0]
    staff = [make_user(f"clerk{i:02d}", cast.tree.county_a, "clerk") for i in range(10)]

    errors = run_threads(10, lambda i: do_record_entry(by=staff[i], entry=one, status="safe"))

    assert errors == []
    saved = RoundEntry.objects.unrestricted().get(pk=one.pk)
    assert saved.version == 10 and EntryUpdate.objects.unrestricted().filter(entry=one).count() == 10


def test_it_lets_one_of_two_answers_read_at_the_same_version_win() -> None:
    cast, _found, entries = _world()
    one = entries[0]
    errors = run_threads(
        2, lambda i: do_record_entry(by=cast.clerk, entry=one, status=("safe", "unreachable")[i], version=0)
    )
    refused, failures = split_refused(errors)
    assert failures == [] and [r.code for r in refused] == ["stale"]
    assert RoundEntry.objects.unrestricted().get(pk=one.pk).version == 1


def test_it_records_no_answer_after_the_close_that_raced_it() -> None:
    cast, found, entries = _world()

    def work(i: int) -> None:
        if i == 0:
            do_close_round(by=cast.bureau_admin, round_=found)
        else:
            do_record_entry(by=cast.clerk, entry=entries[i - 1], status="safe")

    errors = run_threads(len(entries) + 1, work)
    refused, failures = split_refused(errors)
    assert failures == [] and all(r.code == "closed" for r in refused)
    closed = Round.objects.unrestricted().get(pk=found.pk)
    recorded = RoundEntry.objects.unrestricted().filter(round=found, status="safe").count()
    # Whatever committed before the close is in its frozen counts; nothing came after it.
    assert closed.summary["safe"] == recorded
    assert recorded + len(refused) == len(entries)


def test_it_opens_one_round_when_two_admins_open_the_same_org_at_once() -> None:
    cast = make_cast()
    admins = [cast.bureau_admin, make_user("admin2", cast.tree.city_a, "bureau_admin")]
    errors = run_threads(2, lambda i: do_open_round(by=admins[i], org=cast.tree.county_a, title=f"暴雨{i}"))
    refused, failures = split_refused(errors)
    assert failures == [] and [r.code for r in refused] == ["duplicate"]
    assert Round.objects.unrestricted().filter(org=cast.tree.county_a, status="open").count() == 1
