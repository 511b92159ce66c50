"""Sign-up: one clear answer (signed up, waitlisted at n, or refused with why), the waitlist's promotion,
and every refusal through the page and the API with the same fixture."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from yinling.core.refusals import Refused
from yinling.notifications.models import Notification
from yinling.testing.permissions import api_client as api
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast
from yinling.volunteering.models import Activity, Signup, Volunteer
from yinling.volunteering.services import activities as svc
from yinling.volunteering.tests.factories_activities import activity, team, volunteer

pytestmark = pytest.mark.django_db



@dataclass
class World:
    cast: Cast
    me: Volunteer
    act: Activity


@pytest.fixture
def world(cast: Cast) -> World:
    me = volunteer(cast.tree.unit_a, record=cast.retiree_record)
    return World(cast, me, activity(cast.tree.county_a, capacity=2))


def sign(w: World, v: Volunteer, act: Activity | None = None) -> svc.SignupAnswer:
    return svc.do_signup(by=v.retiree.account, activity=act or w.act, retiree=v.retiree, member=v.retiree)


def test_it_signs_up_then_waitlists_in_order(world: World) -> None:
    others = [volunteer(world.cast.tree.county_a) for _ in range(4)]
    assert sign(world, others[0]).status == "signed_up"
    assert sign(world, others[1]).status == "signed_up"
    third, fourth = sign(world, others[2]), sign(world, others[3])
    assert (third.status, third.position) == ("waitlisted", 1)
    assert (fourth.status, fourth.position) == ("waitlisted", 2)
    world.act.refresh_from_db()
    assert world.act.signed_up == 2
    # The waitlist is as long as the places: a fifth is refused as full.
    with pytest.raises(Refused) as exc:
        sign(world, world.me)
    assert exc.value.code == "full"


def test_it_promotes_the_first_waiting_when_a_place_frees_and_tells_them(world: World) -> None:
    a, b, c, d = (volunteer(world.cast.tree.county_a) for _ in range(4))
    for v in (a, b, c, d):
        sign(world, v)
    svc.do_cancel_signup(by=a.retiree.account, activity=world.act, retiree=a.retiree, member=a.retiree)
    statuses = dict(Signup.objects.unrestricted().filter(activity=world.act).values_list("volunteer_id", "status"))
    assert statuses == {a.pk: "cancelled", b.pk: "signed_up", c.pk: "signed_up", d.pk: "waitlisted"}
    world.act.refresh_from_db()
    assert world.act.signed_up == 2
    told = Notification.objects.unrestricted().filter(recipient=c.retiree.account, kind="volunteering.promoted")
    assert told.count() == 1
    assert not Notification.objects.unrestricted().filter(recipient=d.retiree.account).exists()
    d_signup = Signup.objects.unrestricted().get(volunteer=d, activity=world.act)
    assert svc.answer_for(d_signup).position == 1
    # A waiting person who cancels frees no place and moves nobody.
    svc.do_cancel_signup(by=d.retiree.account, activity=world.act, retiree=d.retiree, member=d.retiree)
    world.act.refresh_from_db()
    assert world.act.signed_up == 2


def test_it_promotes_when_the_places_grow(world: World) -> None:
    a, b, c = (volunteer(world.cast.tree.county_a) for _ in range(3))
    for v in (a, b, c):
        sign(world, v)
    svc.do_update_activity(by=world.cast.clerk, activity=world.act, capacity=3)
    assert Signup.objects.unrestricted().get(volunteer=c).status == "signed_up"
    with pytest.raises(Refused) as exc:
        svc.do_update_activity(by=world.cast.clerk, activity=world.act, capacity=2)
    assert exc.value.code == "invalid"


def test_it_tells_everyone_signed_up_when_the_activity_is_cancelled(world: World) -> None:
    a, b = volunteer(world.cast.tree.county_a), volunteer(world.cast.tree.county_a)
    sign(world, a), sign(world, b)
    svc.do_cancel_activity(by=world.cast.clerk, activity=world.act, reason="下雨")
    kinds = Notification.objects.unrestricted().filter(kind="volunteering.activity_cancelled")
    assert kinds.count() == 2
    with pytest.raises(Refused) as exc:
        sign(world, world.me)
    assert exc.value.code == "closed"


# --- every refusal, through the page and the API -----------------------------------------------


def _refusal_cases(w: World) -> dict[str, Activity]:
    t = w.cast.tree
    return {
        "closed": activity(t.county_a, signup_deadline=timezone.now() - dt.timedelta(minutes=1)),
        "not_eligible": activity(t.county_b),  # the area of another city
        "not_eligible_team": activity(t.county_a, open_to="team", team=team(t.county_a)),
        "full": activity(t.county_a, capacity=1),
        "duplicate": activity(t.county_a),
    }


def _prepare(w: World, case: str, act: Activity) -> None:
    if case == "full":
        sign(w, volunteer(w.cast.tree.county_a), act)  # the place
        sign(w, volunteer(w.cast.tree.county_a), act)  # the one waitlist position
    if case == "duplicate":
        sign(w, w.me, act)


@pytest.mark.parametrize("case", ["closed", "not_eligible", "not_eligible_team", "full", "duplicate"])
def test_it_refuses_the_same_way_on_the_page_and_in_the_api(world: World, case: str) -> None:
    act = _refusal_cases(world)[case]
    _prepare(world, case, act)
    code = case.removesuffix("_team")
    with pytest.raises(Refused) as exc:
        sign(world, world.me, act)
    assert exc.value.code == code
    answer = api(world.cast.retiree).post(f"/api/v1/volunteering/activities/{act.pk}/signup/", {}, format="json")
    assert answer.status_code == 409
    assert answer.json() == {"error": code, "message": exc.value.message}
    page = login_client(world.cast.retiree).post(f"/volunteering/activities/{act.pk}/signup/", follow=True)
    assert page.status_code == 200
    assert exc.value.message in page.content.decode()


def test_it_refuses_someone_who_is_not_a_volunteer_on_both_sides(cast: Cast) -> None:
    act = activity(cast.tree.county_a)
    answer = api(cast.family).post(f"/api/v1/volunteering/activities/{act.pk}/signup/", {}, format="json")
    assert answer.status_code == 409 and answer.json()["error"] == "not_volunteer"
    page = login_client(cast.family).post(f"/volunteering/activities/{act.pk}/signup/", follow=True)
    assert answer.json()["message"] in page.content.decode()


def test_it_answers_signed_up_or_waitlisted_position_in_the_api(world: World) -> None:
    other = volunteer(world.cast.tree.county_a)
    url = f"/api/v1/volunteering/activities/{world.act.pk}/signup/"
    sign(world, other)
    sign(world, volunteer(world.cast.tree.county_a))
    answer = api(world.cast.retiree).post(url, {}, format="json")
    assert answer.status_code == 201 and answer.json() == {"status": "waitlisted", "position": 1}
    cancel = api(other.retiree.account).post(
        f"/api/v1/volunteering/activities/{world.act.pk}/cancel/", {}, format="json"
    )
    assert cancel.status_code == 200 and cancel.json() == {"status": "cancelled"}
    assert Signup.objects.unrestricted().get(volunteer=world.me, activity=world.act).status == "signed_up"


def test_it_lets_family_sign_up_a_relative_and_nobody_else(world: World) -> None:
    relative = world.cast.family_record
    volunteer(world.cast.tree.county_a, record=relative)
    url = f"/api/v1/volunteering/activities/{world.act.pk}/signup/"
    answer = api(world.cast.retiree).post(url, {"retiree": relative.pk}, format="json")
    assert answer.status_code == 201 and answer.json() == {"status": "signed_up"}
    stranger = volunteer(world.cast.tree.county_a)
    answer = api(world.cast.retiree).post(url, {"retiree": stranger.retiree.pk}, format="json")
    assert answer.status_code == 409 and answer.json()["error"] == "not_relative"


def test_it_closes_sign_up_at_the_deadline_exactly(world: World) -> None:
    deadline = world.act.start - dt.timedelta(hours=2)
    Activity.objects.filter(pk=world.act.pk).update(signup_deadline=deadline)
    world.act.refresh_from_db()
    with time_machine.travel(deadline - dt.timedelta(seconds=1), tick=False):
        assert svc.signups_open(world.act)
    with time_machine.travel(deadline, tick=False):
        assert not svc.signups_open(world.act)
        with pytest.raises(Refused) as exc:
            sign(world, world.me)
        assert exc.value.code == "closed"


def test_it_checks_open_to_scope_by_the_org_subtree(world: World) -> None:
    t = world.cast.tree
    assert svc.is_eligible(world.me, activity(t.unit_a))  # the volunteer's own org
    assert svc.is_eligible(world.me, activity(t.province))  # an org above
    assert not svc.is_eligible(world.me, activity(t.city_b))
    assert svc.is_eligible(world.me, activity(t.city_b, open_to="all"))
    squad = team(t.county_a, members=(world.me,))
    assert svc.is_eligible(world.me, activity(t.county_a, open_to="team", team=squad))
