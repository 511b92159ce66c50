"""The board's hours by month from the summary (`HoursByMonth`): the same hand counts as from the check-ins,
for every scope; used only while fresh; rebuilt whole; refreshed by the periodic command; one at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from yinling.testing.concurrency import run_threads
from yinling.testing.personas import Personas
from yinling.volunteering import panels
from yinling.volunteering.models import Attendance, HoursByMonth
from yinling.volunteering.services import summary
from yinling.volunteering.tests.people_factories import served, volunteer
from yinling.volunteering.tests.test_board_panels import CST, NOW, board

pytestmark = pytest.mark.django_db
__all__ = ["board"]


def hours_of(data: Any) -> dict[str, tuple[float, int]]:
    return {c: (h, n) for c, h, n in zip(data.categories, *(s.values for s in data.series), strict=True) if n}


@pytest.mark.parametrize(
    ("who", "at"),
    [
        ("province", "province"),
        ("city", "city_a"),
        ("leader", "city_a"),
        ("county", "county_a"),
        ("county", "unit_a"),
        ("other_city", "city_b"),
        ("city", "province"),  # only what city A's admin may see
    ],
)
def test_it_gives_the_check_ins_figures_from_the_summary_in_every_scope(
    board: dict[str, Any], who: str, at: str
) -> None:
    org = getattr(board["t"], at)
    with time_machine.travel(NOW, tick=False):
        live = panels.hours_by_month(board[who], org)
        assert summary.refresh_hours_summary() > 0
        from_summary = panels.hours_by_month(board[who], org)
    assert hours_of(from_summary) == hours_of(live) and hours_of(live)
    assert "as of" in from_summary.note or "截至" in from_summary.note
    assert "as of" not in live.note and "截至" not in live.note


def test_it_counts_from_the_check_ins_again_once_the_summary_is_stale(board: dict[str, Any]) -> None:
    t = board["t"]
    with time_machine.travel(NOW, tick=False):
        summary.refresh_hours_summary()
        v = volunteer(t.unit_a, age=70)
    served(v, t.unit_a, dt.datetime(2026, 6, 20, 9, tzinfo=CST), 4)  # after the rebuild
    with time_machine.travel(NOW, tick=False):
        assert hours_of(panels.hours_by_month(board["province"], t.province))["2026-06"] == (4.5, 2)  # as rebuilt
    later = NOW + dt.timedelta(minutes=settings.VOLUNTEER_HOURS_SUMMARY_MAX_AGE_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        assert summary.fresh_since() is None
        assert hours_of(panels.hours_by_month(board["province"], t.province))["2026-06"] == (8.5, 3)


def test_it_rebuilds_the_summary_whole(board: dict[str, Any]) -> None:
    t = board["t"]
    with time_machine.travel(NOW, tick=False):
        summary.refresh_hours_summary()
        # A stay goes back to the leader's review (no longer counted), and a row from long ago is dropped.
        Attendance.objects.filter(activity__org=t.county_b).update(review=Attendance.Review.PENDING)
        HoursByMonth.objects.create(org=t.unit_a, month=dt.date(2020, 1, 1), hours=9, checkins=9, refreshed_at=NOW)
        summary.refresh_hours_summary()
        assert hours_of(panels.hours_by_month(board["province"], t.province)) == {
            "2026-05": (2.0, 1),
            "2026-06": (3.0, 1),
        }
    assert not HoursByMonth.objects.filter(month__year=2020).exists()
    assert HoursByMonth.objects.count() == 2  # (unit A, May) and (county A, June)


def test_it_is_rebuilt_by_the_periodic_command(personas: Personas) -> None:
    v = volunteer(personas.tree.unit_a, age=66)
    served(v, personas.tree.unit_a, dt.datetime.now(tz=CST) - dt.timedelta(days=3), 2)
    call_command("run_periodic", "refresh_volunteer_hours", "--now")
    row = HoursByMonth.objects.get()
    assert (row.org_id, float(row.hours), row.checkins) == (personas.tree.unit_a.pk, 2.0, 1)
    assert summary.fresh_since() is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_rebuilds_once_at_a_time(personas: Personas) -> None:
    v = volunteer(personas.tree.unit_a, age=66)
    served(v, personas.tree.unit_a, dt.datetime.now(tz=CST) - dt.timedelta(days=3), 2)
    assert run_threads(4, lambda _i: summary.refresh_hours_summary()) == []
    assert HoursByMonth.objects.count() == 1
