"""The step engine: file a case, decide its current step (approve, return, reject), resubmit it.

Every action locks the case row, checks the optimistic `version` when the caller sends one (`stale` when
someone acted since the page was loaded), writes a CaseEvent and an audit record, and tells the applicant.
A refusal rolls everything back: `not_eligible`, `duplicate` (an open case of the same item), `not_your_step`,
`closed` (decided already), `stale`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.cases import definition as spec
from yinling.cases import notices, policy, workdays
from yinling.cases.models import OPEN, Case, CaseEvent, ServiceItem
from yinling.cases.services.uploads import save_uploads
from yinling.core.refusals import Refused
from yinling.core.scoping import can_at
from yinling.registry import acting
from yinling.registry.models import Retiree

ACTIONS = ("approve", "return", "reject")


def today() -> Any:
    return timezone.localdate()


def _check_filer(by: Any, retiree: Retiree) -> bool:
    """Whether `by` files on the retiree's behalf; PermissionDenied / Refused when they may not at all."""
    me = acting.retiree_of(by)
    if me is not None:
        acting.require_family(me, retiree)
        return me.pk != retiree.pk
    if not can_at(by, Case, "add", retiree.org):
        raise PermissionDenied
    return True


def _event(case: Case, action: str, by: Any, comment: str = "") -> CaseEvent:
    name = getattr(by, "full_name", "") or getattr(by, "username", "") if by is not None else ""
    return CaseEvent.objects.create(
        case=case, step=case.step, step_name=case.step_name, action=action, by=by, by_name=name, comment=comment[:500]
    )


def _lock(case: Case, expected_version: int | None) -> Case:
    locked = (
        Case.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("item", "item_version", "retiree__org")
    )
    found = locked.get(pk=case.pk)
    if expected_version is not None and found.version != expected_version:
        if not found.is_open:
            raise Refused("closed", _("This case is already closed."))
        raise Refused("stale", _("Someone acted on this case since you opened it. Reload the page and look again."))
    return found


def _bump(case: Case, fields: list[str]) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version"])


def _enter_step(case: Case, index: int) -> None:
    step = case.item_version.steps[index]
    case.step = index
    case.step_org = spec.step_org(case.retiree.org, step["level"])
    case.escalated = False
    case.flagged_on = None


@transaction.atomic
def do_file(
    *, by: Any, item: ServiceItem, retiree: Retiree, data: Any, files: Mapping[str, UploadedFile] | None = None
) -> Case:
    """`by` files a case of `item` for `retiree` (themselves, a recorded relative, or as staff: 代办)."""
    on_behalf = _check_filer(by, retiree)
    files = files or {}
    version = item.current
    if version is None or not item.is_active or not policy.offered_items(retiree).filter(pk=item.pk).exists():
        raise Refused("not_eligible", _("This service is not offered to this person."))
    reason = policy.ineligible_reason(retiree, version.definition)
    if reason:
        raise Refused("not_eligible", reason)
    file_fields = {f["name"] for f in version.fields if f["type"] == "file"}
    cleaned, secret = spec.split_sensitive(
        version.definition, spec.clean_data(version.fields, data, files={k for k in files if k in file_fields})
    )
    # The person's row serialises their own filings: two taps of "send" cannot open two cases.
    Retiree.objects.unrestricted().select_for_update().filter(pk=retiree.pk).first()
    if Case.objects.unrestricted().filter(OPEN, retiree=retiree, item=item).exists():
        raise Refused("duplicate", _("There is already an open application for this service."))
    case = Case(
        item=item,
        item_version=version,
        retiree=retiree,
        org=retiree.org,
        filed_by=by,
        on_behalf=on_behalf,
        data=cleaned,
        sensitive_value=secret,
        due_on=workdays.add_workdays(today(), version.limit_days),
    )
    _enter_step(case, 0)
    case.save()
    save_uploads(case, {k: v for k, v in files.items() if k in file_fields})
    _event(case, CaseEvent.Action.FILED, by)
    record(
        AuditRecord.Action.CREATE,
        case,
        extra={"event": "case_filed", "on_behalf": on_behalf, "retiree": retiree.pk, "item_version": version.number},
    )
    notices.to_applicant(case, "filed", by=by)
    notices.to_step_owners(case, policy.step_holders(case), "waiting")
    return case


@transaction.atomic
def do_decide(*, by: Any, case: Case, action: str, comment: str = "", expected_version: int | None = None) -> Case:
    """The current step's owner approves (next step, or completed), returns (to the applicant, with what to
    fix) or rejects (with a reason)."""
    if action not in ACTIONS:
        raise ValidationError({"action": [_("Choose approve, return or reject.")]})
    comment = (comment or "").strip()
    if action in ("return", "reject") and not comment:
        raise ValidationError({"comment": [_("Say why, so the applicant knows what to do.")]})
    case = _lock(case, expected_version)
    if not case.is_open:
        raise Refused("closed", _("This case is already closed."))
    if case.status != Case.Status.IN_PROGRESS or not policy.may_decide(by, case):
        raise Refused("not_your_step", _("This case is not waiting for you."))
    step_before = case.step
    _event(case, action, by, comment)
    fields = ["status", "step", "step_org", "escalated", "flagged_on", "days_left", "closed_at", "on_time"]
    fields.append("sensitive_value")
    event = action
    if action == "approve":
        if case.step + 1 < len(case.item_version.steps):
            _enter_step(case, case.step + 1)
        else:
            _apply_effect(by, case)
            case.status = Case.Status.COMPLETED
            event = "complete"
            _event(case, CaseEvent.Action.COMPLETE, by)
    elif action == "return":
        case.status = Case.Status.RETURNED
        case.days_left = max(1, workdays.workdays_between(today(), case.due_on)) if case.due_on else None
    else:
        case.status = Case.Status.REJECTED
    if case.status in (Case.Status.COMPLETED, Case.Status.REJECTED):
        case.closed_at = timezone.now()
        case.sensitive_value = ""  # the registry holds it now, or it was refused: keep no copy
        case.on_time = case.due_on is None or today() <= case.due_on
    _bump(case, fields)
    record(
        AuditRecord.Action.UPDATE,
        case,
        changes={"status": [None, case.status], "step": [step_before, case.step]},
        extra={"event": f"case_{action}", "comment": comment[:200]},
    )
    notices.to_applicant(case, event, by=by, comment=comment)
    if case.status == Case.Status.IN_PROGRESS:
        notices.to_step_owners(case, [u for u in policy.step_holders(case) if u.pk != by.pk], "waiting")
    return case


def _apply_effect(by: Any, case: Case) -> None:
    """An approved 信息变更 changes the registry record through the registry's own service (its policy, its
    audit and its optimistic lock); a record changed meanwhile refuses as `stale`."""
    if case.item_version.definition.get("applies") != "info_change":
        return
    from yinling.registry.services import EditConflict, do_update_retiree

    field = spec.INFO_FIELDS.get(str(case.data.get("field", "")))
    value = (case.sensitive_value or str(case.data.get("value", ""))).strip()
    if field is None or not value:
        raise Refused("invalid", _("The change asked for names no field of the record that can be changed."))
    retiree = Retiree.objects.unrestricted().get(pk=case.retiree_id)
    try:
        do_update_retiree(by=by, retiree=retiree, values={field: value}, expected_version=retiree.version)
    except EditConflict as exc:
        raise Refused("stale", _("The record was changed meanwhile. Look at it again and approve again.")) from exc


@transaction.atomic
def do_resubmit(
    *,
    by: Any,
    case: Case,
    data: Any,
    files: Mapping[str, UploadedFile] | None = None,
    expected_version: int | None = None,
) -> Case:
    """The applicant (or their 代办) sends the fixed form: back to the step that returned it."""
    _check_filer(by, case.retiree)
    case = _lock(case, expected_version)
    if case.status != Case.Status.RETURNED:
        if not case.is_open:
            raise Refused("closed", _("This case is already closed."))
        raise Refused("not_your_step", _("This case is not waiting for you to fix it."))
    files = files or {}
    version = case.item_version
    file_fields = {f["name"] for f in version.fields if f["type"] == "file"}
    have = set(case.attachments.values_list("field", flat=True)) | {k for k in files if k in file_fields}
    case.data, case.sensitive_value = spec.split_sensitive(
        version.definition, spec.clean_data(version.fields, data, files=have)
    )
    save_uploads(case, {k: v for k, v in files.items() if k in file_fields})
    case.status = Case.Status.IN_PROGRESS
    case.due_on = workdays.add_workdays(today(), case.days_left or 1)
    case.days_left = None
    _event(case, CaseEvent.Action.RESUBMIT, by)
    _bump(case, ["data", "sensitive_value", "status", "due_on", "days_left"])
    record(
        AuditRecord.Action.UPDATE, case, extra={"event": "case_resubmitted", "on_behalf": by != case.retiree.account}
    )
    notices.to_step_owners(case, policy.step_holders(case), "waiting")
    return case
