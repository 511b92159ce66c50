"""Online lessons: uploads checked by content and size, videos only to those who may watch, watch records."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from yinling.campus.models import Lesson, Watch
from yinling.campus.services import teaching_lessons as lessons
from yinling.campus.tests import factories as f
from yinling.campus.tests import teaching_factories as tf
from yinling.core.refusals import Refused
from yinling.testing.permissions import login_client

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def _upload(content: bytes, name: str = "课.mp4", kind: str = "video/mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=kind)


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (b"%PDF-1.7 not a video" + b"\x00" * 32, "lesson.mp4", "video/mp4"),  # a PDF named .mp4
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "lesson.webm", "video/webm"),
        (b"MZ\x90\x00" + b"\x00" * 32, "lesson.mp4", "video/mp4"),  # a program
        (b"", "empty.mp4", "video/mp4"),
    ],
)
def test_it_refuses_what_is_not_a_video(campus, content: bytes, name: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    course = campus.section.course
    with pytest.raises(Refused) as refused:
        lessons.do_add_lesson(by=campus.cast.clerk, course=course, title="第一课", video=_upload(content, name, kind))
    assert refused.value.code == "invalid"
    assert not Lesson.objects.unrestricted().exists()


def test_it_refuses_a_video_over_the_size_limit(campus, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CAMPUS_LESSON_MAX_BYTES = len(MP4) - 1
    with pytest.raises(Refused) as refused:
        lessons.do_add_lesson(by=campus.cast.clerk, course=campus.section.course, title="第一课", video=_upload(MP4))
    assert refused.value.code == "invalid"
    settings.CAMPUS_LESSON_MAX_BYTES = len(MP4)
    made = lessons.do_add_lesson(by=campus.cast.clerk, course=campus.section.course, title="第一课", video=_upload(MP4))
    assert made.kind == "video"


def test_it_stores_a_video_under_a_random_name_and_serves_it_only_to_students(campus) -> None:  # type: ignore[no-untyped-def]
    cast = campus.cast
    course = campus.section.course
    made = lessons.do_add_lesson(by=cast.clerk, course=course, title="第一课", video=_upload(WEBM, "我的课.webm"))
    assert made.video.name.startswith("campus/lessons/") and made.video.name.endswith(".webm")
    assert "我的课" not in made.video.name and len(made.video.name) > 40
    (student,) = tf.students(campus.section, cast.tree.unit_a, 1)
    stranger = f.person(cast.tree.unit_a)
    url = f"/campus/lessons/{made.pk}/video/"
    got = login_client(student.account).get(url)
    assert got.status_code == 200 and got["Content-Type"] == "video/webm"
    assert b"".join(got.streaming_content) == WEBM
    assert login_client(stranger.account).get(url).status_code == 404
    assert login_client(cast.clerk).get(url).status_code == 200  # staff of the area check what students get
    assert login_client(cast.outsider).get(url).status_code == 404
    Lesson.objects.unrestricted().filter(pk=made.pk).update(open_to_all=True)
    assert login_client(stranger.account).get(url).status_code == 200


def test_it_needs_one_of_a_video_and_a_link_and_the_right(campus) -> None:  # type: ignore[no-untyped-def]
    course = campus.section.course
    for kwargs in ({}, {"video": _upload(MP4), "url": "https://example.org/v"}):
        with pytest.raises(Refused):
            lessons.do_add_lesson(by=campus.cast.clerk, course=course, title="课", **kwargs)
    for user in (campus.cast.leader, campus.cast.outsider, campus.cast.retiree):
        with pytest.raises(PermissionDenied):
            lessons.do_add_lesson(by=user, course=course, title="课", url="https://example.org/v")


def test_it_keeps_the_furthest_second_and_completes_at_ninety_percent(campus) -> None:  # type: ignore[no-untyped-def]
    cast = campus.cast
    lesson = lessons.do_add_lesson(
        by=cast.clerk, course=campus.section.course, title="第二课", url="https://example.org/v", minutes=10
    )
    (student,) = tf.students(campus.section, cast.tree.unit_a, 1)
    client = login_client(student.account)
    url = f"/campus/lessons/{lesson.pk}/watched/"
    assert client.post(url, {"seconds": "300", "duration": "600"}).json() == {
        "recorded": True, "seconds": 300, "completed": False}  # fmt: skip
    assert client.post(url, {"seconds": "120"}).json()["seconds"] == 300  # going back keeps the furthest
    assert client.post(url, {"seconds": "539"}).json()["completed"] is False  # 539 < 540 = 90 % of 600
    assert client.post(url, {"seconds": "540"}).json()["completed"] is True
    assert client.post(url, {"seconds": "99999"}).json()["seconds"] == 600  # never past the lesson's length
    assert client.post(url, {"seconds": "junk"}).status_code == 200
    watch = Watch.objects.unrestricted().get(lesson=lesson, retiree=student)
    assert (watch.seconds, watch.completed) == (600, True)
    stranger = f.person(cast.tree.unit_a)
    assert login_client(stranger.account).post(url, {"seconds": "10"}).status_code == 404
    assert login_client(cast.clerk).post(url, {"seconds": "10"}).json() == {"recorded": False}
    assert Watch.objects.unrestricted().count() == 1


def test_it_uses_the_player_s_length_when_the_lesson_has_none(campus) -> None:  # type: ignore[no-untyped-def]
    lesson = lessons.do_add_lesson(
        by=campus.cast.clerk, course=campus.section.course, title="课", url="https://example.org/v"
    )
    (student,) = tf.students(campus.section, campus.cast.tree.unit_a, 1)
    watch = lessons.do_record_watch(by=student.account, lesson=lesson, seconds=85, duration=100)
    assert (watch.seconds, watch.completed) == (85, False)
    watch = lessons.do_record_watch(by=student.account, lesson=lesson, seconds=90, duration=100)
    assert watch.completed is True


def test_it_lists_a_student_s_lessons_and_the_open_ones(campus) -> None:  # type: ignore[no-untyped-def]
    cast = campus.cast
    other_course = f.course(campus.school, "太极入门", "taichi")
    mine = lessons.do_add_lesson(
        by=cast.clerk, course=campus.section.course, title="书法第一课", url="https://example.org/1"
    )
    lessons.do_add_lesson(by=cast.clerk, course=other_course, title="太极第一课", url="https://example.org/2")
    open_one = lessons.do_add_lesson(
        by=cast.clerk, course=other_course, title="健康讲座", url="https://example.org/3", open_to_all=True
    )
    gone = lessons.do_add_lesson(by=cast.clerk, course=campus.section.course, title="旧课", url="https://example.org/4")
    lessons.do_remove_lesson(by=cast.clerk, lesson=gone)
    (student,) = tf.students(campus.section, cast.tree.unit_a, 1)
    assert {x.pk for x in lessons.lessons_for(student)} == {mine.pk, open_one.pk}
    page = login_client(student.account).get("/campus/me/lessons/").content.decode()
    assert "书法第一课" in page and "健康讲座" in page and "太极第一课" not in page and "旧课" not in page
