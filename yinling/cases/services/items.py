"""Defining and editing service items: each edit adds an immutable version (cases keep theirs)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.cases import definition as spec
from yinling.cases import policy
from yinling.cases.models import ServiceItem, ServiceItemVersion
from yinling.core.refusals import Refused
from yinling.core.scoping import can
from yinling.orgs.models import Org


@transaction.atomic
def do_define_item(*, by: Any, org: Org, code: str, name: str, definition: dict[str, Any]) -> ServiceItem:
    if not policy.may_define(by, org):
        raise PermissionDenied
    cleaned = spec.check(definition)
    if ServiceItem.objects.unrestricted().filter(code=code).exists():
        raise Refused("duplicate", _("An item with the code %(code)s exists already.") % {"code": code})
    item = ServiceItem.objects.create(code=code, name=name, org=org)
    version = ServiceItemVersion.objects.create(item=item, number=1, definition=cleaned, created_by=by)
    item.current = version
    item.save(update_fields=["current"])
    record(AuditRecord.Action.CREATE, item, extra={"event": "item_defined", "item_version": 1})
    return item


@transaction.atomic
def do_edit_item(
    *, by: Any, item: ServiceItem, name: str, definition: dict[str, Any], is_active: bool = True
) -> ServiceItem:
    if not can(by, "change", item):
        raise PermissionDenied
    cleaned = spec.check(definition)
    locked = ServiceItem.objects.unrestricted().select_for_update().get(pk=item.pk)
    last = locked.versions.order_by("-number").first()
    changes: dict[str, Any] = {}
    if locked.name != name:
        changes["name"] = [locked.name, name]
    if locked.is_active != is_active:
        changes["is_active"] = [locked.is_active, is_active]
    locked.name, locked.is_active = name, is_active
    number = last.number if last else 0
    if last is None or last.definition != cleaned:
        number += 1
        locked.current = ServiceItemVersion.objects.create(
            item=locked, number=number, definition=cleaned, created_by=by
        )
    locked.save(update_fields=["name", "is_active", "current"])
    record(AuditRecord.Action.UPDATE, locked, changes=changes, extra={"event": "item_edited", "item_version": number})
    return locked
