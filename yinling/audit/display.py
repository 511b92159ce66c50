"""Audit records as people read them: field labels (verbose_name, translated) instead of field names, choice
labels instead of codes. The trail itself keeps names and raw values, so it stays stable across renames and
languages; only the pages translate."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

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


def change_rows(record: AuditRecord) -> list[tuple[str, tuple[str, str]]]:
    """[(field label, (before, after))] for a record's changes, in the record's order."""
    model = model_of(record.object_type)
    rows = []
    for name, pair in (record.changes or {}).items():
        field = _field(model, name)
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        rows.append((field_label(model, name), (value_label(field, before), value_label(field, after))))
    return rows
