"""The cockpit page, its panel endpoints (JSON, .xlsx), the org in `?org=`, and the cache per scope."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from openpyxl import load_workbook

from yinling.accounts import roles
from yinling.accounts.models import RoleAssignment
from yinling.audit.models import AuditRecord
from yinling.core import panels as core_panels
from yinling.core.panels import PANELS, Panel, PanelData, Series, cache_key, panel_data, register_panel
from yinling.registry.models import Library, Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, cast_clients, make_user
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db
ORGS = "/cockpit/panels/registry-orgs/"


@pytest.fixture
def people(cast: Cast) -> Cast:
    t = cast.tree
    for org, n in ((t.county_a, 2), (t.unit_a, 1), (t.county_b, 3)):
        for _i in range(n):
            Retiree.objects.filter(pk=person(org).pk).update(category="tuixiu")
    return cast


# Who gets what from a panel endpoint at the default org: staff with the registry's view right see their
# figures; everyone else is refused (403) or sent to sign in.
EXPECTED = {
    "anonymous": 302,
    "norole": 403,
    "outsider": 200,
    "clerk": 200,
    "bureau_admin": 200,
    "leader": 200,
    "system_admin": 200,  # may view the registry (masked), so sees its counts
    "security_admin": 403,
    "audit_admin": 403,
    "retiree": 403,
    "family": 403,
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_it_answers_each_persona_on_the_panel_endpoints(people: Cast, persona: str) -> None:
    client = cast_clients(people)[persona]
    assert client.get(ORGS).status_code == EXPECTED[persona]
    assert client.get(ORGS + "xlsx/").status_code == EXPECTED[persona]


@pytest.mark.parametrize("persona", ["clerk", "bureau_admin", "leader", "outsider"])
@pytest.mark.parametrize("code", ["330000", "no-such-org", "330200'--", "x" * 300])
def test_it_refuses_an_org_outside_the_scope_as_not_found(people: Cast, persona: str, code: str) -> None:
    client = cast_clients(people)[persona]
    if persona == "outsider" and code == "330200'--":
        code = "330100"  # the outsider's "other" city
    assert client.get(ORGS, {"org": code}).status_code == 404
    assert client.get(ORGS + "xlsx/", {"org": code}).status_code == 404
    assert client.get("/", {"org": code}).status_code == 404


def test_it_answers_404_for_an_unknown_panel(people: Cast) -> None:
    assert login_client(people.leader).get("/cockpit/panels/no-such-panel/").status_code == 404


def test_it_gives_the_json_of_the_viewers_subtree(people: Cast) -> None:
    body = login_client(people.leader).get(ORGS).json()
    assert body["org"] == {"code": "330100", "name": people.tree.city_a.name}
    assert body["kind"] == "stacked" and body["drill"] == ["330106"]
    assert body["drill_urls"] == ["/?org=330106"]
    # 离休, 退休 in county A1 and its unit: the three added, the cast's retiree and their relative.
    assert [s["values"] for s in body["series"]] == [[0], [5]]
    province = make_user("prov", people.tree.province, roles.LEADER)
    body = login_client(province).get(ORGS).json()
    assert body["categories"] == [people.tree.city_a.name, people.tree.city_b.name]
    assert body["series"][1]["values"] == [5, 3]


def test_it_drills_down_and_names_the_org_and_path_on_the_page(people: Cast) -> None:
    client = login_client(people.leader)
    top = client.get("/").content.decode()
    assert f"{people.tree.city_a.name}的数据" in top
    assert 'href="/?org=330106"' in top  # the table's org names drill down without JavaScript
    page = client.get("/", {"org": "330106"})
    html = page.content.decode()
    assert page.status_code == 200 and f"{people.tree.county_a.name}的数据" in html
    assert 'aria-label="Breadcrumb"' in html or "breadcrumb" in html
    assert 'href="/?org=330100"' in html  # back up the drill path
    assert "/cockpit/panels/registry-orgs/?org=330106" in html


def test_it_keeps_the_figure_cards_and_a_page_for_staff_without_panels(people: Cast) -> None:
    clients = cast_clients(people)
    html = clients["leader"].get("/").content.decode()
    assert "figure-card" in html and "cockpit-panel" in html
    audit = clients["audit_admin"].get("/")
    assert audit.status_code == 200 and "cockpit-panel" not in audit.content.decode()


def test_it_downloads_the_panel_as_an_audited_formula_safe_spreadsheet(people: Cast) -> None:
    Library.objects.create(name='=HYPERLINK("http://x")', org=people.tree.city_a, filters={"category": "tuixiu"})
    client = login_client(people.leader)
    response = client.get("/cockpit/panels/registry-libraries/xlsx/", {"org": "330106"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["专题库或群体", "在册人数"]
    by_name = {r[0]: r[1] for r in rows[1:] if r and r[0]}
    assert by_name['=HYPERLINK("http://x")'] == 5  # the county's people (all 退休), counted as a number
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"  # text, never a formula
    assert any(r[0] and "截至" in str(r[0]) for r in rows)  # says which org and day
    record = AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT).latest("id")
    assert record.object_type == "cockpit.panel" and record.org_path == people.tree.county_a.path
    assert record.extra["filters"] == {"panel": "registry-libraries", "org": "330106"}


@pytest.fixture
def counting_panel() -> Any:
    calls: list[str] = []

    def data(user: Any, org: Any) -> PanelData:
        calls.append(user.username)
        n = Retiree.objects.restrict(user, "view").filter(org__path__under=org.path).count()
        return PanelData(categories=["n"], series=[Series("n", [n])])

    panel = Panel("test-counting", "counting", data, perm="registry.view_retiree", order=999)
    register_panel(panel)
    yield panel, calls
    PANELS.remove(panel)


def test_it_caches_per_scope_and_never_shares_across_different_scopes(people: Cast, counting_panel: Any) -> None:
    panel, calls = counting_panel
    t = people.tree
    province = make_user("prov", t.province, roles.LEADER)
    province_twin = make_user("prov2", t.province, roles.LEADER)  # the same grants exactly
    city_clerk = make_user("cityclerk", t.city_a, roles.CLERK)  # other permissions, same org
    assert panel_data(panel, province, t.city_a).series[0].values == [5]
    assert panel_data(panel, province_twin, t.city_a).series[0].values == [5]
    assert calls == ["prov"]  # the twin read the first one's entry
    assert cache_key(panel, province, t.city_a) == cache_key(panel, province_twin, t.city_a)
    assert cache_key(panel, province, t.city_a) != cache_key(panel, city_clerk, t.city_a)
    assert cache_key(panel, province, t.city_a) != cache_key(panel, province, t.province)
    panel_data(panel, city_clerk, t.city_a)
    assert calls == ["prov", "cityclerk"]
    # At the same org, a user who sees only part of it is never served the wider scope's entry: an
    # auditor of county A1 who leads the unit below it counts the unit's people only.
    assert panel_data(panel, province, t.county_a).series[0].values == [5]
    mixed = make_user("mixed", t.county_a, roles.AUDIT_ADMIN)
    RoleAssignment.objects.create(user=mixed, role=roles.LEADER, org=t.unit_a)
    assert panel_data(panel, mixed, t.county_a).series[0].values == [2]
    assert calls[-1] == "mixed"
    body = login_client(mixed).get(ORGS, {"org": "330106"}).json()
    assert body["drill"] == ["330106U01"] and [s["values"] for s in body["series"]] == [[0], [2]]


def test_it_recomputes_after_the_cache_time(people: Cast, counting_panel: Any) -> None:
    panel, calls = counting_panel
    with override_settings(PANEL_CACHE_SECONDS=300):
        panel_data(panel, people.leader, people.tree.city_a)
        panel_data(panel, people.leader, people.tree.city_a)
    assert len(calls) == 1
    cache.delete(cache_key(panel, people.leader, people.tree.city_a))  # as the timeout does
    panel_data(panel, people.leader, people.tree.city_a)
    assert len(calls) == 2


def test_it_refuses_a_panel_of_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        register_panel(Panel("bad", "bad", lambda u, o: PanelData([], []), kind="radar"))  # type: ignore[arg-type]
    assert all(p.id != "bad" for p in core_panels.PANELS)


def _org_queries(client: Any, query: dict[str, str]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/", query)  # the panels' figures are cached: what is left is the page's own
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/", query).status_code == 200
    return [q["sql"] for q in captured.captured_queries if 'FROM "orgs_org"' in q["sql"]]


def test_it_reads_the_scope_tops_once_per_page(people: Cast) -> None:
    """The tops of the viewer's scope (the default org, and the switcher for users with several) are read once;
    at a top, its drill path is the top itself: no query more."""
    RoleAssignment.objects.create(user=people.leader, role=roles.LEADER, org=people.tree.city_b)  # two tops
    client = login_client(people.leader)
    tops = "\"path\" IN ('330000/330100/', '330000/330200/')"
    at_top = _org_queries(client, {})
    assert sum(tops in sql for sql in at_top) == 1
    assert not any("\"path\" IN ('330000/330100/')" in sql for sql in at_top)  # the drill path of a top: itself
    below = _org_queries(client, {"org": "330106"})
    assert sum(tops in sql for sql in below) == 1
    assert sum("\"path\" IN ('330000/330100/', '330000/330100/330106/')" in sql for sql in below) == 1
    assert len(below) == len(at_top) + 2  # the org by its code, and its drill path: a top needs neither
    html = client.get("/", {"org": "330106"}).content.decode()
    assert 'href="/?org=330100"' in html and 'href="/?org=330200"' in html  # path up, and the other top
