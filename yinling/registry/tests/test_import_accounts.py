"""An import changes retirees' sign-in accounts only through the accounts services, each change audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from yinling.accounts.models import User
from yinling.audit.context import acting
from yinling.audit.models import AuditRecord
from yinling.registry import idcard
from yinling.registry.imports import Importer
from yinling.registry.models import Retiree
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db

ID1 = idcard.make("330106", dt.date(1950, 3, 1), 11, "M")
ID2 = idcard.make("330106", dt.date(1955, 7, 9), 22, "F")
HEADERS = ["管理单位代码", "姓名", "身份证号", "离退休类别", "状态", "离世日期"]


def sheet(tmp_path: Path, rows: list[list[Any]], name: str) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in [HEADERS, *rows]:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def run(personas: Personas, path: Path) -> Any:
    with acting(user=personas.owner):
        result = Importer(personas.owner, None).run(path, path.name, apply=True)
    assert result.rejected == 0, result.errors
    return result


def with_accounts(tmp_path: Path, personas: Personas) -> tuple[User, User]:
    run(
        personas,
        sheet(
            tmp_path, [["330106", "张三", ID1, "退休", "", None], ["330106", "李梅", ID2, "退休", "", None]], "a.xlsx"
        ),
    )
    accounts = []
    for name, number in (("zhangsan", ID1), ("limei", ID2)):
        account = make_user(name, personas.tree.county_a, kind="retiree")
        Retiree.objects.unrestricted().filter(name={"zhangsan": "张三", "limei": "李梅"}[name]).update(account=account)
        accounts.append(account)
    return accounts[0], accounts[1]


def account_records(account: User) -> list[AuditRecord]:
    """The account's records since it was made (make_user's own creation record left out)."""
    records = AuditRecord.objects.filter(object_type="accounts.user", object_id=str(account.pk)).order_by("pk")
    return [r for r in records if (r.extra or {}).get("event") in ("moved", "deactivated")]


def test_it_moves_the_account_with_the_person_and_records_it(tmp_path: Path, personas: Personas) -> None:
    zhang, li = with_accounts(tmp_path, personas)
    rows = [["330106U01", "张三", ID1, "退休", "", None], ["330106", "李梅", ID2, "退休", "", None]]
    result = run(personas, sheet(tmp_path, rows, "b.xlsx"))
    assert (result.moved, result.unchanged) == (1, 1)
    zhang.refresh_from_db()
    li.refresh_from_db()
    assert zhang.org == personas.tree.unit_a and li.org == personas.tree.county_a
    [moved] = account_records(zhang)
    unit, county = personas.tree.unit_a, personas.tree.county_a
    assert moved.changes == {"org_id": [county.pk, unit.pk]} and moved.extra["event"] == "moved"
    assert moved.org_path == unit.path and moved.actor == personas.owner
    assert account_records(li) == []


def test_it_switches_off_the_account_of_a_person_reported_dead_and_records_it(
    tmp_path: Path, personas: Personas
) -> None:
    zhang, li = with_accounts(tmp_path, personas)
    rows = [["330106", "张三", ID1, "退休", "离世", "2026-10-01"], ["330106", "李梅", ID2, "退休", "迁出", None]]
    result = run(personas, sheet(tmp_path, rows, "c.xlsx"))
    assert result.updated == 2
    zhang.refresh_from_db()
    li.refresh_from_db()
    assert not zhang.is_active
    assert li.is_active  # 迁出 keeps the account, as the edit page does
    [off] = account_records(zhang)
    assert off.changes == {"is_active": [True, False]} and off.extra["event"] == "deactivated"
    assert off.actor == personas.owner
    # The same file again: nothing to switch off, nothing recorded twice.
    run(personas, sheet(tmp_path, rows, "d.xlsx"))
    assert len(account_records(zhang)) == 1
