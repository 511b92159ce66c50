"""Audit records as people read them: field labels (verbose_name, translated) instead of field names, choice
labels instead of codes. The trail itself keeps names and raw values, so it stays stable across renames and
languages; only the pages translate."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.audit.models import AuditRecord


def model_of(object_type: str) -> type[models.Model] | None:
    """The model an `object_type` ("app_label.modelname") names, or None (sign-ins, purges, removed models)."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = model_of(object_type)
    return capfirst(str(model._meta.verbose_name)) if model is not None else object_type


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A field's translated label; the recorded name itself when the model no longer has the field."""
    field = _field(model, name)
    return capfirst(str(field.verbose_name)) if field is not None else name


def value_label(field: models.Field | None, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.choices and not isinstance(value, list | dict):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return "、".join(value_label(field if field is not None and field.choices else None, v) for v in value)
    return str(value)


def shown_changes(record: AuditRecord) -> Any:
    """The record's changes as the audit pages and exports show them: a model's `audit_display_masks`
    ({field: function}) applied to both sides (the registry's birth dates show as the year only)."""
    model = model_of(record.object_type)
    masks = getattr(model, "audit_display_masks", {}) if model is not None else {}
    changes = record.changes
    if not masks or not isinstance(changes, dict):
        return changes
    shown = {}
    for name, pair in changes.items():
        mask = masks.get(name)
        if mask is not None:
            pair = [mask(v) for v in pair] if isinstance(pair, list | tuple) else mask(pair)
        shown[name] = pair
    return shown


def change_rows(record: AuditRecord) -> list[tuple[str, tuple[str, str]]]:
    """[(field label, (before, after))] for a record's changes, in the record's order."""
    model = model_of(record.object_type)
    rows = []
    changes = shown_changes(record)
    for name, pair in (changes or {}).items():
        field = _field(model, name)
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        rows.append((field_label(model, name), (value_label(field, before), value_label(field, after))))
    return rows


# The keys services write into `extra`, as an auditor reads them. A key missing here shows as written (a new
# service's key, until it is added); `test_display` checks every key the code writes has a label.
EXTRA_LABELS = {
    "account": gettext_lazy("Account"),
    "attempts_cleared": gettext_lazy("Failed attempts cleared"),
    "cancelled": gettext_lazy("Cancelled"),
    "created": gettext_lazy("Created"),
    "cutoff": gettext_lazy("Cut-off"),
    "default_org": gettext_lazy("Default org"),
    "deleted": gettext_lazy("Records deleted"),
    "descendants": gettext_lazy("Orgs below moved"),
    "devices_removed": gettext_lazy("Devices removed"),
    "document_no": gettext_lazy("Document number"),
    "event": gettext_lazy("Event"),
    "expires": gettext_lazy("Expires"),
    "fields": gettext_lazy("Fields"),
    "file": gettext_lazy("File"),
    "filters": gettext_lazy("Filters"),
    "format": gettext_lazy("Format"),
    "from": gettext_lazy("From"),
    "from_org": gettext_lazy("From org"),
    "from_org_path": gettext_lazy("From org (tree path)"),
    "ids": gettext_lazy("Records"),
    "inherits_from": gettext_lazy("Inherits from"),
    "ip": gettext_lazy("Address"),
    "job": gettext_lazy("Job"),
    "job_kind": gettext_lazy("Job kind"),
    "moved": gettext_lazy("Moved"),
    "on_behalf": gettext_lazy("On behalf of"),
    "org": gettext_lazy("Org"),
    "provider": gettext_lazy("As a provider"),
    "reason": gettext_lazy("Reason"),
    "reset": gettext_lazy("Password reset"),
    "rejected": gettext_lazy("Rejected"),
    "retiree": gettext_lazy("Retiree"),
    "rows": gettext_lazy("Rows"),
    "sheet": gettext_lazy("Sheet"),
    "soft": gettext_lazy("Soft delete"),
    "source": gettext_lazy("Source"),
    "to": gettext_lazy("To"),
    "to_org": gettext_lazy("To org"),
    "transfer": gettext_lazy("Transfer"),
    "token_key": gettext_lazy("Token"),
    "tokens_revoked": gettext_lazy("Tokens revoked"),
    "answer": gettext_lazy("Answer"),
    "kind": gettext_lazy("Kind"),
    "tries": gettext_lazy("Tries"),
    "unchanged": gettext_lazy("Unchanged"),
    "unmasked": gettext_lazy("Unmasked"),
    "up_to_seq": gettext_lazy("Up to record"),
    "updated": gettext_lazy("Updated"),
    "username": gettext_lazy("Username"),
    "via": gettext_lazy("Via"),
    # The senior university (campus).
    "attended": gettext_lazy("Meetings attended"),
    "held": gettext_lazy("Meetings held"),
    "meetings": gettext_lazy("Meetings"),
    "digest": gettext_lazy("Results SHA-256"),
    "seed_sha256": gettext_lazy("Seed SHA-256"),
    "due": gettext_lazy("Due"),
    "until": gettext_lazy("Until"),
    "self_service": gettext_lazy("Taken by the student"),
    "enrolled": gettext_lazy("Seats won"),
    "waitlisted": gettext_lazy("Waitlist places"),
    "not_drawn": gettext_lazy("Not drawn"),
    "applicants": gettext_lazy("Applicants"),
    "slots": gettext_lazy("Class times"),
    # Services and cases (网上办).
    "item_version": gettext_lazy("Service item version"),
    "comment": gettext_lazy("Comment"),
    # Care.
    "campaign": gettext_lazy("Campaign"),
    # 平安报 status rounds.
    "round": gettext_lazy("平安报 round"),
    "people": gettext_lazy("People in the round"),
    "counts": gettext_lazy("Counts by status"),
}
EVENT_LABELS = {
    "job_started": gettext_lazy("Job started"),
    "account_activated": gettext_lazy("Account activated"),
    "activation_code_issued": gettext_lazy("Activation code issued"),
    "account_opened": gettext_lazy("Account opened"),
    "acting_started": gettext_lazy("Started acting on behalf"),
    "acting_stopped": gettext_lazy("Stopped acting on behalf"),
    "api_token_revoked": gettext_lazy("API token revoked"),
    "api_tokens_revoked": gettext_lazy("API tokens revoked"),
    "deactivated": gettext_lazy("Deactivated"),
    "joined": gettext_lazy("Joined"),
    "moved": gettext_lazy("Moved"),
    "password_changed": gettext_lazy("Password changed"),
    "reset_two_factor": gettext_lazy("Two-factor reset"),
    "role_changed": gettext_lazy("Role changed"),
    "subtree_moved": gettext_lazy("Subtree moved"),
    "two_factor_enrolled": gettext_lazy("Two-factor enrolled"),
    "two_factor_failed": gettext_lazy("Two-factor code refused"),
    "unlock": gettext_lazy("Unlocked"),
    # The senior university (campus).
    "campus_enrolled": gettext_lazy("Enrolled in a class"),
    "campus_waitlisted": gettext_lazy("Joined a class's waitlist"),
    "campus_applied": gettext_lazy("Applied for a class (lottery)"),
    "campus_withdrawn": gettext_lazy("Withdrew from a class"),
    "campus_offered": gettext_lazy("Offered a freed seat"),
    "campus_accepted": gettext_lazy("Accepted an offered seat"),
    "campus_declined": gettext_lazy("Declined an offered seat"),
    "campus_offer_expired": gettext_lazy("Offered seat expired"),
    "campus_fee_paid": gettext_lazy("Class fee recorded as paid"),
    "campus_fee_lapsed": gettext_lazy("Seat freed: fee not paid in time"),
    "campus_drawn": gettext_lazy("Lottery drawn"),
    "campus_certificate": gettext_lazy("Completion certificate issued"),
    "campus_checkin_code": gettext_lazy("Checked in to a class with the code"),
    "campus_present": gettext_lazy("Marked present"),
    "campus_absent": gettext_lazy("Marked absent"),
    "campus_meetings_generated": gettext_lazy("Class meetings generated"),
    # Services and cases (网上办).
    "item_defined": gettext_lazy("Service item defined"),
    "item_edited": gettext_lazy("Service item edited"),
    "case_filed": gettext_lazy("Service case filed"),
    "case_approve": gettext_lazy("Service case step approved"),
    "case_return": gettext_lazy("Service case returned for correction"),
    "case_reject": gettext_lazy("Service case rejected"),
    "case_resubmitted": gettext_lazy("Service case resubmitted"),
    "case_escalated": gettext_lazy("Service case escalated past its time limit"),
    # Care.
    "care_plan_opened": gettext_lazy("Care plan opened"),
    "care_plan_set": gettext_lazy("Care plan set"),
    "care_event": gettext_lazy("Care event recorded"),
    "care_visit": gettext_lazy("Visit recorded"),
    "care_campaign_created": gettext_lazy("Campaign created"),
    "care_campaign_built": gettext_lazy("Campaign list built"),
    "care_campaign_closed": gettext_lazy("Campaign closed"),
    "care_target_added": gettext_lazy("Added to a campaign list"),
    "care_target_assigned": gettext_lazy("Campaign visit assigned"),
    "care_policy_written": gettext_lazy("一人一策 plan written"),
    "care_policy_reviewed": gettext_lazy("一人一策 plan reviewed"),
    "round_opened": gettext_lazy("平安报 round opened"),
    "round_entry_recorded": gettext_lazy("平安报 answer recorded"),
    "round_closed": gettext_lazy("平安报 round closed"),
}


def _extra_value(key: str, value: Any) -> str:
    if key == "event" and isinstance(value, str):
        return str(EVENT_LABELS.get(value, value))
    if key == "reason" and isinstance(value, str) and value in EVENT_LABELS:
        # Services that act because of an event name it by its code (tokens revoked for "role_changed").
        return str(EVENT_LABELS[value])
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items()) or "—"
    return value_label(None, value if not isinstance(value, list) else [str(v) for v in value])


def extra_rows(record: AuditRecord) -> list[tuple[str, str]]:
    """[(label, value)] for a record's details (`extra`), labels translated."""
    return [(str(EXTRA_LABELS.get(key, key)), _extra_value(key, value)) for key, value in (record.extra or {}).items()]
