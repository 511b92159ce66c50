"""The cockpit in Chromium at 1280 and 390 px: charts drawn (SVG), the table toggle, drilling down, axe, CSP."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.accounts import roles
from yinling.registry.models import Retiree
from yinling.testing.personas import make_tree, make_user
from yinling.timebank.tests.factories import person

from .conftest import DESKTOP, PHONE
from .helpers import attach_session, axe_problems, layout_problems

pytestmark = pytest.mark.browser
ALL_DRAWN = "() => [...document.querySelectorAll('.cockpit-panel')].every(p => p.dataset.drawn)"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_it_draws_toggles_and_drills_down(new_context: Any, live_server: Any, viewport: dict[str, int]) -> None:
    t = make_tree()
    for org, category in ((t.county_a, "lixiu"), (t.unit_a, "tuixiu"), (t.county_b, "tuixiu"), (t.city_a, "tuixiu")):
        Retiree.objects.filter(pk=person(org).pk).update(category=category)
    leader = make_user("provleader", t.province, roles.LEADER)
    context = new_context(viewport)
    attach_session(context, live_server.url, leader)
    page = context.new_page()
    page.goto("/")
    heading = page.locator("#cockpit-title")
    assert t.province.name in heading.inner_text()

    panel = page.locator("#panel-registry-orgs")
    panel.locator(".cockpit-chart svg").wait_for(state="attached")
    page.wait_for_function(ALL_DRAWN)
    assert page.locator(".cockpit-panel[data-drawn='1']").count() == page.locator(".cockpit-panel").count()
    assert page.locator(".cockpit-chart svg").count() == page.locator(".cockpit-panel").count()
    # Labels on the bars, not colour alone: the org names and city A's 2 退休 are written in the chart.
    texts = panel.locator(".cockpit-chart svg text").evaluate_all("els => els.map(e => e.textContent.trim())")
    assert t.city_a.name in texts and t.city_b.name in texts and "2" in texts

    table = panel.locator(".cockpit-table")
    toggle = panel.locator(".cockpit-toggle")
    assert "visually-hidden" in (table.get_attribute("class") or "")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert table.is_visible() and not panel.locator(".cockpit-chart").is_visible()
    assert t.city_a.name in table.inner_text()
    toggle.click()
    assert panel.locator(".cockpit-chart").is_visible()

    problems = axe_problems(page, f"cockpit {viewport['width']}")
    problems += layout_problems(page, "cockpit", viewport["width"]) if viewport is PHONE else []
    assert problems == []
    assert context.console_log.csp_violations() == []
    assert context.console_log == []

    # Printed, every panel shows its table, charts drawn or not, and no buttons.
    page.emulate_media(media="print")
    sizes = page.locator(".cockpit-table").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert sizes and min(sizes) > 50
    assert not page.locator(".cockpit-toggle").first.is_visible()
    page.emulate_media(media="screen")

    # Clicking the city's bar drills down one level: the URL carries the org, the heading names it.
    with page.expect_navigation():
        _click_first_bar(page)
    assert page.url.endswith("/?org=330100")
    assert t.city_a.name in page.locator("#cockpit-title").inner_text()
    assert page.locator("nav[aria-label] .breadcrumb a", has_text=t.province.name).count() == 1
    page.wait_for_function(ALL_DRAWN)  # the city's charts too (and no request still running on going back)
    assert page.locator(".cockpit-panel[data-drawn='1']").count() == page.locator(".cockpit-panel").count()
    page.go_back()
    assert t.province.name in page.locator("#cockpit-title").inner_text()


def _click_first_bar(page: Any) -> None:
    """Click the middle of city A's 退休 bar (stacked from 1 to 3), as a person would."""
    chart = page.locator("#panel-registry-orgs .cockpit-chart")
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """() => { const box = document.querySelector('#panel-registry-orgs .cockpit-chart');
                   const [x, y] = window.echarts.getInstanceByDom(box).convertToPixel({gridIndex: 0}, [2, 0]);
                   const r = box.getBoundingClientRect(); return [r.left + x, r.top + y]; }"""
    )
    page.mouse.click(x, y)
