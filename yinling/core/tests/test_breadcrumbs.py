"""Every staff page shows where it is: a breadcrumb trail (Home → module → object → action) (#11).

The walk reuses the URL walk's routes and objects (test_url_walk): a bureau admin GETs every page route, and
every full HTML page (not a fragment for htmx, a download or a redirect) must have a `<nav aria-label>` holding
an `ol.breadcrumb` whose last item is `aria-current="page"`. The exemptions are listed below, each with its reason.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from yinling.core.tests.test_url_walk import ROUTES, Route, World, _client, url_of, world  # noqa: F401

# Pages that are not in a trail, and why.
EXEMPT = {
    "home": "the home page (the cockpit) is the trail's root",
    "accounts:login": "sign-in page",
    "accounts:activate": "sign-in page (a retiree's first password)",
    "accounts:two_factor": "sign-in page (the second step)",
    "healthz": "not a page",
}
# Error pages (403, 404, 500) are not walked: only answers of 200 are.


class CrumbParser(HTMLParser):
    """Finds the breadcrumb navs: a <nav aria-label> holding an <ol class="breadcrumb">."""

    def __init__(self) -> None:
        super().__init__()
        self.full_page = False
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.trails: list[dict[str, Any]] = []  # {"label", "items": [(current, text, href)]}
        self._nav: dict[str, Any] | None = None
        self._in_ol = False
        self._item: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main" and a.get("id") == "main":
            self.full_page = True
        if tag == "nav":
            self._nav = {"label": a.get("aria-label", ""), "items": [], "ol": False}
        elif tag == "ol" and self._nav is not None and "breadcrumb" in a.get("class", "").split():
            self._nav["ol"] = True
            self._in_ol = True
        elif tag == "li" and self._in_ol:
            self._item = [a.get("aria-current") == "page", "", ""]
        elif tag == "a" and self._item is not None:
            self._item[2] = a.get("href", "")

    def handle_data(self, data: str) -> None:
        if self._item is not None:
            self._item[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._item is not None and self._nav is not None:
            self._nav["items"].append((self._item[0], self._item[1].strip(), self._item[2]))
            self._item = None
        elif tag == "ol":
            self._in_ol = False
        elif tag == "nav" and self._nav is not None:
            if self._nav["ol"]:
                self.trails.append(self._nav)
            self._nav = None


def crumbs(html: str) -> CrumbParser:
    parser = CrumbParser()
    parser.feed(html)
    return parser


def _page_routes() -> list[Route]:
    return [r for r in ROUTES if not r.api and r.name not in EXEMPT and not r.name.startswith("<unnamed")]


def test_it_lists_only_routes_that_exist_as_exemptions() -> None:
    names = {r.name for r in ROUTES}
    assert set(EXEMPT) <= names


def test_it_finds_a_trail_only_where_there_is_one() -> None:
    sidebar = '<main id="main"><nav aria-label="Modules"><a aria-current="page" href="/">Home</a></nav></main>'
    assert crumbs(sidebar).trails == []
    trail = (
        '<main id="main"><nav aria-label="Breadcrumb"><ol class="breadcrumb"><li><a href="/">Home</a></li>'
        '<li aria-current="page">Registry</li></ol></nav></main>'
    )
    assert crumbs(trail).trails[0]["items"] == [(False, "Home", "/"), (True, "Registry", "")]


# Who walks, and pages each must have reached (not a wall of refusals): the bureau admin sees the business
# pages; the audit trail is the audit admin's alone, deleting orgs the system admin's (三员).
WALKERS = {
    "bureau_admin": {"registry:list", "registry:detail", "orgs:detail", "orgs:edit", "timebank:requests"},
    "audit_admin": {"audit:list", "audit:detail"},
    "system_admin": {"accounts:user_list", "accounts:user_detail", "accounts:user_edit", "orgs:add", "orgs:delete"},
}


@pytest.mark.parametrize("persona", sorted(WALKERS))
def test_it_shows_a_breadcrumb_trail_on_every_staff_page(world: World, db: None, persona: str) -> None:  # noqa: F811
    client = _client(world, persona)
    checked, problems = [], []
    for route in _page_routes():
        url = url_of(world, route)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
            continue
        found = crumbs(response.content.decode())
        if not found.full_page:  # a fragment for htmx
            continue
        checked.append(route.name)
        trails = [t for t in found.trails if t["label"]]
        if len(trails) != 1:
            problems.append(f"{url} ({route.name}): {len(trails)} breadcrumb navs with a label")
            continue
        items = trails[0]["items"]
        if len(items) < 2 or items[0][2] != "/" or not items[-1][0] or any(item[0] for item in items[:-1]):
            problems.append(f"{url} ({route.name}): the trail {items} does not end in its current page")
    assert not problems, "\n".join(problems)
    # The walk reached the pages themselves.
    assert WALKERS[persona] <= set(checked)
