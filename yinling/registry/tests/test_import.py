"""Imports from real .xlsx and .csv files built here: every tolerated irregularity and every rejection."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from yinling.registry import idcard
from yinling.registry.imports import Importer, UnreadableFile, write_report
from yinling.registry.models import Retiree
from yinling.registry.schema import HEADERS
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db

ID1 = idcard.make("330106", dt.date(1950, 3, 1), 11, "M")
ID2 = idcard.make("330106", dt.date(1955, 7, 9), 22, "F")
ID3 = idcard.make("330106", dt.date(1928, 5, 5), 33, "M")


def xlsx(
    tmp_path: Path, rows: list[list[Any]], name: str = "people.xlsx", title: str | None = None, merge: bool = False
) -> Path:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        if merge:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
        ws.append([])
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


BASIC_HEADERS = ["管理单位代码", "姓名", "身份证号", "离退休类别", "联系电话", "参加工作时间"]


def run(personas: Personas, path: Path, *, apply: bool = True, org: Any = None):  # type: ignore[no-untyped-def]
    return Importer(personas.owner, org).run(path, path.name, apply=apply)


def test_it_imports_a_plain_template_sheet(tmp_path: Path, personas: Personas) -> None:
    path = xlsx(
        tmp_path,
        [
            BASIC_HEADERS,
            ["330106", "张三", ID1, "退休", "13800138000", "1970-08"],
            ["330106U01", "李梅", ID2, "退休", "", "1975.09"],
        ],
    )
    result = run(personas, path)
    assert (result.created, result.updated, result.unchanged, result.rejected) == (2, 0, 0, 0)
    zhang = Retiree.objects.get(name="张三")
    assert zhang.id_number == ID1 and zhang.gender == "M" and zhang.birth_date == dt.date(1950, 3, 1)
    assert zhang.work_started == "1970-08" and zhang.phone == "13800138000"
    assert Retiree.objects.get(name="李梅").org.code == "330106U01"


def test_it_changes_nothing_when_the_same_file_comes_twice(tmp_path: Path, personas: Personas) -> None:
    path = xlsx(tmp_path, [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "13800138000", "1970-08"]])
    run(personas, path)
    second = run(personas, path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1)
    assert Retiree.objects.count() == 1


def test_it_updates_by_id_number(tmp_path: Path, personas: Personas) -> None:
    run(personas, xlsx(tmp_path, [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "13800138000", "1970-08"]]))
    again = run(
        personas,
        xlsx(tmp_path, [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "13900139000", "1970-08"]], name="b.xlsx"),
    )
    assert (again.created, again.updated) == (0, 1)
    person = Retiree.objects.get()
    assert person.phone == "13900139000" and person.version == 2


def test_it_tolerates_what_real_sheets_have(tmp_path: Path, personas: Personas) -> None:
    headers = ["备注", "公民身份号码", "姓　名", "人员类别", "出生年月", "手机号码", "参加工作年月", "单位代码", "民族"]
    rows = [
        headers,
        [None] * 9,  # blank row
        [
            "x",
            ID1.lower().replace("0", "０", 1),
            "张　三",
            "退休",
            dt.date(1950, 3, 1),
            "138 0013 8000",
            197008,
            "330106",
            "汉",
        ],
        ["", " " + ID2 + " ", "李梅", "退休", "1955年7月9日", "+8613900139000", "1975年9月", "330106", "02"],
        ["", ID3, "王老", "离休", "19280505", "0571-88881234", "1945.03", "330106", "回族"],
    ]
    result = run(personas, xlsx(tmp_path, rows, title="2026年西湖区离退休干部名册", merge=True))
    assert result.rejected == 0, result.errors
    assert result.created == 3
    assert result.header_row == 3
    assert result.extra_columns == ["备注"]
    zhang = Retiree.objects.get(name="张三")
    assert zhang.id_number == ID1 and zhang.work_started == "1970-08" and zhang.phone == "13800138000"
    assert Retiree.objects.get(name="李梅").ethnic == "02"
    wang = Retiree.objects.get(name="王老")
    assert wang.category == "lixiu" and wang.work_started == "1945-03" and wang.ethnic == "03"


def test_it_reads_csv_in_utf8_and_gbk(tmp_path: Path, personas: Personas) -> None:
    text = f"姓名,身份证号,离退休类别,管理单位代码\n张三,{ID1},退休,330106\n"
    for encoding, name in (("utf-8-sig", "a.csv"), ("gbk", "b.csv")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        result = run(personas, path)
        assert result.rejected == 0 and (result.created + result.unchanged) == 1
    assert Retiree.objects.get().name == "张三"


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"身份证号": ID1[:-1] + ("0" if ID1[-1] != "0" else "1")}, "身份证号", ""),
        ({"性别": "女"}, "性别", ""),
        ({"出生日期": "1951-01-01"}, "出生日期", ""),
        ({"离退休类别": "离休", "参加工作时间": "1950-01"}, "参加工作时间", ""),
        ({"联系电话": "12345"}, "联系电话", ""),
        ({"管理单位代码": "330212"}, "管理单位代码", ""),
        ({"管理单位代码": "999999"}, "管理单位代码", ""),
        ({"姓名": ""}, "姓名", ""),
        ({"离退休类别": ""}, "离退休类别", ""),
    ],
)
def test_it_rejects_bad_rows_with_row_column_and_reason(
    tmp_path: Path, personas: Personas, cells: dict[str, str], column: str, fragment: str
) -> None:
    headers = ["管理单位代码", "姓名", "身份证号", "离退休类别", "性别", "出生日期", "联系电话", "参加工作时间"]
    good = {
        "管理单位代码": "330106",
        "姓名": "张三",
        "身份证号": ID1,
        "离退休类别": "退休",
        "性别": "",
        "出生日期": "",
        "联系电话": "",
        "参加工作时间": "1970-01",
    }
    bad = {**good, **cells}
    path = xlsx(
        tmp_path,
        [headers, [good[h] for h in headers[:2]] + [ID2, "退休", "", "", "", "1975-01"], [bad[h] for h in headers]],
    )
    result = run(personas, path)
    assert result.created == 1 and result.rejected == 1
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert result.errors[0].message


def test_it_rejects_a_future_birth_date(tmp_path: Path, personas: Personas) -> None:
    future = dt.date.today() + dt.timedelta(days=400)
    number = idcard.make("330106", future, 1, "M")
    result = run(personas, xlsx(tmp_path, [BASIC_HEADERS, ["330106", "未来", number, "退休", "", ""]]))
    assert result.rejected == 1 and result.errors[0].column == "身份证号"


def test_it_rejects_the_second_copy_of_an_id_in_one_file(tmp_path: Path, personas: Personas) -> None:
    rows = [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "", ""], ["330106", "张三", ID1, "退休", "", ""]]
    result = run(personas, xlsx(tmp_path, rows))
    assert (result.created, result.rejected) == (1, 1)
    assert result.errors[0].row == 3


def test_it_refuses_to_touch_a_person_registered_elsewhere(tmp_path: Path, personas: Personas) -> None:
    Importer(personas.outsider, None).run(
        xlsx(tmp_path, [BASIC_HEADERS, ["330212", "外地人", ID1, "退休", "", ""]], name="o.xlsx"), "o.xlsx", apply=True
    )
    result = run(personas, xlsx(tmp_path, [BASIC_HEADERS, ["330106", "外地人", ID1, "退休", "13800138000", ""]]))
    assert result.rejected == 1 and Retiree.objects.get().org.code == "330212"


def test_it_uses_the_default_org_for_rows_without_a_code(tmp_path: Path, personas: Personas) -> None:
    rows = [["姓名", "身份证号", "离退休类别"], ["张三", ID1, "退休"]]
    result = run(personas, xlsx(tmp_path, rows), org=personas.tree.unit_a)
    assert result.created == 1 and Retiree.objects.get().org == personas.tree.unit_a
    no_default = run(
        personas, xlsx(tmp_path, [["姓名", "身份证号", "离退休类别"], ["李梅", ID2, "退休"]], name="n.xlsx")
    )
    assert no_default.rejected == 1 and no_default.errors[0].column == "管理单位代码"


def test_it_refuses_unreadable_files_whole(tmp_path: Path, personas: Personas) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"this is not a workbook")
    with pytest.raises(UnreadableFile):
        run(personas, junk)
    no_header = xlsx(tmp_path, [["a", "b"], ["c", "d"]], name="nh.xlsx")
    with pytest.raises(UnreadableFile):
        run(personas, no_header)
    missing = xlsx(tmp_path, [["姓名", "电话"], ["张三", "1"]], name="m.xlsx")
    with pytest.raises(UnreadableFile, match="身份证号"):
        run(personas, missing)
    with pytest.raises(UnreadableFile):
        run(personas, tmp_path / "x.pdf")
    assert Retiree.objects.count() == 0


def test_it_applies_nothing_in_a_dry_run(tmp_path: Path, personas: Personas) -> None:
    result = run(personas, xlsx(tmp_path, [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "", ""]]), apply=False)
    assert result.created == 1 and Retiree.objects.count() == 0


def test_it_writes_a_report_that_reimports_once_fixed(tmp_path: Path, personas: Personas) -> None:
    path = xlsx(tmp_path, [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "12345", ""]])
    result = run(personas, path)
    report = tmp_path / "report.xlsx"
    write_report(result, report)
    ws = load_workbook(report).active
    assert [c.value for c in ws[1]][-1] == "错误原因"
    assert ws.cell(row=2, column=5).fill.fgColor.rgb.endswith("FFC7CE")
    assert "联系电话" in ws.cell(row=2, column=7).value
    ws.cell(row=2, column=5).value = "13800138000"
    fixed = tmp_path / "fixed.xlsx"
    ws.parent.save(fixed)
    again = run(personas, fixed)
    assert (again.created, again.rejected) == (1, 0)


def test_it_round_trips_an_export(tmp_path: Path, personas: Personas, client) -> None:  # type: ignore[no-untyped-def]
    from yinling.registry.demo import make_retiree
    from yinling.testing.permissions import login_client

    for i in range(1, 6):
        r, _c = make_retiree(i, personas.tree.unit_a, "330106")
        r.save()
    response = login_client(personas.owner).get("/registry/?export=xlsx")
    assert response.status_code == 200
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(b"".join(response.streaming_content))
    ws = load_workbook(exported).active
    assert [c.value for c in ws[1]] == HEADERS
    result = run(personas, exported)
    assert (result.created, result.updated, result.rejected) == (0, 0, 0), result.errors
    assert result.unchanged == 5


def test_it_speaks_json_and_exit_codes_on_the_command_line(tmp_path: Path, personas: Personas, capsys) -> None:  # type: ignore[no-untyped-def]
    good = xlsx(tmp_path, [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "", ""]], name="g.xlsx")
    call_command("import_retirees", str(good), user="owner")
    out = json.loads(capsys.readouterr().out)
    assert out == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    bad = xlsx(tmp_path, [BASIC_HEADERS, ["330106", "李梅", ID2, "退休", "123", ""]], name="b.xlsx")
    with pytest.raises(SystemExit) as exc:
        call_command("import_retirees", str(bad), user="owner", report=str(tmp_path / "r.xlsx"))
    assert exc.value.code == 3
    out = json.loads(capsys.readouterr().out)
    assert out["rejected"] == 1 and out["errors"][0]["row"] == 2 and out["errors"][0]["column"] == "联系电话"
    assert (tmp_path / "r.xlsx").exists()
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"nope")
    with pytest.raises(SystemExit) as exc:
        call_command("import_retirees", str(junk), user="owner")
    assert exc.value.code == 2
    assert Retiree.objects.count() == 1


def test_it_runs_the_web_flow(tmp_path: Path, personas: Personas) -> None:
    from yinling.testing.permissions import login_client

    client = login_client(personas.owner)
    assert client.get("/registry/template/").status_code == 200
    path = xlsx(
        tmp_path, [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "", ""], ["330106", "李梅", ID2, "退休", "123", ""]]
    )
    with path.open("rb") as fh:
        response = client.post("/registry/import/", {"file": fh, "org": ""})
    assert response.status_code == 302
    preview = client.get("/registry/import/check/")
    assert preview.status_code == 200 and preview.context["result"].rejected == 1
    assert Retiree.objects.count() == 0
    done = client.post("/registry/import/apply/")
    assert done.status_code == 200 and Retiree.objects.count() == 1
    report = client.get("/registry/import/report/")
    ws = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert ws.cell(row=2, column=2).value == "李梅"


def test_it_guards_the_import_pages(personas: Personas) -> None:
    from yinling.testing.permissions import login_client

    assert login_client(personas.limited).get("/registry/import/").status_code == 403
    assert login_client(personas.limited).get("/registry/template/").status_code == 403
    assert login_client(None).get("/registry/import/").status_code == 302


def test_it_offers_a_template_with_lists_and_instructions(tmp_path: Path) -> None:
    from yinling.registry.sheet_template import build_template

    path = tmp_path / "t.xlsx"
    build_template(str(path))
    wb = load_workbook(path)
    ws = wb["离退休干部信息"]
    assert [c.value for c in ws[1]] == HEADERS
    ranges = {str(dv.sqref).split(":")[0][:-1] for dv in ws.data_validations.dataValidation}
    assert len(ranges) >= 10  # category, gender, ethnic group, education, status …
    assert "说明" in wb.sheetnames


def test_it_keeps_import_files_private_and_short_lived(tmp_path: Path, personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    from yinling.testing.permissions import login_client

    settings.MEDIA_ROOT = str(tmp_path / "media")
    folder = tmp_path / "media" / "imports"
    folder.mkdir(parents=True)
    stale = folder / "old-upload.xlsx"
    stale.write_bytes(b"x")
    os.utime(stale, (time.time() - 2 * 24 * 3600,) * 2)
    client = login_client(personas.owner)
    rows = [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "", ""], ["330106", "李梅", ID2, "退休", "123", ""]]
    with xlsx(tmp_path, rows).open("rb") as fh:
        client.post("/registry/import/", {"file": fh, "org": ""})
    assert not stale.exists()  # older than a day: gone
    (upload,) = folder.iterdir()
    assert upload.stat().st_mode & 0o777 == 0o600
    client.post("/registry/import/apply/")
    (report,) = folder.iterdir()  # the upload is deleted once applied; the report stays for download
    assert report.name.endswith("-report.xlsx") and report.stat().st_mode & 0o777 == 0o600
    with xlsx(tmp_path, rows, name="again.xlsx").open("rb") as fh:
        client.post("/registry/import/", {"file": fh, "org": ""})
    assert not report.exists()  # a new upload replaces the session's earlier files
    assert len(list(folder.iterdir())) == 1


def test_it_refuses_a_command_line_user_who_may_not_import(tmp_path: Path, personas: Personas) -> None:
    from django.core.management.base import CommandError

    path = xlsx(tmp_path, [BASIC_HEADERS, ["330106", "张三", ID1, "退休", "", ""]])
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_retirees", str(path), user="limited")
    assert Retiree.objects.count() == 0
