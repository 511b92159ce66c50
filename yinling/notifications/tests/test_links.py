"""A notification's link is a local path: nothing that sends a browser to another host or runs script."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yinling.notifications.links import clean_link, is_local
from yinling.notifications.models import Notification
from yinling.notifications.services import notify
from yinling.testing.personas import Cast


@pytest.mark.parametrize(
    "link", ["", "/", "/timebank/", "/timebank/needs/12/confirm/", "/registry/?q=%E5%BC%A0&page=2", "/a#b"]
)
def test_it_keeps_local_paths(link: str) -> None:
    assert clean_link(link) == link


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/",
        "http://evil.example/timebank/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "timebank/",
        "../timebank/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/ok path",
        "/\x00",
        "/" + "a" * 400,
        "mailto:a@example.org",
    ],
)
def test_it_refuses_anything_else(link: str) -> None:
    with pytest.raises(ValueError):
        clean_link(link)
    assert not is_local(link)


@given(st.text(max_size=60))
def test_it_never_keeps_a_link_a_browser_reads_as_another_origin(link: str) -> None:
    from urllib.parse import urljoin, urlsplit

    if is_local(link):
        resolved = urlsplit(urljoin("https://yl.example.gov.cn/inbox/", link))
        assert (resolved.scheme, resolved.netloc) == ("https", "yl.example.gov.cn")


@pytest.mark.django_db
def test_notify_refuses_a_foreign_link_and_stores_nothing(cast: Cast) -> None:
    with pytest.raises(ValueError):
        notify(cast.retiree, "k", "x", "https://evil.example/")
    assert Notification.objects.unrestricted().count() == 0
