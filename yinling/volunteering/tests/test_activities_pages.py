"""The organiser's pages: create and edit through the form, cancel, the code page (htmx), leaders' check-in,
the flags queue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast
from yinling.volunteering.models import Activity, Attendance, Flag
from yinling.volunteering.services import activities as svc
from yinling.volunteering.tests.factories_activities import activity, team, volunteer

pytestmark = pytest.mark.django_db


def _form(org_pk: int, **over: object) -> dict[str, object]:
    start = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    data: dict[str, object] = {
        "org": org_pk,
        "title": "敬老院探访",
        "kind": "care",
        "place": "西湖区敬老院",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "8",
        "open_to": "scope",
        "checkin_opens_minutes": "30",
    }
    data.update(over)
    return data


def test_it_creates_edits_and_cancels_an_activity_through_the_pages(cast: Cast) -> None:
    client = login_client(cast.clerk)
    answer = client.post("/volunteering/organise/activities/add/", _form(cast.tree.county_a.pk))
    act = Activity.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/volunteering/organise/activities/{act.pk}/"
    assert act.code_secret and act.created_by == cast.clerk and act.capacity == 8
    answer = client.post(
        f"/volunteering/organise/activities/{act.pk}/edit/", _form(cast.tree.county_a.pk, capacity="3")
    )
    act.refresh_from_db()
    assert answer.status_code == 302 and act.capacity == 3
    bad = client.post(
        f"/volunteering/organise/activities/{act.pk}/edit/", _form(cast.tree.county_a.pk, end=_form(0)["start"])
    )
    assert bad.status_code == 200 and "结束时间须晚于开始时间" in bad.content.decode()
    client.post(f"/volunteering/organise/activities/{act.pk}/cancel/", {"reason": "天气"})
    act.refresh_from_db()
    assert act.is_cancelled


def test_it_offers_a_clerk_only_orgs_in_scope(cast: Cast) -> None:
    client = login_client(cast.clerk)
    answer = client.post("/volunteering/organise/activities/add/", _form(cast.tree.county_b.pk))
    assert answer.status_code == 200 and not Activity.objects.exists()


def test_it_lets_a_team_leader_add_an_activity_for_the_team(cast: Cast) -> None:
    leader = volunteer(cast.tree.county_a)
    squad = team(cast.tree.county_a, leader=leader)
    client = login_client(leader.retiree.account)
    answer = client.post(
        "/volunteering/organise/activities/add/", _form(cast.tree.county_a.pk, team=squad.pk, open_to="team")
    )
    assert answer.status_code == 302
    assert Activity.objects.get().team == squad
    # Without a team the leader has no right at the org.
    answer = client.post("/volunteering/organise/activities/add/", _form(cast.tree.county_a.pk))
    assert answer.status_code == 200 and Activity.objects.count() == 1


def test_it_refreshes_the_code_panel_for_htmx(cast: Cast) -> None:
    act = activity(cast.tree.county_a)
    client = login_client(cast.clerk)
    full = client.get(f"/volunteering/organise/activities/{act.pk}/code/").content.decode()
    assert 'http-equiv="refresh"' in full and "<svg" in full
    panel = client.get(f"/volunteering/organise/activities/{act.pk}/code/", HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith("<section") and 'id="checkin-code"' in panel and "<html" not in panel


def test_it_lets_a_leader_check_people_in_and_resolve_flags_from_the_pages(cast: Cast) -> None:
    start = dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC)
    leader = volunteer(cast.tree.county_a)
    member = volunteer(cast.tree.county_a, account=False)
    squad = team(cast.tree.county_a, leader=leader, members=(member,))
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        act = activity(cast.tree.county_a, start=start, team=squad, open_to="team")
        svc.do_signup(by=cast.clerk, activity=act, retiree=member.retiree)
    client = login_client(leader.retiree.account)
    url = f"/volunteering/organise/activities/{act.pk}/checkin/"
    with time_machine.travel(start, tick=False):
        assert member.retiree.name in client.get(url).content.decode()
        client.post(url, {"volunteer": member.pk, "op": "in"})
    with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
        from yinling.volunteering.services.attendance import close_forgotten

        close_forgotten()
    flag = Flag.objects.unrestricted().get()
    client = login_client(leader.retiree.account)  # a new session: the last one timed out while time ran on
    assert member.retiree.name in client.get("/volunteering/organise/activities/flags/").content.decode()
    client.post(f"/volunteering/organise/activities/flags/{flag.pk}/resolve/", {"decision": "cut", "hours_left": "1"})
    row = Attendance.objects.unrestricted().get()
    assert row.review == "cut" and row.credited_hours == 1
    # A member of another team cannot resolve it: 404.
    other = login_client(volunteer(cast.tree.county_a).retiree.account)
    flag2 = Flag.objects.create(kind="overlap", volunteer=member, activity=act, attendance=row)
    assert (
        other.post(f"/volunteering/organise/activities/flags/{flag2.pk}/resolve/", {"decision": "keep"}).status_code
        == 404
    )
