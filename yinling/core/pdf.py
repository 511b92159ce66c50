"""Print-ready documents: a template rendered to an A4 PDF with WeasyPrint, audited as an export.

A printable document is an ordinary template extending `print/document.html` (letterhead: the issuing
org, the title, the issue date; page numbers "第 X 页 / 共 Y 页" from CSS page counters) rendered by
`render_pdf()`. Chinese text is set in Noto Sans/Serif CJK SC, found by fontconfig (Debian's
fonts-noto-cjk) and embedded, subset, in the file.

WeasyPrint needs pango (and through it fontconfig and harfbuzz) at import time. A server without them
still serves every page: `pdf_available()` is False, the `{% pdf_link %}` tag prints a plain sentence
instead of the link, and a PDF address answers with a page that says so (503), never a 500.

WeasyPrint fetches what a document links to. Here it gets `StaticOnlyFetcher`: our own static files,
read from disk (STATIC_ROOT, then the finders), and `data:` URLs; anything else (http, file, another
host) is refused without a connection, so a value in a template can never make the server fetch a URL.

Core sits below the domain apps: the issuing org is anything with `name` and `path`, and the audit
record is written by the receiver of `core.exports.exported`, as for spreadsheets.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils._os import safe_join
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from yinling.core.exports import exported

logger = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
# WeasyPrint resolves the document's relative URLs against this; it names no real host, so no URL
# built from it can reach the network even if a fetcher let one through.
BASE_URL = "https://yinling.invalid/"


class IssuingOrg(Protocol):
    name: str
    path: str


@functools.cache
def _weasyprint() -> ModuleType | None:
    """WeasyPrint, or None where it or its system libraries are missing (looked up once per process).

    A missing pango is an OSError from cffi's dlopen, not an ImportError; both mean "no PDFs here"."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        logger.warning("PDF documents are not available: WeasyPrint cannot load (%s)", exc)
        return None
    return weasyprint


def pdf_available() -> bool:
    return _weasyprint() is not None


def static_path(url: str) -> Path | None:
    """The file behind one of our static URLs (`/static/...` on BASE_URL), or None."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    static_url = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(static_url):
        return None
    name = unquote(parts.path[len(static_url) :])
    if not name or "\x00" in name:
        return None
    # STATIC_ROOT first: in production `{% static %}` names the hashed copies only it holds.
    try:
        collected = Path(safe_join(settings.STATIC_ROOT, name))
    except (SuspiciousFileOperation, ValueError):  # the name climbs out of STATIC_ROOT
        return None
    if collected.is_file():
        return collected
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


def _fetcher(weasyprint: ModuleType) -> Any:
    urls = weasyprint.urls

    class StaticOnlyFetcher(urls.URLFetcher):  # type: ignore[misc,name-defined]
        """Serves our static files and data: URLs; refuses everything else, without a connection."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)  # inline bytes, no network
            path = static_path(url)
            if path is None:
                # Logged, not raised to the page: the document renders without the resource.
                raise ValueError(f"refused to fetch {url[:200]!r}: only our own static files are served")
            content_type = "text/css" if path.suffix == ".css" else ""
            return urls.URLFetcherResponse(
                url, path.read_bytes(), {"Content-Type": content_type} if content_type else {}
            )

    return StaticOnlyFetcher(allowed_protocols=("https", "data"), fail_on_errors=False)


_PLACEHOLDER = re.compile(r"\{(page|pages)\}")


def page_number_parts() -> list[str]:
    """The translated "Page X of Y" cut around its two numbers: the CSS puts counter(page) and
    counter(pages) between the three pieces (a CSS counter cannot go inside a translated string)."""
    text = _("Page {page} of {pages}")
    pieces = _PLACEHOLDER.split(text)
    # split() keeps the captured names at odd positions; only their order matters.
    texts, names = pieces[0::2], pieces[1::2]
    if names != ["page", "pages"]:
        return ["", " / ", ""]
    return [t.strip() for t in texts]


def content_disposition(filename: str, fallback: str, *, inline: bool = True) -> str:
    """RFC 6266 with an RFC 5987 `filename*` for the Chinese name, and an ASCII `filename` for old clients."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", fallback) or "document.pdf"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def render_pdf_bytes(html: str) -> bytes:
    weasyprint = _weasyprint()
    if weasyprint is None:
        raise ImproperlyConfigured("WeasyPrint is not available")
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher(weasyprint))
    return bytes(document.write_pdf())


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """What a PDF address answers on a server without WeasyPrint: a page saying so, not an error."""
    return render(request, "print/unavailable.html", {"title": _("PDF not available")}, status=503)


def render_pdf(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any],
    *,
    filename: str,
    fallback_filename: str,
    title: str,
    org: IssuingOrg,
    object_type: str,
    extra: Mapping[str, Any] | None = None,
    issued: date | None = None,
) -> HttpResponse:
    """Render `template_name` (extending print/document.html) as an A4 PDF, record the export, answer it.

    `org` issues the document (its name heads every page; its path scopes the audit record);
    `title` is the heading and the PDF's Title; `filename` may be Chinese (`fallback_filename` is its
    ASCII stand-in). The export is recorded only once the file exists."""
    if not pdf_available():
        return unavailable_response(request)
    if not exported.has_listeners(render_pdf):
        raise ImproperlyConfigured("no receiver records exports: is yinling.audit in INSTALLED_APPS?")
    issued = issued or timezone.localdate()
    before, middle, after = page_number_parts()
    html = render_to_string(
        template_name,
        {
            **context,
            "document_title": title,
            "issuing_org": org,
            "issued": issued,
            "page_before": before,
            "page_middle": middle,
            "page_after": after,
        },
        request=request,
    )
    pdf = render_pdf_bytes(html)
    exported.send(
        sender=render_pdf,
        object_type=object_type,
        object_repr=filename,
        org_path=org.path,
        extra={"format": "pdf", **(extra or {})},
    )
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback_filename)
    # The middleware adds no-store for signed-in users; a document of personal data says it itself too.
    patch_cache_control(response, no_store=True, private=True)
    return response
