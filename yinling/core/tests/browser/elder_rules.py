"""The elder-mode rules of DOMAIN.md, measured in the page by Chromium (issue #11).

`measure(page)` reads computed styles and boxes and returns one readable line per failure:

- text: every visible element holding text (a text node of its own, or a form field's value) is at least
  MIN_TEXT px (the project's elder size, 20 px; DOMAIN.md asks 18) with a line height at least 1.3 times its
  size (`normal` counts as too tight: Chromium draws it about 1.2); an h1 is at least 30 px;
- contrast: that text's colour against its effective background (the first backgrounds behind it,
  composited over white) is at least 4.5:1, whatever its size (DOMAIN.md asks 4.5:1 flat). Text over a
  background image is left to axe, which reports what it cannot compute;
- targets: every visible a[href], button, input, select, textarea, summary, [role=button] and focusable
  [tabindex] is at least 60 x 60 CSS px. A checkbox or radio counts with its label (a click on either
  ticks it). The one exception is WCAG 2.5.8's inline exception, made precise: a link whose nearest
  block-level ancestor has words outside the link (it sits in a sentence) may be as tall as the line;
- nothing wider than the screen (scrollWidth <= clientWidth).

Hidden things are skipped: not rendered, `visibility: hidden`, opacity 0, or visually hidden (clipped or
1 px, like Bootstrap's .visually-hidden, for screen readers only), and disabled controls (WCAG exempts them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MIN_TEXT = 20
MIN_H1 = 30
MIN_LINE_HEIGHT = 1.3
MIN_TARGET = 60
MIN_CONTRAST = 4.5

MEASURE_JS = (Path(__file__).parent / "elder_rules.js").read_text(encoding="utf-8")

RULES = {
    "text": MIN_TEXT,
    "h1": MIN_H1,
    "lineHeight": MIN_LINE_HEIGHT,
    "target": MIN_TARGET,
    "contrast": MIN_CONTRAST,
}


def measure(page: Any, where: str) -> list[str]:
    """The elder rules' failures on the page, each line starting with `where`."""
    result = page.evaluate(MEASURE_JS, RULES)
    return [f"{where}: {line}" for line in result["problems"]]


_AXE: Any = None


def axe_violations(page: Any, where: str) -> list[str]:
    """Every axe-core violation, whatever its impact (the retiree pages have none)."""
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    results = _AXE.run(page)
    return [
        f"{where}: axe {v['id']} ({v.get('impact')}) at {', '.join(map(str, node['target']))} — {v['help']}"
        for v in results.response["violations"]
        for node in v["nodes"]
    ]
