"""The pages: each persona's answer on every view, the retiree's apply → return → fix flow with a photo, the
form builder (a new version on each edit), the decision form's refusals, the list's filters and export."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yinling.audit.models import AuditRecord
from yinling.cases.models import Case, CaseAttachment, ServiceItem
from yinling.cases.services import do_decide, do_file
from yinling.cases.tests import factories as f
from yinling.testing.personas import Cast, cast_clients

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(cast: Cast) -> dict[str, Client]:
    return cast_clients(cast)


@pytest.fixture
def case(cast: Cast) -> Case:
    return do_file(by=cast.clerk, item=f.item(cast.tree.province), retiree=cast.retiree_record, data={"reason": "x"})


STAFF = ["anonymous", "norole", "outsider", "clerk", "bureau_admin", "leader", "system_admin", "retiree"]


@pytest.mark.parametrize(
    ("persona", "queue", "listing", "detail", "items", "add"),
    [
        ("anonymous", 302, 302, 302, 302, 302),
        ("norole", 403, 403, 404, 403, 403),
        ("outsider", 200, 200, 404, 200, 200),
        ("clerk", 200, 200, 200, 200, 403),
        ("bureau_admin", 200, 200, 200, 200, 200),
        ("leader", 403, 200, 200, 200, 403),
        ("system_admin", 403, 403, 403, 403, 403),
        ("retiree", 403, 403, 404, 403, 403),
    ],
)
def test_it_answers_the_staff_pages_per_persona(
    clients: dict[str, Client], case: Case, persona: str, queue: int, listing: int, detail: int, items: int, add: int
) -> None:
    c = clients[persona]
    assert c.get("/cases/desk/queue/").status_code == queue
    assert c.get("/cases/desk/").status_code == listing
    assert c.get(f"/cases/desk/{case.pk}/").status_code == detail
    assert c.get("/cases/desk/items/").status_code == items
    assert c.get("/cases/desk/items/add/").status_code == add


@pytest.mark.parametrize(
    ("persona", "home", "mine", "detail"),
    [("anonymous", 302, 302, 302), ("clerk", 404, 404, 404), ("retiree", 200, 200, 200), ("family", 200, 200, 404)],
)
def test_it_answers_the_member_pages_per_persona(
    clients: dict[str, Client], case: Case, persona: str, home: int, mine: int, detail: int
) -> None:
    c = clients[persona]
    assert c.get("/cases/").status_code == home
    assert c.get("/cases/mine/").status_code == mine
    assert c.get(f"/cases/mine/{case.pk}/").status_code == detail


def test_it_shows_a_relatives_case_when_they_choose_whom_it_is_for(
    clients: dict[str, Client], cast: Cast, case: Case
) -> None:
    r = clients["family"].get(f"/cases/mine/{case.pk}/?for={cast.retiree_record.pk}")
    assert r.status_code == 200 and "张建国" in r.content.decode()


def test_it_applies_with_a_photo_then_fixes_a_returned_case(clients: dict[str, Client], cast: Cast) -> None:
    items = f.builtins(cast.tree.province)
    c = clients["retiree"]
    page = c.get("/cases/apply/home_adaptation/")
    assert page.status_code == 200 and "现场照片" in page.content.decode()
    form = {"area": "如厕洗浴安全", "priority": "80周岁以上", "address_note": "卫生间无扶手", "agree": "on"}
    missing = c.post("/cases/apply/home_adaptation/", form)
    assert missing.status_code == 200 and not Case.objects.exists()  # the photo is required
    bad = c.post(
        "/cases/apply/home_adaptation/",
        {**form, "photo": f.photo("x.png").__class__("x.png", b"not a picture", "image/png")},
    )
    assert bad.status_code == 200 and not Case.objects.exists()
    r = c.post("/cases/apply/home_adaptation/", {**form, "photo": f.photo()})
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/mine/{case.pk}/"
    assert case.item == items["home_adaptation"] and CaseAttachment.objects.filter(case=case, kind="png").exists()
    do_decide(by=cast.clerk, case=case, action="return", comment="请补拍卫生间全景")
    page = c.get(f"/cases/mine/{case.pk}/").content.decode()
    assert "请补拍卫生间全景" in page
    r = c.post(f"/cases/mine/{case.pk}/fix/", {**form, "address_note": "卫生间和走廊都无扶手"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress" and case.data["address_note"] == "卫生间和走廊都无扶手"


def test_it_lets_staff_file_on_behalf_through_the_member_pages(clients: dict[str, Client], cast: Cast) -> None:
    f.item(cast.tree.province)
    c = clients["clerk"]
    session = c.session
    session["acting_for"] = {"id": cast.retiree_record.pk, "name": cast.retiree_record.name}
    session.save()
    r = c.post("/cases/apply/aid/", {"reason": "代办"})
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.on_behalf and case.filed_by == cast.clerk


def test_it_decides_on_the_case_page_and_shows_refusals_on_the_form(
    clients: dict[str, Client], cast: Cast, case: Case
) -> None:
    url = f"/cases/desk/{case.pk}/decide/"
    r = clients["bureau_admin"].post(url, {"action": "approve", "version": case.version})
    assert r.status_code == 200
    case.refresh_from_db()
    assert case.step == 0 and case.version == 1
    r = clients["clerk"].post(url, {"action": "return", "comment": "", "version": case.version})
    assert r.status_code == 200
    case.refresh_from_db()
    assert case.status == "in_progress"
    r = clients["clerk"].post(url, {"action": "approve", "comment": "同意", "version": case.version})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.step == 1
    assert clients["outsider"].post(url, {"action": "approve", "version": case.version}).status_code == 404


def test_it_builds_an_item_without_code_and_versions_each_edit(clients: dict[str, Client], cast: Cast) -> None:
    c = clients["bureau_admin"]
    form = {
        "code": "city_aid",
        "name": "杭州市临时救助",
        "org": cast.tree.city_a.code,
        "limit_days": "7",
        "min_age": "0",
        "libraries": ["hardship"],
        "is_active": "on",
        "fields-TOTAL_FORMS": "2",
        "fields-INITIAL_FORMS": "0",
        "fields-0-name": "reason",
        "fields-0-label": "困难情况",
        "fields-0-type": "text",
        "fields-0-required": "on",
        "fields-1-name": "",
        "fields-1-type": "text",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-name": "区局审核",
        "steps-0-role": "clerk",
        "steps-0-level": "county",
    }
    r = c.post("/cases/desk/items/add/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    item = ServiceItem.objects.get(code="city_aid")
    assert item.org == cast.tree.city_a and item.current.definition["eligibility"]["libraries"] == ["hardship"]
    assert AuditRecord.objects.filter(object_type="cases.serviceitem", extra__event="item_defined").exists()
    edit = {k: v for k, v in form.items() if k not in ("code", "org")}
    # As the edit page renders it: the saved rows are initial forms.
    edit.update({"fields-INITIAL_FORMS": "1", "steps-INITIAL_FORMS": "1"})
    edit.update({"fields-1-name": "amount", "fields-1-label": "金额", "fields-1-type": "money"})
    r = c.post(f"/cases/desk/items/{item.pk}/edit/", edit)
    assert r.status_code == 302, [
        e for e in r.content.decode().split("\n") if "invalid-feedback" in e or "alert-danger" in e
    ]
    item.refresh_from_db()
    assert item.current.number == 2 and [x["name"] for x in item.current.fields] == ["reason", "amount"]
    # A choice without options, and no steps: shown on the form, nothing saved.
    bad = dict(edit, **{"fields-1-type": "choice", "steps-0-role": ""})
    r = c.post(f"/cases/desk/items/{item.pk}/edit/", bad)
    assert r.status_code == 200
    item.refresh_from_db()
    assert item.current.number == 2
    # A county clerk may not define items; an outsider cannot reach this one.
    assert clients["clerk"].post("/cases/desk/items/add/", form).status_code == 403
    assert clients["outsider"].get(f"/cases/desk/items/{item.pk}/edit/").status_code == 404


def test_it_filters_and_exports_the_case_list(clients: dict[str, Client], cast: Cast, case: Case) -> None:
    c = clients["bureau_admin"]
    assert str(case.pk) in c.get("/cases/desk/?status=in_progress").content.decode()
    r = c.get("/cases/desk/?export=xlsx&status=in_progress")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditRecord.objects.filter(action="export", object_type="cases.case").exists()
    assert clients["leader"].get("/cases/desk/?export=xlsx").status_code == 403


def test_it_lists_my_queue_oldest_due_first(clients: dict[str, Client], cast: Cast, case: Case) -> None:
    body = clients["clerk"].get("/cases/desk/queue/").content.decode()
    assert f'data-case="{case.pk}"' in body
    assert f'data-case="{case.pk}"' not in clients["bureau_admin"].get("/cases/desk/queue/").content.decode()


def test_it_reads_the_queue_in_the_same_number_of_queries_however_long(
    clients: dict[str, Client], cast: Cast, case: Case
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert clients["clerk"].get("/cases/desk/queue/").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for code in ("b", "c", "d"):
        do_file(by=cast.clerk, item=f.item(cast.tree.province, code), retiree=cast.retiree_record, data={"reason": "x"})
    assert queries() == one


def test_it_serves_an_attachment_to_the_applicant_and_staff_in_scope_only(
    clients: dict[str, Client], cast: Cast
) -> None:
    f.builtins(cast.tree.province)
    clients["retiree"].post(
        "/cases/apply/home_adaptation/",
        {"area": "如厕洗浴安全", "priority": "其他", "address_note": "x", "agree": "on", "photo": f.photo()},
    )
    attachment = CaseAttachment.objects.get()
    url = f"/cases/attachments/{attachment.pk}/"
    assert clients["retiree"].get(url).status_code == 200
    assert clients["clerk"].get(url).status_code == 200
    assert clients["outsider"].get(url).status_code == 404
    assert clients["norole"].get(url).status_code == 404


def test_it_keeps_the_working_day_calendar_for_bureau_admins(clients: dict[str, Client]) -> None:
    assert clients["clerk"].get("/cases/desk/workdays/").status_code == 403
    r = clients["bureau_admin"].post("/cases/desk/workdays/", {"day": "2027-10-01", "is_workday": "", "note": "国庆节"})
    assert r.status_code == 302
    assert AuditRecord.objects.filter(object_type="cases.workdayoverride", action="create").exists()
    assert clients["bureau_admin"].post("/cases/desk/workdays/", {"day": "2027-02-30"}).status_code == 200


def test_it_masks_a_new_phone_on_the_desk_and_reveals_it_only_to_a_sensitive_role(
    clients: dict[str, Client], cast: Cast
) -> None:
    items = f.builtins(cast.tree.province)
    case = do_file(
        by=cast.retiree,
        item=items["info_change"],
        retiree=cast.retiree_record,
        data={"field": "联系电话", "value": "13912345678"},
    )
    clerk_page = clients["clerk"].get(f"/cases/desk/{case.pk}/?reveal=1").content.decode()
    assert "139****5678" in clerk_page and "13912345678" not in clerk_page
    admin_page = clients["bureau_admin"].get(f"/cases/desk/{case.pk}/?reveal=1").content.decode()
    assert "13912345678" in admin_page
    assert AuditRecord.objects.filter(
        action="view_sensitive", object_type="cases.case", actor=cast.bureau_admin
    ).exists()
    api = clients["clerk"].get(f"/api/v1/services/cases/{case.pk}/").json()
    assert api["data"]["value"] == "139****5678"


def test_it_lets_a_relative_choose_whom_to_apply_for(clients: dict[str, Client], cast: Cast) -> None:
    f.item(cast.tree.province)
    page = clients["family"].get("/cases/").content.decode()
    assert f"?for={cast.retiree_record.pk}" in page
    r = clients["family"].post("/cases/apply/aid/", {"reason": "代母亲申请", "for": cast.retiree_record.pk})
    case = Case.objects.get()
    assert r.status_code == 302 and case.retiree == cast.retiree_record and case.on_behalf
    assert (
        f'data-case="{case.pk}"' in clients["family"].get(f"/cases/mine/?for={cast.retiree_record.pk}").content.decode()
    )
    # Someone they may not act for: the page says no, and nothing is filed.
    from yinling.testing.personas import make_retiree_record

    stranger = make_retiree_record(cast.tree.county_b, "陌生人", "13700137000", 9)
    assert clients["family"].post("/cases/apply/aid/", {"reason": "x", "for": stranger.pk}).status_code == 404
    assert not Case.objects.filter(retiree=stranger).exists()


def test_it_puts_the_services_and_a_returned_case_on_the_retirees_home(
    clients: dict[str, Client], cast: Cast, case: Case
) -> None:
    home = clients["retiree"].get("/").content.decode()
    assert "/cases/" in home and "/cases/more/" in home
    assert f"/cases/mine/{case.pk}/" not in home
    do_decide(by=cast.clerk, case=case, action="return", comment="请补充")
    home = clients["retiree"].get("/").content.decode()
    assert f"/cases/mine/{case.pk}/" in home
    assert "/cases/more/" not in clients["clerk"].get("/").content.decode()


@pytest.mark.parametrize(
    ("persona", "apply", "fix", "decide"),
    [
        ("anonymous", 302, 302, 302),
        ("norole", 404, 404, 404),
        ("outsider", 404, 404, 404),
        ("leader", 404, 404, 403),
        ("system_admin", 404, 404, 403),
        ("bureau_admin", 404, 404, 200),  # in scope, not the step's owner: the refusal on the form
        ("retiree", 200, 302, 404),  # the form shown again (an open case of the item exists); the fix sent
        ("family", 302, 404, 404),  # files for themselves (a retiree too); not their case without ?for=
    ],
)
def test_it_answers_every_form_posted_by_each_persona(
    clients: dict[str, Client], cast: Cast, persona: str, apply: int, fix: int, decide: int
) -> None:
    item = f.item(cast.tree.province)
    case = do_file(by=cast.clerk, item=item, retiree=cast.retiree_record, data={"reason": "x"})
    # A second returned case of another item, so the fix form has something to take.
    other = do_file(
        by=cast.clerk, item=f.item(cast.tree.province, "b"), retiree=cast.retiree_record, data={"reason": "x"}
    )
    do_decide(by=cast.clerk, case=other, action="return", comment="请补充")
    c = clients[persona]
    assert c.post("/cases/apply/aid/", {"reason": "再次申请"}).status_code == apply
    assert c.post(f"/cases/mine/{other.pk}/fix/", {"reason": "补充"}).status_code == fix
    assert (
        c.post(f"/cases/desk/{case.pk}/decide/", {"action": "approve", "version": case.version}).status_code == decide
    )
    case.refresh_from_db()
    assert case.step == 0  # nobody here may take the county clerk's step
