"""Each check-in refusal through the page and the API, with the same fixture: the same code and words."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yinling.core.tiles import cards_for
from yinling.testing.permissions import api_client as api
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast
from yinling.volunteering import codes
from yinling.volunteering.models import Activity
from yinling.volunteering.services import activities as svc
from yinling.volunteering.services import attendance as att
from yinling.volunteering.tests.factories_activities import activity, volunteer

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC)



@pytest.fixture
def signed(cast: Cast) -> Activity:
    me = volunteer(cast.tree.unit_a, record=cast.retiree_record)
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        act = activity(cast.tree.county_a, start=START, hours=2)
        svc.do_signup(by=cast.retiree, activity=act, retiree=me.retiree, member=me.retiree)
    return act


CASES = {
    # case: (when, which code, checked in before?)
    "not_open": (START - dt.timedelta(hours=1), "good", False),
    "closed": (START + dt.timedelta(hours=2), "good", False),
    "bad_code": (START, "bad", False),
    "already_checked_in": (START + dt.timedelta(minutes=1), "good", True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_it_refuses_a_check_in_alike_on_the_page_and_in_the_api(cast: Cast, signed: Activity, case: str) -> None:
    when, which, before = CASES[case]
    with time_machine.travel(when, tick=False):
        good = codes.current(signed.code_secret)[0]
        code = good if which == "good" else ("000000" if good != "000000" else "111111")
        if before:
            att.do_checkin(by=cast.retiree, activity=signed, code=good)
        answer = api(cast.retiree).post(
            f"/api/v1/volunteering/activities/{signed.pk}/checkin/", {"code": code}, format="json"
        )
        assert answer.status_code == 409 and answer.json()["error"] == case
        page = login_client(cast.retiree).post(f"/volunteering/activities/{signed.pk}/checkin/", {"code": code})
        assert page.status_code == 200
        if case == "already_checked_in":  # the page shows the check-out button instead of the form
            assert 'id="checkout-button"' in page.content.decode()
        else:
            assert answer.json()["message"] in page.content.decode()


def test_it_puts_a_card_on_the_home_page_the_day_of_the_activity(cast: Cast, signed: Activity) -> None:
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        assert all("/volunteering/" not in c.url for c in cards_for(cast.retiree))  # not today yet
    with time_machine.travel(START - dt.timedelta(minutes=20), tick=False):
        cast.retiree.__dict__.pop("_yl_home_memo", None)
        urls = [c.url for c in cards_for(cast.retiree)]
        assert f"/volunteering/activities/{signed.pk}/checkin/" in urls
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        cast.retiree.__dict__.pop("_yl_home_memo", None)
        assert f"/volunteering/activities/{signed.pk}/checkin/" not in [c.url for c in cards_for(cast.retiree)]
