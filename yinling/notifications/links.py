"""A notification's link is a path on this site, nothing else: no other host, no scheme, no script."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LINK = 300


def clean_link(link: str) -> str:
    """The link as stored ("" for none); ValueError for anything that is not a local path.

    Refused: absolute URLs ("https://…", "javascript:…", "data:…"), scheme-relative ones ("//host", "/\\host",
    which browsers read as another host), relative paths, whitespace and control characters (browsers drop
    some of them, turning "/\\t/evil" into "//evil"), and backslashes anywhere."""
    link = link or ""
    if not link:
        return ""
    if len(link) > MAX_LINK:
        raise ValueError("link too long")
    if any(ord(c) <= 32 or ord(c) == 127 or c == "\\" for c in link):
        raise ValueError("link has whitespace, control characters or a backslash")
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("link is not a local path")
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        raise ValueError("link is not a local path")
    return link


def is_local(link: str) -> bool:
    try:
        return bool(clean_link(link))
    except ValueError:
        return False
