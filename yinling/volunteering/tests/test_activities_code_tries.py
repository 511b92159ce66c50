"""Guessing the check-in code: after VOLUNTEER_CODE_MAX_MISSES wrong codes a volunteer is stopped for the
window, on the page and in the API alike, even with the right code; others and other activities are not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache

from yinling.core.refusals import Refused
from yinling.testing.permissions import api_client as api
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast
from yinling.volunteering import codes
from yinling.volunteering.models import Activity, Volunteer
from yinling.volunteering.services import activities as svc
from yinling.volunteering.services import attendance as att
from yinling.volunteering.tests.factories_activities import activity, volunteer

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC)



@pytest.fixture
def signed(cast: Cast) -> tuple[Volunteer, Activity, Activity]:
    me = volunteer(cast.tree.unit_a, record=cast.retiree_record)
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        act = activity(cast.tree.county_a, start=START, hours=2)
        other = activity(cast.tree.county_a, start=START, hours=2)
        for a in (act, other):
            svc.do_signup(by=cast.retiree, activity=a, retiree=me.retiree, member=me.retiree)
    return me, act, other


def wrong(act: Activity) -> str:
    good = {codes.current(act.code_secret)[0], codes.code_for(act.code_secret, codes.period_of() - 1)}
    return next(c for c in ("000000", "111111", "222222") if c not in good)


def refusal(cast: Cast, act: Activity, code: str) -> str:
    try:
        att.do_checkin(by=cast.retiree, activity=act, code=code)
    except Refused as exc:
        return exc.code
    return "ok"


def test_it_stops_a_volunteer_after_the_last_allowed_wrong_code(cast: Cast, signed) -> None:  # type: ignore[no-untyped-def]
    _me, act, other = signed
    with time_machine.travel(START, tick=False):
        for _ in range(settings.VOLUNTEER_CODE_MAX_MISSES):
            assert refusal(cast, act, wrong(act)) == "bad_code"
        good = codes.current(act.code_secret)[0]
        # The right code no longer helps: the API, the page and the service all say why.
        answer = api(cast.retiree).post(f"/api/v1/volunteering/activities/{act.pk}/checkin/", {"code": good})
        assert answer.status_code == 409 and answer.json()["error"] == "too_many_tries"
        page = login_client(cast.retiree).post(f"/volunteering/activities/{act.pk}/checkin/", {"code": good})
        assert page.status_code == 200 and answer.json()["message"] in page.content.decode()
        assert not act.attendances.exists()
        # Another activity counts its own tries.
        assert refusal(cast, other, codes.current(other.code_secret)[0]) == "ok"


def test_it_lets_one_short_of_the_limit_check_in_and_forgets_the_misses(cast: Cast, signed) -> None:  # type: ignore[no-untyped-def]
    me, act, _other = signed
    with time_machine.travel(START, tick=False):
        for _ in range(settings.VOLUNTEER_CODE_MAX_MISSES - 1):
            assert refusal(cast, act, wrong(act)) == "bad_code"
        assert refusal(cast, act, codes.current(act.code_secret)[0]) == "ok"
        assert not codes.locked_out(me.pk, act.pk)


def test_it_counts_full_width_and_spaced_codes_as_the_code_not_as_misses(cast: Cast, signed) -> None:  # type: ignore[no-untyped-def]
    me, act, _other = signed
    with time_machine.travel(START, tick=False):
        good = codes.current(act.code_secret)[0]
        typed = " ".join("".join(chr(0xFF10 + int(d)) for d in good[i : i + 3]) for i in (0, 3))
        for _ in range(settings.VOLUNTEER_CODE_MAX_MISSES - 1):
            refusal(cast, act, wrong(act))
        assert refusal(cast, act, typed) == "ok"
        assert not codes.locked_out(me.pk, act.pk)


def test_it_keeps_the_count_for_the_window_only(cast: Cast, signed) -> None:  # type: ignore[no-untyped-def]
    me, act, _other = signed
    key = codes._misses_key(me.pk, act.pk)
    with time_machine.travel(START, tick=False):
        for _ in range(settings.VOLUNTEER_CODE_MAX_MISSES):
            refusal(cast, act, wrong(act))
        assert codes.locked_out(me.pk, act.pk)
    if hasattr(cache, "ttl"):  # Redis keeps time itself: the count expires within the window
        assert 0 < cache.ttl(key) <= settings.VOLUNTEER_CODE_MISS_WINDOW_SECONDS
    else:  # the in-process cache reads the clock, which the test moves past the window
        later = START + dt.timedelta(seconds=settings.VOLUNTEER_CODE_MISS_WINDOW_SECONDS + 1)
        with time_machine.travel(later, tick=False):
            assert not codes.locked_out(me.pk, act.pk)


def test_it_leaves_other_volunteers_free_when_one_is_stopped(cast: Cast, signed) -> None:  # type: ignore[no-untyped-def]
    me, act, _other = signed
    with time_machine.travel(START, tick=False):
        for _ in range(settings.VOLUNTEER_CODE_MAX_MISSES):
            refusal(cast, act, wrong(act))
        assert codes.locked_out(me.pk, act.pk)
        assert not codes.locked_out(me.pk + 1, act.pk)
        # The leader can still check the stopped volunteer in.
        done = att.do_leader_checkin(by=cast.clerk, activity=act, volunteer=me)
        assert done.volunteer_id == me.pk
