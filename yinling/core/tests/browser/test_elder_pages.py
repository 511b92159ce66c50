"""Every page a retiree (or their family member) can open, measured in elder mode on a 390 px phone (issue #11).

The pages are not listed by hand: the URL walk's routes (test_url_walk.py, every URL the site mounts) are
requested as each persona with Django's test client, and every one that answers 200 with HTML is measured,
so a new member page is measured as soon as it is mounted. Its rules (elder_rules.py): text size, line
height, heading size, contrast, 60 x 60 targets, no sideways scrolling, and no axe violation of any impact.
EXPECTED names the pages that must be among them, so a walk that finds nothing cannot pass.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yinling.accounts.models import User
from yinling.core.tests.test_url_walk import ROUTES, World, _build, url_of
from yinling.testing.permissions import login_client

from .conftest import PHONE
from .elder_rules import axe_violations, measure
from .helpers import attach_session

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
}
# More states of the same pages, and the error pages a retiree meets: (label, path, status).
STATES = [
    ("statement since 2000", "/timebank/statement/?since=2000-01-01", 200),
    ("403 page", "/registry/", 403),
    ("404 page", "/no-such-page/", 404),
]


def retiree_pages(world: World, user: User) -> list[tuple[str, str]]:
    """(route name, path) of every page that answers `user` 200 with HTML."""
    client: Client = login_client(user)
    pages = []
    for route in ROUTES:
        if route.api or "format" in route.kwargs:
            continue
        url = url_of(world, route)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append((route.name, url))
    return pages


@pytest.mark.parametrize("persona", ["retiree", "family"])
def test_it_meets_the_elder_rules_on_every_retiree_page(new_context: Any, live_server: Any, persona: str) -> None:
    world = _build()
    user = world.cast.user(persona)
    assert user is not None
    User.objects.filter(pk=user.pk).update(elder_mode=True)
    pages = retiree_pages(world, user)
    found = {name for name, _url in pages}
    assert EXPECTED[persona] <= found, f"the walk missed {sorted(EXPECTED[persona] - found)}"

    context = new_context(PHONE)
    attach_session(context, live_server.url, user)
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
        measured += 1
    problems += [f"console: {m}" for m in context.console_log.csp_violations()]
    assert not problems, f"\n{len(problems)} problems on {measured} pages:\n" + "\n".join(problems)
    assert measured == len(pages) + len(STATES)
