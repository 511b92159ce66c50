"""axe-core on every page staff can reach, on a desktop and a phone, in normal and elder mode.

Each page must have no "serious" or "critical" axe violation, no Content-Security-Policy
violation in the console, and (at 390 px) no horizontal scrolling.
"""

from __future__ import annotations

from typing import Any

import pytest

from yinling.accounts import roles
from yinling.accounts.models import User
from yinling.audit.models import AuditRecord
from yinling.testing.personas import PASSWORD, make_personas, make_user

from .conftest import DESKTOP, PHONE
from .helpers import BODY_TEXT_JS, attach_session, axe_problems, layout_problems, path_of

pytestmark = pytest.mark.browser


def _jobs(owner: User) -> dict[str, int]:
    """The jobs pages' states: a running import check, a finished one with its report, a failed one."""
    from yinling.jobs.models import Job, JobFile

    summary = {"created": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    error = {"row": 4, "column": "联系电话", "message": "不是有效的电话号码"}
    common = {"kind": "registry.import", "user": owner, "org": owner.org}
    running = Job.objects.create(
        **common,
        label="检查导入文件：名册.xlsx",
        status=Job.Status.RUNNING,
        done=4000,
        total=20000,
        message="正在检查各行",
        params={"dry_run": True},
    )
    done = Job.objects.create(
        **common,
        label="导入：名册.xlsx",
        status=Job.Status.DONE,
        done=4,
        total=4,
        params={"dry_run": False},
        result={**summary, "errors": [error]},
    )
    JobFile.objects.create(job=done, name="导入未通过的行.xlsx", stored=f"{done.pk}/result-1.xlsx")
    failed = Job.objects.create(**common, label="导入：坏文件.xlsx", status=Job.Status.FAILED, error="文件无法读取。")
    return {"running": running.pk, "done": done.pk, "failed": failed.pk}


def _pages(owner: User, limited: User, record: AuditRecord, jobs: dict[str, int]) -> list[tuple[str, str, str, int]]:
    """(label, who, path, expected status). `who` is a key of the sessions built below."""
    return [
        ("login", "anonymous", "/accounts/login/", 200),
        ("404 (signed out)", "anonymous", "/no-such-page/", 404),
        ("home", "owner", "/", 200),
        ("org list", "owner", "/orgs/", 200),
        ("org list filtered", "owner", "/orgs/?q=%E8%A5%BF%E6%B9%96&kind=county_bureau", 200),
        ("org detail", "owner", "/orgs/330106/", 200),
        ("org edit form", "owner", "/orgs/330106/edit/", 200),
        ("org create form", "owner", "/orgs/add/", 200),
        ("staff list", "owner", "/accounts/users/", 200),
        ("staff detail", "owner", f"/accounts/users/{limited.pk}/", 200),
        ("staff create form", "owner", "/accounts/users/add/", 200),
        ("profile", "owner", "/accounts/me/", 200),
        ("password change", "owner", "/accounts/password/", 200),
        ("403 page", "owner", "/audit/", 403),
        ("404 page", "owner", "/orgs/999999/", 404),
        ("audit list", "auditor", "/audit/", 200),
        ("audit detail", "auditor", f"/audit/{record.pk}/", 200),
        ("two-factor enrolment", "admin", "/accounts/two-factor/", 200),
        ("my jobs", "owner", "/jobs/", 200),
        ("job running", "owner", f"/jobs/{jobs['running']}/", 200),
        ("job done", "owner", f"/jobs/{jobs['done']}/", 200),
        ("job failed", "owner", f"/jobs/{jobs['failed']}/", 200),
    ]


def _form_states(sessions: dict[str, Any]) -> list[tuple[str, Any]]:
    """Pages in their error state: forms submitted with mistakes. Yields (label, page)."""
    anonymous = sessions["anonymous"].new_page()
    anonymous.goto("/accounts/login/")
    anonymous.fill("#id_username", "owner")
    anonymous.fill("#id_password", "not-" + PASSWORD)
    with anonymous.expect_navigation():
        anonymous.click("main form button[type=submit]")

    owner = sessions["owner"].new_page()
    owner.goto("/accounts/users/add/")
    owner.fill("#id_username", "new-clerk")
    owner.fill("#id_password1", "short")
    with owner.expect_navigation():
        owner.click("main form button[type=submit]")

    admin = sessions["admin"].new_page()
    admin.goto("/accounts/two-factor/")
    admin.fill("#id_token", "12")
    with admin.expect_navigation():
        admin.click("main form button[type=submit]")
    return [
        ("login with a wrong password", anonymous),
        ("staff create form with errors", owner),
        ("two-factor with a wrong code", admin),
    ]


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_it_has_no_serious_accessibility_violations(
    new_context: Any, live_server: Any, viewport: dict[str, int], elder: bool
) -> None:
    p = make_personas()  # owner: bureau admin on city A; limited: leader there
    auditor = make_user("auditor", p.tree.province, roles.AUDIT_ADMIN)
    admin = make_user("admin", p.tree.province, roles.SYSTEM_ADMIN)  # no TOTP device yet: enrols
    from yinling.accounts.tokens import issue_token

    issue_token(p.owner)  # the profile shows its API-token table
    User.objects.update(elder_mode=elder)
    record = AuditRecord.objects.exclude(changes={}).order_by("pk").first() or AuditRecord.objects.first()
    assert record is not None
    jobs = _jobs(p.owner)

    sessions: dict[str, Any] = {}
    for who in ("anonymous", "owner", "auditor", "admin"):
        context = new_context(viewport)
        context.add_cookies([{"name": "elder_mode", "value": "1" if elder else "0", "url": live_server.url}])
        if who == "owner":
            attach_session(context, live_server.url, p.owner)
        elif who == "auditor":
            attach_session(context, live_server.url, auditor)
        elif who == "admin":
            attach_session(context, live_server.url, admin, two_factor_done=False)
        sessions[who] = context

    width = viewport["width"]
    problems: list[str] = []
    checked: list[tuple[str, Any]] = []
    tabs = {who: context.new_page() for who, context in sessions.items()}
    for label, who, path, status in _pages(p.owner, p.limited, record, jobs):
        page = tabs[who]
        response = page.goto(path)
        assert response is not None
        if response.status != status or path_of(page) != path.split("?")[0]:
            problems.append(f"{label}: {path} gave {response.status} at {page.url}, expected {status}")
            continue
        checked.append((label, page))
        problems += axe_problems(page, label)
        problems += layout_problems(page, label, width)
        if elder:
            body = page.evaluate(BODY_TEXT_JS)
            if body["fontSize"] < 18 or body["lineHeight"] < 1.3 * body["fontSize"]:
                problems.append(f"{label}: elder mode text is {body}")
    for label, page in _form_states(sessions):
        assert page.locator("[aria-invalid=true], .alert-danger").count() >= 1, label
        problems += axe_problems(page, label)
        problems += layout_problems(page, label, width)

    for who, context in sessions.items():
        problems += [f"console ({who}): {m}" for m in context.console_log.csp_violations()]
    assert not problems, "\n" + "\n".join(problems)
    assert len(checked) == len(_pages(p.owner, p.limited, record, jobs))
