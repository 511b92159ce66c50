"""Every care page for every persona (anonymous → sign-in, outside → 404, inside without the right → 403), the
generic list tests for visits and campaigns, and the forms posted with good and bad input."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from yinling.accounts import roles
from yinling.audit.models import AuditRecord
from yinling.care.models import Campaign, CampaignTarget, CarePlan, Plan1P1C, Visit
from yinling.care.services import campaigns
from yinling.care.tests.factories import campaign_at, person, plan_for, policy_for, visit_to
from yinling.testing.permissions import ScopedViewPermissionTests, login_client
from yinling.testing.personas import Cast, Personas


class TestVisitPermissions(ScopedViewPermissionTests):
    model = Visit
    list_url = "/care/visits/"
    api_list_url = "/api/v1/care/visits/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER

    def make(self, p: Personas, where: str) -> Visit:
        org = p.tree.unit_a if where == "own" else p.tree.county_b
        by = p.owner if where == "own" else p.outsider
        return visit_to(by, person(org, "本区老人" if where == "own" else "外区老人"))

    def marker(self, obj: Any) -> str:
        return obj.retiree.name

    def detail_url(self, obj: Any) -> str:
        return f"/care/visits/{obj.pk}/"

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/care/visits/{obj.pk}/"

    def form_data(self, p: Personas, obj: Any | None, where: str) -> dict[str, Any]:
        return {}

    # A visit is a record of what happened: no edit or delete page.
    def test_it_edits_in_the_subtree(self, p: Personas) -> None:
        pytest.skip("visits are not edited")

    def test_it_forbids_edit_to_the_limited_role(self, p: Personas) -> None:
        pytest.skip("visits are not edited")

    def test_it_hides_edit_outside_the_subtree(self, p: Personas) -> None:
        pytest.skip("visits are not edited")

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        pytest.skip("visits are not edited")


class TestCampaignPermissions(ScopedViewPermissionTests):
    model = Campaign
    list_url = "/care/campaigns/"
    add_url = "/care/campaigns/add/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER

    def make(self, p: Personas, where: str) -> Campaign:
        org = p.tree.county_a if where == "own" else p.tree.county_b
        by = p.owner if where == "own" else p.outsider
        return campaign_at(by, org, name="本区重阳" if where == "own" else "外区重阳")

    def marker(self, obj: Any) -> str:
        return obj.name

    def form_data(self, p: Personas, obj: Any | None, where: str) -> dict[str, Any]:
        org = p.tree.county_a if where == "own" else p.tree.county_b
        today = timezone.localdate()
        return {
            "org": org.pk,
            "name": "新慰问",
            "kind": "double_ninth",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=10)).isoformat(),
            "codes": ["lixiu", "widowed"],
        }

    def test_it_edits_in_the_subtree(self, p: Personas) -> None:
        pytest.skip("a campaign's list is built and closed, not edited")

    def test_it_forbids_edit_to_the_limited_role(self, p: Personas) -> None:
        pytest.skip("no edit page")

    def test_it_hides_edit_outside_the_subtree(self, p: Personas) -> None:
        pytest.skip("no edit page")

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        pytest.skip("no edit page")


OK, LOGIN, FORBIDDEN, MISSING = 200, 302, 403, 404
STAFF = {"clerk": OK, "bureau_admin": OK, "leader": OK}
ADMINS = {"system_admin": FORBIDDEN, "security_admin": FORBIDDEN, "audit_admin": FORBIDDEN}


def pages(cast: Cast) -> dict[str, tuple[str, dict[str, int]]]:
    """Each page: (url, the answer per persona not named → 404 for the retirees, 403 for no role)."""
    who = cast.retiree_record
    lixiu = person(cast.tree.unit_a, "王离休", age=95, category="lixiu", work_started="1948-05")
    plan_for(cast.bureau_admin, who, "high", worker=cast.clerk)
    policy = policy_for(cast.bureau_admin, lixiu)
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    lists = {"outsider": OK, **STAFF, **ADMINS, "norole": FORBIDDEN, "retiree": FORBIDDEN, "family": FORBIDDEN}
    person_page = {"outsider": MISSING, **STAFF, **ADMINS, "norole": MISSING, "retiree": MISSING, "family": MISSING}
    writes = {**person_page, "leader": FORBIDDEN}
    return {
        "due": ("/care/", lists),
        "visits": ("/care/visits/", lists),
        "plans": ("/care/plans/", lists),
        "policies": ("/care/policies/", lists),
        "campaigns": ("/care/campaigns/", lists),
        "visit_add": ("/care/visits/new/", {**lists, "leader": FORBIDDEN, "outsider": OK}),
        "visit_add_for": (
            f"/care/visits/new/?retiree={who.pk}",
            {**writes, "norole": FORBIDDEN, "retiree": FORBIDDEN, "family": FORBIDDEN},
        ),
        "person": (f"/care/people/{who.pk}/", person_page),
        "plan_edit": (f"/care/people/{who.pk}/plan/", writes),
        "event_add": (f"/care/people/{who.pk}/event/", writes),
        "policy_edit": (f"/care/people/{lixiu.pk}/policy/", writes),
        "policy_review": (f"/care/policies/{policy.pk}/review/", writes),
        "campaign": (f"/care/campaigns/{campaign.pk}/", {**person_page, "retiree": MISSING}),
        "campaign_export": (f"/care/campaigns/{campaign.pk}/export/", {**person_page, "leader": FORBIDDEN}),
        "me": ("/care/me/", {"retiree": OK, "family": OK, **{k: LOGIN for k in ("clerk", "bureau_admin", "leader")}}),
    }


PAGE_NAMES = [
    "due",
    "visits",
    "plans",
    "policies",
    "campaigns",
    "visit_add",
    "visit_add_for",
    "person",
    "plan_edit",
    "event_add",
    "policy_edit",
    "policy_review",
    "campaign",
    "campaign_export",
    "me",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_answers_every_page_for_every_persona(cast: Cast, page: str) -> None:
    url, expected = pages(cast)[page]
    assert login_client(None).get(url).status_code == LOGIN
    for persona in (
        "norole",
        "outsider",
        "clerk",
        "bureau_admin",
        "leader",
        "system_admin",
        "security_admin",
        "audit_admin",
        "retiree",
        "family",
    ):
        want = expected.get(persona)
        if want is None:
            continue
        got = login_client(cast.user(persona)).get(url).status_code
        assert got == want, f"{page} as {persona}: {got}, expected {want}"


def test_it_records_a_visit_from_the_page_and_shows_refusals(cast: Cast) -> None:
    who = cast.retiree_record
    client = login_client(cast.clerk)
    url = f"/care/visits/new/?retiree={who.pk}"
    data = {
        "kind": "home",
        "visited_on": timezone.localdate().isoformat(),
        "visitors": "王科长",
        "occasion": "routine",
        "given": "米",
        "needs": "",
        "follow_up": "",
        "open_case": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    visit = Visit.objects.unrestricted().get(retiree=who)
    detail = client.get(response["Location"]).content.decode()
    # "Open a service case": the registry's 代办 for this person, landing on the services they may apply for.
    assert f'action="/registry/{who.pk}/act/"' in detail and 'name="next" value="/cases/"' in detail
    acting = client.post(f"/registry/{who.pk}/act/", {"next": "/cases/"})
    assert acting.status_code == 302 and acting["Location"] == "/cases/"
    assert who.name in client.get("/cases/").content.decode()
    client.post("/registry/act/stop/")
    again = client.post(url, data).content.decode()
    assert "已有" in again or "already" in again
    bad = client.post(url, {**data, "kind": "x", "visited_on": "明天"}).content.decode()
    assert Visit.objects.unrestricted().count() == 1
    assert "kind" in bad or "方式" in bad or "visited_on" in bad
    assert login_client(cast.leader).post(url, data).status_code == FORBIDDEN
    assert login_client(cast.outsider).post(url, data).status_code == MISSING
    assert visit.pk


def test_the_due_page_lists_overdue_first(cast: Cast) -> None:
    plan_for(cast.bureau_admin, cast.retiree_record, "high", worker=cast.clerk)
    body = login_client(cast.clerk).get("/care/").content.decode()
    assert "张建国" in body and f"?retiree={cast.retiree_record.pk}" in body


def test_the_plan_form_saves_and_refuses_a_stale_version(cast: Cast) -> None:
    who = cast.retiree_record
    plan = plan_for(cast.bureau_admin, who, "normal")
    client = login_client(cast.bureau_admin)
    url = f"/care/people/{who.pk}/plan/"
    assert client.post(url, {"risk": "high", "worker": cast.clerk.pk, "version": plan.version}).status_code == 302
    stale = client.post(url, {"risk": "key", "worker": "", "version": plan.version})
    assert stale.status_code == 200
    assert CarePlan.objects.unrestricted().get(retiree=who).risk == "high"
    assert client.post(url, {"risk": "extreme"}).status_code == 200


def test_the_event_and_policy_forms_work_and_refuse(cast: Cast) -> None:
    who = cast.retiree_record
    client = login_client(cast.clerk)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/care/people/{who.pk}/event/", {"kind": "hospital", "happened_at": now}).status_code == 302
    assert (
        client.post(
            f"/care/people/{who.pk}/event/", {"kind": "hospital", "happened_at": "2099-01-01T10:00"}
        ).status_code
        == 200
    )
    refused = client.post(f"/care/people/{who.pk}/policy/", {"needs": "a", "measures": "b", "review_months": 6})
    assert refused.status_code == 200 and not Plan1P1C.objects.unrestricted().exists()  # not a 离休 cadre


def test_a_campaign_is_built_assigned_and_exported_from_its_page(cast: Cast) -> None:
    person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    person(cast.tree.county_a, "乙离休", age=96, category="lixiu", work_started="1947-05")
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    admin = login_client(cast.bureau_admin)
    assert admin.post(f"/care/campaigns/{campaign.pk}/build/").status_code == 302
    assert CampaignTarget.objects.unrestricted().filter(campaign=campaign).count() == 2
    assert login_client(cast.leader).post(f"/care/campaigns/{campaign.pk}/build/").status_code == FORBIDDEN
    assert login_client(cast.outsider).post(f"/care/campaigns/{campaign.pk}/build/").status_code == MISSING
    answer = admin.post(
        f"/care/campaigns/{campaign.pk}/assign/",
        {"org": cast.tree.unit_a.pk, "worker": cast.clerk.pk, "only_unassigned": "on"},
    )
    assert answer.status_code == 302
    assert list(
        CampaignTarget.objects.unrestricted().filter(worker=cast.clerk).values_list("retiree__name", flat=True)
    ) == ["甲离休"]
    target = CampaignTarget.objects.unrestricted().get(worker=cast.clerk)
    visit_to(cast.clerk, target.retiree, target=target)
    page = admin.get(f"/care/campaigns/{campaign.pk}/").content.decode()
    assert "1 of 2" in page or "1 / 2" in page or "已走访 1" in page or "2 人中已走访 1" in page
    export = admin.get(f"/care/campaigns/{campaign.pk}/export/")
    assert export.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)  # type: ignore[attr-defined]
    rows = list(wb.active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {"甲离休", "乙离休"}
    assert {r[4] for r in rows[1:]} == {"已走访", "未走访"}
    assert AuditRecord.objects.filter(action="export", object_type="care.campaigntarget").exists()
    # The county clerk sees the city's campaign and only the county's part of it.
    assert "乙离休" in login_client(cast.clerk).get(f"/care/campaigns/{campaign.pk}/").content.decode()
    assert admin.post(f"/care/campaigns/{campaign.pk}/close/").status_code == 302
    assert Campaign.objects.unrestricted().get(pk=campaign.pk).status == "closed"
    assert campaigns  # the services module is what the pages call


def test_the_member_page_shows_who_visited_and_the_contact(cast: Cast) -> None:
    plan_for(cast.bureau_admin, cast.retiree_record, "high", worker=cast.clerk)
    visit_to(cast.clerk, cast.retiree_record, given="鲜花")
    visit_to(cast.clerk, cast.family_record, given="不该出现")
    body = login_client(cast.retiree).get("/care/me/").content.decode()
    assert "鲜花" in body and "不该出现" not in body and "clerk" in body


def test_the_retirees_record_links_to_the_care_page(cast: Cast) -> None:
    plan_for(cast.bureau_admin, cast.retiree_record, "high")
    body = login_client(cast.clerk).get(f"/registry/{cast.retiree_record.pk}/").content.decode()
    assert f"/care/people/{cast.retiree_record.pk}/" in body
    assert "高风险" in body


def test_the_due_page_lists_my_festival_visits_until_recorded(cast: Cast) -> None:
    lixiu = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
    target = CampaignTarget.objects.unrestricted().get(campaign=campaign)
    campaigns.do_assign(by=cast.bureau_admin, targets=[target], worker=cast.clerk)
    client = login_client(cast.clerk)
    assert f"?target={target.pk}" in client.get("/care/").content.decode()
    assert f"?target={target.pk}" not in login_client(cast.bureau_admin).get("/care/").content.decode()
    visit_to(cast.clerk, lixiu, target=target)
    assert f"?target={target.pk}" not in client.get("/care/").content.decode()


@pytest.mark.parametrize("bad", ["abc", "1.5", str(2**70)])
def test_a_bad_retiree_or_target_in_the_visit_address_is_a_404(cast: Cast, bad: str) -> None:
    client = login_client(cast.clerk)
    assert client.get(f"/care/visits/new/?retiree={bad}").status_code == MISSING
    assert client.get(f"/care/visits/new/?target={bad}").status_code == MISSING
