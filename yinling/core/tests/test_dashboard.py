"""Home figures: each counts exactly the rows its link's list page shows, for every user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from yinling.accounts import roles
from yinling.core.dashboard import FIGURES, home_figures
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas, make_user
from yinling.timebank.models import Account, ServiceRequest
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db


def _retiree(org: Org, *, category: str = "tuixiu", status: str = "active", deleted: bool = False) -> Retiree:
    r = person(org, age=88 if category == "lixiu" else 66)
    Retiree.objects.filter(pk=r.pk).update(
        category=category,
        status=status,
        deceased_on=dt.date(2025, 1, 1) if status == "deceased" else None,
        is_deleted=deleted,
    )
    return r


def _need(recipient: Retiree, provider: Retiree, status: str) -> None:
    accounts = [
        Account.objects.get_or_create(kind="member", retiree=r, defaults={"org": r.org, "is_provider": r == provider})[
            0
        ]
        for r in (recipient, provider)
    ]
    start = timezone.now() - dt.timedelta(days=2)
    ServiceRequest.objects.create(
        recipient=accounts[0],
        provider=accounts[1] if status != "open" else None,
        org=recipient.org,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        expected_hours=Decimal("1"),
        actual_hours=Decimal("1") if status == "reported" else None,
        status=status,
    )


@pytest.fixture
def world(personas: Personas) -> dict[str, Any]:
    t = personas.tree
    for org in (t.unit_a, t.county_a, t.county_b):
        _retiree(org)
        _retiree(org, category="lixiu")
        _retiree(org, category="lixiu", status="deceased")
        _retiree(org, status="moved_out")
        _retiree(org, category="lixiu", deleted=True)
    helper_a, elder_a, elder_a2 = person(t.unit_a), person(t.county_a, age=85), person(t.unit_a, age=90)
    _need(elder_a, helper_a, "reported")
    _need(elder_a2, helper_a, "reported")
    _need(elder_a, helper_a, "open")
    _need(elder_a2, helper_a, "confirmed")
    helper_b, elder_b = person(t.county_b), person(t.county_b, age=85)
    _need(elder_b, helper_b, "reported")
    return {
        "owner": personas.owner,
        "limited": personas.limited,
        "outsider": personas.outsider,
        "norole": personas.norole,
        "clerk": make_user("clerk", t.county_a, roles.CLERK),
        "unit clerk": make_user("unitclerk", t.unit_a, roles.CLERK),
        "province": make_user("province", t.province, roles.BUREAU_ADMIN),
        "system admin": make_user("sysadmin", t.province, roles.SYSTEM_ADMIN),
        "auditor": make_user("auditor", t.province, roles.AUDIT_ADMIN),
    }


USERS = ["owner", "limited", "outsider", "norole", "clerk", "unit clerk", "province", "system admin", "auditor"]


@pytest.mark.parametrize("who", USERS)
def test_it_counts_exactly_the_rows_each_figure_links_to(world: dict[str, Any], who: str) -> None:
    client = login_client(world[who])
    figures = client.get("/").context["figures"]
    for fig in figures:
        page = client.get(fig["url"])
        assert page.status_code == 200, fig["url"]
        shown = page.context["table"].paginator.count
        assert fig["value"] == shown, f"{fig['label']} says {fig['value']} but {fig['url']} lists {shown}"


def test_it_tests_every_registered_figure(world: dict[str, Any]) -> None:
    """Each figure is shown to one of the users above at least, so the test above covers it."""
    seen = {(str(f["label"]), f["url"]) for who in USERS for f in home_figures(world[who])}
    assert len(seen) == len(FIGURES) >= 6


def test_it_links_each_figure_to_its_filter(world: dict[str, Any]) -> None:
    figures = {str(f["label"]): f for f in home_figures(world["owner"])}
    lixiu = urlsplit(figures["离休干部"]["url"])
    assert lixiu.path == "/registry/" and parse_qs(lixiu.query) == {"category": ["lixiu"]}
    assert figures["离休干部"]["value"] == 2  # unit_a's and county_a's, on register, not deleted
    assert figures["在册离退休干部"]["value"] == 7  # and the five time bank members
    waiting = urlsplit(figures["待确认的服务"]["url"])
    assert parse_qs(waiting.query) == {"status": ["reported"]} and figures["待确认的服务"]["value"] == 2
    bureaus = urlsplit(figures["管辖范围内的老干部局"]["url"])
    assert set(parse_qs(bureaus.query)["kind"]) == {"city_bureau", "county_bureau", "province_bureau"}
    assert figures["管辖范围内的老干部局"]["value"] == 2  # city A and county A


def test_it_hides_figures_from_users_who_may_not_open_the_list(world: dict[str, Any]) -> None:
    assert home_figures(world["norole"]) == []
    assert {str(f["url"]).split("?")[0] for f in home_figures(world["auditor"])} == {"/orgs/", "/audit/"}
    system_admin = {str(f["url"]).split("?")[0] for f in home_figures(world["system admin"])}
    assert "/registry/" in system_admin and "/timebank/members/" not in system_admin  # no time bank role


def test_it_says_what_the_registry_figures_leave_out(world: dict[str, Any]) -> None:
    body = login_client(world["owner"]).get("/").content.decode()
    assert "不含离世和迁出人员" in body
