"""The rotating check-in code: 6 digits, a new one each period, the previous one accepted for one period."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yinling.volunteering import codes

SECRET = "ab" * 32
BASE = dt.datetime(2026, 5, 1, 1, 0, 0, tzinfo=dt.UTC)  # a period boundary for 180 s (a multiple of 180)


def test_it_makes_six_digits_that_change_every_period(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VOLUNTEER_CODE_PERIOD_SECONDS = 180
    assert int(BASE.timestamp()) % 180 == 0
    seen = set()
    for i in range(50):
        code, until = codes.current(SECRET, BASE + dt.timedelta(seconds=180 * i))
        assert len(code) == 6 and code.isdigit()
        assert until == BASE + dt.timedelta(seconds=180 * (i + 1))
        seen.add(code)
    assert len(seen) > 45  # a different code (almost) every period
    assert codes.current(SECRET, BASE)[0] == codes.current(SECRET, BASE + dt.timedelta(seconds=179))[0]
    assert codes.current(SECRET, BASE)[0] != codes.current("cd" * 32, BASE)[0]


@pytest.mark.parametrize(
    ("later", "accepted"),
    [
        (0, True),
        (179, True),  # same period
        (180, True),  # next period: grace
        (359, True),  # end of the grace period
        (360, False),  # two periods on
        (-1, False),  # a code from the future (the previous period's clock)
    ],
)
def test_it_accepts_the_code_for_its_period_and_one_more(later: int, accepted: bool, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VOLUNTEER_CODE_PERIOD_SECONDS = 180
    code, _until = codes.current(SECRET, BASE)
    with time_machine.travel(BASE + dt.timedelta(seconds=later), tick=False):
        assert codes.is_valid(SECRET, code) is accepted


def test_it_follows_the_period_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VOLUNTEER_CODE_PERIOD_SECONDS = 60
    code, until = codes.current(SECRET, BASE)
    assert until == BASE + dt.timedelta(seconds=60)
    assert codes.is_valid(SECRET, code, BASE + dt.timedelta(seconds=119))
    assert not codes.is_valid(SECRET, code, BASE + dt.timedelta(seconds=120))


@pytest.mark.parametrize("entered", ["", "12345", "1234567", "abcdef", "12 34 5x", None])
def test_it_refuses_what_cannot_be_a_code(entered) -> None:  # type: ignore[no-untyped-def]
    assert codes.is_valid(SECRET, entered, BASE) is False


def test_it_forgives_spaces_and_full_width_digits() -> None:
    code, _until = codes.current(SECRET, BASE)
    wide = "".join(chr(0xFF10 + int(c)) for c in code)
    assert codes.is_valid(SECRET, f" {code[:3]} {code[3:]} ", BASE)
    assert codes.is_valid(SECRET, wide, BASE)


def test_it_draws_a_qr_code_as_svg() -> None:
    svg = codes.qr_svg("483920")
    assert svg.startswith("<svg") and "path" in svg
