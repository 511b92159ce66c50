"""Completion certificates: the attendance threshold at its boundary, who may issue, the PDF, the public check."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from yinling.campus.models import Certificate, Section
from yinling.campus.services import teaching_certificates as certificates
from yinling.campus.tests import factories as f
from yinling.campus.tests import teaching_factories as tf
from yinling.core.refusals import Refused
from yinling.testing.pdf import read_pdf
from yinling.testing.permissions import login_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(campus):  # type: ignore[no-untyped-def]
    """A class of 3 students with 5 held meetings and one cancelled: attended 3, 2 and 0 of 5.

    Enrolment happens in the open window (now); the term's meetings are all in the past when the test runs
    (the tests travel to after the term's end)."""
    term = f.term(
        campus.school,
        starts=timezone.localdate() + dt.timedelta(days=10),
        ends=timezone.localdate() + dt.timedelta(days=50),
    )
    section = f.section(term, campus.site, capacity=5, slots=((1, "09:00", "11:00"),))
    people = tf.students(section, campus.cast.tree.unit_a, 3)
    days = [term.starts + dt.timedelta(days=7 * i) for i in range(6)]
    meetings = [tf.meeting(section, d) for d in days[:5]]
    tf.meeting(section, days[5], is_cancelled=True)
    for person, n in zip(people, (3, 2, 0), strict=True):
        for m in meetings[:n]:
            tf.present(m, tf.enrolment(section, person))
    return section, people, term


def _after(term):  # type: ignore[no-untyped-def]
    return time_machine.travel(dt.datetime.combine(term.ends + dt.timedelta(days=1), dt.time(10)), tick=False)


def test_it_issues_at_exactly_the_threshold_and_refuses_just_below(ended, campus, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CAMPUS_CERTIFICATE_MIN_ATTENDANCE = 0.6
    section, (three, two, _none), term = ended
    with _after(term):
        made = certificates.do_issue_certificate(by=campus.cast.clerk, enrolment=tf.enrolment(section, three))
        assert (made.attended, made.meetings) == (3, 5)  # 3 / 5 = 0.6 exactly: earned
        with pytest.raises(Refused) as refused:
            certificates.do_issue_certificate(by=campus.cast.clerk, enrolment=tf.enrolment(section, two))
        assert refused.value.code == "too_few"  # 2 / 5 = 0.4
        settings.CAMPUS_CERTIFICATE_MIN_ATTENDANCE = 0.4
        assert (
            certificates.do_issue_certificate(by=campus.cast.clerk, enrolment=tf.enrolment(section, two)).attended == 2
        )
    again = certificates.do_issue_certificate(by=campus.cast.clerk, enrolment=tf.enrolment(section, three))
    assert again.pk == made.pk  # once per enrolment
    assert len(made.code) == 10 and made.issued_by == campus.cast.clerk


def test_it_waits_for_the_term_to_end(ended, campus) -> None:  # type: ignore[no-untyped-def]
    section, (three, _two, _none), term = ended
    with (
        time_machine.travel(dt.datetime.combine(term.ends, dt.time(10)), tick=False),
        pytest.raises(Refused) as refused,
    ):
        certificates.do_issue_certificate(by=campus.cast.clerk, enrolment=tf.enrolment(section, three))
    assert refused.value.code == "not_ended"


def test_it_lets_the_student_take_their_own_but_not_another_s(ended, campus) -> None:  # type: ignore[no-untyped-def]
    section, (three, two, _none), term = ended
    with _after(term):
        with pytest.raises(PermissionDenied):
            certificates.do_issue_certificate(by=two.account, enrolment=tf.enrolment(section, three))
        for user in (campus.cast.leader, campus.cast.outsider):
            with pytest.raises(PermissionDenied):
                certificates.do_issue_certificate(by=user, enrolment=tf.enrolment(section, three))
        made = certificates.do_issue_certificate(by=three.account, enrolment=tf.enrolment(section, three))
    assert made.issued_by == three.account


def test_it_offers_the_certificate_on_the_student_s_page_and_prints_it(ended, campus) -> None:  # type: ignore[no-untyped-def]
    from yinling.core.pdf import pdf_available

    section, (three, two, _none), term = ended
    with _after(term):
        mine = login_client(three.account)
        page = mine.get("/campus/me/certificates/").content.decode()
        assert "attended 3 of 5 classes" in page or "出勤 3" in page
        answer = mine.post(f"/campus/me/certificates/{tf.enrolment(section, three).pk}/")
        made = Certificate.objects.unrestricted().get(enrolment__retiree=three)
        assert answer.status_code == 302 and answer["Location"] == f"/campus/teaching/certificates/{made.pk}/pdf/"
        refused = login_client(two.account).post(f"/campus/me/certificates/{tf.enrolment(section, two).pk}/")
        assert (
            refused.status_code == 302
            and not Certificate.objects.unrestricted().filter(enrolment__retiree=two).exists()
        )
        # Someone else's enrolment: as if it did not exist.
        assert (
            login_client(two.account).post(f"/campus/me/certificates/{tf.enrolment(section, three).pk}/").status_code
            == 404
        )
    mine = login_client(three.account)
    assert login_client(two.account).get(f"/campus/teaching/certificates/{made.pk}/pdf/").status_code == 404
    assert login_client(campus.cast.outsider).get(f"/campus/teaching/certificates/{made.pk}/pdf/").status_code == 404
    if not pdf_available():
        pytest.skip("WeasyPrint is not installed here")
    response = mine.get(f"/campus/teaching/certificates/{made.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = read_pdf(response.content).text.replace(" ", "")
    for expected in (three.name, section.course.name, term.name, made.code, "3/5"):
        assert expected in text, expected
    assert login_client(campus.cast.clerk).get(f"/campus/teaching/certificates/{made.pk}/pdf/").status_code == 200


def test_it_checks_a_code_publicly_with_the_name_masked(ended, campus) -> None:  # type: ignore[no-untyped-def]
    section, (three, _two, _none), term = ended
    with _after(term):
        made = certificates.do_issue_certificate(by=campus.cast.clerk, enrolment=tf.enrolment(section, three))
    body = Client().get("/campus/certificates/check/", {"code": made.code.lower()}).content.decode()
    assert 'id="verify-answer"' in body and "alert-success" in body
    assert certificates.masked_name(three.name) in body and three.name not in body
    assert section.course.name in body
    wrong = Client().get("/campus/certificates/check/", {"code": "ZZZZZZZZZZ"}).content.decode()
    assert "alert-danger" in wrong


def test_it_lets_staff_issue_from_the_class_page(ended, campus) -> None:  # type: ignore[no-untyped-def]
    section, (three, two, _none), term = ended
    with _after(term):
        clerk = login_client(campus.cast.clerk)
        page = clerk.get(f"/campus/teaching/sections/{section.pk}/students/").content.decode()
        assert page.count("Issue certificate") + page.count("发证") >= 3
        clerk.post(
            f"/campus/teaching/sections/{section.pk}/certificates/", {"enrolment": tf.enrolment(section, three).pk}
        )
        clerk.post(
            f"/campus/teaching/sections/{section.pk}/certificates/", {"enrolment": tf.enrolment(section, two).pk}
        )
        leader = login_client(campus.cast.leader)
        leader.post(
            f"/campus/teaching/sections/{section.pk}/certificates/", {"enrolment": tf.enrolment(section, two).pk}
        )
    issued = Certificate.objects.unrestricted().filter(enrolment__section=section)
    assert list(issued.values_list("enrolment__retiree_id", flat=True)) == [three.pk]
    assert Section.objects.unrestricted().get(pk=section.pk).enrolments.filter(completed=True).count() == 1
