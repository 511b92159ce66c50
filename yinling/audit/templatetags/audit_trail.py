"""{% load audit_trail %}: `record|change_rows`, `record|extra_rows`, `type|object_type_label` (audit.display)."""

from __future__ import annotations

from django import template

from yinling.audit import display
from yinling.audit.models import AuditRecord

register = template.Library()


@register.filter
def change_rows(record: AuditRecord) -> list[tuple[str, tuple[str, str]]]:
    return display.change_rows(record)


@register.filter
def object_type_label(object_type: str) -> str:
    return display.object_type_label(object_type)


@register.filter
def extra_rows(record: AuditRecord) -> list[tuple[str, str]]:
    return display.extra_rows(record)
