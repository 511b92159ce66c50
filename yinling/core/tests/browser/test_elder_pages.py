"""Every page a retiree (or their family member) can open, measured in elder mode on a 390 px phone (issue #11).

The pages are not listed by hand: the URL walk's routes (test_url_walk.py, every URL the site mounts) are
requested as each persona with Django's test client, and every one that answers 200 with HTML is measured,
so a new member page is measured as soon as it is mounted. Its rules (elder_rules.py): text size, line
height, heading size, contrast, 60 x 60 targets, no sideways scrolling, and no axe violation of any impact.
EXPECTED names the pages that must be among them, so a walk that finds nothing cannot pass. Then each page's
form is sent with its fields emptied, and the page with its error messages is measured too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from yinling.accounts.models import User
from yinling.core.tests.test_url_walk import ROUTES, World, _build, url_of
from yinling.testing.permissions import login_client

from .conftest import PHONE
from .elder_rules import axe_violations, focus_problems, measure

pytestmark = pytest.mark.browser

# Pages each persona must be able to open (the walk finds these and any others).
EXPECTED = {
    "retiree": {
        "home",
        "accounts:profile",
        "accounts:password_change",
        "notifications:inbox",
        "timebank:home",
        "timebank:statement",
        "timebank:offers",
        "timebank:my_offers",
        "timebank:offer_new",
        "timebank:offer_book",
        "timebank:post_need",
        "timebank:confirm",
        "timebank:dispute",
        "timebank:cancel",
        "timebank:board",
        "timebank:services",
        "timebank:donate",
        "timebank:gift",
    },
    "family": {"home", "accounts:profile", "notifications:inbox", "timebank:home", "timebank:statement"},
    "acting": {"timebank:home", "timebank:statement", "timebank:post_need", "timebank:confirm"},
}
# More states of the same pages, and the error pages a retiree meets: (label, path, status).
STATES = [
    ("statement since 2000", "/timebank/statement/?since=2000-01-01", 200),
    ("403 page", "/audit/", 403),
    ("404 page", "/no-such-page/", 404),
]


# The main form with fields to fill in, emptied and marked; false when the page has none.
EMPTY_THE_FORM_JS = """() => {
  const fields = ['hidden', 'submit', 'button', 'checkbox', 'radio']
    .reduce((s, type) => s + `:not([type=${type}])`, 'input') + ', textarea';
  const form = [...document.querySelectorAll('main form')].find(f => f.method === 'post' && f.querySelector(fields));
  if (!form) return false;
  form.querySelectorAll(fields).forEach(f => { f.value = ''; });
  form.setAttribute('data-elder-test', '');
  return true;
}"""
ERROR_MARKS = "[aria-invalid=true], .invalid-feedback, .alert-danger"


def add_movements(world: World) -> Any:
    """Hours granted to the retiree and a service the family member did for them, reported and waiting for
    the retiree's confirmation: the statement, the home pages and the services list have something to show.
    Returns that service (a timebank Need)."""
    from yinling.timebank import services

    cast = world.cast
    services.do_grant(by=cast.bureau_admin, retiree=cast.retiree_record, hours=Decimal("4"), reason="慰问")
    start = timezone.now() - dt.timedelta(minutes=30)
    need = services.do_post_need(
        by=cast.bureau_admin,
        recipient=cast.retiree_record,
        category="meals",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=Decimal("1"),
    )
    services.do_accept(by=None, need=need, provider=cast.family_record)
    services.do_report(by=None, need=need, hours=Decimal("1"))
    return need


def html_pages(world: World, client: Client) -> list[tuple[str, str]]:
    """(route name, path) of every page that answers `client` 200 with HTML."""
    pages = []
    for route in ROUTES:
        if route.api or "format" in route.kwargs:
            continue
        url = url_of(world, route)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append((route.name, url))
    return pages


def session_of(world: World, persona: str) -> tuple[User, Client, list[tuple[str, str]]]:
    """The persona's account, a signed-in client and the retiree pages they open. "acting" is the county clerk
    acting for the retiree (代办): the retiree's pages that the clerk gets on their behalf (see _on_behalf; the
    clerk's own pages, their home and inbox, are staff pages)."""
    if persona != "acting":
        user = world.cast.user(persona)
        assert user is not None
        client = login_client(user)
        return user, client, html_pages(world, client)
    clerk, retiree = world.cast.clerk, world.cast.retiree_record
    client = login_client(clerk)
    assert client.post(f"/registry/{retiree.pk}/act/").status_code == 302
    theirs = html_pages(world, login_client(world.cast.retiree))
    return clerk, client, [(name, url) for name, url in theirs if _on_behalf(client.get(url), retiree)]


def _on_behalf(response: Any, retiree: Any) -> bool:
    """The page is the retiree's, drawn for staff acting for them: it says so, or it is their record's page."""
    if response.status_code != 200 or not response.context:
        return False
    return bool(response.context.get("on_behalf")) or getattr(response.context.get("retiree"), "pk", None) == retiree.pk


@pytest.mark.parametrize("persona", ["retiree", "family", "acting"])
def test_it_meets_the_elder_rules_on_every_retiree_page(new_context: Any, live_server: Any, persona: str) -> None:
    world = _build()
    add_movements(world)
    user, client, pages = session_of(world, persona)
    User.objects.filter(pk=user.pk).update(elder_mode=True)
    found = {name for name, _url in pages}
    assert EXPECTED[persona] <= found, f"the walk missed {sorted(EXPECTED[persona] - found)}"

    context = new_context(PHONE)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    problems: list[str] = []
    measured = 0
    for label, path, status in [(name, url, 200) for name, url in pages] + STATES:
        response = page.goto(path)
        assert response is not None
        if response.status != status:
            problems.append(f"{label}: {path} answered {response.status}, expected {status}")
            continue
        assert page.evaluate("document.body.classList.contains('elder')"), f"{label}: not in elder mode"
        page.mouse.move(0, 0)
        problems += measure(page, f"{label} ({path})")
        problems += axe_violations(page, f"{label} ({path})")
        problems += focus_problems(page, f"{label} ({path})")
        measured += 1
    # Then each page's form sent empty, to measure its error messages (after the pages: sending may change data).
    with_errors = 0
    for label, path in pages:
        page.goto(path)
        if not page.evaluate(EMPTY_THE_FORM_JS):
            continue
        with page.expect_navigation():
            page.evaluate("() => document.querySelector('main form[data-elder-test]').submit()")
        if page.locator(ERROR_MARKS).count() == 0:
            continue  # nothing to fill in: the form went through
        problems += measure(page, f"{label} ({path}) with errors")
        problems += axe_violations(page, f"{label} ({path}) with errors")
        with_errors += 1
    problems += [f"console: {m}" for m in context.console_log.csp_violations()]
    assert not problems, f"\n{len(problems)} problems on {measured} pages:\n" + "\n".join(problems)
    assert measured == len(pages) + len(STATES)
    assert with_errors >= 3  # the need, donation and gift forms at least


BOUNDARY_PAGE = """<!doctype html><html lang="zh-CN"><head><title>t</title><style>
body { margin: 0; font-size: 20px; line-height: 1.6; background: #fff; color: #000; }
.small-text { font-size: 19.5px; }
.tight { line-height: 1.29; }
.loose { line-height: 1.3; }
.grey-fail { color: #777; }       /* 4.48:1 on white */
.grey-pass { color: #767676; }    /* 4.54:1 on white */
.b { display: inline-block; font-size: 20px; line-height: 1.3; padding: 0; border: 0; }
.b59 { width: 59px; height: 60px; } .b60 { width: 60px; height: 60px; } .h59 { width: 80px; height: 59px; }
.hidden-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0, 0, 0, 0); }
.wide { width: 391px; }
h1 { font-size: 29px; line-height: 1.3; } h1.ok { font-size: 30px; }
:focus-visible { outline: 3px solid #000; } .no-ring:focus-visible { outline: none; }
</style></head><body><main>
<h1>小标题</h1><h1 class="ok">大标题</h1>
<p class="small-text" id="small">十九点五</p><p id="twenty">二十</p>
<p class="tight" id="tight">行距一点二九</p><p class="loose">行距一点三</p>
<p class="grey-fail">浅灰</p><p class="grey-pass">深灰</p>
<button class="b b59">窄</button><button class="b b60">好</button><button class="b h59">矮</button>
<button class="b b59" disabled>停用</button>
<p>请看<a href="/x">说明</a>再办理。</p><p><a href="/y">独立链接</a></p>
<span class="hidden-sr">屏幕阅读器</span>
<div %s>宽</div>
<button class="b b60 no-ring">无框</button>
</main></body></html>"""


def test_it_measures_each_elder_rule_at_its_boundary(page: Any) -> None:
    page.set_viewport_size(PHONE)
    page.set_content(BOUNDARY_PAGE % 'class="wide"')
    found = "\n".join(measure(page, "t"))
    assert "text 19.5px < 20px" in found and '"二十"' not in found
    assert 'heading 29px < 30px: h1 "小标题"' in found and "大标题" not in found
    assert "line height" in found and "行距一点二九" in found and "行距一点三" not in found
    assert '"浅灰"' in found and '"深灰"' not in found
    assert 'target 59x60 < 60x60: button.b.b59 "窄"' in found and '"好"' not in found
    assert 'target 80x59 < 60x60: button.b.h59 "矮"' in found
    assert "停用" not in found  # disabled controls are exempt
    assert '"说明"' not in found  # a link inside a sentence: the inline exception
    assert 'a "独立链接"' in found  # a link standing alone is a target like a button
    assert "屏幕阅读器" not in found  # visually hidden text
    assert "page 391px wide in a 390px screen" in found
    page.set_content(BOUNDARY_PAGE % "")
    assert "wide in a" not in "\n".join(measure(page, "t"))
    assert focus_problems(page, "t") == ['t: no visible focus on button "无框"']
