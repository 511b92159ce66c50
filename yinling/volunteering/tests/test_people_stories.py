"""助力微故事 and nominations: photos checked by content and size and served only to those who may read the
story; staff review; nominations reviewed one level at a time up to the province; barred volunteers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from yinling.core import uploads
from yinling.core.refusals import Refused
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_user
from yinling.volunteering.models import Nomination, NominationStep, Story, Volunteer
from yinling.volunteering.services import recognition
from yinling.volunteering.tests.people_factories import team, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def picture(fmt: str = "PNG", size: tuple[int, int] = (40, 30), name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_it_takes_a_picture_as_the_photo(cast: Cast, fmt: str) -> None:
    story = recognition.do_submit_story(by=cast.retiree, title="宣讲路", body="故事", photo=picture(fmt))
    assert story.photo.name.endswith({"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}[fmt])
    assert story.org == cast.retiree_record.org and story.status == Story.Status.SUBMITTED


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png"),
        SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"),
    ],
)
def test_it_refuses_what_is_not_a_picture(cast: Cast, upload: SimpleUploadedFile) -> None:
    with pytest.raises(Refused) as exc:
        recognition.do_submit_story(by=cast.retiree, title="标题", body="故事", photo=upload)
    assert exc.value.code == "invalid"
    assert not Story.objects.exists()


def test_it_refuses_a_photo_over_5_mb(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "PHOTO_MAX_BYTES", 100)
    with pytest.raises(Refused):
        recognition.do_submit_story(by=cast.retiree, title="标题", body="故事", photo=picture(size=(60, 60)))
    monkeypatch.setattr(uploads, "PHOTO_MAX_BYTES", 10_000_000)
    assert recognition.do_submit_story(by=cast.retiree, title="标题", body="故事", photo=picture()).pk


def test_it_serves_the_photo_only_to_those_who_may_read_the_story(cast: Cast) -> None:
    story = recognition.do_submit_story(by=cast.retiree, title="宣讲路", body="故事", photo=picture())
    url = f"/volunteering/stories/{story.pk}/photo/"
    from django.test import Client

    assert Client().get(url).status_code == 302  # signed in only
    assert login_client(cast.retiree).get(url).status_code == 200  # the author
    assert login_client(cast.clerk).get(url).status_code == 200  # a reviewer
    assert login_client(cast.family).get(url).status_code == 404  # not published yet
    assert login_client(cast.outsider).get(url).status_code == 404
    assert login_client(cast.leader).get(url).status_code == 404  # may view, not review
    recognition.do_review_story(by=cast.clerk, story=story, publish=True)
    for who in ("family", "outsider", "leader"):
        response = login_client(cast.user(who)).get(url)
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    from django.conf import settings

    media = getattr(settings, "MEDIA_URL", "") or "/media/"
    assert login_client(cast.family).get(f"{media}{story.photo.name}").status_code == 404  # not public media


def test_it_publishes_or_returns_a_story(cast: Cast) -> None:
    story = recognition.do_submit_story(by=cast.retiree, title="宣讲路", body="故事")
    with pytest.raises(PermissionDenied):
        recognition.do_review_story(by=cast.outsider, story=story, publish=True)
    with pytest.raises(PermissionDenied):
        recognition.do_review_story(by=cast.leader, story=story, publish=True)
    with pytest.raises(Refused):  # returning needs a note
        recognition.do_review_story(by=cast.clerk, story=story, publish=False)
    done = recognition.do_review_story(by=cast.clerk, story=story, publish=False, note="请补充照片")
    assert done.status == Story.Status.RETURNED
    from yinling.notifications.models import Notification

    assert "请补充照片" in Notification.objects.get(recipient=cast.retiree, kind="volunteering.story").text
    with pytest.raises(Refused):
        recognition.do_review_story(by=cast.clerk, story=story, publish=True)


def test_it_lists_published_stories_to_everyone_signed_in(cast: Cast) -> None:
    shown = recognition.do_submit_story(by=cast.retiree, title="已发布的故事", body="故事")
    recognition.do_review_story(by=cast.clerk, story=shown, publish=True)
    recognition.do_submit_story(by=cast.retiree, title="待审的故事", body="故事")
    body = login_client(cast.outsider).get("/volunteering/stories/").content.decode()
    assert "已发布的故事" in body and "待审的故事" not in body
    page = login_client(cast.clerk).get("/volunteering/stories/review/").content.decode()
    assert "待审的故事" in page and "已发布的故事" not in page


def test_it_writes_a_story_through_the_page(cast: Cast) -> None:
    client = login_client(cast.retiree)
    assert client.get("/volunteering/stories/new/").status_code == 200
    response = client.post("/volunteering/stories/new/", {"title": "标题", "body": "内容", "photo": picture()})
    assert response.status_code == 302
    bad = client.post(
        "/volunteering/stories/new/",
        {"title": "标题", "body": "内容", "photo": SimpleUploadedFile("a.png", b"nope", content_type="image/png")},
    )
    assert bad.status_code == 200 and Story.objects.count() == 1


# --- nominations -----------------------------------------------------------------------------------


@pytest.fixture
def reviewers(cast: Cast) -> dict:
    t = cast.tree
    return {
        "unit": make_user("unitclerk", t.unit_a, "clerk"),
        "county": cast.clerk,
        "city": cast.bureau_admin,
        "province": make_user("prov", t.province, "bureau_admin"),
    }


def test_it_moves_a_nomination_up_the_tree_to_acceptance(cast: Cast, reviewers: dict) -> None:
    star = volunteer(cast.tree.unit_a, name="最美之星")
    nom = recognition.do_nominate(by=reviewers["unit"], kind="star", year=2026, materials="事迹材料", volunteer=star)
    assert nom.org == nom.at_org == cast.tree.unit_a
    order = [("county", False), ("city", False), ("province", False)]
    for who, _ in order:  # staff higher up cannot act before it reaches them
        with pytest.raises(PermissionDenied):
            recognition.do_approve_nomination(by=reviewers[who], nomination=nom)
    expected = [cast.tree.county_a, cast.tree.city_a, cast.tree.province]
    steps = ["unit", "county", "city"]
    for who, next_org in zip(steps, expected, strict=True):
        nom = recognition.do_approve_nomination(by=reviewers[who], nomination=nom, note="同意")
        assert nom.at_org == next_org and nom.status == Nomination.Status.IN_REVIEW
    nom = recognition.do_approve_nomination(by=reviewers["province"], nomination=nom)
    assert nom.status == Nomination.Status.ACCEPTED and nom.at_org == cast.tree.province
    decisions = list(NominationStep.objects.filter(nomination=nom).values_list("org__code", "decision"))
    assert decisions == [
        ("330106U01", "forwarded"),
        ("330106", "forwarded"),
        ("330100", "forwarded"),
        ("330000", "accepted"),
    ]
    with pytest.raises(Refused):
        recognition.do_approve_nomination(by=reviewers["province"], nomination=nom)


def test_it_declines_with_a_reason_and_stops(cast: Cast, reviewers: dict) -> None:
    t = team(cast.tree.county_a, "好团队")
    nom = recognition.do_nominate(by=cast.clerk, kind="team", year=2026, materials="材料", team=t)
    with pytest.raises(Refused):
        recognition.do_decline_nomination(by=cast.clerk, nomination=nom)
    nom = recognition.do_decline_nomination(by=cast.clerk, nomination=nom, note="材料不全")
    assert nom.status == Nomination.Status.DECLINED and nom.at_org == cast.tree.county_a
    with pytest.raises(Refused):
        recognition.do_approve_nomination(by=cast.clerk, nomination=nom)
    assert reviewers["city"]  # nobody above sees it waiting
    from yinling.volunteering.services import selectors

    assert not selectors.nominations_to_review(reviewers["city"]).exists()


def test_it_refuses_to_nominate_a_barred_volunteer_or_twice(cast: Cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False)
    v = volunteer(cast.tree.unit_a, barred_until=dt.date(2027, 6, 1))
    with pytest.raises(Refused) as exc:
        recognition.do_nominate(by=cast.clerk, kind="star", year=2026, materials="材料", volunteer=v)
    assert exc.value.code == "barred"
    Volunteer.objects.filter(pk=v.pk).update(barred_until=dt.date(2026, 5, 31))
    v.refresh_from_db()
    recognition.do_nominate(by=cast.clerk, kind="star", year=2026, materials="材料", volunteer=v)
    with pytest.raises(Refused) as exc:
        recognition.do_nominate(by=cast.clerk, kind="star", year=2026, materials="材料", volunteer=v)
    assert exc.value.code == "duplicate"
    with pytest.raises(PermissionDenied):
        recognition.do_nominate(by=cast.outsider, kind="star", year=2025, materials="材料", volunteer=v)


def test_it_runs_a_nomination_through_the_pages(cast: Cast, reviewers: dict) -> None:
    star = volunteer(cast.tree.county_a, name="最美之星")
    client = login_client(cast.clerk)
    assert client.get("/volunteering/nominations/add/").status_code == 200
    response = client.post(
        "/volunteering/nominations/add/",
        {"kind": "star", "year": 2026, "volunteer": star.retiree_id, "materials": "事迹"},
    )
    assert response.status_code == 302
    nom = Nomination.objects.get()
    assert login_client(cast.bureau_admin).post(f"/volunteering/nominations/{nom.pk}/approve/").status_code == 403
    nom.refresh_from_db()
    assert nom.at_org == cast.tree.county_a  # the city admin is not staff at the county (yet)
    assert login_client(cast.outsider).post(f"/volunteering/nominations/{nom.pk}/approve/").status_code == 404
    assert client.post(f"/volunteering/nominations/{nom.pk}/approve/", {"note": "同意"}).status_code == 302
    nom.refresh_from_db()
    assert nom.at_org == cast.tree.city_a
