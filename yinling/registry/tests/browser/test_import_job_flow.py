"""A county clerk imports a 20,000-row sheet as a background job, in a real browser with a real worker.

Upload → the job page, whose bar moves by itself (htmx polling) while a `manage.py db_worker`
process checks the rows → the counts → "save" → a second job applies them, its bar moving too →
the error report downloaded from the job page. axe and the CSP on the job pages, and the page
fits a 390 px phone. PostgreSQL only: the worker is a separate process, which cannot reach
SQLite's in-memory test database (CI runs the browser tests on PostgreSQL too).
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook

from yinling.accounts import roles
from yinling.core.sheets import write_xlsx
from yinling.core.tests.browser.conftest import PHONE
from yinling.core.tests.browser.helpers import axe_problems, layout_problems, path_of, sign_in
from yinling.jobs.models import Job
from yinling.registry import idcard
from yinling.registry.models import Retiree
from yinling.registry.tests.test_import_worker import DATABASE_QUEUE, worker
from yinling.testing.personas import make_tree, make_user

pytestmark = pytest.mark.browser

ROWS = 20_000
BAD_EVERY = 2_000  # every 2,000th row has a phone number that is none: 10 rejected rows
HEADERS = ["管理单位代码", "姓名", "身份证号", "离退休类别", "联系电话", "参加工作时间"]


def sheet(path: Path) -> Path:
    import datetime as dt

    def rows() -> Any:
        for i in range(ROWS):
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=i // 500)
            number = idcard.make("330106", birth, 2 * (i % 500) + 1, "M")
            yield ["330106", f"张{i}", number, "退休", "123" if i % BAD_EVERY == 1 else "", "1970-08"]

    with path.open("wb") as fh:
        write_xlsx(fh, HEADERS, rows(), "名册")
    return path


def watch(page: Any, timeout: float = 240) -> list[int]:
    """The bar's values as the page shows them, until the job has finished."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.locator("#job-state")
        status = state.get_attribute("data-status")
        value = int(page.locator("#job-progress").get_attribute("aria-valuenow"))
        if not seen or seen[-1] != value:
            seen.append(value)
        if status in ("done", "failed", "cancelled"):
            assert status == "done", page.locator("main").inner_text()
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the job did not finish: {seen}")


def checked(page: Any, where: str, problems: list[str]) -> None:
    problems += axe_problems(page, where)
    problems += [f"{where}: {m}" for m in page.context.console_log.csp_violations()]


def test_it_imports_a_large_sheet_through_jobs_watching_the_bar(
    new_context: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process cannot reach SQLite's in-memory test database")
    settings.TASKS = DATABASE_QUEUE
    settings.IMPORT_INLINE_MAX_BYTES = 0
    tree = make_tree()
    clerk = make_user("xihu-clerk", tree.county_a, roles.CLERK)
    path = sheet(tmp_path / "西湖区名册.xlsx")
    problems: list[str] = []
    proc = worker()
    try:
        page = new_context().new_page()
        sign_in(page, clerk.username)
        page.goto("/registry/import/")
        page.set_input_files("#id_file", str(path))
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        check = Job.objects.get()
        assert path_of(page) == f"/jobs/{check.pk}/"
        checked(page, "job page (checking)", problems)
        seen = watch(page)
        assert seen[-1] == 100 and any(0 < v < 100 for v in seen), seen  # it moved, by itself
        checked(page, "job page (check done)", problems)
        assert int(page.locator("#count-created").inner_text()) == ROWS - ROWS // BAD_EVERY
        assert int(page.locator("#count-rejected").inner_text()) == ROWS // BAD_EVERY
        assert Retiree.objects.unrestricted().count() == 0

        # Save: a second job applies the same upload.
        with page.expect_navigation():
            page.click("#import-job-apply")
        applied = Job.objects.exclude(pk=check.pk).get()
        assert path_of(page) == f"/jobs/{applied.pk}/"
        page.reload()  # the bar survives a reload
        seen = watch(page)
        assert seen[-1] == 100, seen
        checked(page, "job page (saved)", problems)
        assert Retiree.objects.unrestricted().count() == ROWS - ROWS // BAD_EVERY
        page.set_viewport_size(PHONE)
        problems += layout_problems(page, "job page (390 px)", PHONE["width"])

        # The report, from the job page's link.
        with page.expect_download() as info:
            page.click("#job-files a")
        assert info.value.suggested_filename == "导入未通过的行.xlsx"
        report = tmp_path / "report.xlsx"
        info.value.save_as(report)
        rows = list(load_workbook(report, read_only=True).active.iter_rows(min_row=2, values_only=True))
        assert len(rows) == ROWS // BAD_EVERY and all(re.fullmatch(r"张\d+", str(r[1])) for r in rows)

        page.goto("/jobs/")
        checked(page, "my jobs", problems)
        assert page.locator("#job-list tbody tr").count() == 2
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert problems == [], "\n".join(problems)
