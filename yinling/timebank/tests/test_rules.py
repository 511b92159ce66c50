"""Rule settings per org, inherited down the tree: the service (checks, inheritance, audit, locking)
and the staff pages (scoped: outside the subtree 404, without the permission 403)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yinling.accounts import roles
from yinling.audit.models import AuditRecord
from yinling.testing.permissions import ScopedViewPermissionTests, login_client
from yinling.testing.personas import Personas, make_user
from yinling.timebank import services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Rule
from yinling.timebank.services import rules as services_rules
from yinling.timebank.tests.factories import person

H = Decimal
GOOD = {
    "provider_min_age": 55,
    "provider_max_age": 72,
    "recipient_priority_age": 80,
    "balance_cap": H("1000"),
    "daily_cap": H("6"),
    "starter_hours": H("2"),
    "unit": H("0.5"),
}


def form_data(**changes: Any) -> dict[str, Any]:
    data = {k: str(v) for k, v in {**GOOD, **changes}.items()}
    data.setdefault("reason", "浙老干〔2026〕3号")
    return data


# --- the service --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestService:
    def test_it_applies_the_defaults_when_nobody_set_a_rule(self, personas: Personas) -> None:
        found = services_rules.effective(personas.tree.unit_a)
        assert found.source is None and found.inherited
        assert found.shown == {
            "provider_min_age": "55",
            "provider_max_age": "75",
            "recipient_priority_age": "80",
            "balance_cap": "1500",
            "daily_cap": "8",
            "starter_hours": "0",
            "unit": "0.5",
        }

    def test_it_inherits_the_nearest_rule_up_the_tree(self, personas: Personas) -> None:
        t = personas.tree
        services_rules.set_rule(by=personas.owner, org=t.city_a, values={**GOOD, "balance_cap": H("900")}, reason="a")
        services_rules.set_rule(by=personas.owner, org=t.county_a, values={**GOOD, "balance_cap": H("700")}, reason="b")
        found = services_rules.effective_for([t.province, t.city_a, t.county_a, t.unit_a, t.city_b])
        assert [found[o.pk].rule.balance_cap for o in (t.province, t.city_a, t.county_a, t.unit_a, t.city_b)] == [
            H("1500"),
            H("900"),
            H("700"),
            H("700"),
            H("1500"),
        ]
        assert found[t.unit_a.pk].source == t.county_a and found[t.county_a.pk].own
        # The service cycle reads the same rule.
        assert services.rule_for(t.unit_a).balance_cap == H("700")
        assert services.lookup(t.unit_a)[1].balance_cap == H("700")
        assert services_rules.overriding_below(t.city_a) == [t.county_a]

    def test_it_audits_a_new_rule_with_what_it_replaced_and_why(self, personas: Personas) -> None:
        t = personas.tree
        services_rules.set_rule(by=personas.owner, org=t.city_a, values=GOOD, reason="市级文件")
        change = services_rules.set_rule(
            by=personas.owner, org=t.county_a, values={**GOOD, "daily_cap": H("4")}, reason="区级文件"
        )
        assert change.created and change.changes == {"daily_cap": [H("6"), H("4")]}
        entry = AuditRecord.objects.filter(object_type="timebank.rule").order_by("-id").first()
        assert entry is not None
        assert entry.action == "create" and entry.org_path == t.county_a.path
        assert entry.changes == {"daily_cap": ["6.00", "4"]}
        assert entry.extra["reason"] == "区级文件" and entry.actor_username == "owner"

    def test_it_audits_changes_and_skips_a_save_that_changes_nothing(self, personas: Personas) -> None:
        org = personas.tree.county_a
        services_rules.set_rule(by=personas.owner, org=org, values=GOOD, reason="a")
        before = AuditRecord.objects.filter(object_type="timebank.rule").count()
        assert services_rules.set_rule(by=personas.owner, org=org, values=GOOD, reason="again").changes == {}
        assert AuditRecord.objects.filter(object_type="timebank.rule").count() == before
        change = services_rules.set_rule(
            by=personas.owner, org=org, values={**GOOD, "unit": H("1"), "starter_hours": H("3")}, reason="改为整小时"
        )
        assert not change.created and set(change.changes) == {"unit", "starter_hours"}
        entry = AuditRecord.objects.filter(object_type="timebank.rule").order_by("-id").first()
        assert entry is not None and entry.action == "update" and entry.extra["reason"] == "改为整小时"
        assert Rule.objects.get(org=org).unit == H("1")

    def test_it_removes_a_rule_so_the_org_inherits_again(self, personas: Personas) -> None:
        t = personas.tree
        services_rules.set_rule(by=personas.owner, org=t.city_a, values={**GOOD, "balance_cap": H("900")}, reason="a")
        services_rules.set_rule(by=personas.owner, org=t.county_a, values={**GOOD, "balance_cap": H("700")}, reason="b")
        change = services_rules.remove_rule(by=personas.owner, org=t.county_a, reason="统一执行市级规则")
        assert change.removed and change.changes == {"balance_cap": [H("700"), H("900")]}
        assert not Rule.objects.filter(org=t.county_a).exists()
        assert services_rules.effective(t.unit_a).source == t.city_a
        entry = AuditRecord.objects.filter(object_type="timebank.rule").order_by("-id").first()
        assert entry is not None and entry.action == "delete"
        assert entry.extra == {"reason": "统一执行市级规则", "org": "330106", "inherits_from": "330100"}
        # Removing again changes nothing and writes nothing.
        assert services_rules.remove_rule(by=personas.owner, org=t.county_a, reason="x").removed is False

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"provider_min_age": 40}, "provider_min_age"),
            ({"provider_max_age": 120}, "provider_max_age"),
            ({"provider_min_age": 70, "provider_max_age": 60}, "provider_max_age"),
            ({"recipient_priority_age": 55}, "recipient_priority_age"),
            ({"balance_cap": H("0")}, "balance_cap"),
            ({"balance_cap": H("200000")}, "balance_cap"),
            ({"daily_cap": H("0")}, "daily_cap"),
            ({"daily_cap": H("25")}, "daily_cap"),
            ({"starter_hours": H("-1")}, "starter_hours"),
            ({"starter_hours": H("20"), "balance_cap": H("10")}, "starter_hours"),
            ({"unit": H("0.25")}, "unit"),
            ({"unit": H("1"), "daily_cap": H("7.5")}, "daily_cap"),
            ({"starter_hours": H("0.75")}, "starter_hours"),
        ],
    )
    def test_it_refuses_settings_that_are_not_sane(self, personas: Personas, changes: dict, field: str) -> None:
        with pytest.raises(ValidationError) as caught:
            services_rules.set_rule(
                by=personas.owner, org=personas.tree.county_a, values={**GOOD, **changes}, reason="x"
            )
        assert field in caught.value.message_dict
        assert not Rule.objects.exists()
        assert not AuditRecord.objects.filter(object_type="timebank.rule").exists()

    def test_it_starts_a_first_rule_from_what_the_org_inherits(self, personas: Personas) -> None:
        t = personas.tree
        services_rules.set_rule(by=personas.owner, org=t.city_a, values={**GOOD, "balance_cap": H("900")}, reason="a")
        change = services_rules.set_rule(by=personas.owner, org=t.county_a, values={"daily_cap": H("4")}, reason="b")
        rule = Rule.objects.get(org=t.county_a)
        assert rule.balance_cap == H("900") and rule.daily_cap == H("4") and rule.provider_max_age == 72
        assert change.changes == {"daily_cap": [H("6"), H("4")]}

    def test_it_requires_a_reason(self, personas: Personas) -> None:
        with pytest.raises(ValidationError):
            services_rules.set_rule(by=personas.owner, org=personas.tree.county_a, values=GOOD, reason="  ")

    def test_it_lets_only_bureau_admins_of_the_org_or_above_write(self, personas: Personas) -> None:
        t = personas.tree
        clerk = make_user("clerk", t.city_a, roles.CLERK)
        for user, org in ((clerk, t.county_a), (personas.limited, t.county_a), (personas.outsider, t.county_a)):
            with pytest.raises(PermissionDenied):
                services_rules.set_rule(by=user, org=org, values=GOOD, reason="x")
        county_admin = make_user("county_admin", t.county_a, roles.BUREAU_ADMIN)
        with pytest.raises(PermissionDenied):  # above its own subtree
            services_rules.set_rule(by=county_admin, org=t.city_a, values=GOOD, reason="x")
        services_rules.set_rule(by=county_admin, org=t.unit_a, values=GOOD, reason="x")
        with pytest.raises(PermissionDenied):
            services_rules.remove_rule(by=clerk, org=t.unit_a, reason="x")
        assert Rule.objects.filter(org=t.unit_a).exists()

    def test_it_changes_what_the_service_cycle_enforces_from_the_next_step(self, personas: Personas) -> None:
        t = personas.tree
        services.do_issue(by=personas.owner, org=t.city_a, hours=H("50"), reason="发放", document_no="1号")
        services_rules.set_rule(
            by=personas.owner, org=t.city_a, values={**GOOD, "unit": H("1"), "starter_hours": H("2")}, reason="x"
        )
        newcomer = services.do_join(by=None, retiree=person(t.unit_a, age=70))
        newcomer.refresh_from_db()
        assert newcomer.balance == H("2")  # starter hours for members who join afterwards
        start = timezone.now() + dt.timedelta(hours=2)
        with pytest.raises(Refused, match=r"1\.00 小时的整数倍"):
            services.do_post_need(
                by=None,
                recipient=newcomer.retiree,
                category="meals",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3),
                expected_hours=H("1.5"),
            )
        # A provider aged 74 is no longer eligible under the new band (55–72).
        older = person(t.unit_a, age=74)
        with pytest.raises(Refused, match="55–72"):
            services.do_join(by=None, retiree=older, as_provider=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_it_creates_one_rule_when_two_admins_save_at_once(personas: Personas) -> None:
    """On PostgreSQL: two admins giving the same org a first rule at once both succeed, one after the other."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    org = personas.tree.county_a
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def save(cap: str) -> None:
        try:
            barrier.wait()
            services_rules.set_rule(by=personas.owner, org=org, values={**GOOD, "balance_cap": H(cap)}, reason=cap)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(cap,)) for cap in ("800", "600")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Rule.objects.filter(org=org).count() == 1
    actions = sorted(AuditRecord.objects.filter(object_type="timebank.rule").values_list("action", flat=True))
    assert actions == ["create", "update"]


# --- the pages ----------------------------------------------------------------------------------


class TestRulePermissions(ScopedViewPermissionTests):
    """Rules have no org field to move and no export; creating one is saving an org's page."""

    model = Rule
    list_url = "/timebank/rules/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.CLERK  # reads rules, sets none
    delete_role = roles.BUREAU_ADMIN
    export = False

    def make(self, p: Personas, where: str) -> Rule:
        return Rule.objects.create(org=p.tree.unit_a if where == "own" else p.tree.county_b, balance_cap=H("900"))

    def marker(self, obj: Any) -> str:
        return obj.org.name

    def detail_url(self, obj: Any) -> str:
        return f"/timebank/rules/{obj.org.code}/"

    def edit_url(self, obj: Any) -> str:
        return self.detail_url(obj)

    def delete_url(self, obj: Any) -> str:
        return f"/timebank/rules/{obj.org.code}/remove/"

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        return form_data()

    def test_it_creates_in_the_subtree(self, p: Personas) -> None:
        response = self.client_for(p.owner).post("/timebank/rules/330106/", form_data())
        assert response.status_code == 302 and response["Location"] == "/timebank/rules/330106/"
        assert Rule.objects.get(org=p.tree.county_a).daily_cap == H("6")

    def test_it_refuses_to_create_outside_the_subtree(self, p: Personas) -> None:
        assert self.client_for(p.owner).post("/timebank/rules/330212/", form_data()).status_code == 404
        assert not Rule.objects.exists()

    def test_it_forbids_create_to_the_limited_role(self, p: Personas) -> None:
        clerk = self.client_for(p.limited)
        page = clerk.get("/timebank/rules/330106/")
        assert page.status_code == 200 and '<form method="post" novalidate>' not in page.content.decode()
        assert clerk.post("/timebank/rules/330106/", form_data()).status_code == 403
        assert not Rule.objects.exists()

    def test_it_forbids_edit_to_the_limited_role(self, p: Personas) -> None:
        own = self.make(p, "own")
        assert self.client_for(p.limited).get(self.edit_url(own)).status_code == 200  # reading is allowed
        assert self.client_for(p.limited).post(self.edit_url(own), form_data()).status_code == 403
        own.refresh_from_db()
        assert own.balance_cap == H("900")

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        pytest.skip("a rule's org is in the address, not in the form: there is nothing to move")

    def test_it_deletes_with_the_delete_role(self, p: Personas) -> None:
        obj = self.make(p, "own")
        response = self.client_for(p.owner).post(self.delete_url(obj), {"remove-reason": "统一"})
        assert response.status_code == 302
        assert not Rule.objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
def test_it_keeps_rule_pages_from_roles_without_the_rule_permissions(personas: Personas) -> None:
    """Leaders read the time bank but not its rules (403); nobody outside sees an org (404)."""
    Rule.objects.create(org=personas.tree.county_a)
    leader, outsider = login_client(personas.limited), login_client(personas.outsider)
    for url in ("/timebank/rules/", "/timebank/rules/330106/"):
        assert leader.get(url).status_code == 403, url
    assert leader.post("/timebank/rules/330106/", form_data()).status_code == 403
    assert leader.post("/timebank/rules/330106/remove/", {"remove-reason": "x"}).status_code == 403
    assert outsider.get("/timebank/rules/330106/").status_code == 404
    assert outsider.post("/timebank/rules/330106/", form_data()).status_code == 404
    assert outsider.post("/timebank/rules/330106/remove/", {"remove-reason": "x"}).status_code == 404
    assert Rule.objects.filter(org=personas.tree.county_a).exists()
    for url in ("/timebank/rules/", "/timebank/rules/330106/"):
        response = login_client(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_it_shows_the_rule_in_force_and_where_it_comes_from(personas: Personas) -> None:
    t = personas.tree
    services_rules.set_rule(by=personas.owner, org=t.city_a, values={**GOOD, "balance_cap": H("900")}, reason="a")
    staff = login_client(personas.owner)
    listing = staff.get("/timebank/rules/")
    rows = {row.org.code: row for row in listing.context["rows"]}
    assert set(rows) == {"330100", "330106"}  # bureaus in the area (the unit has no rule of its own)
    assert rows["330100"].own and rows["330106"].source == t.city_a
    page = listing.content.decode()
    assert 'href="/timebank/rules/330106/"' in page and "宁波" not in page and ">900<" in page
    found = staff.get("/timebank/rules/?q=财政")
    assert [row.org.code for row in found.context["rows"]] == ["330106U01"]
    detail = staff.get("/timebank/rules/330106U01/")
    assert detail.context["current"].source == t.city_a
    assert 'href="/timebank/rules/330100/"' in detail.content.decode()
    assert detail.context["form"].initial["balance_cap"] == "900"  # the form starts from the rule in force
    own = staff.get("/timebank/rules/330100/")
    assert own.context["can_remove"] and 'action="/timebank/rules/330100/remove/"' in own.content.decode()


@pytest.mark.django_db
def test_it_names_but_does_not_link_a_source_above_the_users_subtree(personas: Personas) -> None:
    t = personas.tree
    services_rules.set_rule(by=personas.owner, org=t.city_a, values=GOOD, reason="a")
    county_admin = login_client(make_user("county_admin", t.county_a, roles.BUREAU_ADMIN))
    page = county_admin.get("/timebank/rules/330106U01/")
    assert page.status_code == 200 and "杭州市委老干部局" in page.content.decode()
    assert 'href="/timebank/rules/330100/"' not in page.content.decode()
    assert county_admin.get("/timebank/rules/330100/").status_code == 404
    assert (
        'href="/timebank/rules/330100/"'
        in login_client(personas.owner).get("/timebank/rules/330106U01/").content.decode()
    )


@pytest.mark.django_db
def test_it_sets_a_rule_through_the_page_and_shows_the_problems(personas: Personas) -> None:
    staff = login_client(personas.owner)
    bad = staff.post(
        "/timebank/rules/330106/",
        form_data(provider_min_age=70, provider_max_age=60, starter_hours="20", balance_cap="10", unit="0.25"),
    )
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert set(errors) == {"provider_max_age", "starter_hours", "unit"}
    assert 'aria-invalid="true"' in bad.content.decode()
    assert not Rule.objects.exists()
    assert staff.post("/timebank/rules/330106/", form_data(reason="")).context["form"].errors["reason"]
    response = staff.post("/timebank/rules/330106/", form_data(daily_cap="4"), follow=True)
    assert response.redirect_chain[-1][0] == "/timebank/rules/330106/"
    assert Rule.objects.get(org=personas.tree.county_a).daily_cap == H("4")
    assert response.context["current"].own
    same = staff.post("/timebank/rules/330106/", form_data(daily_cap="4"), follow=True)
    assert AuditRecord.objects.filter(object_type="timebank.rule").count() == 1  # nothing changed: no record
    assert [str(m) for m in same.context["messages"]]


@pytest.mark.django_db
def test_it_removes_a_rule_through_the_page_only_with_a_reason(personas: Personas) -> None:
    services_rules.set_rule(by=personas.owner, org=personas.tree.county_a, values=GOOD, reason="a")
    staff = login_client(personas.owner)
    assert staff.post("/timebank/rules/330106/remove/", {"remove-reason": ""}).status_code == 302
    assert Rule.objects.filter(org=personas.tree.county_a).exists()
    assert staff.post("/timebank/rules/330106/remove/", {"remove-reason": "恢复继承"}).status_code == 302
    assert not Rule.objects.filter(org=personas.tree.county_a).exists()
    assert staff.post("/timebank/rules/330106/remove/", {"remove-reason": "again"}).status_code == 302


@pytest.mark.django_db
def test_it_links_the_rule_and_offer_pages_from_the_staff_home(personas: Personas) -> None:
    page = login_client(personas.owner).get("/timebank/").content.decode()
    assert 'href="/timebank/rules/"' in page and 'href="/timebank/staff/offers/"' in page
    leader = login_client(personas.limited).get("/timebank/").content.decode()
    assert 'href="/timebank/rules/"' not in leader and 'href="/timebank/staff/offers/"' in leader
    pool = login_client(personas.owner).get("/timebank/pools/330106/").content.decode()
    assert 'href="/timebank/rules/330106/"' in pool
    assert (
        'href="/timebank/rules/' not in login_client(personas.limited).get("/timebank/pools/330106/").content.decode()
    )
