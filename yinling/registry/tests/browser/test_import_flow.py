"""A county clerk imports retirees from Excel in a real browser, fixes the rejected rows and finds a person.

Upload → check (counts, and each rejected row's number, column and reason) → save → download
the error report through the page's link → fix the rows in that very file → upload it again →
saved → the registry list, searched by pinyin initials → the person's page. Every page on the
way passes axe (no serious or critical violation) and shows no CSP violation; the upload, check,
result, list and person's pages also fit a 390 px phone without sideways scrolling.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from yinling.accounts import roles
from yinling.core.tests.browser.conftest import PHONE
from yinling.core.tests.browser.helpers import attach_session, axe_problems, layout_problems, path_of, sign_in
from yinling.registry import idcard
from yinling.registry.models import Retiree
from yinling.testing.personas import make_tree, make_user

pytestmark = pytest.mark.browser

HEADERS = ["管理单位代码", "姓名", "身份证号", "离退休类别", "联系电话", "参加工作时间"]
ZHANG = idcard.make("330106", dt.date(1950, 3, 1), 11, "M")
LI = idcard.make("330106", dt.date(1955, 7, 9), 22, "F")
CHEN = idcard.make("330106", dt.date(1956, 2, 14), 35, "F")
WANG = idcard.make("330106", dt.date(1928, 5, 5), 33, "M")
ZHAO = idcard.make("330106", dt.date(1958, 11, 30), 44, "F")
LIU = idcard.make("330106", dt.date(1931, 6, 18), 55, "M")
SUN = idcard.make("330106", dt.date(1952, 1, 20), 67, "M")
# 陈小红's number as a clerk mistyped it: the last (check) character is wrong.
CHEN_TYPO = CHEN[:-1] + ("1" if CHEN[-1] != "1" else "2")

ROWS = [
    HEADERS,
    ["330106", "张三", ZHANG, "退休", "13800138000", "1970-08"],  # row 2
    ["330106U01", "李梅", LI, "退休", "13900139000", "1975-09"],  # row 3
    ["330106", "陈小红", CHEN_TYPO, "退休", "13700137000", "1976-03"],  # row 4: bad check digit
    ["330106", "王建国", WANG, "离休", "0571-88881234", "1945-03"],  # row 5
    ["330106U01", "赵丽华", ZHAO, "退休", "", "1978-07"],  # row 6
    ["330106", "刘德厚", LIU, "离休", "13600136000", "1950-01"],  # row 7: 离休 but started work after 1949-09
    ["330106", "孙志明", SUN, "退休", "", "1971-12"],  # row 8
]
# What each reason must say, in Chinese (the wording is the catalogue's): the check digit it should
# have been, and that 离休 needs work started by September 1949.
ID_REASON = re.compile(rf"校验位.*{CHEN[-1]}")
LIXIU_REASON = re.compile(r"离休.*1949.*参加工作|1949.*离休.*参加工作")


def write_sheet(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    # ID numbers as text, as a careful clerk keeps them (Excel would round an 18-digit number).
    for (cell,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.number_format = "@"
    wb.save(path)
    return path


def checked(page: Any, where: str, problems: list[str]) -> None:
    """axe on the page as it stands, and no Content Security Policy violation so far."""
    assert page.evaluate("document.documentElement.lang") == "zh-CN", where  # the default language
    problems += axe_problems(page, where)
    problems += [f"{where}: {m}" for m in page.context.console_log.csp_violations()]


def fits_a_phone(page: Any, where: str, problems: list[str]) -> None:
    """The page as it stands, narrowed to a 390 px phone: no sideways scrolling (then back to the desktop)."""
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    problems += layout_problems(page, f"{where} (390 px)", PHONE["width"])
    page.set_viewport_size(desktop)


def counts(page: Any) -> dict[str, int]:
    return {k: int(page.locator(f"#count-{k}").inner_text()) for k in ("created", "updated", "unchanged", "rejected")}


def error_rows(page: Any) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#import-errors tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )


def rejections(page: Any) -> list[tuple[str, ...]]:
    """The table of rejected rows: (row number, column header as in the file, reason), each reason checked."""
    rows = [tuple(r) for r in error_rows(page)]
    assert [r[:2] for r in rows] == [("4", "身份证号"), ("7", "参加工作时间")], rows
    for (_row, _column, reason), wanted in zip(rows, (ID_REASON, LIXIU_REASON), strict=True):
        assert wanted.search(reason) and not re.search(r"[A-Za-z]{3,}", reason), reason
    return rows


def upload(page: Any, path: Path) -> None:
    """From the import page: choose the file and check it (nothing saved yet)."""
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert path_of(page) == "/registry/import/check/"
    assert page.locator("h1").inner_text().endswith(path.name)


def confirm(page: Any) -> None:
    with page.expect_navigation():
        page.click("main form[action='/registry/import/apply/'] button[type=submit]")
    assert path_of(page) == "/registry/import/apply/"


def test_it_imports_fixes_the_rejected_rows_and_finds_a_person(
    new_context: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the uploads and reports of this test only
    tree = make_tree()
    clerk = make_user("xihu-clerk", tree.county_a, roles.CLERK)
    problems: list[str] = []
    page = new_context().new_page()

    # The clerk signs in and opens the import page from the registry list.
    sign_in(page, clerk.username)
    page.goto("/registry/")
    with page.expect_navigation():
        page.click("main a[href='/registry/import/']")
    assert path_of(page) == "/registry/import/"
    checked(page, "import: upload", problems)

    # 1. The sheet: five good rows, a mistyped ID number (row 4), a 离休 who started work in 1950 (row 7).
    first = write_sheet(tmp_path / "西湖区离退休干部名册.xlsx", ROWS)
    upload(page, first)
    checked(page, "import: check", problems)
    fits_a_phone(page, "import: check", problems)
    assert counts(page) == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 2}
    reasons = rejections(page)
    assert Retiree.objects.count() == 0  # a check saves nothing

    confirm(page)
    checked(page, "import: result", problems)
    fits_a_phone(page, "import: result", problems)
    assert counts(page) == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 2}
    assert rejections(page) == reasons  # checked again on saving: the same two
    assert sorted(Retiree.objects.values_list("name", flat=True)) == sorted(
        ["张三", "李梅", "王建国", "赵丽华", "孙志明"]
    )
    assert Retiree.objects.get(name="李梅").org == tree.unit_a

    # 2. The error report, through the page's link.
    with page.expect_download() as info:
        page.click("main a[href='/registry/import/report/']")
    download = info.value
    assert download.suggested_filename == "导入未通过的行.xlsx"
    report = tmp_path / "report.xlsx"
    download.save_as(report)
    wb = load_workbook(report)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == [*HEADERS, "错误原因"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[:4] for r in rows] == [["330106", "陈小红", CHEN_TYPO, "退休"], ["330106", "刘德厚", LIU, "离休"]]
    assert [r[5] for r in rows] == ["1976-03", "1950-01"]
    assert [r[-1] for r in rows] == [f"{column}：{reason}" for _row, column, reason in reasons]  # as on the page
    id_col, work_col = HEADERS.index("身份证号") + 1, HEADERS.index("参加工作时间") + 1
    assert ws.cell(row=2, column=id_col).fill.fgColor.rgb.endswith("FFC7CE")  # the bad cells are marked
    assert ws.cell(row=3, column=work_col).fill.fgColor.rgb.endswith("FFC7CE")
    assert not ws.cell(row=2, column=work_col).fill.fgColor.rgb.endswith("FFC7CE")

    # 3. Fixed in that very file (the reasons column stays) and imported again.
    ws.cell(row=2, column=id_col).value = CHEN
    ws.cell(row=3, column=work_col).value = "1948-10"
    fixed = tmp_path / "导入未通过的行-已改.xlsx"
    wb.save(fixed)
    with page.expect_navigation():
        page.click("main a.btn[href='/registry/import/']")
    checked(page, "import: upload (again)", problems)
    upload(page, fixed)
    checked(page, "import: check (fixed rows)", problems)
    assert counts(page) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert page.locator("#import-errors").count() == 0
    assert "错误原因" in page.locator("main").inner_text()  # listed among the ignored columns
    assert Retiree.objects.count() == 5

    confirm(page)
    checked(page, "import: result (fixed rows)", problems)
    assert counts(page) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert page.locator("main a[href='/registry/import/report/']").count() == 0  # nothing left to fix
    assert Retiree.objects.count() == 7
    chen = Retiree.objects.get(name="陈小红")
    assert chen.id_number == CHEN and chen.gender == "F" and chen.birth_date == dt.date(1956, 2, 14)
    liu = Retiree.objects.get(name="刘德厚")
    assert liu.category == "lixiu" and liu.work_started == "1948-10"

    # 4. The registry list: all seven, then 张三 by his initials.
    with page.expect_navigation():
        page.click("main a.btn[href='/registry/']")
    assert path_of(page) == "/registry/"
    checked(page, "registry list", problems)
    assert page.locator("main table tbody tr").count() == 7
    page.fill("#id_q", "zs")
    with page.expect_navigation():
        page.click("main form[role=search] button[type=submit]")
    assert "q=zs" in page.url
    checked(page, "registry list: zs", problems)
    names = page.eval_on_selector_all("main table tbody tr td:first-child", "els => els.map(e => e.innerText.trim())")
    assert names == ["张三"]

    zhang = Retiree.objects.get(name="张三")
    with page.expect_navigation():
        page.click("main table a:text-is('张三')")
    assert path_of(page) == f"/registry/{zhang.pk}/"
    checked(page, "retiree detail", problems)
    assert page.locator("h1").inner_text().startswith("张三")
    assert page.locator("#id-number").inner_text() == zhang.id_masked  # masked until revealed
    assert "西湖区委老干部局 (330106)" in page.locator("main").inner_text()

    # 5. The same pages on a 390 px phone.
    phone_context = new_context(PHONE)
    attach_session(phone_context, live_server.url, clerk)
    phone = phone_context.new_page()
    for url, where in (
        ("/registry/?q=zs", "registry list: zs (390 px)"),
        (f"/registry/{zhang.pk}/", "retiree detail (390 px)"),
        ("/registry/import/", "import: upload (390 px)"),
    ):
        phone.goto(url)
        assert path_of(phone) == url.split("?")[0]
        checked(phone, where, problems)
        problems += layout_problems(phone, where, PHONE["width"])
    phone.goto("/registry/?q=zs")
    assert phone.locator("main table a:text-is('张三')").is_visible()

    assert problems == [], "\n".join(problems)
