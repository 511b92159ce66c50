"""Every teaching page and form as every persona: 404 outside scope, 403 inside without the right.

The class is at a site of county A1 (the clerk's county, in city A). `family` (张秀英, 62) is enrolled in it;
`retiree` (张建国) is not. A teacher account without any role teaches it."""

from __future__ import annotations

import pytest

from yinling.campus.models import Enrolment, Lesson, Meeting, Presence, Section
from yinling.campus.services import teaching_lessons as lessons
from yinling.campus.tests import teaching_factories as tf
from yinling.testing.permissions import login_client
from yinling.testing.personas import PERSONAS, cast_clients, make_user

pytestmark = pytest.mark.django_db

STAFF_ATTENDANCE = {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 200, "bureau_admin": 200,
                    "leader": 403, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
                    "retiree": 404, "family": 404}  # fmt: skip
STAFF_VIEW = {**STAFF_ATTENDANCE, "leader": 200}
LESSONS_VIEW = {"anonymous": 302, "norole": 403, "outsider": 200, "clerk": 200, "bureau_admin": 200,
                "leader": 200, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
                "retiree": 403, "family": 403}  # fmt: skip
LESSONS_ADD = {**LESSONS_VIEW, "leader": 403}
REPORTS = LESSONS_VIEW
MEMBER = {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 404, "bureau_admin": 404,
          "leader": 404, "system_admin": 404, "security_admin": 404, "audit_admin": 404,
          "retiree": 200, "family": 200}  # fmt: skip
STUDENT_ONLY = {**MEMBER, "retiree": 404}
LESSON_PAGE = {**STUDENT_ONLY, "clerk": 200, "bureau_admin": 200, "leader": 200}
EVERYONE = dict.fromkeys(PERSONAS, 200)

PAGES = {
    "teaching/today/": {**EVERYONE, "anonymous": 302},
    "teaching/sections/{section}/meetings/": STAFF_ATTENDANCE,
    "teaching/sections/{section}/students/": STAFF_VIEW,
    "teaching/meetings/{meeting}/": STAFF_ATTENDANCE,
    "teaching/meetings/{meeting}/code/": STAFF_ATTENDANCE,
    "teaching/lessons/": LESSONS_VIEW,
    "teaching/lessons/add/": LESSONS_ADD,
    "teaching/hours/": REPORTS,
    "teaching/hours.xlsx": REPORTS,
    "teaching/report/": REPORTS,
    "teaching/report.xlsx": REPORTS,
    "me/checkin/": {**MEMBER, "family": 302},  # one class today: straight to it
    "me/checkin/{meeting}/": STUDENT_ONLY,
    "me/lessons/": MEMBER,
    "me/timetable/": MEMBER,
    "me/certificates/": MEMBER,
    "lessons/{lesson}/": LESSON_PAGE,
    "certificates/check/?code=ABCDEFGHJK": EVERYONE,
}

# Forms posted by every persona (an empty or junk body where that is all a stranger could send).
POSTS = {
    "teaching/sections/{section}/meetings/generate/": {**STAFF_ATTENDANCE, "clerk": 302, "bureau_admin": 302},
    "teaching/meetings/{meeting}/mark/": {**STAFF_ATTENDANCE, "clerk": 302, "bureau_admin": 302},
    "teaching/meetings/{meeting}/cancel/": {**STAFF_ATTENDANCE, "clerk": 302, "bureau_admin": 302},
    # The leader sees the class but issues nothing (the term has not ended: staff get the refusal, 302).
    "teaching/sections/{section}/certificates/": {**STAFF_VIEW, "clerk": 302, "bureau_admin": 302, "leader": 403},
    "teaching/lessons/{lesson}/remove/": {**STAFF_ATTENDANCE, "clerk": 302, "bureau_admin": 302},
    "me/certificates/{enrolment}/": {**STUDENT_ONLY, "family": 302},
    "lessons/{lesson}/watched/": LESSON_PAGE,
    "me/checkin/{meeting}/": STUDENT_ONLY,
}


@pytest.fixture
def scene(campus):  # type: ignore[no-untyped-def]
    cast = campus.cast
    section = campus.section
    teacher = make_user("teacher1", cast.tree.county_a)
    Section.objects.unrestricted().filter(pk=section.pk).update(teacher_account=teacher)
    enrolment = Enrolment.objects.create(
        section=section, term=section.term, retiree=cast.family_record, status="enrolled"
    )
    meeting = tf.meeting(section)
    lesson = lessons.do_add_lesson(by=cast.clerk, course=section.course, title="第一课", url="https://example.org/1")
    ids = {"section": section.pk, "meeting": meeting.pk, "lesson": lesson.pk, "enrolment": enrolment.pk}
    return cast, ids, cast_clients(cast), teacher


def _url(path: str, ids: dict[str, int]) -> str:
    return "/campus/" + path.format(**ids)


@pytest.mark.parametrize("page", list(PAGES))
def test_it_answers_each_persona_on_each_page(scene, page: str) -> None:  # type: ignore[no-untyped-def]
    _cast, ids, clients, _teacher = scene
    url = _url(page, ids)
    got = {name: clients[name].get(url).status_code for name in PERSONAS}
    assert got == PAGES[page]


@pytest.mark.parametrize("form", list(POSTS))
def test_it_answers_each_persona_posting_each_form(scene, form: str) -> None:  # type: ignore[no-untyped-def]
    _cast, ids, clients, _teacher = scene
    url = _url(form, ids)
    body = {"enrolment": str(ids["enrolment"]), "code": "000000", "seconds": "10", "reason": "x"}
    got = {}
    for name in PERSONAS:
        got[name] = clients[name].post(url, body).status_code
        # Each persona meets the same objects: undo what the one before may have done.
        Lesson.objects.unrestricted().update(is_deleted=False)
        Meeting.objects.unrestricted().update(is_cancelled=False)
    assert got == POSTS[form]


def test_it_lets_the_teacher_without_a_role_take_the_attendance_of_their_class_only(scene, campus) -> None:  # type: ignore[no-untyped-def]
    _cast, ids, _clients, teacher = scene
    client = login_client(teacher)
    for page in (
        "teaching/meetings/{meeting}/",
        "teaching/meetings/{meeting}/code/",
        "teaching/sections/{section}/meetings/",
    ):
        assert client.get(_url(page, ids)).status_code == 200, page
    assert client.get(_url("teaching/sections/{section}/students/", ids)).status_code == 404  # staff's page
    answer = client.post(
        _url("teaching/meetings/{meeting}/mark/", ids), {"enrolment": ids["enrolment"]}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200 and 'aria-pressed="true"' in answer.content.decode()
    assert Presence.objects.unrestricted().get(meeting_id=ids["meeting"]).method == "teacher"
    assert client.post(_url("teaching/sections/{section}/meetings/generate/", ids)).status_code == 404
    other = tf.meeting(
        campus.section.__class__.objects.unrestricted().exclude(pk=ids["section"]).first() or _other(campus)
    )
    assert client.get(f"/campus/teaching/meetings/{other.pk}/").status_code == 404
    today = client.get("/campus/teaching/today/").content.decode()
    assert f"/campus/teaching/meetings/{ids['meeting']}/" in today


def _other(campus) -> Section:  # type: ignore[no-untyped-def]
    from yinling.campus.tests import factories as f

    return f.section(campus.term, campus.site, slots=((5, "09:00", "10:00"),))


def test_it_shows_the_roll_in_seat_order_with_big_targets(scene) -> None:  # type: ignore[no-untyped-def]
    cast, ids, clients, _teacher = scene
    page = clients["clerk"].get(_url("teaching/meetings/{meeting}/", ids)).content.decode()
    assert cast.family_record.name in page and "campus/teaching.css" in page and "yl-mark" in page
    assert Meeting.objects.unrestricted().filter(pk=ids["meeting"]).exists()
