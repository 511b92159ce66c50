"""Information leaks: the child's name of a 五老 pairing, the public certificate check at its limit, and what a
plain volunteer can reach of activities that are not theirs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from yinling.audit.models import AuditRecord
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast
from yinling.volunteering.tests.factories_activities import activity, team, volunteer
from yinling.volunteering.tests.people_factories import walk_objects

pytestmark = pytest.mark.django_db


def test_it_keeps_the_childs_name_out_of_the_audit_trail_and_the_volunteers_pages(cast: Cast) -> None:
    objects = walk_objects(cast)  # a pairing of the retiree with 王小明
    login_client(cast.clerk).post(
        f"/volunteering/pairings/{objects['pairing'].pk}/visits/", {"visited_on": dt.date.today().isoformat()}
    )
    trail = json.dumps([list(r.__dict__.values()) for r in AuditRecord.objects.all()], default=str, ensure_ascii=False)
    assert "王*明" in trail and "王小明" not in trail
    body = login_client(cast.audit_admin).get("/audit/").content.decode()
    assert "王小明" not in body
    for url in ("/volunteering/me/", "/volunteering/me/teams/", f"/volunteering/me/teams/{objects['team'].pk}/"):
        assert "王小明" not in login_client(cast.retiree).get(url).content.decode(), url
    export = login_client(cast.clerk).get("/volunteering/pairings/?export=xlsx")
    assert export.get("Content-Type", "").startswith("text/html")  # pairings have no export: the list page


def test_it_answers_nothing_at_the_limit_and_counts_again_after_a_minute(cast: Cast) -> None:
    from yinling.volunteering.views_public import VERIFY_PER_MINUTE

    objects = walk_objects(cast)
    code = objects["certificate"].code
    name = objects["volunteer"].retiree.name
    client = Client()
    with time_machine.travel(dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _i in range(VERIFY_PER_MINUTE):
            assert client.get("/volunteering/verify/ABCDEFGHJKMNPQRS/").status_code == 404
        limited = client.get(f"/volunteering/verify/{code}/")
        assert limited.status_code == 429
        assert name[0] + "*" not in limited.content.decode()  # not even the masked name at the limit
        key = "volunteering:verify:127.0.0.1"  # the test client's address
        if hasattr(cache, "ttl"):  # Redis keeps its own time: the count lapses within the minute
            assert 0 < cache.ttl(key) <= 60
            cache.delete(key)  # as Redis does when the minute is up
        else:  # the in-process cache reads the clock, which the test moves past the minute
            clock.shift(dt.timedelta(seconds=61))
        again = client.get(f"/volunteering/verify/{code}/")
        assert again.status_code == 200 and name not in again.content.decode()


def test_it_hides_team_only_and_other_areas_activities_from_a_plain_volunteer(cast: Cast) -> None:
    volunteer(cast.tree.unit_a, record=cast.retiree_record)
    squad = team(cast.tree.county_a, "别队")
    team_only = activity(cast.tree.county_a, team=squad, open_to="team", title="队内活动")
    elsewhere = activity(cast.tree.county_b, title="外市活动")
    mine = activity(cast.tree.county_a, title="本区活动")
    page = login_client(cast.retiree)
    api = APIClient()
    api.force_authenticate(cast.retiree)
    listed = page.get("/volunteering/activities/").content.decode()
    assert "本区活动" in listed and "队内活动" not in listed and "外市活动" not in listed
    ids = [row["id"] for row in api.get("/api/v1/volunteering/activities/").json()["results"]]
    assert ids == [mine.pk]
    for act in (team_only, elsewhere):
        assert page.get(f"/volunteering/activities/{act.pk}/").status_code == 404
        assert api.get(f"/api/v1/volunteering/activities/{act.pk}/").status_code == 404
        assert page.get(f"/volunteering/organise/activities/{act.pk}/").status_code == 404
        assert page.get(f"/volunteering/organise/activities/{act.pk}/code/").status_code == 404
        assert api.get(f"/api/v1/volunteering/activities/{act.pk}/code/").status_code == 404
        assert page.get(f"/volunteering/organise/activities/{act.pk}/checkin/").status_code == 404
