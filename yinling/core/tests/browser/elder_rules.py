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
- nothing wider than the screen (scrollWidth <= clientWidth);
- keyboard (`focus_problems`): tabbing from the top, every control reached shows a focus ring (an outline or a
  box shadow).

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


# The focused element: a key to know it again, its name, and whether a focus ring shows (an outline or a shadow).
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const s = getComputedStyle(el);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  const path = [];
  for (let a = el; a && a.parentElement; a = a.parentElement) path.unshift([...a.parentElement.children].indexOf(a));
  const words = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
  return {key: path.join('.'), name: el.tagName.toLowerCase() + (words ? ' "' + words.slice(0, 24) + '"' : ''), ring};
}"""


def focus_problems(page: Any, where: str, limit: int = 80) -> list[str]:
    """Tab through the page from its top: every control the keyboard reaches shows where the focus is."""
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); }")
    seen: set[str] = set()
    problems = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused is None or focused["key"] in seen:
            break  # round the page and back
        seen.add(focused["key"])
        if not focused["ring"]:
            problems.append(f"{where}: no visible focus on {focused['name']}")
    return problems
