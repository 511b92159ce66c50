"""The shared browser fixtures (Debian's Chromium through Playwright), as in yinling/core/tests/browser."""

from yinling.core.tests.browser.conftest import browser, new_context, page

__all__ = ["browser", "new_context", "page"]
