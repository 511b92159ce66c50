"""The desk's catalogue pages: schools, sites, courses and terms made and edited through their forms,
office spellings of dates, the published seed and the draw button, the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.campus.models import Course, School, Site, Term
from yinling.campus.tests import factories as f
from yinling.campus.tests.conftest import Campus
from yinling.orgs.models import Org
from yinling.testing.permissions import login_client

pytestmark = pytest.mark.django_db


def _records(obj: Any) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))


def test_it_adds_a_school_at_an_org_of_the_users_area_and_records_it_once(campus: Campus) -> None:
    cast = campus.cast
    org = Org.objects.create(code="330106X90", name="西湖区老年大学", kind=Org.Kind.STATION, parent=cast.tree.county_a)
    client = login_client(cast.clerk)
    response = client.post(
        "/campus/desk/schools/add/",
        {"org": org.code, "name": "西湖区老年大学", "women_from": 50, "men_from": 55, "age_until": 80},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    school = School.objects.unrestricted().get(org=org)
    assert response["Location"] == f"/campus/desk/schools/{school.pk}/"
    assert [r.action for r in _records(school)] == [AuditRecord.Action.CREATE]


def test_it_refuses_a_school_at_an_org_outside_the_area_on_the_form(campus: Campus) -> None:
    cast = campus.cast
    response = login_client(cast.clerk).post(
        "/campus/desk/schools/add/",
        {"org": cast.tree.county_b.code, "name": "鄞州", "women_from": 50, "men_from": 55, "age_until": 80},
    )
    assert response.status_code == 200
    assert "org" in response.context["form"].errors
    assert not School.objects.unrestricted().filter(org=cast.tree.county_b).exists()


def test_it_edits_a_school_and_records_what_changed(campus: Campus) -> None:
    client = login_client(campus.cast.clerk)
    response = client.post(
        f"/campus/desk/schools/{campus.school.pk}/edit/",
        {"name": "西湖老年大学", "women_from": 50, "men_from": 55, "age_until": 85, "returning_priority": "on"},
    )
    assert response.status_code == 302
    campus.school.refresh_from_db()
    assert (campus.school.name, campus.school.age_until, campus.school.returning_priority) == ("西湖老年大学", 85, True)
    (update,) = [r for r in _records(campus.school) if r.action == AuditRecord.Action.UPDATE]
    assert update.changes["age_until"] == ["80", "85"]
    assert "women_from" not in update.changes


def test_it_adds_a_site_at_an_org_in_the_schools_subtree_only(campus: Campus) -> None:
    cast = campus.cast
    client = login_client(cast.bureau_admin)
    values = {"school": campus.school.pk, "name": "财政局教学点", "kind": "point"}
    values |= {"latitude": "30.25", "longitude": "120.1"}
    inside = client.post("/campus/desk/sites/add/", {**values, "org": cast.tree.unit_a.code})
    assert inside.status_code == 302, inside.content.decode()[:2000]
    site = Site.objects.unrestricted().get(org=cast.tree.unit_a)
    assert site.school == campus.school and str(site.latitude) == "30.250000"
    # City A itself is in the admin's area, but above the school: the service refuses, on the form.
    above = client.post("/campus/desk/sites/add/", {**values, "org": cast.tree.city_a.code})
    assert above.status_code == 200
    assert str(_("A site must be in the school's part of the org tree.")) in above.context["form"].non_field_errors()


def test_it_checks_coordinates_on_the_site_form(campus: Campus) -> None:
    response = login_client(campus.cast.clerk).post(
        f"/campus/desk/sites/{campus.site.pk}/edit/",
        {"name": campus.site.name, "kind": "point", "latitude": "95", "longitude": "120"},
    )
    assert response.status_code == 200
    assert "latitude" in response.context["form"].errors


def test_it_keeps_a_courses_prerequisite_within_its_school(campus: Campus) -> None:
    cast = campus.cast
    other_school = f.school(cast.tree.unit_a)
    foreign = f.course(other_school, "外校课程")
    basic = f.course(campus.school, "书法基础")
    client = login_client(cast.clerk)
    values = {"school": campus.school.pk, "name": "书法提高", "category": "calligraphy", "description": ""}
    refused = client.post("/campus/desk/courses/add/", {**values, "prerequisite": foreign.pk})
    assert refused.status_code == 200 and "prerequisite" in refused.context["form"].errors
    made = client.post("/campus/desk/courses/add/", {**values, "prerequisite": basic.pk})
    assert made.status_code == 302
    course = Course.objects.unrestricted().get(name="书法提高")
    assert course.prerequisite == basic
    assert [r.action for r in _records(course)] == [AuditRecord.Action.CREATE]


def test_it_adds_a_lottery_term_from_office_spellings_and_publishes_only_the_seeds_hash(campus: Campus) -> None:
    client = login_client(campus.cast.clerk)
    response = client.post(
        "/campus/desk/terms/add/",
        {
            "mode": "lottery",
            "school": campus.school.pk,
            "name": "2027年秋季学期",
            "starts": "２０２７年９月１日",
            "ends": "2027.12.31",
            "apply_from": "2027年7月1日 9点",
            "apply_until": "2027/7/15 17:30",
            "limit": 2,
            "choices": 3,
            "fees_due": "2027年8月31日",
            "offer_hours": 48,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    term = Term.objects.unrestricted().get(name="2027年秋季学期")
    assert term.starts == dt.date(2027, 9, 1) and term.fees_due == dt.date(2027, 8, 31)
    assert timezone.localtime(term.apply_from).replace(tzinfo=None) == dt.datetime(2027, 7, 1, 9, 0)
    page = client.get(response["Location"]).content.decode()
    assert term.seed_sha256 in page
    assert term.seed not in page
    assert f"/campus/lottery/{term.pk}/" in page


def test_it_shows_a_wrong_date_beside_its_field(campus: Campus) -> None:
    response = login_client(campus.cast.clerk).post(
        "/campus/desk/terms/add/",
        {
            "mode": "first_come",
            "school": campus.school.pk,
            "name": "x",
            "starts": "2027年13月1日",
            "ends": "2027-12-31",
            "apply_from": "2027-07-01 09:00",
            "apply_until": "2027-06-01 09:00",
            "limit": 2,
            "choices": 3,
            "offer_hours": 48,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"starts", "apply_until"}


def test_it_draws_a_closed_lottery_from_the_term_page_and_then_shows_the_seed(campus: Campus) -> None:
    cast = campus.cast
    now = timezone.now()
    term = f.term(campus.school, mode=Term.Mode.LOTTERY, apply_from=now - dt.timedelta(days=9))
    section = f.section(term, campus.site, capacity=1)
    from yinling.campus.services import enrol

    people = [f.person(cast.tree.unit_a) for _ in range(3)]
    for person in people:
        enrol.do_enrol(by=cast.clerk, section=section, retiree=person, on_behalf=True)
    clerk = login_client(cast.clerk)
    # The window is still open: the draw is refused with why, shown as a message.
    early = clerk.post(f"/campus/desk/terms/{term.pk}/draw/", follow=True)
    with translation.override("zh-hans"):
        assert [str(m) for m in early.context["messages"]] == [
            gettext("The application window is still open; draw once it has closed.")
        ]
    Term.objects.unrestricted().filter(pk=term.pk).update(apply_until=now - dt.timedelta(minutes=1))
    button = f'action="/campus/desk/terms/{term.pk}/draw/"'
    assert button in clerk.get(f"/campus/desk/terms/{term.pk}/").content.decode()
    done = clerk.post(f"/campus/desk/terms/{term.pk}/draw/")
    assert done.status_code == 302
    term.refresh_from_db()
    assert term.drawn_at is not None
    page = clerk.get(f"/campus/desk/terms/{term.pk}/").content.decode()
    assert term.seed in page and term.draw_digest in page
    assert "/draw/" not in page  # no second button
    again = clerk.post(f"/campus/desk/terms/{term.pk}/draw/", follow=True)
    assert again.status_code == 200
    assert len(list(again.context["messages"])) == 1
