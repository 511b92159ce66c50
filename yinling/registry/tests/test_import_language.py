"""A zh-hans user never sees English: every reason an import gives, in the page and in the report, is Chinese."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from yinling.registry import idcard
from yinling.registry.imports import Importer, UnreadableFile, write_report
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db

# Names a Chinese message may still carry: products, standards, the ID number's check letter.
ALLOWED = {"Excel", "WPS", "GB", "T", "X", "CSV", "UTF", "GBK", "xlsx", "xls", "csv"}
WORD = re.compile(r"[A-Za-z]+")

GOOD = idcard.make("330106", dt.date(1950, 3, 1), 11, "M")
OTHER = idcard.make("330106", dt.date(1952, 6, 1), 12, "F")
UNKNOWN_REGION = idcard.make("999999", dt.date(1951, 1, 1), 13, "M")
HEADERS = [
    "管理单位代码",
    "姓名",
    "身份证号",
    "离退休类别",
    "性别",
    "出生日期",
    "民族",
    "联系电话",
    "参加工作时间",
    "是否失能",
    "特殊人群标识",
    "状态",
    "离世日期",
]


def row(**cells: Any) -> list[Any]:
    base = {"管理单位代码": "330106", "姓名": "张三", "身份证号": GOOD, "离退休类别": "退休"}
    values = {**base, **cells}
    return [values.get(h) for h in HEADERS]


BAD_ROWS = [
    row(身份证号=GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")),  # check digit
    row(身份证号="33010619500301"),  # length
    row(身份证号="33010619500301001Y"),  # letters
    row(身份证号="330106********0011"),  # masked
    row(身份证号=float(GOOD[:17] + "0")),  # rounded by Excel
    row(身份证号="330106195002300011"),  # no such day
    row(身份证号=""),  # missing
    row(管理单位代码="999999"),
    row(姓名="张" * 60),
    row(离退休类别="在职"),
    row(性别="女"),
    row(出生日期="1950-03-02"),
    row(出生日期="1950.04"),
    row(出生日期="昨天"),
    row(民族="火星族"),
    row(联系电话="12345"),
    row(参加工作时间="1968-13"),
    row(离退休类别="离休", 参加工作时间="1950-01"),
    row(离退休类别="离休"),
    row(是否失能="也许"),
    row(特殊人群标识="外星人"),
    row(状态="离世"),
    row(离世日期="2099-01-01"),
    row(离世日期="2020.05"),
    row(离世日期="1940-01-01"),
    row(身份证号=OTHER, 姓名="李梅"),
    row(身份证号=OTHER, 姓名="李梅"),  # the same person twice
    row(身份证号=UNKNOWN_REGION, 姓名="王五"),  # a warning, not an error
]


def english(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def test_it_gives_every_reason_in_chinese(tmp_path: Path, personas: Personas) -> None:
    wb = Workbook()
    ws = wb.active
    for values in [HEADERS, *BAD_ROWS]:
        ws.append(values)
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with translation.override("zh-hans"):
        result = Importer(personas.owner, None).run(path, path.name, apply=False)
        report = tmp_path / "report.xlsx"
        write_report(result, report)
    assert result.rejected == len(BAD_ROWS) - 2  # 李梅's first row and 王五 pass
    assert len(result.errors) >= result.rejected and result.warnings
    said = [e.message for e in [*result.errors, *result.warnings]]
    assert [m for m in said if english(m)] == []
    cells = [str(c.value) for line in load_workbook(report).active.iter_rows() for c in line if c.value]
    reasons = [c for c in cells if "：" in c]
    assert reasons and [c for c in reasons if english(c)] == []
    # And the same reasons are English for an English-speaking user: the catalogue, not the code, is Chinese.
    with translation.override("en"):
        again = Importer(personas.owner, None).run(path, path.name, apply=False)
    assert all(english(e.message) for e in again.errors)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.csv", b""),
        ("a.xlsx", b"not a zip"),
        ("a.xls", b"\xd0\xcf"),
        ("a.pdf", b"%PDF"),
        ("a.csv", "甲,乙\n".encode()),
    ],
)
def test_it_refuses_a_file_in_chinese(tmp_path: Path, personas: Personas, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with translation.override("zh-hans"), pytest.raises(UnreadableFile) as refused:
        Importer(personas.owner, None).run(path, path.name, apply=False)
    assert english(str(refused.value).replace(name, "")) == []
