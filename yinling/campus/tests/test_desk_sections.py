"""The desk's class pages: sections made from typed weekly times, the roster in seat order, fees,
withdrawals and 代办 enrolment (the same refusals as the API), exports read back, forms by the wrong role."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from openpyxl import load_workbook

from yinling.audit.models import AuditRecord
from yinling.campus.models import Enrolment, SafetyPledge, Section, Term
from yinling.campus.services import enrol
from yinling.campus.tests import factories as f
from yinling.campus.tests.conftest import Campus
from yinling.testing.permissions import api_client, login_client

pytestmark = pytest.mark.django_db


def _section_values(campus: Campus, **more: Any) -> dict[str, Any]:
    return {
        "term": campus.term.pk,
        "course": campus.section.course_id,
        "site": campus.site.pk,
        "name": "周三下午班",
        "teacher": "王老师",
        "capacity": "20",
        "fee": "１２０元".replace("元", ""),
        "waitlist": "on",
        "slots": "周三 下午2点-4点；星期五 ９：００－１１：００",
        **more,
    }


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_it_adds_a_section_from_weekly_times_typed_in_chinese(campus: Campus) -> None:
    response = login_client(campus.cast.clerk).post("/campus/desk/classes/add/", _section_values(campus))
    assert response.status_code == 302, response.content.decode()[:3000]
    section = Section.objects.unrestricted().get(name="周三下午班")
    slots = [(s.weekday, s.start, s.end) for s in section.slots.all()]
    assert slots == [(3, dt.time(14), dt.time(16)), (5, dt.time(9), dt.time(11))]
    assert str(section.fee) == "120.00"
    assert AuditRecord.objects.filter(object_type="campus.section", object_id=str(section.pk)).count() == 1


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("周八 9:00-11:00", "周八 9:00-11:00"),
        ("周一 9:00-11:00；周三 14点-", "周三 14点-"),
        ("周一 11:00-9:00", gettext_noop("A class must end after it starts.")),
        ("周一 9:00-11:00; 周一 10:00-12:00", gettext_noop("Two of the class's times overlap.")),
        ("", gettext_noop("This field is required.")),
    ],
)
def test_it_shows_which_weekly_time_it_cannot_read(campus: Campus, typed: str, says: str) -> None:
    client = login_client(campus.cast.clerk)
    response = client.post("/campus/desk/classes/add/", _section_values(campus, slots=typed))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["slots"]
    with translation.override("zh-hans"):  # the page's language
        assert gettext(says) in errors["slots"][0]


def test_it_edits_seats_through_the_service_and_keeps_times_once_people_hold_places(campus: Campus) -> None:
    client = login_client(campus.cast.clerk)
    page = client.get(f"/campus/desk/classes/{campus.section.pk}/edit/")
    assert page.context["form"]["slots"].value() == "周一 09:00-11:00"
    values = {
        "name": "",
        "teacher": "李老师",
        "capacity": "3",
        "fee": "0",
        "waitlist": "on",
        "slots": "周二 9:00-11:00",
    }
    assert client.post(f"/campus/desk/classes/{campus.section.pk}/edit/", values).status_code == 302
    campus.section.refresh_from_db()
    assert (campus.section.capacity, campus.section.teacher) == (3, "李老师")
    assert [s.weekday for s in campus.section.slots.all()] == [2]
    trail = AuditRecord.objects.filter(object_type="campus.section", object_id=str(campus.section.pk))
    assert [r.changes["slots"] for r in trail if "slots" in r.changes] == [["周一 09:00-11:00", "周二 09:00-11:00"]]
    assert any(r.changes.get("capacity") == ["2", "3"] for r in trail)
    enrol.do_enrol(
        by=campus.cast.clerk, section=campus.section, retiree=f.person(campus.cast.tree.unit_a), on_behalf=True
    )
    page = client.get(f"/campus/desk/classes/{campus.section.pk}/edit/")
    assert page.context["form"].fields["slots"].disabled
    client.post(f"/campus/desk/classes/{campus.section.pk}/edit/", {**values, "slots": "周四 9:00-11:00"})
    assert [s.weekday for s in campus.section.slots.all()] == [2]
    # Fewer seats than are taken: the service refuses, on the form.
    refused = client.post(f"/campus/desk/classes/{campus.section.pk}/edit/", {**values, "capacity": "0"})
    assert refused.status_code == 200


def test_it_lists_the_roster_in_seat_order_with_waitlist_positions(campus: Campus) -> None:
    cast = campus.cast
    people = [f.person(cast.tree.unit_a) for _ in range(5)]
    for person in people:
        enrol.do_enrol(by=cast.clerk, section=campus.section, retiree=person, on_behalf=True)
    enrol.do_withdraw(by=cast.clerk, section=campus.section, retiree=people[0], on_behalf=True)  # 3rd is offered
    response = login_client(cast.leader).get(f"/campus/desk/classes/{campus.section.pk}/")
    roster = response.context["roster"]
    assert [e.retiree for e in roster["enrolled"]] == [people[1]]
    assert [e.retiree for e in roster["offered"]] == [people[2]]
    assert [(n, e.retiree) for n, e in roster["waitlist"]] == [(1, people[3]), (2, people[4])]
    body = response.content.decode()
    seats = body.split('data-testid="seats">', 1)[1].split("</dd>", 1)[0]
    assert [int(n) for n in re.findall(r"\d+", seats)] == [2, 2, 0]  # capacity, taken, left
    assert people[1].id_number not in body
    # The leader may look but not act: no buttons.
    assert "/withdraw/" not in body and "/enrol/" not in body


def test_it_records_a_fee_and_withdraws_on_behalf_offering_the_seat_on(campus: Campus) -> None:
    cast = campus.cast
    Section.objects.unrestricted().filter(pk=campus.section.pk).update(fee=100)
    campus.section.refresh_from_db()
    a, b, c = (f.person(cast.tree.unit_a) for _ in range(3))
    for person in (a, b, c):
        enrol.do_enrol(by=cast.clerk, section=campus.section, retiree=person, on_behalf=True)
    first = Enrolment.objects.unrestricted().get(retiree=a)
    client = login_client(cast.clerk)
    paid = client.post(
        f"/campus/desk/classes/{campus.section.pk}/enrolments/{first.pk}/fee/", {"paid_on": "2026年12月1日"}
    )
    assert paid.status_code == 302
    first.refresh_from_db()
    assert first.fee_paid_on == dt.date(2026, 12, 1)
    later = client.post(
        f"/campus/desk/classes/{campus.section.pk}/enrolments/{first.pk}/fee/",
        {"paid_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
    )
    assert later.status_code == 302
    first.refresh_from_db()
    assert first.fee_paid_on == dt.date(2026, 12, 1)
    second = Enrolment.objects.unrestricted().get(retiree=b)
    client.post(f"/campus/desk/classes/{campus.section.pk}/enrolments/{second.pk}/withdraw/")
    second.refresh_from_db()
    assert second.status == "withdrawn"
    assert Enrolment.objects.unrestricted().get(retiree=c).status == "offered"
    record = AuditRecord.objects.filter(object_type="campus.enrolment", object_id=str(second.pk)).last()
    assert record is not None and record.extra["on_behalf"] == b.name


def _api_and_page(campus: Campus, section: Section, person: Any) -> tuple[Any, Any]:
    cast = campus.cast
    api = api_client(cast.clerk).post(
        f"/api/v1/campus/sections/{section.pk}/enroll/", {"retiree_id": person.pk}, format="json"
    )
    page = login_client(cast.clerk).post(
        f"/campus/desk/classes/{section.pk}/enrol/", {"retiree": person.pk}, follow=True
    )
    return api, page


@pytest.mark.parametrize("case", ["not_eligible", "moved_out", "duplicate", "full", "closed", "clash", "limit"])
def test_it_enrols_on_behalf_with_the_same_refusals_as_the_api(campus: Campus, case: str) -> None:
    cast = campus.cast
    person = f.person(cast.tree.unit_a, age=85 if case == "not_eligible" else 66)
    section = campus.section
    if case == "duplicate":
        enrol.do_enrol(by=cast.clerk, section=section, retiree=person, on_behalf=True)
    elif case == "full":
        section = f.section(campus.term, campus.site, capacity=1, waitlist=False, slots=((4, "09:00", "11:00"),))
        enrol.do_enrol(by=cast.clerk, section=section, retiree=f.person(cast.tree.unit_a), on_behalf=True)
    elif case == "closed":
        section = f.section(f.term(campus.school, open_now=False), campus.site)
    elif case in ("clash", "limit"):
        other = f.section(
            campus.term, campus.site, slots=((1, "10:00", "12:00") if case == "clash" else (2, "09:00", "10:00"),)
        )
        enrol.do_enrol(by=cast.clerk, section=other, retiree=person, on_behalf=True)
        if case == "limit":
            third = f.section(campus.term, campus.site, slots=((3, "09:00", "10:00"),))
            enrol.do_enrol(by=cast.clerk, section=third, retiree=person, on_behalf=True)
    elif case == "moved_out":
        person.status = "moved_out"
        person.save()
    before = Enrolment.objects.unrestricted().count()
    api, page = _api_and_page(campus, section, person)
    assert api.status_code == 409
    assert api.json()["error"] == ("not_eligible" if case == "moved_out" else case)
    assert _messages(page) == [api.json()["message"]]
    assert Enrolment.objects.unrestricted().count() == before


def test_it_enrols_on_behalf_and_says_the_waitlist_position(campus: Campus) -> None:
    cast = campus.cast
    client = login_client(cast.clerk)
    people = [f.person(cast.tree.unit_a) for _ in range(4)]
    answers = []
    for person in people:
        response = client.post(f"/campus/desk/classes/{campus.section.pk}/enrol/", {"retiree": person.pk}, follow=True)
        answers.append(_messages(response))
    statuses = [Enrolment.objects.unrestricted().get(retiree=p).status for p in people]
    assert statuses == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert "2" in answers[3][0] and people[3].name in answers[3][0]
    assert all(Enrolment.objects.unrestricted().get(retiree=p).on_behalf for p in people)


def test_it_refuses_a_person_outside_the_registrars_area_as_a_picker_error(campus: Campus) -> None:
    cast = campus.cast
    stranger = f.person(cast.tree.county_b)
    response = login_client(cast.clerk).post(
        f"/campus/desk/classes/{campus.section.pk}/enrol/", {"retiree": stranger.pk}, follow=True
    )
    assert len(_messages(response)) == 1
    assert not Enrolment.objects.unrestricted().filter(retiree=stranger).exists()


def test_it_lets_an_over_age_person_enrol_once_a_pledge_is_recorded_on_the_desk(campus: Campus) -> None:
    cast = campus.cast
    old = f.person(cast.tree.unit_a, age=85)
    client = login_client(cast.clerk)
    made = client.post(
        "/campus/desk/pledges/add/",
        {"retiree": old.pk, "school": campus.school.pk, "signed_by": "张小英", "signed_on": "2026年12月1日"},
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    pledge = SafetyPledge.objects.unrestricted().get(retiree=old)
    assert pledge.recorded_by == cast.clerk
    assert AuditRecord.objects.filter(object_type="campus.safetypledge", action=AuditRecord.Action.CREATE).count() == 1
    client.post(f"/campus/desk/classes/{campus.section.pk}/enrol/", {"retiree": old.pk})
    assert Enrolment.objects.unrestricted().get(retiree=old).status == "enrolled"


def test_it_refuses_forms_posted_by_the_wrong_role_before_reading_them(campus: Campus) -> None:
    cast = campus.cast
    before = Section.objects.unrestricted().count()
    assert login_client(cast.leader).post("/campus/desk/classes/add/", _section_values(campus)).status_code == 403
    assert login_client(cast.outsider).post("/campus/desk/classes/add/", _section_values(campus)).status_code == 200
    assert Section.objects.unrestricted().count() == before  # the outsider may choose none of A's terms
    edit = f"/campus/desk/classes/{campus.section.pk}/edit/"
    assert login_client(cast.outsider).post(edit, {"capacity": "99"}).status_code == 404
    assert login_client(cast.leader).post(edit, {"capacity": "99"}).status_code == 403
    pledge = {
        "retiree": cast.retiree_record.pk,
        "school": campus.school.pk,
        "signed_by": "x",
        "signed_on": "2026-12-01",
    }
    assert login_client(cast.leader).post("/campus/desk/pledges/add/", pledge).status_code == 403
    term = {"mode": "first_come", "school": campus.school.pk, "name": "x"}
    assert login_client(cast.leader).post("/campus/desk/terms/add/", term).status_code == 403
    campus.section.refresh_from_db()
    assert campus.section.capacity == 2
    assert not SafetyPledge.objects.unrestricted().exists()
    on_file = SafetyPledge.objects.create(
        retiree=cast.retiree_record, school=campus.school, signed_by="张秀英", signed_on=dt.date(2026, 11, 1)
    )
    change = {**pledge, "signed_by": "改名", "signed_on": "2026-11-02"}
    assert login_client(cast.leader).post(f"/campus/desk/pledges/{on_file.pk}/edit/", change).status_code == 403
    assert login_client(cast.outsider).post(f"/campus/desk/pledges/{on_file.pk}/edit/", change).status_code == 404
    assert login_client(cast.norole).post(f"/campus/desk/pledges/{on_file.pk}/edit/", change).status_code == 404
    on_file.refresh_from_db()
    assert on_file.signed_by == "张秀英"
    assert login_client(cast.clerk).post(f"/campus/desk/pledges/{on_file.pk}/edit/", change).status_code == 302
    on_file.refresh_from_db()
    assert (on_file.signed_by, on_file.retiree) == ("改名", cast.retiree_record)
    assert Term.objects.unrestricted().count() == 1


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))


def test_it_exports_enrolments_masked_as_a_real_workbook_and_records_it(campus: Campus) -> None:
    cast = campus.cast
    person = f.person(cast.tree.unit_a)
    enrol.do_enrol(by=cast.clerk, section=campus.section, retiree=person, on_behalf=True)
    other_term = f.term(campus.school)
    enrol.do_enrol(
        by=cast.clerk, section=f.section(other_term, campus.site), retiree=f.person(cast.tree.unit_a), on_behalf=True
    )
    rows = _sheet(login_client(cast.bureau_admin).get(f"/campus/desk/enrolments/?term={campus.term.pk}&export=xlsx"))
    header, *data = rows
    assert header[0] == "姓名" and "身份证号" in header
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["姓名"] == person.name
    assert row["身份证号"] == person.id_masked and person.id_number not in str(data)
    assert row["联系电话"] in (person.phone_masked, None, "")
    assert row["状态"] in ("Enrolled", "已报名", "已录取", str(Enrolment.Status.ENROLLED.label))
    assert AuditRecord.objects.filter(action=AuditRecord.Action.EXPORT, object_type="campus.enrolment").count() == 1


def test_it_exports_the_filtered_sections(campus: Campus) -> None:
    f.section(campus.term, campus.site, f.course(campus.school, "太极拳"), teacher="赵老师")
    rows = _sheet(login_client(campus.cast.clerk).get("/campus/desk/classes/?q=太极&export=xlsx"))
    header, *data = rows
    assert header[:2] == ("编号", "课程")
    assert [r[1] for r in data] == ["太极拳"]


def test_it_lists_a_terms_enrolments_filtered_by_class_and_status(campus: Campus) -> None:
    cast = campus.cast
    people = [f.person(cast.tree.unit_a) for _ in range(3)]
    for person in people:
        enrol.do_enrol(by=cast.clerk, section=campus.section, retiree=person, on_behalf=True)
    elsewhere = f.section(campus.term, campus.site, slots=((5, "09:00", "11:00"),))
    enrol.do_enrol(by=cast.clerk, section=elsewhere, retiree=people[0], on_behalf=True)
    client = login_client(cast.leader)
    url = f"/campus/desk/enrolments/?term={campus.term.pk}&section={campus.section.pk}&status=waitlisted"
    rows = list(client.get(url).context["table"].rows)
    assert [r.record.retiree for r in rows] == [people[2]]
    everyone = client.get(f"/campus/desk/enrolments/?term={campus.term.pk}").context["table"]
    assert everyone.paginator.count == 4
    assert client.get("/campus/desk/enrolments/?status=nonsense").status_code == 200
