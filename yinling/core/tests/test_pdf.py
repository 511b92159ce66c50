"""core/pdf.py: A4 documents with embedded Chinese fonts, letterhead, page numbers and metadata; no
network fetches; RFC 5987 file names and no-store; the export audited; and a server without WeasyPrint."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any
from urllib.parse import unquote

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from yinling.audit.models import AuditRecord
from yinling.core import pdf
from yinling.testing.pdf import A4, read_pdf, without_weasyprint
from yinling.testing.personas import Personas


class Org:
    name = "杭州市委老干部局"
    path = "330000.330100"


def document(body: str, title: str = "测试文件") -> str:
    """A whole print document (the shared base's letterhead and CSS) around `body`."""
    from django.template.loader import render_to_string

    html = render_to_string(
        "print/document.html",
        {
            "document_title": title,
            "issuing_org": Org(),
            "issued": dt.date(2026, 12, 7),
            "page_before": "第",
            "page_middle": "页 / 共",
            "page_after": "页",
        },
    )
    return html.replace("</body>", body + "</body>")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to resolve a name or open a socket is recorded and fails."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network use in a test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_it_renders_a4_with_embedded_chinese_fonts_letterhead_page_numbers_and_title() -> None:
    rows = "".join(f"<tr><td>第{i}行</td><td>服务时长</td></tr>" for i in range(150))
    content = pdf.render_pdf_bytes(document(f'<table class="lines"><tbody>{rows}</tbody></table>'))
    read = read_pdf(content)
    assert read.pages >= 3
    assert set(read.page_sizes()) == {A4}
    assert read.title == "测试文件" and read.author == "杭州市委老干部局"
    text = read.text.replace(" ", "")
    for n in range(1, read.pages + 1):
        assert f"第{n}页/共{read.pages}页" in text  # the footer of every page, from CSS counters
    # the letterhead, then every page's header
    assert "2026-12-07" in text and "第149行" in text
    # The words the margin boxes take (string-set) are not drawn where they sit in the document.
    assert "第页/共页" not in text and text.count("杭州市委老干部局") == read.pages + 1
    fonts = read.fonts()
    cjk = [f for f in fonts if "CJK" in f.name]
    assert {"Noto-Sans-CJK-SC", "Noto-Serif-CJK-SC-Bold"} <= {f.name.split("+", 1)[-1] for f in cjk}, fonts
    assert fonts and all(f.embedded for f in fonts), fonts


def test_it_serves_our_static_files_and_refuses_every_other_url_without_touching_the_network(
    no_network: list[Any],
) -> None:
    body = (
        '<img src="http://example.invalid/x.png" alt="">'
        '<img src="https://yinling.invalid/media/../../etc/passwd" alt="">'
        '<img src="file:///etc/passwd" alt="">'
        '<link rel="stylesheet" href="//example.invalid/evil.css">'
        "<p>正文</p>"
    )
    read = read_pdf(pdf.render_pdf_bytes(document(body)))
    assert "正文" in read.text
    assert no_network == []
    # The document's own stylesheet was fetched from disk: its page-number footer is there.
    assert "第1页/共1页" in read.text.replace(" ", "")


@pytest.mark.parametrize(
    ("url", "served"),
    [
        ("https://yinling.invalid/static/yinling/document.css", True),
        ("https://yinling.invalid/static/vendor/bootstrap/bootstrap.min.css", True),
        ("https://yinling.invalid/static/../yinling/settings.py", False),
        ("https://yinling.invalid/static/%2e%2e/%2e%2e/etc/passwd", False),
        ("https://yinling.invalid/static/", False),
        ("https://yinling.invalid/static/nothing-here.css", False),
        ("https://yinling.invalid/media/x.png", False),
        ("https://example.invalid/static/yinling/document.css", False),
        ("http://yinling.invalid/static/yinling/document.css", False),
        ("file:///etc/passwd", False),
    ],
)
def test_it_maps_only_our_static_urls_to_files(url: str, served: bool) -> None:
    assert (pdf.static_path(url) is not None) is served


@pytest.mark.parametrize(
    ("name", "fallback", "expected"),
    [
        ("时间银行对账单-张建国.pdf", "statement-1.pdf", "filename=\"statement-1.pdf\"; filename*=UTF-8''"),
        ('a "quoted"; name.pdf', 'a "quoted"; name.pdf', 'filename="a__quoted___name.pdf"'),
        ("x.pdf", "", 'filename="document.pdf"'),
    ],
)
def test_it_names_the_file_with_rfc_5987(name: str, fallback: str, expected: str) -> None:
    header = pdf.content_disposition(name, fallback)
    assert header.startswith("inline; ") and expected in header
    star = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(star) == name and all(c.isascii() and c not in ' ";' for c in star)


def render_as(personas: Personas, **extra: Any) -> Any:
    """render_pdf() of the bare base document, asked for by the bureau admin of city A."""
    request = RequestFactory().get("/x/pdf/")
    request.user = personas.owner
    return pdf.render_pdf(
        request,
        "print/document.html",
        {},
        filename="对账单-张建国.pdf",
        fallback_filename="statement.pdf",
        title="对账单",
        org=personas.tree.city_a,
        object_type="timebank.account",
        **extra,
    )


def test_it_answers_with_no_store_a_chinese_file_name_and_records_the_export(personas: Personas) -> None:
    response = render_as(personas, extra={"retiree": 7})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "filename*=UTF-8''%E5%AF%B9%E8%B4%A6%E5%8D%95" in response["Content-Disposition"]
    read = read_pdf(response.content)
    assert read.title == "对账单" and personas.tree.city_a.name in read.text
    record = AuditRecord.objects.unrestricted().get(action=AuditRecord.Action.EXPORT)
    assert record.object_type == "timebank.account" and record.object_repr == "对账单-张建国.pdf"
    assert record.org_path == personas.tree.city_a.path
    assert record.extra == {"format": "pdf", "retiree": 7}


@pytest.mark.parametrize(
    "failure", [ImportError("No module named 'weasyprint'"), OSError("cannot load library 'libpango-1.0-0'")]
)
def test_it_says_plainly_when_pdfs_are_not_available(personas: Personas, failure: BaseException) -> None:
    link = Template("{% load yinling %}{% pdf_link '/x/pdf/' %}")
    assert 'href="/x/pdf/"' in link.render(Context())
    with without_weasyprint(failure):
        assert pdf.pdf_available() is False
        shown = link.render(Context())
        assert "href" not in shown and "PDF" in shown
        response = render_as(personas)
        assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
        assert "PDF" in response.content.decode()
        assert not AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT).exists()
    assert pdf.pdf_available() is True


def test_it_translates_the_page_numbers_into_three_pieces_around_the_counters() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        assert pdf.page_number_parts() == ["第", "页 / 共", "页"]
    with translation.override("en"):
        assert pdf.page_number_parts() == ["Page", "of", ""]
