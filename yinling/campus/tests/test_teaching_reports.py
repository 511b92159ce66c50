"""Teacher hours and the course report against hand counts, in the viewer's subtree; the .xlsx and the panels."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from yinling.campus import reports
from yinling.campus.models import Enrolment
from yinling.campus.services import enrol
from yinling.campus.tests import factories as f
from yinling.campus.tests import teaching_factories as tf
from yinling.core.panels import get_panel
from yinling.testing.permissions import login_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(campus):  # type: ignore[no-untyped-def]
    """Two courses in the open term and a class in city B (outside city A's staff's view).

    书法 (2 classes): A has 3 seats, 4 asked (3 enrolled, 1 waitlisted), 2 meetings held of 1.5 h + 1 planned
    + 1 cancelled, presences 3 + 2; B has 2 seats, 1 asked and withdrew, no meetings.
    太极 (1 class): 4 seats, 2 asked (2 enrolled), 1 meeting held of 2 h, presences 1.
    Teachers: 王老师 teaches 书法 A and 太极; 李老师 书法 B."""
    cast = campus.cast
    today = timezone.localdate()
    shufa, taiji = f.course(campus.school, "书法"), f.course(campus.school, "太极", "taichi")
    a = f.section(campus.term, campus.site, shufa, capacity=3, teacher="王老师", slots=((2, "09:00", "10:30"),))
    b = f.section(campus.term, campus.site, shufa, capacity=2, teacher="李老师", slots=((3, "09:00", "10:30"),))
    t = f.section(campus.term, campus.site, taiji, capacity=4, teacher="王老师", slots=((4, "14:00", "16:00"),))
    a_people = tf.students(a, cast.tree.unit_a, 3)
    late = f.person(cast.tree.unit_a)
    assert enrol.do_enrol(by=late.account, section=a, retiree=late).status == "waitlisted"
    quitter = f.person(cast.tree.unit_a)
    enrol.do_enrol(by=quitter.account, section=b, retiree=quitter)
    enrol.do_withdraw(by=quitter.account, section=b, retiree=quitter)
    t_people = tf.students(t, cast.tree.unit_a, 2)
    held = [tf.meeting(a, today - dt.timedelta(days=7), "09:00", "10:30"), tf.meeting(a, today, "09:00", "10:30")]
    tf.meeting(a, today + dt.timedelta(days=7), "09:00", "10:30")
    tf.meeting(a, today - dt.timedelta(days=14), "09:00", "10:30", is_cancelled=True)
    for m, who in ((held[0], a_people), (held[1], a_people[:2])):
        for p in who:
            tf.present(m, tf.enrolment(a, p))
    tf.present(tf.meeting(t, today - dt.timedelta(days=1), "14:00", "16:00"), tf.enrolment(t, t_people[0]))
    # City B's school: never in city A's figures.
    school_b = f.school(cast.tree.county_b)
    term_b = f.term(school_b)
    far = f.section(term_b, f.site(school_b), f.course(school_b, "书法"), capacity=9, teacher="王老师")
    tf.meeting(far, today - dt.timedelta(days=1))
    return campus


def test_it_counts_applicants_success_and_attendance_by_course(scene) -> None:  # type: ignore[no-untyped-def]
    rows = {r.course: r for r in reports.course_figures(scene.cast.bureau_admin)}
    assert set(rows) == {"书法", "太极", "书法入门"}  # 书法入门: the fixture's own empty class
    shufa, taiji = rows["书法"], rows["太极"]
    assert (shufa.applicants, shufa.seats, shufa.enrolled) == (5, 5, 3)
    assert (shufa.per_seat, shufa.success) == (1.0, 0.6)
    assert (shufa.present, shufa.possible) == (5, 6)  # 2 held meetings × 3 enrolled
    assert shufa.attendance == round(5 / 6, 4)
    assert (taiji.applicants, taiji.seats, taiji.enrolled, taiji.per_seat, taiji.success) == (2, 4, 2, 0.5, 1.0)
    assert (taiji.present, taiji.possible, taiji.attendance) == (1, 2, 0.5)
    outside = {r.course: r for r in reports.course_figures(scene.cast.outsider)}
    assert set(outside) == {"书法"} and outside["书法"].seats == 9


def test_it_sums_held_meeting_hours_per_teacher_and_term(scene) -> None:  # type: ignore[no-untyped-def]
    rows = {r.teacher: r for r in reports.teacher_hours(scene.cast.bureau_admin, scene.term)}
    assert (rows["王老师"].classes, rows["王老师"].meetings, rows["王老师"].hours) == (2, 3, 5.0)  # 1.5 + 1.5 + 2
    assert (rows["李老师"].classes, rows["李老师"].meetings, rows["李老师"].hours) == (1, 0, 0.0)
    assert [r.teacher for r in reports.teacher_hours(scene.cast.outsider)] == ["王老师"]
    assert reports.teacher_hours(scene.cast.outsider)[0].hours == 2.0


def test_it_downloads_the_figures_as_xlsx(scene) -> None:  # type: ignore[no-untyped-def]
    client = login_client(scene.cast.bureau_admin)
    answer = client.get(f"/campus/teaching/hours.xlsx?term={scene.term.pk}")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["王老师", scene.term.name, 2, 3, 5] in values
    answer = client.get("/campus/teaching/report.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["书法", scene.term.name, 5, 5, 1, 3, 0.6, round(5 / 6, 4)] in values
    from yinling.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="export", object_type="campus.course_report").count() == 1


def test_it_draws_the_panels_from_the_same_figures(scene) -> None:  # type: ignore[no-untyped-def]
    user, org = scene.cast.bureau_admin, scene.cast.tree.city_a
    per_seat = get_panel("campus-applicants").data(user, org)
    index = [c.startswith("书法（") for c in per_seat.categories].index(True)
    assert per_seat.series[0].values[index] == 1.0
    success = get_panel("campus-success").data(user, org)
    assert success.series[0].values[index] == 60.0
    attendance = get_panel("campus-attendance").data(user, org)
    assert attendance.series[0].values[index] == round(5 / 6 * 100, 1)
    assert get_panel("campus-applicants").visible_to(user) and not get_panel("campus-applicants").visible_to(
        scene.cast.retiree
    )


def test_it_counts_a_withdrawn_applicant_but_not_as_enrolled(scene) -> None:  # type: ignore[no-untyped-def]
    assert Enrolment.objects.unrestricted().filter(status="withdrawn").count() == 1
    row = next(r for r in reports.course_figures(scene.cast.clerk) if r.course == "书法")
    assert row.applicants == 5 and row.enrolled == 3
