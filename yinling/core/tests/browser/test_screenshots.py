"""Screenshots of the main pages, kept as test artefacts for a reviewer (issue #11): staff at 1280 px, a
retiree in elder mode at 390 px. They go to `test-artifacts/screenshots/` (or $YINLING_ARTIFACTS_DIR), which
git ignores; CI leaves them in its checkout. The test fails if a page does not answer 200 or draws nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from yinling.testing.personas import make_cast
from yinling.timebank.tests.factories import service_to_confirm, sign_in_account

from .conftest import DESKTOP, PHONE
from .helpers import attach_session

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[4]


def artefacts() -> Path:
    folder = Path(os.environ.get("YINLING_ARTIFACTS_DIR", ROOT / "test-artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: Any, path: str, name: str) -> Path:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_load_state("networkidle")
    target = artefacts() / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000, f"{name}: an almost empty picture"
    return target


def test_it_keeps_screenshots_of_the_main_pages(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    elder, _helper, _need = service_to_confirm(cast_personas(cast))
    anonymous = new_context(DESKTOP).new_page()
    shoot(anonymous, "/accounts/login/", "01-sign-in-1280")

    staff = new_context(DESKTOP)
    attach_session(staff, live_server.url, cast.bureau_admin)
    page = staff.new_page()
    for path, name in (
        ("/", "02-cockpit-1280"),
        ("/registry/?gender=F", "03-registry-list-with-chips-1280"),
        (f"/registry/{cast.retiree_record.pk}/", "04-record-1280"),
        ("/orgs/_tree/", "05-org-tree-1280"),
        (f"/orgs/{cast.tree.county_a.code}/", "06-org-with-related-counts-1280"),
        ("/search/?q=张", "07-quick-search-1280"),
        ("/jobs/", "08-my-jobs-1280"),
    ):
        shoot(page, path, name)

    sign_in_account(elder)
    phone = new_context(PHONE)
    attach_session(phone, live_server.url, elder.account)
    page = phone.new_page()
    for path, name in (
        ("/", "10-retiree-home-390"),
        ("/timebank/", "11-time-bank-390"),
        ("/timebank/statement/?since=2000-01-01", "12-statement-cards-390"),
        ("/notifications/", "13-inbox-390"),
    ):
        shoot(page, path, name)
    assert len(list(artefacts().glob("*.png"))) >= 12


def cast_personas(cast: Any) -> Any:
    """The time bank factory wants personas' shape (owner, tree): the cast's bureau admin is the owner."""

    class Shim:
        owner = cast.bureau_admin
        tree = cast.tree

    return Shim()
