"""The campus API's enrolment contract (issue #13 "API (stable interface)"), field by field: enroll → 201
enrolled / 201 waitlisted with its position / 202 applied; each refusal as 409 {"error", "message"}; withdraw;
me; staff 代办 with retiree_id (audited as on their behalf); family for a relative; junk ids never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from yinling.audit.models import AuditRecord
from yinling.campus.models import Enrolment, SafetyPledge, Section, Term
from yinling.campus.tests import factories as f
from yinling.testing.permissions import api_client

pytestmark = pytest.mark.django_db

API = "/api/v1/campus"


def enroll(user: Any, section: Section | int | str, **body: Any) -> Any:
    pk = section.pk if isinstance(section, Section) else section
    return api_client(user).post(f"{API}/sections/{pk}/enroll/", body, format="json")


def withdraw(user: Any, section: Section, **body: Any) -> Any:
    return api_client(user).post(f"{API}/sections/{section.pk}/withdraw/", body, format="json")


def refused(answer: Any, code: str) -> None:
    assert answer.status_code == 409, answer.content
    data = answer.json()
    assert set(data) == {"error", "message"}
    assert data["error"] == code
    assert isinstance(data["message"], str) and data["message"]


def test_it_answers_enrolled_then_waitlisted_with_positions(campus) -> None:  # type: ignore[no-untyped-def]
    a, b, c, d = (f.person(campus.cast.tree.unit_a) for _ in range(4))
    for person in (a, b):
        answer = enroll(person.account, campus.section)
        assert (answer.status_code, answer.json()) == (201, {"status": "enrolled"})
    answer = enroll(c.account, campus.section)
    assert (answer.status_code, answer.json()) == (201, {"status": "waitlisted", "position": 1})
    answer = enroll(d.account, campus.section)
    assert (answer.status_code, answer.json()) == (201, {"status": "waitlisted", "position": 2})


def test_it_answers_applied_with_202_in_a_lottery_window(campus) -> None:  # type: ignore[no-untyped-def]
    term = f.term(campus.school, mode=Term.Mode.LOTTERY)
    section = f.section(term, campus.site, capacity=1)
    person = f.person(campus.cast.tree.unit_a)
    answer = enroll(person.account, section)
    assert (answer.status_code, answer.json()) == (202, {"status": "applied"})
    second = f.section(term, campus.site, slots=((4, "09:00", "10:00"),))
    answer = enroll(person.account, second, rank=1)
    assert (answer.status_code, answer.json()) == (202, {"status": "applied"})
    ranks = dict(Enrolment.objects.unrestricted().filter(retiree=person).values_list("section_id", "rank"))
    assert ranks == {section.pk: 1, second.pk: 2}  # rank 1 was taken: the next free one


def test_it_refuses_full_when_the_class_keeps_no_waitlist(campus) -> None:  # type: ignore[no-untyped-def]
    section = f.section(campus.term, campus.site, capacity=1, waitlist=False, slots=((5, "09:00", "10:00"),))
    a, b = (f.person(campus.cast.tree.unit_a) for _ in range(2))
    assert enroll(a.account, section).status_code == 201
    refused(enroll(b.account, section), "full")
    section.refresh_from_db()
    assert section.taken == 1


def test_it_refuses_over_the_limit_a_clash_and_a_duplicate(campus) -> None:  # type: ignore[no-untyped-def]
    person = f.person(campus.cast.tree.unit_a)
    clashing = f.section(campus.term, campus.site, slots=((1, "10:00", "12:00"),))  # Monday 9–11 is campus.section
    second = f.section(campus.term, campus.site, slots=((2, "09:00", "11:00"),))
    third = f.section(campus.term, campus.site, slots=((3, "09:00", "11:00"),))
    assert enroll(person.account, campus.section).status_code == 201
    refused(enroll(person.account, campus.section), "duplicate")
    refused(enroll(person.account, clashing), "clash")
    assert enroll(person.account, second).status_code == 201
    refused(enroll(person.account, third), "limit")
    assert Enrolment.objects.unrestricted().filter(retiree=person, status="enrolled").count() == 2


def test_it_refuses_the_ineligible_and_a_closed_term(campus) -> None:  # type: ignore[no-untyped-def]
    young = f.person(campus.cast.tree.unit_a, age=45)
    refused(enroll(young.account, campus.section), "not_eligible")
    # The cast's retiree is 82: over the school's 80 without a family safety pledge, then with one.
    old = campus.cast.retiree_record
    refused(enroll(campus.cast.retiree, campus.section), "not_eligible")
    SafetyPledge.objects.create(retiree=old, school=campus.school, signed_by="张秀英", signed_on=timezone.localdate())
    assert enroll(campus.cast.retiree, campus.section).status_code == 201
    later = f.term(campus.school, open_now=False)
    refused(enroll(f.person(campus.cast.tree.unit_a).account, f.section(later, campus.site)), "closed")
    over = f.term(
        campus.school,
        apply_from=timezone.now() - dt.timedelta(days=9),
        apply_until=timezone.now() - dt.timedelta(days=1),
    )
    refused(enroll(f.person(campus.cast.tree.unit_a).account, f.section(over, campus.site)), "closed")


def test_it_withdraws_and_offers_the_seat_to_the_first_waiting(campus) -> None:  # type: ignore[no-untyped-def]
    a, b, c = (f.person(campus.cast.tree.unit_a) for _ in range(3))
    enroll(a.account, campus.section)
    enroll(b.account, campus.section)
    assert enroll(c.account, campus.section).json() == {"status": "waitlisted", "position": 1}
    answer = withdraw(a.account, campus.section)
    assert (answer.status_code, answer.json()) == (200, {"status": "withdrawn"})
    refused(withdraw(a.account, campus.section), "not_enrolled")
    assert Enrolment.objects.unrestricted().get(retiree=c, section=campus.section).status == "offered"
    campus.section.refresh_from_db()
    assert campus.section.taken == 2  # a's seat is held for c while the offer stands


def test_it_shows_me_my_requests_in_the_contract_shape(campus) -> None:  # type: ignore[no-untyped-def]
    a, b, c = (f.person(campus.cast.tree.unit_a) for _ in range(3))
    other = f.section(campus.term, campus.site, slots=((2, "14:00", "16:00"),))
    enroll(a.account, campus.section)
    enroll(b.account, campus.section)
    enroll(c.account, campus.section)
    enroll(c.account, other)
    answer = api_client(c.account).get(f"{API}/me/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["retiree_id"] == c.pk
    rows = {row["section"]: row for row in data["enrolments"]}
    assert set(rows) == {campus.section.pk, other.pk}
    assert {k: rows[campus.section.pk][k] for k in ("section", "status", "position")} == {
        "section": campus.section.pk,
        "status": "waitlisted",
        "position": 1,
    }
    assert (rows[other.pk]["status"], rows[other.pk]["position"]) == ("enrolled", None)
    # Staff have no requests of their own; nobody signed in gets nothing.
    assert api_client(campus.cast.clerk).get(f"{API}/me/").status_code == 404
    assert api_client(None).get(f"{API}/me/").status_code in (401, 403)


def test_it_lets_a_registrar_enrol_a_retiree_on_their_behalf_audited(campus) -> None:  # type: ignore[no-untyped-def]
    person = f.person(campus.cast.tree.unit_a)
    answer = enroll(campus.cast.clerk, campus.section, retiree_id=person.pk)
    assert (answer.status_code, answer.json()) == (201, {"status": "enrolled"})
    row = Enrolment.objects.unrestricted().get(retiree=person, section=campus.section)
    assert row.on_behalf and row.by == campus.cast.clerk
    audit = AuditRecord.objects.filter(object_type="campus.enrolment", object_id=str(row.pk)).get()
    assert audit.actor_username == campus.cast.clerk.username
    assert audit.extra["on_behalf"] == person.name
    # Withdrawing for them too, audited the same way.
    assert withdraw(campus.cast.clerk, campus.section, retiree_id=str(person.pk)).status_code == 200
    last = AuditRecord.objects.filter(object_id=str(row.pk)).order_by("-pk").first()
    assert last is not None and last.extra["on_behalf"] == person.name
    # Their own request, by contrast, is not on anyone's behalf.
    own = f.person(campus.cast.tree.unit_a)
    enroll(own.account, campus.section)
    mine = Enrolment.objects.unrestricted().get(retiree=own)
    assert not mine.on_behalf
    assert AuditRecord.objects.get(object_type="campus.enrolment", object_id=str(mine.pk)).extra["on_behalf"] == ""


def test_it_keeps_staff_to_their_scope_and_right_when_acting_for_someone(campus) -> None:  # type: ignore[no-untyped-def]
    cast = campus.cast
    person = f.person(cast.tree.unit_a)
    stranger = f.person(cast.tree.county_b)  # 鄞州: outside city A
    assert enroll(cast.clerk, campus.section).status_code == 404  # staff name whom they act for
    assert enroll(cast.clerk, campus.section, retiree_id=stranger.pk).status_code == 404
    assert enroll(cast.outsider, campus.section, retiree_id=person.pk).status_code == 404
    assert enroll(cast.leader, campus.section, retiree_id=person.pk).status_code == 403
    assert enroll(cast.norole, campus.section, retiree_id=person.pk).status_code == 404
    for admin in (cast.system_admin, cast.security_admin, cast.audit_admin):
        assert enroll(admin, campus.section, retiree_id=person.pk).status_code in (403, 404)
    assert enroll(None, campus.section).status_code in (401, 403)
    assert enroll(cast.bureau_admin, campus.section, retiree_id=person.pk).status_code == 201
    assert not Enrolment.objects.unrestricted().filter(retiree=stranger).exists()


def test_it_lets_family_apply_for_a_recorded_relative_and_refuses_a_stranger(campus) -> None:  # type: ignore[no-untyped-def]
    cast = campus.cast
    section = f.section(campus.term, campus.site, age_max=95, slots=((6, "09:00", "11:00"),))
    answer = enroll(cast.family, section, retiree_id=cast.retiree_record.pk)
    assert (answer.status_code, answer.json()) == (201, {"status": "enrolled"})
    row = Enrolment.objects.unrestricted().get(retiree=cast.retiree_record, section=section)
    assert row.on_behalf and row.by == cast.family
    stranger = f.person(cast.tree.unit_a)
    refused(enroll(cast.family, section, retiree_id=stranger.pk), "not_relative")
    refused(enroll(cast.family, section, retiree_id=10**15), "not_relative")  # nobody: the same answer
    refused(withdraw(cast.family, section, retiree_id=stranger.pk), "not_relative")
    assert not Enrolment.objects.unrestricted().filter(retiree=stranger).exists()
    # Naming oneself is the same as naming nobody.
    assert enroll(cast.family, section, retiree_id=cast.family_record.pk).json() == {"status": "enrolled"}


@pytest.mark.parametrize("junk", [str(2**70), "abc", "-1", "0", "1.5", "%20"])
def test_it_answers_junk_section_ids_with_404(campus, junk: str) -> None:  # type: ignore[no-untyped-def]
    person = f.person(campus.cast.tree.unit_a)
    for user in (person.account, campus.cast.clerk):
        assert enroll(user, junk, retiree_id=person.pk).status_code == 404
        assert api_client(user).post(f"{API}/sections/{junk}/withdraw/", {}, format="json").status_code == 404
        assert api_client(user).get(f"{API}/sections/{junk}/").status_code == 404


@pytest.mark.parametrize("junk", [2**70, "abc", -1, "1.5", True, ["1"], {"id": 1}])
def test_it_answers_a_junk_retiree_id_with_400(campus, junk: Any) -> None:  # type: ignore[no-untyped-def]
    for user in (campus.cast.clerk, campus.cast.family):
        answer = enroll(user, campus.section, retiree_id=junk)
        assert answer.status_code == 400, (user, junk, answer.content)
        assert "retiree_id" in answer.json()
    assert not Enrolment.objects.unrestricted().exists()


def test_it_answers_a_body_that_is_not_an_object_without_a_500(campus) -> None:  # type: ignore[no-untyped-def]
    person = f.person(campus.cast.tree.unit_a)
    client = api_client(person.account)
    url = f"{API}/sections/{campus.section.pk}/enroll/"
    for body in ("[1, 2]", '"x"', "null", "{", "7"):
        answer = client.post(url, body, content_type="application/json")
        assert answer.status_code in (201, 400, 409), (body, answer.status_code)
    assert client.post(url, {"rank": "first"}, format="json").status_code == 400
