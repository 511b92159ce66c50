"""Defects found in the trial: hours reported or paid before the service, soft-deleted or junk provider ids,
blank dates on the need forms, and staff choosing people and orgs by typing ids."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yinling.core.refusals import Refused
from yinling.registry.models import Retiree
from yinling.testing.permissions import api_client as api
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.models import ServiceRequest
from yinling.timebank.tests.factories import person, sign_in_account

pytestmark = pytest.mark.django_db
H = Decimal
API = "/api/v1/timebank"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# 2026-05-10 08:00 in Shanghai; the need is for 10:00 the same morning.
NOW = dt.datetime(2026, 5, 10, 8, 0, tzinfo=SHANGHAI)
STARTS = dt.datetime(2026, 5, 10, 10, 0, tzinfo=SHANGHAI)


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client



@pytest.fixture
def helper(personas: Personas) -> Retiree:
    r = person(personas.tree.unit_a, age=63, name="王志强")
    services.do_join(by=personas.owner, retiree=r, as_provider=True)
    sign_in_account(r, elder_mode=False)
    return r


@pytest.fixture
def elder(personas: Personas) -> Retiree:
    r = person(personas.tree.unit_a, age=88, name="陈秀兰")
    sign_in_account(r, elder_mode=False)
    return r


def accepted(personas: Personas, elder: Retiree, helper: Retiree) -> ServiceRequest:
    need = services.do_post_need(
        by=personas.owner,
        recipient=elder,
        category="company",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=3),
        expected_hours=H("2"),
    )
    return services.do_accept(by=personas.owner, need=need, provider=helper)


def reported_early(need: ServiceRequest) -> ServiceRequest:
    """A need recorded as reported before it started (as the defect let it be)."""
    ServiceRequest.objects.filter(pk=need.pk).update(status="reported", actual_hours=H("2"))
    return ServiceRequest.objects.get(pk=need.pk)


def status(need: ServiceRequest) -> str:
    return ServiceRequest.objects.get(pk=need.pk).status


# --- (a) no hours before the appointed time ----------------------------------------------------------------


def test_it_refuses_to_report_before_the_start_in_the_service(
    personas: Personas, elder: Retiree, helper: Retiree
) -> None:
    with time_machine.travel(NOW, tick=False):
        need = accepted(personas, elder, helper)
        with pytest.raises(Refused) as exc:
            services.do_report(by=helper.account, need=need, hours=H("2"))
    assert exc.value.code == "not_started" and "2026-05-10 10:00" in exc.value.message
    assert status(need) == "accepted"


def test_it_refuses_to_report_before_the_start_on_the_page_and_through_the_api(
    personas: Personas, elder: Retiree, helper: Retiree
) -> None:
    with time_machine.travel(NOW, tick=False):
        need = accepted(personas, elder, helper)
        r = page(helper.account).post(f"/timebank/services/{need.pk}/report/", {"hours": "2"}, follow=True)
        assert "2026-05-10 10:00" in r.content.decode()
        r = page(personas.owner).post(f"/timebank/requests/{need.pk}/report/", {"hours": "2"}, follow=True)
        assert "2026-05-10 10:00" in r.content.decode()
        r = api(helper.account).post(f"{API}/requests/{need.pk}/report/", {"hours": "2"}, format="json")
        assert r.status_code == 409 and r.json()["error"] == "not_started"
        assert status(need) == "accepted"
    with time_machine.travel(STARTS + dt.timedelta(hours=2), tick=False):
        r = api(helper.account).post(f"{API}/requests/{need.pk}/report/", {"hours": "2"}, format="json")
        assert r.status_code == 200, r.content
    assert status(need) == "reported"


def test_it_refuses_to_confirm_and_pay_before_the_start_on_the_page_and_through_the_api(
    personas: Personas, elder: Retiree, helper: Retiree, funded: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        need = reported_early(accepted(personas, elder, helper))
        r = page(elder.account).post(f"/timebank/needs/{need.pk}/confirm/", {"rating": "5"})
        assert r.status_code == 200 and "2026-05-10 10:00" in str(r.context["form"].non_field_errors())
        r = api(elder.account).post(f"{API}/requests/{need.pk}/confirm/", {"rating": 5}, format="json")
        assert r.status_code == 409 and r.json()["error"] == "not_started"
        assert status(need) == "reported"
        assert not need.transfers.exists()
    with time_machine.travel(STARTS + dt.timedelta(hours=3), tick=False):
        r = api(elder.account).post(f"{API}/requests/{need.pk}/confirm/", {"rating": 5}, format="json")
        assert r.status_code == 200, r.content
    assert status(need) == "confirmed"


# --- (c) dates on the need forms ---------------------------------------------------------------------------


def rendered(html: str, name: str) -> str:
    match = re.search(rf'<input type="(?:date|time)" name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} input with a value"
    return match.group(1)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_renders_the_need_forms_dates_as_the_date_input_takes_them(
    personas: Personas, elder: Retiree, language: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        member = page(elder.account)
        member.cookies["django_language"] = language
        staff = page(personas.owner)
        staff.cookies["django_language"] = language
        for client, url in ((member, "/timebank/needs/new/"), (staff, f"/timebank/requests/add/?recipient={elder.pk}")):
            html = client.get(url).content.decode()
            assert rendered(html, "day") == "2026-05-11", url  # tomorrow, as <input type="date"> needs it
            assert rendered(html, "start") == "09:00", url


def test_it_takes_back_the_dates_it_rendered(personas: Personas, elder: Retiree) -> None:
    with time_machine.travel(NOW, tick=False):
        client = page(elder.account)
        html = client.get("/timebank/needs/new/").content.decode()
        data = {
            "category": "meals",
            "expected_hours": "1",
            "day": rendered(html, "day"),
            "start": rendered(html, "start"),
        }
        r = client.post("/timebank/needs/new/", data)
        assert r.status_code == 302, r.context["form"].errors
    [need] = ServiceRequest.objects.filter(recipient__retiree=elder)
    assert timezone.localtime(need.starts_at).replace(tzinfo=None) == dt.datetime(2026, 5, 11, 9, 0)


# --- (b) soft-deleted providers, junk ids -----------------------------------------------------------------

JUNK = ["abc", "1.5", "-1", "0", "1e3", "99999999999999999999999", "<script>", "1 OR 1=1"]


def open_need(personas: Personas, elder: Retiree) -> ServiceRequest:
    start = timezone.now() - dt.timedelta(minutes=30)
    return services.do_post_need(
        by=personas.owner,
        recipient=elder,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=H("2"),
    )


def test_it_refuses_a_soft_deleted_provider_in_the_service(personas: Personas, elder: Retiree, helper: Retiree) -> None:
    need = open_need(personas, elder)
    Retiree.objects.filter(pk=helper.pk).update(is_deleted=True)
    helper.refresh_from_db()
    with pytest.raises(Refused) as exc:
        services.do_accept(by=personas.owner, need=need, provider=helper)
    assert exc.value.code == "not_eligible"
    assert status(need) == "open"


def test_it_refuses_a_soft_deleted_provider_on_the_page_and_through_the_api(
    personas: Personas, elder: Retiree, helper: Retiree
) -> None:
    need = open_need(personas, elder)
    Retiree.objects.filter(pk=helper.pk).update(is_deleted=True)
    r = page(personas.owner).post(f"/timebank/requests/{need.pk}/assign/", {"provider": helper.pk}, follow=True)
    assert r.status_code == 200 and [str(m) for m in r.context["messages"]]
    r = api(personas.owner).post(f"{API}/requests/{need.pk}/accept/", {"provider": helper.pk}, format="json")
    assert r.status_code == 404
    assert status(need) == "open"


def test_it_answers_junk_provider_ids_with_a_form_error_or_400(personas: Personas, elder: Retiree) -> None:
    need = open_need(personas, elder)
    staff, client = page(personas.owner), api(personas.owner)
    for junk in JUNK:
        r = staff.post(f"/timebank/requests/{need.pk}/assign/", {"provider": junk}, follow=True)
        assert r.status_code == 200 and [str(m) for m in r.context["messages"]], junk
        r = client.post(f"{API}/requests/{need.pk}/accept/", {"provider": junk}, format="json")
        assert r.status_code == 400 and "provider" in r.json(), (junk, r.content)
    assert status(need) == "open"


def test_it_answers_junk_retiree_ids_in_staff_forms_and_fields_without_a_500(
    personas: Personas, elder: Retiree, funded: Any
) -> None:
    services.do_join(by=personas.owner, retiree=elder)
    staff, client = page(personas.owner), api(personas.owner)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    need_form = {"category": "meals", "day": tomorrow, "start": "09:00", "expected_hours": "1"}
    for junk in JUNK:
        r = staff.post("/timebank/requests/add/", {**need_form, "recipient": junk})
        assert r.status_code == 200 and r.context["form"].errors.get("recipient"), junk
        assert staff.get(f"/timebank/requests/add/?recipient={junk}").status_code == 200
        r = staff.post(
            f"/timebank/pools/{personas.tree.city_a.code}/grant/", {"member": junk, "hours": "1", "reason": "x"}
        )
        assert r.status_code == 302, junk
        body = {"category": "meals", "expected_hours": "1", "recipient": junk}
        body.update(starts_at=timezone.now().isoformat(), ends_at=(timezone.now() + dt.timedelta(hours=2)).isoformat())
        assert client.post(f"{API}/requests/", body, format="json").status_code == 400, junk
        r = client.post(f"{API}/grants/", {"to": junk, "hours": "1", "reason": "x"}, format="json")
        assert r.status_code == 400, junk
        r = client.post(f"{API}/donations/", {"retiree": junk, "hours": "1"}, format="json")
        assert r.status_code == 400, junk
    assert not ServiceRequest.objects.exists()


# --- (d) staff choose people and orgs with the picker ------------------------------------------------------


def pickers(html: str) -> list[str]:
    """The names of the picker fields on a page (their hidden key inputs)."""
    return re.findall(r'<input type="hidden" name="(\w+)"[^>]*data-picker-key', html)


def test_it_offers_the_picker_wherever_staff_choose_a_person_or_an_org(
    personas: Personas, elder: Retiree, helper: Retiree, funded: Any
) -> None:
    services.do_join(by=personas.owner, retiree=elder)
    need = open_need(personas, elder)
    offer = services.offers.publish(by=None, provider=helper, category="smartphone", skill="教用智能手机")
    staff = page(personas.owner)
    pages = {
        "/timebank/requests/add/": "recipient",
        f"/timebank/requests/{need.pk}/": "provider",
        f"/timebank/pools/{personas.tree.city_a.code}/": "member",
        "/timebank/reports/": "org",
        f"/timebank/staff/offers/{offer.pk}/book/": "recipient",
    }
    for url, field in pages.items():
        html = staff.get(url).content.decode()
        assert field in pickers(html), url
        assert 'inputmode="numeric"' not in html, url


def test_it_assigns_the_provider_chosen_with_the_picker(personas: Personas, elder: Retiree, helper: Retiree) -> None:
    need = open_need(personas, elder)
    r = page(personas.owner).post(f"/timebank/requests/{need.pk}/assign/", {"provider": helper.pk})
    assert r.status_code == 302
    assert status(need) == "accepted"


def test_it_keeps_the_pickers_to_the_users_scope(personas: Personas, elder: Retiree) -> None:
    far = person(personas.tree.county_b, age=88, name="钱玉兰")  # city B: outside the owner's city A
    need = open_need(personas, elder)
    staff = page(personas.owner)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    form = {"category": "meals", "day": tomorrow, "start": "09:00", "expected_hours": "1", "recipient": far.pk}
    r = staff.post("/timebank/requests/add/", form)
    assert r.status_code == 200 and r.context["form"].errors.get("recipient")
    r = staff.post(f"/timebank/requests/{need.pk}/assign/", {"provider": far.pk}, follow=True)
    assert [str(m) for m in r.context["messages"]]
    r = staff.get(f"/timebank/reports/?org={personas.tree.county_b.code}")
    assert r.status_code == 200 and r.context["form"].errors.get("org") and r.context["org"] != personas.tree.county_b
    r = staff.get(f"/timebank/reports/?org={personas.tree.county_a.code}")
    assert r.status_code == 200 and r.context["org"] == personas.tree.county_a
    assert status(need) == "open" and not ServiceRequest.objects.filter(recipient__retiree=far).exists()


def test_it_filters_the_staff_lists_by_an_org_chosen_with_the_picker(personas: Personas, elder: Retiree) -> None:
    services.do_join(by=personas.owner, retiree=elder)  # in unit_a
    above = person(personas.tree.city_a, age=70, name="吴国华")
    services.do_join(by=personas.owner, retiree=above)
    staff = page(personas.owner)
    for url in ("/timebank/members/", "/timebank/requests/", "/timebank/ledger/", "/timebank/staff/offers/"):
        html = staff.get(url).content.decode()
        assert "org" in pickers(html), url
    r = staff.get(f"/timebank/members/?org={personas.tree.unit_a.code}")
    assert [a.retiree_id for a in r.context["filter"].qs] == [elder.pk]
    r = staff.get(f"/timebank/members/?org={personas.tree.city_a.code}")
    assert sorted(a.retiree_id for a in r.context["filter"].qs) == sorted([elder.pk, above.pk])
    r = staff.get(f"/timebank/members/?org={personas.tree.county_b.code}")  # outside the owner's scope
    assert r.context["filter"].errors.get("org")
