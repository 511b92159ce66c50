"""The import's other paths: the streaming reader, worker processes, moves, deaths, spoiled ID numbers, conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from openpyxl import Workbook

from yinling.audit.models import AuditRecord
from yinling.core.sheets import reading
from yinling.registry import idcard
from yinling.registry.imports import ImportConflict, Importer, open_sheet
from yinling.registry.models import Retiree, Transfer
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db

ID1 = idcard.make("330106", dt.date(1950, 3, 1), 11, "M")
ID2 = idcard.make("330106", dt.date(1955, 7, 9), 22, "F")
HEADERS = ["管理单位代码", "姓名", "身份证号", "离退休类别", "联系电话", "出生日期", "参加工作时间", "状态", "离世日期"]


def sheet(tmp_path: Path, rows: list[list[Any]], name: str = "people.xlsx") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年名册"])  # a title row above the header
    for row in rows:
        ws.append(row)
    ws.cell(row=3, column=6).number_format = "yyyy年m月d日"  # a date shown the Chinese way
    path = tmp_path / name
    wb.save(path)
    return path


def people(n: int) -> list[list[Any]]:
    rows: list[list[Any]] = [HEADERS]
    for i in range(n):
        number = idcard.make("330106", dt.date(1950, 1, 1) + dt.timedelta(days=i), i % 999, "M" if i % 2 else "F")
        rows.append(["330106", f"人员{i:04d}", number, "退休", f"1380013{i:04d}", None, 197008, "", None])
    return rows


def same(value: Any) -> Any:
    """What the two readers may spell differently and the checks read alike (13800138000.0, midnight)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def rows_of(path: Path) -> list[tuple[int, list[Any]]]:
    _layout, rows, close = open_sheet(path, path.name)
    try:
        return [(n, [same(v) for v in values if v not in (None, "")]) for n, values in rows]
    finally:
        close()


def test_it_reads_the_same_rows_when_streaming_a_large_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        HEADERS,
        ["330106", "张三", ID1, "退休", 13800138000, dt.date(1950, 3, 1), "1970-08", "在册", None],
        [None, None, None, None, None, None, None, None, None],
        ["330106", "李梅", ID2, "退休", "13900139000", "1955年7月9日", 197509, None, None],
    ]
    path = sheet(tmp_path, rows)
    with_calamine = rows_of(path)
    monkeypatch.setattr(reading, "CALAMINE_MAX_CELLS", 0)  # any sheet is "large": expat
    streamed = rows_of(path)
    assert streamed == with_calamine
    assert [n for n, _v in streamed] == [3, 4, 5]  # numbers as the spreadsheet shows them
    assert streamed[0][1][5] == dt.date(1950, 3, 1)  # an Excel date stays a date


def test_it_reads_our_own_exports_the_same_with_both_readers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports are written as inline strings (no shared-string table); the streaming reader must take them too."""
    from yinling.core.exports import write_xlsx

    path = tmp_path / "export.xlsx"
    data: list[list[Any]] = [
        ["330106", "张三", ID1, "退休", "13800138000", dt.date(1950, 3, 1), "1970-08", "在册", ""],
        ["330106", "a & <b>", ID2, "退休", "", dt.date(1955, 7, 9), "1975-09", "", ""],
    ]
    with path.open("wb") as out:
        write_xlsx(out, HEADERS, data)
    with_calamine = rows_of(path)
    monkeypatch.setattr(reading, "CALAMINE_MAX_CELLS", 0)
    streamed = rows_of(path)
    assert streamed == with_calamine
    assert streamed[1][1][:2] == ["330106", "a & <b>"] and streamed[0][1][5] == dt.date(1950, 3, 1)


def test_it_imports_the_same_through_the_streaming_reader(
    tmp_path: Path, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "CALAMINE_MAX_CELLS", 0)
    result = Importer(personas.owner, None).run(path := sheet(tmp_path, people(30)), path.name, apply=True)
    assert (result.created, result.rejected) == (30, 0), result.errors
    assert Retiree.objects.get(name="人员0007").work_started == "1970-08"


def test_it_checks_rows_in_worker_processes_with_the_same_result(tmp_path: Path, personas: Personas) -> None:
    rows = people(2500)  # three batches
    rows[1200][2] = "330106195001011234"  # a bad checksum in the middle
    path = sheet(tmp_path, rows)
    alone = Importer(personas.owner, None).run(path, path.name, apply=False)
    pooled = Importer(personas.owner, None, workers=2).run(path, path.name, apply=True)
    assert (pooled.created, pooled.rejected) == (alone.created, alone.rejected) == (2499, 1)
    assert [e.as_dict() for e in pooled.errors] == [e.as_dict() for e in alone.errors]
    assert pooled.errors[0].row == 1202 and pooled.errors[0].column == "身份证号"
    assert Retiree.objects.count() == 2499


def test_it_moves_a_person_inside_its_scope_and_both_sides_see_it(tmp_path: Path, personas: Personas) -> None:
    importer = Importer(personas.owner, None)
    importer.run(
        path := sheet(tmp_path, [HEADERS, ["330106", "张三", ID1, "退休", "", None, "", "", None]]),
        path.name,
        apply=True,
    )
    moved = Importer(personas.owner, None).run(
        path := sheet(tmp_path, [HEADERS, ["330106U01", "张三", ID1, "退休", "", None, "", "", None]], "b.xlsx"),
        path.name,
        apply=True,
    )
    assert (moved.updated, moved.moved) == (1, 1)
    person = Retiree.objects.get()
    assert person.org == personas.tree.unit_a and person.version == 2
    transfer = Transfer.objects.get()
    assert (transfer.from_org, transfer.to_org) == (personas.tree.county_a, personas.tree.unit_a)
    trail = AuditRecord.objects.filter(object_type="registry.retiree", object_id=str(person.pk))
    assert {r.org_path for r in trail} == {personas.tree.county_a.path, personas.tree.unit_a.path}
    assert all(r.changes["org"] == ["330106", "330106U01"] for r in trail)


def test_it_closes_the_account_of_a_person_reported_dead(tmp_path: Path, personas: Personas) -> None:
    Importer(personas.owner, None).run(
        path := sheet(tmp_path, [HEADERS, ["330106", "张三", ID1, "退休", "", None, "", "", None]]),
        path.name,
        apply=True,
    )
    person = Retiree.objects.get()
    account = make_user("zhangsan", personas.tree.county_a, kind="retiree")
    Retiree.objects.filter(pk=person.pk).update(account=account)
    died = Importer(personas.owner, None).run(
        path := sheet(
            tmp_path, [HEADERS, ["330106", "张三", ID1, "退休", "", None, "", "离世", "2026-10-01"]], "d.xlsx"
        ),
        path.name,
        apply=True,
    )
    assert died.updated == 1, died.errors
    person.refresh_from_db()
    account.refresh_from_db()
    assert person.status == "deceased" and person.deceased_on == dt.date(2026, 10, 1)
    assert not account.is_active


def test_it_explains_id_numbers_spoiled_by_masking_or_by_excel(tmp_path: Path, personas: Personas) -> None:
    rows = [
        HEADERS,
        ["330106", "张三", ID1[:6] + "********" + ID1[-4:], "退休", "", None, "", "", None],
        ["330106", "李梅", float(ID2[:17] + "0"), "退休", "", None, "", "", None],
    ]
    result = Importer(personas.owner, None).run(path := sheet(tmp_path, rows), path.name, apply=True)
    assert result.rejected == 2 and Retiree.objects.count() == 0
    masked, rounded = result.errors
    assert (masked.row, masked.column) == (3, "身份证号") and "打码" in masked.message
    assert (rounded.row, rounded.column) == (4, "身份证号") and "15 位有效数字" in rounded.message


def test_it_refuses_a_deleted_record(tmp_path: Path, personas: Personas) -> None:
    Importer(personas.owner, None).run(
        path := sheet(tmp_path, [HEADERS, ["330106", "张三", ID1, "退休", "", None, "", "", None]]),
        path.name,
        apply=True,
    )
    Retiree.objects.update(is_deleted=True, deleted_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    again = Importer(personas.owner, None).run(
        path := sheet(
            tmp_path, [HEADERS, ["330106", "张三", ID1, "退休", "13800138000", None, "", "", None]], "b.xlsx"
        ),
        path.name,
        apply=True,
    )
    assert again.rejected == 1 and "已被删除" in again.errors[0].message


def test_it_saves_nothing_when_a_record_changes_under_it(
    tmp_path: Path, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    Importer(personas.owner, None).run(
        path := sheet(tmp_path, [HEADERS, ["330106", "张三", ID1, "退休", "", None, "", "", None]]),
        path.name,
        apply=True,
    )
    real_update = Importer._update

    def someone_saves_first(self: Importer, changed: Any) -> None:
        with connection.cursor() as cursor:  # another clerk's edit lands between our read and our write
            cursor.execute("UPDATE registry_retiree SET version = version + 1")
        real_update(self, changed)

    monkeypatch.setattr(Importer, "_update", someone_saves_first)
    rows = [
        HEADERS,
        ["330106", "李梅", ID2, "退休", "", None, "", "", None],  # new: must not stay either
        ["330106", "张三", ID1, "退休", "13800138000", None, "", "", None],
    ]
    with pytest.raises(ImportConflict, match="没有保存任何数据"):
        Importer(personas.owner, None).run(path := sheet(tmp_path, rows, "b.xlsx"), path.name, apply=True)
    assert list(Retiree.objects.values_list("name", "phone")) == [("张三", "")]
    assert not AuditRecord.objects.filter(object_type="registry.import", object_repr="b.xlsx").exists()


def test_it_writes_text_that_needs_escaping_exactly(tmp_path: Path, personas: Personas) -> None:
    """PostgreSQL gets new rows as COPY text: backslashes, tabs and line breaks must arrive as written."""
    headers = ["管理单位代码", "姓名", "身份证号", "离退休类别", "原单位", "原职务", "待遇批准文号"]
    tricky = ["浙委\\[1998]\\3号", "处长\t（正处）", "第一行\n第二行"]
    rows = [headers, ["330106", "张三", ID1, "退休", *tricky], ["330106", "李梅", ID2, "退休", None, "", "\\N"]]
    result = Importer(personas.owner, None).run(path := sheet(tmp_path, rows), path.name, apply=True)
    assert result.created == 2, result.errors
    zhang = Retiree.objects.get(name="张三")
    stored = (zhang.former_unit, zhang.former_post, zhang.treatment_document)
    assert all("\\" in v or "\t" in v or "\n" in v or " " in v for v in stored), stored
    assert zhang.former_unit == "浙委\\[1998]\\3号"
    li = Retiree.objects.get(name="李梅")
    assert (li.former_unit, li.former_post, li.treatment_document) == ("", "", "\\N")
    # Read back from the COPY line to compare with the stored rows: the same file changes nothing.
    again = Importer(personas.owner, None).run(path, path.name, apply=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2), again.errors
    rows[1][5] = "处长\t（副厅）"
    changed = Importer(personas.owner, None).run(path := sheet(tmp_path, rows, "c.xlsx"), path.name, apply=True)
    assert (changed.updated, changed.unchanged) == (1, 1)
    assert Retiree.objects.get(name="张三").former_post == "处长\t（副厅）"


@pytest.mark.parametrize("deleted", [False, True])
def test_it_answers_a_row_registered_outside_the_area_as_the_add_page_does(
    tmp_path: Path, personas: Personas, deleted: bool
) -> None:
    """Another org's person, live or deleted, gets the one duplicate answer that names no org (issue #9),
    and the run leaves one security record of how many such rows it had."""
    from yinling.registry.services import duplicate_message

    Importer(personas.owner, None).run(
        path := sheet(tmp_path, [HEADERS, ["330106", "张三", ID1, "退休", "", None, "", "", None]]),
        path.name,
        apply=True,
    )
    if deleted:
        Retiree.objects.update(is_deleted=True, deleted_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    code = personas.outsider.org.code
    rows = [
        HEADERS,
        [code, "张三", ID1, "退休", "", None, "", "", None],
        [code, "李梅", ID2, "退休", "", None, "", "", None],
    ]
    for apply in (False, True):
        result = Importer(personas.outsider, None).run(path := sheet(tmp_path, rows, "o.xlsx"), path.name, apply=apply)
        assert (result.created, result.rejected) == (1, 1)
        error = result.errors[0]
        assert (error.row, error.column, error.message) == (3, "身份证号", duplicate_message())
        assert "删除" not in error.message and personas.owner.org.name not in error.message
    probes = AuditRecord.objects.unrestricted().filter(action="security", extra__via="import").order_by("id")
    assert [(p.extra["rows"], p.extra["rejected"], p.actor_username) for p in probes] == [
        (1, "duplicate", "outsider")
    ] * 2
    assert ID1 not in str(probes[0].extra) and probes[0].extra["filters"]["id_number"] == ["*" * 14 + ID1[-4:]]
