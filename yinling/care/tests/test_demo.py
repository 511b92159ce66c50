"""The demo seeder: plans, a year of visits, 一人一策 for every 离休 cadre of the sample, a 春节慰问 half done;
idempotent, and quiet with no retirees."""

from __future__ import annotations

from yinling.care.demo import seed_care
from yinling.care.models import CampaignTarget, CarePlan, Plan1P1C, Visit
from yinling.care.tests.factories import person
from yinling.registry.models import Retiree
from yinling.testing.personas import Cast


def test_it_seeds_care_work_once(cast: Cast) -> None:
    for i in range(6):
        person(cast.tree.unit_a, f"离休{i}", age=92, category="lixiu", work_started="1948-05")
    lines: list[str] = []
    seed_care({}, lines.append)
    people = Retiree.objects.unrestricted().filter(status="active").count()
    assert CarePlan.objects.unrestricted().count() == people
    assert Visit.objects.unrestricted().count() > people
    assert Plan1P1C.objects.unrestricted().count() == 6
    targets = CampaignTarget.objects.unrestricted()
    assert targets.count() == 6 and targets.filter(done_on__isnull=False).count() == 3
    assert "春节慰问 3/6" in lines[-1]
    seed_care({}, lines.append)
    assert lines[-1] == "care: already seeded"
    assert CarePlan.objects.unrestricted().count() == people


def test_it_does_nothing_without_retirees(db: None) -> None:
    lines: list[str] = []
    seed_care({}, lines.append)
    assert lines == ["care: no retirees, nothing seeded"]
