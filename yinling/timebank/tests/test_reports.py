"""Monthly report figures per org, scoped, exported and printable."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from yinling.accounts import roles
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas, make_user
from yinling.timebank import reports, services
from yinling.timebank.models import ServiceRequest

pytestmark = pytest.mark.django_db
H = Decimal


@pytest.fixture(autouse=True)
def _mid_month() -> Iterator[None]:
    """A month's report counts services by the local day they took place: these tests serve "just now", so they
    run mid-month (at 00:02 on the 1st, "five minutes ago" is last month)."""
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        yield


def serve(p: Personas, recipient: Retiree, provider: Retiree, hours: str, *, confirm: bool = True) -> ServiceRequest:
    start = timezone.now() - dt.timedelta(minutes=5)
    need = services.do_post_need(
        by=None,
        recipient=recipient,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        expected_hours=H(hours),
    )
    services.do_accept(by=None, need=need, provider=provider)
    need = services.do_report(by=None, need=need, hours=H(hours))
    if confirm:
        need = services.do_confirm(by=p.owner, need=need, rating=5, on_behalf=True)
    return need


@pytest.fixture
def month(personas: Personas) -> dict[str, Any]:
    from yinling.timebank.tests.factories import person

    p = personas
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    services.do_issue(by=p.outsider, org=p.tree.city_b, hours=H("50"), reason="发放", document_no="2号")
    p1 = services.do_join(by=None, retiree=person(p.tree.unit_a, age=63), as_provider=True).retiree
    e1 = person(p.tree.unit_a, age=88)
    y1 = person(p.tree.county_a, age=70)
    services.do_grant(by=p.owner, retiree=y1, hours=H("5"), reason="补助")
    serve(p, e1, p1, "2")  # paid by the pool (88)
    serve(p, y1, p1, "1.5")  # paid from her own hours (70)
    serve(p, e1, p1, "1", confirm=False)  # reported, not yet confirmed
    services.do_donate(by=None, retiree=p1, hours=H("0.5"))
    p2 = services.do_join(by=None, retiree=person(p.tree.county_b, age=60), as_provider=True).retiree
    e2 = person(p.tree.county_b, age=91)
    serve(p, e2, p2, "1")
    return {"p": p, "province": make_user("prov", p.tree.province, roles.BUREAU_ADMIN)}


def figures(row: reports.Row) -> tuple[Any, ...]:
    return (
        row.banked,
        row.redeemed,
        row.pool_paid,
        row.providers,
        row.priority_served,
        row.unconfirmed,
        row.donated,
        row.granted,
    )


def test_it_computes_the_months_figures_per_org(month: dict[str, Any]) -> None:
    p = month["p"]
    rows = reports.monthly(month["province"], p.tree.province, reports.this_month())
    assert [r.org.code for r in rows] == ["330000", "330100", "330200"]
    total, city_a, city_b = rows
    assert total.is_total and not city_a.is_total
    assert figures(total) == (H("4.5"), H("1.5"), H("3"), 2, 2, 1, H("0.5"), H("5"))
    assert figures(city_a) == (H("3.5"), H("1.5"), H("2"), 1, 1, 1, H("0.5"), H("5"))
    assert figures(city_b) == (H("1"), 0, H("1"), 1, 1, 0, 0, 0)


def test_it_keeps_the_report_inside_the_users_scope(month: dict[str, Any]) -> None:
    p = month["p"]
    rows = reports.monthly(p.owner, p.tree.province, reports.this_month())  # a city A admin asking for the province
    total, city_a, city_b = rows
    assert figures(total) == figures(city_a)
    assert figures(city_b) == (0, 0, 0, 0, 0, 0, 0, 0)


def test_it_reports_nothing_for_another_month(month: dict[str, Any]) -> None:
    last = (reports.this_month() - dt.timedelta(days=1)).replace(day=1)
    rows = reports.monthly(month["province"], month["p"].tree.province, last)
    assert all(figures(r) == (0, 0, 0, 0, 0, 0, 0, 0) for r in rows)


def test_it_uses_a_few_aggregate_queries_whatever_the_number_of_orgs(
    month: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        reports.monthly(month["province"], month["p"].tree.province, reports.this_month())


def test_it_shows_exports_and_prints_the_report(month: dict[str, Any]) -> None:
    client = login_client(month["province"])
    this = reports.this_month().strftime("%Y-%m")
    response = client.get(f"/timebank/reports/?month={this}&org=330000")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-org="330100"' in page and 'data-org="330200"' in page
    assert "timebank/print.css" in page
    assert [r.banked for r in response.context["rows"]] == [H("4.5"), H("3.5"), H("1")]
    # The spreadsheet is written by a job (report_jobs.py): the page sends the user to it.
    from yinling.jobs.models import Job

    confirm = client.get(f"/timebank/reports/?month={this}&org=330000&export=xlsx")
    assert confirm.status_code == 200 and not Job.objects.exists()  # a GET never writes
    response = client.post(f"/timebank/reports/?month={this}&org=330000&export=xlsx")

    job = Job.objects.get(kind="timebank.monthly_report")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE and job.result == {"org": "330000", "month": this, "rows": 3}
    response = client.get(f"/jobs/{job.pk}/files/{job.files.get().pk}/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "单位代码" and rows[1][0] == "330000" and rows[1][2] == 4.5
    from yinling.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="export", object_type="timebank.report").exists()


def test_it_defaults_to_the_users_top_org_and_this_month(month: dict[str, Any]) -> None:
    response = login_client(month["p"].owner).get("/timebank/reports/")
    assert response.context["org"].code == "330100"
    assert response.context["month"] == reports.this_month()
    # An org outside the scope is not a choice: the user's own top org is shown instead.
    response = login_client(month["p"].owner).get("/timebank/reports/?org=330200")
    assert response.context["org"].code == "330100"


def test_it_records_no_export_for_a_report_job_cancelled_at_its_last_step(
    month: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from yinling.audit.models import AuditRecord
    from yinling.jobs import services
    from yinling.jobs.models import Job
    from yinling.jobs.runners import JobContext

    progress = JobContext.progress

    def cancel_at_the_end(ctx: JobContext, done: int, total: int | None = None, message: Any = None) -> None:
        if done and done == total:  # the last report, after the sheet is written
            services.do_cancel(by=month["province"], job=Job.objects.unrestricted().get(pk=ctx.job.pk))
        progress(ctx, done, total, message)

    monkeypatch.setattr(JobContext, "progress", cancel_at_the_end)
    this = reports.this_month().strftime("%Y-%m")
    login_client(month["province"]).post(f"/timebank/reports/?month={this}&org=330000&export=xlsx")
    job = Job.objects.get(kind="timebank.monthly_report")
    assert job.status == Job.Status.CANCELLED and not job.files.exists()
    assert not AuditRecord.objects.filter(action="export", object_type="timebank.report").exists()
