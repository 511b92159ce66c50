"""The public lottery page: open to anyone, nothing personal on it, the seed only once drawn, the record as
JSON that re-runs to the same results (the page's own Python snippet included), and a rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from yinling.campus import lottery
from yinling.campus.models import Term
from yinling.campus.services import draw, enrol
from yinling.campus.tests import factories as f
from yinling.campus.views_public import LOTTERY_PER_MINUTE, SNIPPET

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(campus):  # type: ignore[no-untyped-def]
    term = f.term(campus.school, mode=Term.Mode.LOTTERY, choices=2)
    one = f.section(term, campus.site, capacity=1)
    two = f.section(term, campus.site, capacity=2, slots=((2, "09:00", "11:00"),))
    people = [f.person(campus.cast.tree.unit_a) for _ in range(4)]
    for p in people:
        enrol.do_enrol(by=p.account, section=one, retiree=p, rank=1)
        enrol.do_enrol(by=p.account, section=two, retiree=p, rank=2)
    return term, people


def _draw(term: Term, by) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(term.apply_until + dt.timedelta(minutes=1)):
        draw.do_draw(by=by, term=term, now=timezone.now())
    term.refresh_from_db()


def test_it_publishes_the_seeds_digest_and_keeps_the_seed_until_the_draw(drawn, campus) -> None:
    cache.clear()
    term, _people = drawn
    answer = Client().get(f"/campus/lottery/{term.pk}/")
    html = answer.content.decode()
    assert answer.status_code == 200
    assert term.seed_sha256 in html and term.seed not in html
    assert 'id="lottery-not-drawn"' in html
    record = Client().get(f"/campus/lottery/{term.pk}/record.json").json()
    assert record["seed"] is None and record["results"] == [] and record["inputs"] is None


def test_it_shows_the_seed_the_inputs_and_results_and_nothing_personal(drawn, campus) -> None:
    cache.clear()
    term, people = drawn
    _draw(term, campus.cast.clerk)
    answer = Client().get(f"/campus/lottery/{term.pk}/")
    html = answer.content.decode()
    assert term.seed in html and f"verify_lottery {term.pk}" in html
    for p in people:
        assert draw.applicant_key(term.pk, p.pk) in html
        assert p.name not in html and p.id_number not in html
        assert not p.phone or p.phone not in html
    download = Client().get(f"/campus/lottery/{term.pk}/record.json")
    assert download["Content-Disposition"] == f'attachment; filename="lottery-{term.pk}.json"'
    record = download.json()
    assert record["seed"] == term.seed and hashlib.sha256(record["seed"].encode()).hexdigest() == term.seed_sha256
    assert len(record["inputs"]["applicants"]) == 4
    assert not any(p.name in download.content.decode() for p in people)
    # The record re-runs to the published results.
    inputs = lottery.inputs_from_json(json.dumps(record["inputs"]), record["seed"])
    again = json.loads(lottery.results_to_json(lottery.draw(inputs)))
    assert again == record["results"]


def test_it_gives_a_snippet_that_puts_applicants_in_the_draws_order(drawn, campus, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    term, _people = drawn
    _draw(term, campus.cast.clerk)
    record = Client().get(f"/campus/lottery/{term.pk}/record.json").content
    (tmp_path / "lottery.json").write_bytes(record)
    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(SNIPPET, {})  # our own published snippet, run as a reader would
    finally:
        os.chdir(here)
    printed = [line.split()[1] for line in capsys.readouterr().out.splitlines()]
    inputs = lottery.inputs_from_json(json.dumps(json.loads(record)["inputs"]), term.seed)
    assert printed == [a.key for a in lottery.order(inputs)]


def test_it_answers_404_for_junk_and_limits_each_address(drawn) -> None:
    cache.clear()
    term, _people = drawn
    client = Client()
    assert client.get("/campus/lottery/999999/").status_code == 404
    assert client.post(f"/campus/lottery/{term.pk}/").status_code == 405
    for _ in range(LOTTERY_PER_MINUTE - 1):
        assert client.get(f"/campus/lottery/{term.pk}/").status_code == 200
    assert client.get(f"/campus/lottery/{term.pk}/").status_code == 429
    assert client.get(f"/campus/lottery/{term.pk}/record.json").status_code == 429
    cache.clear()
