"""Tabs show their counts (#11): each tab's badge is the number of rows its own list shows, inside the viewer's
scope and under the page's other filters, counted in one aggregate query for every tab."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_retiree_record


class TabParser(HTMLParser):
    """The tabs of a page: [(label, href, badge, hidden label, current)]."""

    def __init__(self) -> None:
        super().__init__()
        self.tabs: list[dict[str, Any]] = []
        self._in_tabs = False
        self._tab: dict[str, Any] | None = None
        self._part = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "ul" and "nav-tabs" in classes:
            self._in_tabs = True
        elif tag == "a" and self._in_tabs:
            self._tab = {"href": a["href"], "label": "", "badge": "", "hidden": "", "current": "aria-current" in a}
            self._part = "label"
        elif tag == "span" and self._tab is not None:
            self._part = "badge" if "badge" in classes else "hidden" if "visually-hidden" in classes else self._part

    def handle_data(self, data: str) -> None:
        if self._tab is not None:
            self._tab[self._part] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._tab is not None:
            self._part = "label"
        elif tag == "a" and self._tab is not None:
            self.tabs.append({k: v.strip() if isinstance(v, str) else v for k, v in self._tab.items()})
            self._tab = None
        elif tag == "ul":
            self._in_tabs = False


def tabs_of(client: Client, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200
    parser = TabParser()
    parser.feed(response.content.decode())
    return parser.tabs


def rows_of(client: Client, path: str, href: str) -> int:
    """The number of rows the tab's own list shows (its paginator's count)."""
    response = client.get(path + href)
    assert response.status_code == 200
    return int(response.context["table"].paginator.count)


def _people(cast: Cast) -> None:
    t = cast.tree
    # In the clerk's county (with the cast's two living people there): 2 + 3 on register, 2 deceased, 1 moved out.
    statuses = ["active"] * 3 + ["deceased"] * 2 + ["moved_out"]
    for i, status in enumerate(statuses):
        org = t.unit_a if i % 2 else t.county_a
        died = dt.date(2024, 5, 1) if status == "deceased" else None
        make_retiree_record(org, f"在县{i}", f"1370000{i:04d}", 100 + i, status=status, deceased_on=died)
    # Outside the clerk's county: in the city above it and in another city.
    for i, (org, status) in enumerate([(t.city_a, "active"), (t.city_b, "active"), (t.county_b, "deceased")]):
        died = dt.date(2024, 5, 1) if status == "deceased" else None
        make_retiree_record(org, f"县外{i}", f"1360000{i:04d}", 200 + i, status=status, deceased_on=died)


def test_it_counts_each_registry_tab_as_its_list_for_a_scoped_clerk(cast: Cast) -> None:
    _people(cast)
    client = login_client(cast.clerk)
    tabs = tabs_of(client, "/registry/")
    assert [int(t["badge"]) for t in tabs] == [5, 2, 1, 8]  # on register, deceased, moved out, all
    for tab in tabs:
        assert rows_of(client, "/registry/", tab["href"]) == int(tab["badge"]), tab
        assert re.fullmatch(rf"\(\D*{tab['badge']}\D+\)", tab["hidden"]), tab  # "(5 records)", heard, not seen
    assert [t["current"] for t in tabs] == [True, False, False, False]  # no status: on register


def test_it_counts_the_tabs_under_the_pages_other_filters(cast: Cast) -> None:
    _people(cast)
    client = login_client(cast.clerk)
    tabs = tabs_of(client, "/registry/?q=在县&status=deceased")
    assert [int(t["badge"]) for t in tabs] == [3, 2, 1, 6]
    assert [t["current"] for t in tabs] == [False, True, False, False]
    for tab in tabs:
        assert "q=" in tab["href"] and "page=" not in tab["href"]
        assert rows_of(client, "/registry/", tab["href"]) == int(tab["badge"])


def test_it_counts_every_tab_in_one_query(cast: Cast) -> None:
    _people(cast)
    client = login_client(cast.clerk)
    with CaptureQueriesContext(connection) as queries:
        tabs_of(client, "/registry/?status=moved_out")
    # One query with a COUNT per tab (on register, deceased, moved out, all), and no count per tab.
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len([sql for sql in sqls if sql.count("COUNT(") == 4]) == 1, sqls
    assert not [sql for sql in sqls if 0 < sql.count("COUNT(") < 4 and "'deceased'" in sql], sqls


def test_it_shows_no_counts_when_the_filters_do_not_validate(cast: Cast) -> None:
    client = login_client(cast.clerk)
    tabs = tabs_of(client, "/registry/?age_min=abc")
    assert tabs and all(t["badge"] == "" for t in tabs)


def test_it_counts_the_time_bank_requests_by_status_in_scope(cast: Cast) -> None:
    from yinling.timebank import services
    from yinling.timebank.models import ServiceRequest

    by = cast.bureau_admin
    t = cast.tree
    services.do_issue(by=by, org=t.city_a, hours=Decimal("100"), reason="发放", document_no="1号")
    services.do_issue(by=cast.outsider, org=t.city_b, hours=Decimal("100"), reason="发放", document_no="2号")
    inside = make_retiree_record(t.county_a, "县内", "13500000001", 300)
    outside = make_retiree_record(t.county_b, "县外", "13500000002", 301)
    services.do_join(by=by, retiree=inside)
    services.do_join(by=cast.outsider, retiree=outside)
    start = timezone.now() + dt.timedelta(days=2)
    plan = [(inside, by, "open"), (inside, by, "open"), (inside, by, "cancelled"), (outside, cast.outsider, "open")]
    for recipient, poster, status in plan:
        need = services.do_post_need(
            by=poster,
            recipient=recipient,
            category="company",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            expected_hours=Decimal("1"),
        )
        ServiceRequest.objects.unrestricted().filter(pk=need.pk).update(status=status)
    client = login_client(cast.clerk)
    tabs = tabs_of(client, "/timebank/requests/")
    counts = {t["label"]: int(t["badge"]) for t in tabs}
    assert sum(counts.values()) == 2 * 3  # every status's tab plus "All"
    assert sorted(v for v in counts.values() if v) == [1, 2, 3]
    for tab in tabs:
        assert rows_of(client, "/timebank/requests/", tab["href"]) == int(tab["badge"]), tab


def test_it_stops_counting_exactly_past_the_lists_limit(cast: Cast, monkeypatch: Any) -> None:
    """Past EXACT_UP_TO rows every tab shows the database's estimate, as the list's count line does."""
    from yinling.core import views

    _people(cast)
    client = login_client(cast.clerk)
    monkeypatch.setattr(views, "EXACT_UP_TO", 8)  # the clerk's list has 8 rows: still exact
    assert [t["badge"] for t in tabs_of(client, "/registry/")] == ["5", "2", "1", "8"]
    monkeypatch.setattr(views, "EXACT_UP_TO", 7)
    monkeypatch.setattr(views, "estimate_count", lambda qs: 48711)
    tabs = tabs_of(client, "/registry/")
    assert [t["badge"].replace(",", "") for t in tabs] == ["≈49000"] * 4  # two significant figures
    assert all("49000" in t["hidden"].replace(",", "") for t in tabs)
    # Where the database gives no estimate (SQLite), the counts stay exact.
    monkeypatch.setattr(views, "estimate_count", lambda qs: None)
    assert [t["badge"] for t in tabs_of(client, "/registry/")] == ["5", "2", "1", "8"]
