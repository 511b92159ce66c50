"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser for the package's tests, a fresh context (cookies, storage) per test. Without
/usr/bin/chromium the tests skip on a developer machine but fail when
YINLING_REQUIRE_BROWSER=1 (CI), so a broken CI image can never pass silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _unavailable(reason: str) -> None:
    if os.environ.get("YINLING_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here (YINLING_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for this package's tests; closed before the rest of the suite runs."""
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the dev extras install it
        _unavailable(f"playwright is not installed ({exc})")
    # Playwright's sync API keeps an asyncio loop running in this thread while the tests
    # (and the live server) use Django's sync ORM. Allowed only while the browser is up,
    # so the rest of the suite keeps Django's async-safety check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        # launch() gives the browser a fresh, throw-away user-data dir of its own.
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class ConsoleLog(list):
    """Console errors and uncaught page errors (CSP violations show up here)."""

    def csp_violations(self) -> list[str]:
        return [m for m in self if "Content Security Policy" in m]


@pytest.fixture
def new_context(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """A factory for fresh browser contexts on the live server; all closed after the test."""
    contexts = []

    def make(viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(viewport=viewport or DESKTOP, base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(10_000)
        log = ConsoleLog()
        context.console_log = log
        context.on("console", lambda msg: log.append(msg.text) if msg.type == "error" else None)
        context.on("weberror", lambda err: log.append(str(err.error)))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Any) -> Any:
    return new_context().new_page()
