"""Opening, recording and closing a round through the services: the snapshot, the transitions, the history,
the refusals and the audit trail; and the notices job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from yinling.audit.models import AuditRecord
from yinling.core.refusals import Refused
from yinling.jobs.models import Job
from yinling.notifications.models import Notification
from yinling.registry.models import Retiree
from yinling.rounds.models import EntryUpdate, Round, RoundEntry
from yinling.rounds.services import do_close_round, do_record_entry, selectors
from yinling.rounds.tests.factories import entry_of, open_round, person
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def test_it_snapshots_every_living_retiree_on_register_in_the_subtree(cast: Cast) -> None:
    t = cast.tree
    alive = person(t.county_a, "王大山", 1)
    dead = person(t.county_a, "李去世", 2)
    Retiree.objects.filter(pk=dead.pk).update(status="deceased", deceased_on=dt.date(2020, 1, 1))
    moved = person(t.county_a, "赵迁出", 3)
    Retiree.objects.filter(pk=moved.pk).update(status="moved_out")
    deleted = person(t.county_a, "钱删除", 4)
    Retiree.objects.filter(pk=deleted.pk).update(is_deleted=True)
    elsewhere = person(t.county_b, "孙宁波", 5)

    found = open_round(cast)

    people = set(RoundEntry.objects.unrestricted().filter(round=found).values_list("retiree_id", flat=True))
    assert people == {cast.retiree_record.pk, cast.family_record.pk, alive.pk}
    assert elsewhere.pk not in people and found.total == 3
    assert set(RoundEntry.objects.unrestricted().filter(round=found).values_list("status", flat=True)) == {
        "not_reached"
    }
    # Each entry keeps the person's org at opening (its scope).
    assert entry_of(found, cast.retiree_record).org_id == t.unit_a.pk
    opened = AuditRecord.objects.get(object_type="rounds.round", object_id=str(found.pk), action="create")
    assert opened.extra == {"event": "round_opened", "people": 3, "org": t.city_a.code}
    assert opened.org_path == t.city_a.path


def test_it_tells_everyone_with_an_account_through_a_job_and_their_relatives_get_a_copy(cast: Cast) -> None:
    found = open_round(cast)

    job = Job.objects.unrestricted().get(kind="rounds.notify")
    assert job.status == Job.Status.DONE and job.result["round"] == found.pk and job.result["people"] == 2
    mine = Notification.objects.unrestricted().filter(recipient=cast.retiree, kind="rounds.ask")
    own = mine.filter(on_behalf_of="")
    assert own.count() == 1 and own.get().link == "/rounds/me/"
    # Each is told for themselves and, as the other's recorded relative, for the other.
    theirs = Notification.objects.unrestricted().filter(recipient=cast.family, kind="rounds.ask")
    assert theirs.count() == 2 and theirs.filter(on_behalf_of=cast.retiree_record.name).count() == 1
    assert mine.filter(on_behalf_of=cast.family_record.name).count() == 1


def test_it_opens_only_with_the_right_at_the_org(cast: Cast) -> None:
    from yinling.rounds.services import do_open_round

    for who in (cast.clerk, cast.leader, cast.outsider, cast.norole, cast.retiree, cast.system_admin):
        with pytest.raises(PermissionDenied):
            do_open_round(by=who, org=cast.tree.city_a, title="x")
    assert not Round.objects.unrestricted().exists()


def test_it_refuses_a_second_open_round_for_the_same_org_and_an_empty_title(cast: Cast) -> None:
    open_round(cast)
    with pytest.raises(Refused) as second:
        open_round(cast)
    assert second.value.code == "duplicate"
    with pytest.raises(Refused) as empty:
        open_round(cast, org=cast.tree.county_a, title="   ")
    assert empty.value.code == "not_eligible"
    # Another org (even below) may have its own.
    open_round(cast, org=cast.tree.county_a)


def test_it_records_an_answer_and_keeps_every_update_in_the_history(cast: Cast) -> None:
    found = open_round(cast)
    entry = entry_of(found, cast.retiree_record)

    do_record_entry(by=cast.clerk, entry=entry, status="unreachable")
    saved = do_record_entry(by=cast.clerk, entry=entry, status="needs_help", needs="需要药品", source="visit")

    assert (saved.status, saved.needs, saved.source, saved.version) == ("needs_help", "需要药品", "visit", 2)
    history = list(
        EntryUpdate.objects.unrestricted().filter(entry=entry).order_by("id").values_list("status", "source")
    )
    assert history == [("unreachable", "call"), ("needs_help", "visit")]
    trail = AuditRecord.objects.filter(object_type="rounds.roundentry", object_id=str(entry.pk)).order_by("id")
    assert [r.changes["status"] for r in trail] == [["not_reached", "unreachable"], ["unreachable", "needs_help"]]
    assert trail.last().changes["needs"] == ["", "******"]  # the text may tell of health: not in the trail
    assert trail.last().extra["source"] == "visit" and trail.last().actor == cast.clerk
    assert selectors.progress(cast.bureau_admin, found)["by_status"] == {
        "not_reached": 1,
        "safe": 0,
        "needs_help": 1,
        "unreachable": 0,
    }


def test_it_lets_the_retiree_answer_for_themselves_and_a_relative_for_the_parent(cast: Cast) -> None:
    found = open_round(cast)
    father = entry_of(found, cast.retiree_record)
    daughter = entry_of(found, cast.family_record)

    assert do_record_entry(by=cast.retiree, entry=father, status="safe").source == "self"
    assert do_record_entry(by=cast.family, entry=father, status="needs_help", needs="停电").source == "family"
    assert EntryUpdate.objects.unrestricted().filter(entry=father, on_behalf=True).count() == 1
    # The father is her recorded relative as much as she is his.
    assert do_record_entry(by=cast.retiree, entry=daughter, status="safe").source == "family"


def test_it_refuses_a_stranger_and_staff_outside_the_persons_org(cast: Cast) -> None:
    t = cast.tree
    stranger_record = person(t.county_a, "路人甲", 7)
    from yinling.testing.personas import make_retiree_account

    stranger = make_retiree_account(stranger_record)
    found = open_round(cast)
    entry = entry_of(found, cast.retiree_record)
    for who in (stranger, cast.outsider, cast.leader, cast.norole, cast.system_admin, cast.audit_admin):
        with pytest.raises(PermissionDenied):
            do_record_entry(by=who, entry=entry, status="safe")
    assert entry_of(found, cast.retiree_record).version == 0


@pytest.mark.parametrize(
    ("status", "needs", "code"),
    [
        ("not_reached", "", "not_eligible"),
        ("lost", "", "not_eligible"),
        ("needs_help", "   ", "not_eligible"),
        ("needs_help", "x" * 1001, "not_eligible"),
    ],
)
def test_it_refuses_answers_that_are_not_one(cast: Cast, status: str, needs: str, code: str) -> None:
    entry = entry_of(open_round(cast), cast.retiree_record)
    with pytest.raises(Refused) as refused:
        do_record_entry(by=cast.clerk, entry=entry, status=status, needs=needs)
    assert refused.value.code == code


def test_it_refuses_a_stale_version_and_drops_needs_from_a_safe_answer(cast: Cast) -> None:
    entry = entry_of(open_round(cast), cast.retiree_record)
    do_record_entry(by=cast.clerk, entry=entry, status="needs_help", needs="水", version=0)
    with pytest.raises(Refused) as stale:
        do_record_entry(by=cast.bureau_admin, entry=entry, status="safe", version=0)
    assert stale.value.code == "stale"
    saved = do_record_entry(by=cast.bureau_admin, entry=entry, status="safe", needs="ignored", version=1)
    assert (saved.status, saved.needs, saved.version) == ("safe", "", 2)


def test_it_closes_with_a_report_and_then_refuses_answers_and_a_second_close(cast: Cast) -> None:
    found = open_round(cast)
    do_record_entry(by=cast.clerk, entry=entry_of(found, cast.family_record), status="safe")
    for who in (cast.clerk, cast.leader, cast.outsider):
        with pytest.raises(PermissionDenied):
            do_close_round(by=who, round_=found)

    closed = do_close_round(by=cast.bureau_admin, round_=found, report="  台风已过境。 ")

    assert (closed.status, closed.report, closed.closed_by) == ("closed", "台风已过境。", cast.bureau_admin)
    assert closed.summary == {"not_reached": 1, "safe": 1, "needs_help": 0, "unreachable": 0}
    with pytest.raises(Refused) as late:
        do_record_entry(by=cast.clerk, entry=entry_of(found, cast.retiree_record), status="safe")
    assert late.value.code == "closed"
    with pytest.raises(Refused) as again:
        do_close_round(by=cast.bureau_admin, round_=found)
    assert again.value.code == "closed"
    record = AuditRecord.objects.filter(object_type="rounds.round", action="update").get()
    assert record.extra["event"] == "round_closed" and record.changes == {"status": ["open", "closed"]}


def test_it_lets_a_county_work_the_citys_round_but_only_its_own_people(cast: Cast) -> None:
    t = cast.tree
    city_person = person(t.city_a, "市直老干部", 8)
    found = open_round(cast)
    # The clerk of county A1 sees the city's round, and only the county's people in it.
    assert Round.objects.restrict(cast.clerk, "view").filter(pk=found.pk).exists()
    seen = set(selectors.entries_in_scope(cast.clerk, found).values_list("retiree_id", flat=True))
    assert seen == {cast.retiree_record.pk, cast.family_record.pk}
    with pytest.raises(PermissionDenied):
        do_record_entry(by=cast.clerk, entry=entry_of(found, city_person), status="safe")
    # The other city sees nothing of it.
    assert not Round.objects.restrict(cast.outsider, "view").filter(pk=found.pk).exists()


def test_it_lists_the_people_in_tree_then_name_order(cast: Cast) -> None:
    t = cast.tree
    person(t.county_a, "阿宝", 12)  # "abao": first by name in the county
    person(t.unit_a, "赵六", 13)
    found = open_round(cast)
    rows = [(e.org.path, e.retiree.name_pinyin) for e in selectors.entry_list(cast.bureau_admin, found)]
    assert len(rows) == 4 and rows == sorted(rows)
    assert rows[0] == (t.county_a.path, "abao")
