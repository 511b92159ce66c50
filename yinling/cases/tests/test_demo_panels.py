"""The demo seeder keeps the issue's demo contract (and runs twice without duplicates); the cockpit panels count
the on-time rate inside the viewer's scope only."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from yinling.accounts.demo import seed_accounts
from yinling.cases import panels
from yinling.cases.demo import seed_cases
from yinling.cases.models import Case, ServiceItem
from yinling.cases.services import do_decide, do_file
from yinling.cases.tests import factories as f
from yinling.orgs.demo import seed_org_tree
from yinling.orgs.models import Org
from yinling.testing.personas import Cast, make_retiree_account, make_retiree_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_seeds_every_item_and_case_state_with_the_issues_demo_people() -> None:
    seed_org_tree({}, lambda line: None)
    seed_accounts({}, lambda line: None)
    xihu = [Org.objects.get(code=c) for c in ("330106", "330106U01", "330106S01")]
    for n in range(40):
        record = make_retiree_record(
            xihu[n % 3],
            f"测试{n}",
            f"1380000{n:04d}",
            100 + n,
            age=60 + n % 30,
            category="lixiu" if n % 4 == 0 else "tuixiu",
        )
        if n < 3:
            make_retiree_account(record)
    for n in range(6):
        make_retiree_record(Org.objects.get(code="330212"), f"鄞州{n}", f"1390000{n:04d}", 200 + n, age=70)
    lines: list[str] = []
    seed_cases({}, lines.append)
    codes = set(ServiceItem.objects.values_list("code", flat=True))
    assert {"hardship_aid", "home_adaptation", "war_veteran_medical", "elevator", "info_change"} <= codes
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == {"in_progress", "returned", "rejected", "completed"}
    assert Case.objects.filter(status="in_progress", due_on__lt=timezone.localdate()).exists()
    returned = Case.objects.get(status="returned")
    assert (
        returned.item.code == "home_adaptation"
        and returned.retiree.account_id
        and returned.org.path.startswith("330000/330100/330106/")
    )
    assert Case.objects.filter(status="in_progress", step_org__code="330106").count() >= 3
    assert Case.objects.filter(org__code="330212").exists()
    text = "\n".join(lines)
    assert "xihu (西湖区经办人) has" in text and "住宅适老化改造 case to fix" in text
    count = Case.objects.count()
    seed_cases({}, lines.append)
    assert Case.objects.count() == count


def test_it_counts_the_on_time_rate_inside_the_scope(cast: Cast) -> None:
    item = f.item(cast.tree.province)
    done = do_file(by=cast.retiree, item=item, retiree=cast.retiree_record, data={"reason": "x"})
    do_decide(by=cast.clerk, case=done, action="reject", comment="不符合")
    late = do_file(
        by=cast.family,
        item=f.item(cast.tree.province, "b", name="乙"),
        retiree=cast.family_record,
        data={"reason": "x"},
    )
    Case.objects.filter(pk=late.pk).update(due_on="2020-01-01")
    do_decide(by=cast.clerk, case=late, action="reject", comment="不符合")
    data = panels.by_item(cast.bureau_admin, cast.tree.city_a)
    assert data.categories == ["乙", "帮扶"] and list(data.series[0].values) == [0.0, 100.0]
    by_org = panels.by_org(cast.bureau_admin, cast.tree.city_a)
    assert by_org.drill == [cast.tree.county_a.code] and list(by_org.series[1].values) == [2]
    assert panels.by_item(cast.outsider, cast.tree.city_b).categories == []
