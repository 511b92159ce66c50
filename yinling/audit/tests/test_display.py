"""Change history shows field labels in the reader's language, not field names (audit.display)."""

from __future__ import annotations

import pytest
from django.utils import translation

from yinling.accounts import roles, services
from yinling.audit.models import AuditRecord
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_user

pytestmark = pytest.mark.django_db


def test_it_shows_labels_and_choice_names_on_the_audit_page(cast: Cast) -> None:
    clerk = make_user("someclerk", cast.tree.county_a, roles.CLERK)
    services.do_update_staff_user(by=cast.system_admin, user=clerk, full_name="新名字", email="", org=cast.tree.unit_a)
    services.do_set_active(by=cast.security_admin, user=clerk, active=False)
    moved = AuditRecord.objects.filter(
        action="update", object_type="accounts.user", object_id=str(clerk.pk), changes__has_key="org_id"
    ).get()
    switched = AuditRecord.objects.filter(
        action="update", object_type="accounts.user", object_id=str(clerk.pk), changes__has_key="is_active"
    ).get()
    client = login_client(cast.audit_admin)
    page = client.get(f"/audit/{moved.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "所属单位" in page and "姓名" in page and "用户" in page
    assert "org_id" not in page and "full_name" not in page
    page = client.get(f"/audit/{switched.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "是否启用" in page and "is_active" not in page
    assert "<td>是</td><td>否</td>" in page


def test_it_labels_role_assignments_with_the_role_name(cast: Cast) -> None:
    from yinling.audit.display import change_rows

    fresh = make_user("fresh", cast.tree.county_a)
    given = services.do_assign_role(by=cast.system_admin, user=fresh, role=roles.AUDIT_ADMIN, org=cast.tree.province)
    record = AuditRecord.objects.get(action="create", object_type="accounts.roleassignment", object_id=str(given.pk))
    with translation.override("zh-hans"):
        rows = dict(change_rows(record))
    assert rows["角色"] == ("—", "审计管理员")


def test_it_keeps_unknown_names_as_recorded() -> None:
    from yinling.audit.display import change_rows

    record = AuditRecord(object_type="gone.model", changes={"old_field": [1, 2]})
    assert change_rows(record) == [("old_field", ("1", "2"))]


def test_it_shows_details_with_translated_labels(cast: Cast) -> None:
    from yinling.audit.services import record

    entry = record("update", object_type="accounts.user", object_repr="x", extra={"event": "unlock", "reason": "忘记"})
    client = login_client(cast.audit_admin)
    page = client.get(f"/audit/{entry.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "原因" in page and "忘记" in page and "已解锁" in page
    assert "reason" not in page and "unlock" not in page


def test_it_has_a_label_for_every_detail_key_the_code_writes() -> None:
    """Scans the source for `extra={...}` literals: a new key without a label would show as English."""
    import re
    from pathlib import Path

    from yinling.audit.display import EVENT_LABELS, EXTRA_LABELS

    root = Path(__file__).resolve().parents[2]
    keys: set[str] = set()
    events: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for literal in re.findall(r"""(?:extra\s*=\s*|["']extra["']:\s*)\{([^{}]*)\}""", text):
            keys |= set(re.findall(r"""["'](\w+)["']\s*:""", literal))
            events |= set(re.findall(r"""["']event["']\s*:\s*["'](\w+)["']""", literal))
    assert len(keys) > 20, "the scan found too few keys: has the pattern stopped matching?"
    assert keys - set(EXTRA_LABELS) == set()
    assert events - set(EVENT_LABELS) == set()


def test_it_shows_the_audit_pages_a_birth_date_as_its_year(cast: Cast) -> None:
    """The trail keeps the whole date (the chain covers it); the audit page and its export show the year, as
    the registry shows it to roles without the sensitive right (with the ID's last four it rebuilds the number)."""
    import datetime as dt
    import io

    import openpyxl

    from yinling.audit.context import acting
    from yinling.audit.services import record

    person = cast.family_record
    born = person.birth_date
    with acting(user=cast.bureau_admin):
        created = record(
            AuditRecord.Action.UPDATE,
            person,
            changes={"birth_date": [born.isoformat(), (born + dt.timedelta(days=40)).isoformat()]},
        )
    client = login_client(cast.audit_admin)
    page = client.get(f"/audit/{created.pk}/").content.decode()
    assert f"<td>{born:%Y}</td>" in page
    assert born.isoformat() not in page and f"{born:%Y-%m}" not in page
    export = client.get("/audit/?export=xlsx")
    assert export.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    cells = " ".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row)
    assert person.name in cells and born.isoformat() not in cells
    created.refresh_from_db()
    assert created.changes["birth_date"][0] == born.isoformat()  # kept whole
