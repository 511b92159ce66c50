"""Check-in and out: the window, the code, credited hours, leaders' check-ins, forgotten check-outs, flags,
their resolution, bars, stars and honour hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from yinling.core.refusals import Refused
from yinling.testing.permissions import api_client as api
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast
from yinling.volunteering import codes
from yinling.volunteering.models import Activity, Attendance, Flag, Volunteer
from yinling.volunteering.services import activities as svc
from yinling.volunteering.services import attendance as att
from yinling.volunteering.tests.factories_activities import activity, team, volunteer

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai, a period boundary
BEFORE = START - dt.timedelta(days=2)



@pytest.fixture
def setup(cast: Cast) -> tuple[Cast, Volunteer, Activity]:
    me = volunteer(cast.tree.unit_a, record=cast.retiree_record)
    with time_machine.travel(BEFORE, tick=False):
        act = activity(cast.tree.county_a, start=START, hours=2)
        svc.do_signup(by=cast.retiree, activity=act, retiree=me.retiree, member=me.retiree)
    return cast, me, act


def code_at(act: Activity, when: dt.datetime) -> str:
    return codes.current(act.code_secret, when)[0]


@pytest.mark.parametrize(
    ("offset", "answer"),
    [
        (-dt.timedelta(minutes=30, seconds=1), "not_open"),
        (-dt.timedelta(minutes=30), None),
        (dt.timedelta(hours=1, minutes=59, seconds=59), None),
        (dt.timedelta(hours=2), "closed"),
    ],
)
def test_it_opens_check_in_before_the_start_and_closes_it_at_the_end(setup, offset, answer) -> None:  # type: ignore[no-untyped-def]
    cast, _me, act = setup
    when = START + offset
    with time_machine.travel(when, tick=False):
        if answer is None:
            done = att.do_checkin(by=cast.retiree, activity=act, code=code_at(act, when))
            assert done.checked_in_at == when
        else:
            with pytest.raises(Refused) as exc:
                att.do_checkin(by=cast.retiree, activity=act, code=code_at(act, when))
            assert exc.value.code == answer


def test_it_refuses_a_wrong_code_a_second_check_in_and_those_not_signed_up(setup) -> None:  # type: ignore[no-untyped-def]
    cast, _me, act = setup
    stranger = volunteer(cast.tree.county_a)
    with time_machine.travel(START, tick=False):
        good = code_at(act, START)
        wrong = "000000" if good != "000000" else "111111"
        for user, code, expected in [
            (cast.retiree, wrong, "bad_code"),
            (stranger.retiree.account, good, "not_eligible"),
            (cast.family, good, "not_volunteer"),
        ]:
            with pytest.raises(Refused) as exc:
                att.do_checkin(by=user, activity=act, code=code)
            assert exc.value.code == expected
        att.do_checkin(by=cast.retiree, activity=act, code=good)
        with pytest.raises(Refused) as exc:
            att.do_checkin(by=cast.retiree, activity=act, code=good)
        assert exc.value.code == "already_checked_in"


def test_it_lets_anyone_eligible_check_in_to_a_walk_in_activity(cast: Cast) -> None:
    walker = volunteer(cast.tree.county_a)
    with time_machine.travel(BEFORE, tick=False):
        act = activity(cast.tree.county_a, start=START, walk_in=True, capacity=None)
    with time_machine.travel(START, tick=False):
        att.do_checkin(by=walker.retiree.account, activity=act, code=code_at(act, START))
    assert Attendance.objects.unrestricted().filter(activity=act, volunteer=walker).exists()


@pytest.mark.parametrize(
    ("checkin", "checkout", "credited"),
    [
        (-20, 60, "1"),  # early: counted from the start
        (0, 15, "0"),
        (0, 46, "1"),
        (0, 45, "0.5"),
        (30, 200, "1.5"),  # late out: counted to the end
    ],
)
def test_it_credits_the_stay_clipped_and_rounded(setup, checkin: int, checkout: int, credited: str) -> None:  # type: ignore[no-untyped-def]
    cast, me, act = setup
    t_in, t_out = START + dt.timedelta(minutes=checkin), START + dt.timedelta(minutes=checkout)
    with time_machine.travel(t_in, tick=False):
        att.do_checkin(by=cast.retiree, activity=act, code=code_at(act, t_in))
    with time_machine.travel(t_out, tick=False):
        done = att.do_checkout(by=cast.retiree, activity=act)
    assert done.credited_hours == Decimal(credited)
    me.refresh_from_db()
    assert me.credited_hours == Decimal(credited)


def test_it_answers_the_api_contract_for_code_checkin_and_checkout(setup) -> None:  # type: ignore[no-untyped-def]
    cast, _me, act = setup
    base = f"/api/v1/volunteering/activities/{act.pk}"
    with time_machine.travel(START, tick=False):
        shown = api(cast.clerk).get(f"{base}/code/")
        assert shown.status_code == 200 and len(shown.json()["code"]) == 6 and shown.json()["valid_until"]
        answer = api(cast.retiree).post(f"{base}/checkin/", {"code": shown.json()["code"]}, format="json")
        assert answer.status_code == 200 and answer.json()["checked_in_at"].startswith("2026-06-01T01:00")
        again = api(cast.retiree).post(f"{base}/checkin/", {"code": shown.json()["code"]}, format="json")
        assert again.status_code == 409 and again.json()["error"] == "already_checked_in"
    with time_machine.travel(START + dt.timedelta(minutes=90), tick=False):
        out = api(cast.retiree).post(f"{base}/checkout/", {}, format="json")
        assert out.status_code == 200 and out.json() == {"credited_hours": "1.5"}
        again = api(cast.retiree).post(f"{base}/checkout/", {}, format="json")
        assert again.status_code == 409 and again.json()["error"] == "not_checked_in"


def test_it_shows_the_same_check_in_refusal_on_the_page_and_in_the_api(setup) -> None:  # type: ignore[no-untyped-def]
    cast, _me, act = setup
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        answer = api(cast.retiree).post(f"/api/v1/volunteering/activities/{act.pk}/checkin/", {"code": "123456"})
        assert answer.status_code == 409 and answer.json()["error"] == "not_open"
        page = login_client(cast.retiree).post(f"/volunteering/activities/{act.pk}/checkin/", {"code": "123456"})
        assert answer.json()["message"] in page.content.decode()
    with time_machine.travel(START, tick=False):
        answer = api(cast.retiree).post(f"/api/v1/volunteering/activities/{act.pk}/checkout/", {})
        assert answer.status_code == 409 and answer.json()["error"] == "not_checked_in"


def test_it_lets_a_team_leader_check_in_someone_without_a_phone(cast: Cast) -> None:
    leader = volunteer(cast.tree.county_a)
    member = volunteer(cast.tree.county_a, account=False)
    squad = team(cast.tree.county_a, leader=leader, members=(member,))
    with time_machine.travel(BEFORE, tick=False):
        act = activity(cast.tree.county_a, start=START, open_to="team", team=squad)
        svc.do_signup(by=cast.clerk, activity=act, retiree=member.retiree)
    with time_machine.travel(START, tick=False):
        done = att.do_leader_checkin(by=leader.retiree.account, activity=act, volunteer=member)
        assert done.checked_in_by == leader.retiree.account
        with pytest.raises(PermissionDenied):
            att.do_leader_checkin(by=cast.retiree, activity=act, volunteer=member)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        out = att.do_leader_checkout(by=leader.retiree.account, activity=act, volunteer=member)
    assert out.credited_hours == Decimal("1") and out.checked_out_by == leader.retiree.account


def test_it_closes_a_forgotten_check_out_at_the_end_for_the_leader_to_confirm(setup) -> None:  # type: ignore[no-untyped-def]
    cast, me, act = setup
    t = START + dt.timedelta(minutes=10)
    with time_machine.travel(t, tick=False):
        att.do_checkin(by=cast.retiree, activity=act, code=code_at(act, t))
    with time_machine.travel(act.end - dt.timedelta(seconds=1), tick=False):
        assert att.close_forgotten() == 0
    with time_machine.travel(act.end + dt.timedelta(minutes=5), tick=False):
        call_command("close_volunteer_checkins")
    row = Attendance.objects.unrestricted().get(activity=act)
    assert row.auto_closed and row.review == "pending" and row.checked_out_at == act.end
    assert row.credited_hours == Decimal("2")  # 1 h 50 min
    me.refresh_from_db()
    assert me.credited_hours == 0  # not counted until the leader confirms
    flag = Flag.objects.unrestricted().get(kind="no_checkout")
    att.do_resolve_flag(by=cast.clerk, flag=flag, decision="keep")
    me.refresh_from_db()
    assert me.credited_hours == Decimal("2")


def test_it_cuts_hours_and_bars_over_reporting(setup) -> None:  # type: ignore[no-untyped-def]
    cast, me, act = setup
    with time_machine.travel(START, tick=False):
        att.do_checkin(by=cast.retiree, activity=act, code=code_at(act, START))
    with time_machine.travel(act.end + dt.timedelta(minutes=1), tick=False):
        att.close_forgotten()
    flag = Flag.objects.unrestricted().get(kind="no_checkout")
    with pytest.raises(Refused) as exc:
        att.do_resolve_flag(by=cast.clerk, flag=flag, decision="cut", hours_left=Decimal("3"))
    assert exc.value.code == "invalid"
    with pytest.raises(PermissionDenied):  # a clerk may cut but not bar
        att.do_resolve_flag(by=cast.clerk, flag=flag, decision="bar", note="虚报")
    Volunteer.objects.filter(pk=me.pk).update(credited_hours=0)
    att.do_resolve_flag(
        by=cast.bureau_admin, flag=flag, decision="bar", hours_left=Decimal("1"), note="虚报", bar_years=2
    )
    me.refresh_from_db()
    assert me.credited_hours == Decimal("1") and me.stars == 0
    assert me.barred_until is not None and me.barred_until.year == dt.date.today().year + 2
    with pytest.raises(Refused) as exc:
        att.do_resolve_flag(by=cast.bureau_admin, flag=flag, decision="keep")
    assert exc.value.code == "closed"


def test_it_keeps_stars_at_zero_while_barred(cast: Cast) -> None:
    me = volunteer(cast.tree.unit_a, record=cast.retiree_record)
    with time_machine.travel(BEFORE, tick=False):
        act = activity(cast.tree.county_a, start=START)
    Attendance.objects.create(
        activity=act, volunteer=me, checked_in_at=START, checked_out_at=act.end, credited_hours=Decimal("150")
    )
    from yinling.volunteering import hours

    assert hours.recompute(me).stars == 1
    with pytest.raises(Refused):
        att.do_bar_volunteer(by=cast.bureau_admin, volunteer=me, years=4, reason="虚报")
    with pytest.raises(PermissionDenied):
        att.do_bar_volunteer(by=cast.clerk, volunteer=me, years=1, reason="虚报")
    att.do_bar_volunteer(by=cast.bureau_admin, volunteer=me, years=1, reason="虚报")
    me.refresh_from_db()
    assert me.stars == 0 and me.credited_hours == Decimal("150")


def test_it_flags_overlaps_long_days_and_shared_phones(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VOLUNTEER_DEVICE_MAX_PEOPLE = 2
    settings.VOLUNTEER_MAX_DAY_HOURS = 3
    volunteer(cast.tree.unit_a, record=cast.retiree_record)
    with time_machine.travel(BEFORE, tick=False):
        first = activity(cast.tree.county_a, start=START, hours=3, walk_in=True)
        second = activity(cast.tree.county_a, start=START + dt.timedelta(hours=1), hours=3, walk_in=True)
    with time_machine.travel(START, tick=False):
        att.do_checkin(by=cast.retiree, activity=first, code=code_at(first, START))
    t = START + dt.timedelta(hours=1)
    with time_machine.travel(t, tick=False):
        att.do_checkin(by=cast.retiree, activity=second, code=code_at(second, t))
    assert Flag.objects.unrestricted().filter(kind="overlap", activity=second).count() == 1
    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        att.do_checkout(by=cast.retiree, activity=first)
        att.do_checkout(by=cast.retiree, activity=second)
    assert Flag.objects.unrestricted().filter(kind="long_day").exists()  # 3 + 2 hours > 3
    # One phone, three people: the third raises the flag (the limit is 2).
    people = [volunteer(cast.tree.county_a) for _ in range(3)]
    t = START + dt.timedelta(hours=2)
    with time_machine.travel(t, tick=False):
        for i, v in enumerate(people):
            att.do_checkin(by=v.retiree.account, activity=second, code=code_at(second, t), device="phone-1")
            assert Flag.objects.unrestricted().filter(kind="shared_device").exists() is (i == 2)


def test_it_adds_honour_hours_capped_and_never_toward_stars(setup) -> None:  # type: ignore[no-untyped-def]
    cast, me, act = setup
    day = dt.date(2026, 5, 1)
    with pytest.raises(PermissionDenied):
        att.do_add_honour_hours(by=cast.clerk, volunteer=me, hours_added=Decimal("1"), reason="线下", served_on=day)
    with pytest.raises(Refused):
        att.do_add_honour_hours(by=cast.bureau_admin, volunteer=me, hours_added=Decimal("1"), reason=" ", served_on=day)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        att.do_add_honour_hours(
            by=cast.bureau_admin, volunteer=me, hours_added=Decimal("1.5"), reason="补录", served_on=day, activity=act
        )
        with pytest.raises(Refused) as exc:  # 1.5 + 1 > the activity's 2 hours
            att.do_add_honour_hours(
                by=cast.bureau_admin, volunteer=me, hours_added=Decimal("1"), reason="补录", served_on=day, activity=act
            )
        assert exc.value.code == "invalid"
        att.do_add_honour_hours(
            by=cast.bureau_admin, volunteer=me, hours_added=Decimal("200"), reason="往年服务", served_on=day
        )
    me.refresh_from_db()
    assert me.honour_hours == Decimal("201.5") and me.stars == 0 and me.credited_hours == 0
    att.do_bar_volunteer(by=cast.bureau_admin, volunteer=me, years=1, reason="虚报")
    with pytest.raises(Refused) as exc:
        att.do_add_honour_hours(by=cast.bureau_admin, volunteer=me, hours_added=Decimal("1"), reason="x", served_on=day)
    assert exc.value.code == "barred"


def test_it_never_keeps_the_raw_device_id() -> None:
    hashed = att.device_hash("install-42")
    assert hashed and "install-42" not in hashed and len(hashed) == 64
    assert att.device_hash("", "Mozilla", "10.0.0.1") != att.device_hash("", "Mozilla", "10.0.0.2")
    assert att.device_hash("", "", "") == ""
