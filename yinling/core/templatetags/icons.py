"""`{% icon "bell" %}`: a vendored Bootstrap Icons SVG, inlined (no request, coloured by the text).

Icons are decoration next to words, never the only cue: each is aria-hidden; the words beside it (or a
visually hidden label) say what it means. Files are read once per process from static files."""

from __future__ import annotations

import functools
import re

from django import template
from django.contrib.staticfiles import finders
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_NAME = re.compile(r"[a-z0-9-]+")


@functools.cache
def _svg(name: str) -> SafeString:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not an icon name: {name!r}")
    path = finders.find(f"vendor/bootstrap-icons/icons/{name}.svg")
    if not isinstance(path, str):
        raise ValueError(f"no such vendored icon: {name} (copy it into static/vendor/bootstrap-icons/icons/)")
    with open(path, encoding="utf-8") as f:
        svg = f.read()
    inner = svg[svg.index(">") + 1 : svg.rindex("</svg>")].strip()
    view_box = re.search(r'viewBox="([^"]+)"', svg)
    return format_html(
        '<svg class="yl-icon" xmlns="http://www.w3.org/2000/svg" viewBox="{}" fill="currentColor" '
        'aria-hidden="true" focusable="false">{}</svg>',
        view_box.group(1) if view_box else "0 0 16 16",
        mark_safe(inner),  # noqa: S308 (our own vendored file)
    )


@register.simple_tag
def icon(name: str) -> SafeString:
    return _svg(name)
