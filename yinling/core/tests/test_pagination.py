"""Counts that stay fast at a million rows: exact up to EXACT_UP_TO, PostgreSQL's estimate ("约") above."""

from __future__ import annotations

import re

import pytest

from yinling.core import pagination
from yinling.registry.demo import make_retiree
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(personas: Personas) -> list[Retiree]:
    org = personas.tree.unit_a
    people = [make_retiree(i, org, "330106")[0] for i in range(1, 6)]
    Retiree.objects.bulk_create(people)
    return people


def test_small_results_are_counted_exactly(five: list[Retiree]) -> None:
    assert pagination.count_or_estimate(Retiree.objects.all()) == (5, False)


def test_large_results_are_the_rounded_estimate(five: list[Retiree], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagination, "estimate_count", lambda qs: 48_711)
    assert pagination.count_or_estimate(Retiree.objects.all(), exact_up_to=3) == (49_000, True)
    # Never below what the capped count has already seen.
    monkeypatch.setattr(pagination, "estimate_count", lambda qs: 2)
    assert pagination.count_or_estimate(Retiree.objects.all(), exact_up_to=3) == (3, True)


def test_without_estimates_large_results_are_counted(five: list[Retiree], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagination, "estimate_count", lambda qs: None)  # SQLite
    assert pagination.count_or_estimate(Retiree.objects.all(), exact_up_to=3) == (5, False)


def _status(html: str) -> str:
    match = re.search(r'role="status">([^<]*)</p>', html)
    assert match
    return match.group(1)


def test_the_list_says_about_when_it_estimates(
    personas: Personas, five: list[Retiree], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login_client(personas.limited)  # a leader: views the registry
    page = client.get("/registry/")
    assert _status(page.content.decode()) == "共5条记录"
    # In the registry's name order (pinyin, then id), whichever way the page was fetched.
    names = re.findall(r'<a href="/registry/\d+/">([^<]*)</a>', page.content.decode())
    assert names == [r.name for r in sorted(five, key=lambda r: (r.name_pinyin, r.pk))]

    monkeypatch.setattr(pagination, "EXACT_UP_TO", 3)
    monkeypatch.setattr(pagination, "estimate_count", lambda qs: 1_234_567)
    page = client.get("/registry/")
    assert _status(page.content.decode()) == "约1200000条记录"
    assert len(re.findall(r'<a href="/registry/\d+/">', page.content.decode())) == 5
    # A search always counts what it finds, exactly while it is small.
    page = client.get("/registry/", {"q": five[0].name})
    assert _status(page.content.decode()).startswith("共")
