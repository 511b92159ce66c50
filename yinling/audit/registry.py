"""Automatic change records for registered models (create, update, delete, field by field).

Why not django-auditlog or django-simple-history: our trail must be one append-only,
hash-chained, org-scoped table that also holds sign-ins, exports and sensitive views,
with sensitive values masked before they are written. The signal wiring below is the
small part of those libraries we need.

Bulk writes (`bulk_create`, `update()`) send no signals: services that use them call
`services.record()` themselves. A `do_*` service that writes its own record for an action (with the
event and its reason) runs its saves inside `explicit()`, so the same change is not recorded twice.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from yinling.audit.models import AuditRecord
from yinling.audit.services import record

MASK = "******"
_registered: dict[type[models.Model], dict[str, Any]] = {}
_explicit: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_explicit", default=False)


@contextmanager
def explicit() -> Iterator[None]:
    """Inside, saves and deletes of registered models write no automatic record: the caller writes its own."""
    token = _explicit.set(True)
    try:
        yield
    finally:
        _explicit.reset(token)


def register(
    model: type[models.Model],
    *,
    exclude: tuple[str, ...] = (),
    sensitive: tuple[str, ...] = (),
    masker: Callable[[str, Any], Any] | None = None,
) -> None:
    exclude = tuple(exclude) + tuple(getattr(model, "audit_exclude", ()))
    sensitive = tuple(sensitive) + tuple(getattr(model, "audit_sensitive", ()))
    _registered[model] = {"exclude": exclude, "sensitive": sensitive, "masker": masker}
    uid = f"audit-{model._meta.label_lower}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-del")


def is_registered(model: type[models.Model]) -> bool:
    return model in _registered


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    opts = _registered[model]
    return [
        f
        for f in model._meta.concrete_fields
        if f.attname not in opts["exclude"] and f.name not in opts["exclude"] and not f.primary_key
    ]


def snapshot(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in _tracked_fields(type(instance))}


def _display(model: type[models.Model], field_name: str, value: Any) -> Any:
    opts = _registered[model]
    if field_name in opts["sensitive"] or field_name.removesuffix("_id") in opts["sensitive"]:
        if value in (None, ""):
            return value
        return opts["masker"](field_name, value) if opts["masker"] else MASK
    return value


def mask_value(model: type[models.Model], field_name: str, value: Any) -> Any:
    """A value as the trail may hold it: masked when the field is sensitive."""
    return _display(model, field_name, value) if model in _registered else value


def diff(model: type[models.Model], before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changes[name] = [_display(model, name, old), _display(model, name, new)]
    return changes


def _pre_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if raw or _explicit.get() or instance.pk is None or instance._state.adding:
        instance._audit_before = None  # type: ignore[attr-defined]
        return
    fields = [f.attname for f in _tracked_fields(sender)]
    instance._audit_before = sender._base_manager.filter(pk=instance.pk).values(*fields).first()  # type: ignore[attr-defined]


def _post_save(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or _explicit.get():
        return
    after = snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        changes = diff(sender, {}, {k: v for k, v in after.items() if v not in (None, "")})
        record(AuditRecord.Action.CREATE, instance, changes=changes)
    else:
        changes = diff(sender, before, after)
        if changes:
            record(AuditRecord.Action.UPDATE, instance, changes=changes)


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if _explicit.get():
        return
    before = snapshot(instance)
    record(AuditRecord.Action.DELETE, instance, changes=diff(sender, before, {k: None for k in before}))


def changes_since(instance: models.Model, before: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Field-by-field changes (masked) of a registered model since `before`, a snapshot(); None for a new row."""
    after = snapshot(instance)
    if before is None:
        return diff(type(instance), {}, {k: v for k, v in after.items() if v not in (None, "")})
    return diff(type(instance), before, after)


def deleted_changes(instance: models.Model) -> dict[str, list[Any]]:
    """The changes a deletion records: every tracked value, to nothing."""
    before = snapshot(instance)
    return diff(type(instance), before, {k: None for k in before})
