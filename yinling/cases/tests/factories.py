"""Test objects of the cases app: items on the personas' tree (testing/personas.py)."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from yinling.cases import builtin
from yinling.cases.models import ServiceItem
from yinling.orgs.models import Org

TWO_STEPS: dict[str, Any] = {
    "fields": [
        {"name": "reason", "label": "情况说明", "type": "text", "required": True},
        {"name": "amount", "label": "金额", "type": "money", "required": False},
    ],
    "steps": [
        {"name": "县级审核", "role": "clerk", "level": "county"},
        {"name": "市局审批", "role": "bureau_admin", "level": "city"},
    ],
    "limit_days": 5,
}


def item(org: Org, code: str = "aid", definition: dict[str, Any] | None = None, name: str = "帮扶") -> ServiceItem:
    from yinling.cases.definition import check
    from yinling.cases.models import ServiceItemVersion

    made = ServiceItem.objects.create(code=code, name=name, org=org)
    made.current = ServiceItemVersion.objects.create(item=made, number=1, definition=check(definition or TWO_STEPS))
    made.save(update_fields=["current"])
    return made


def builtins(org: Org) -> dict[str, ServiceItem]:
    builtin.load(org)
    return {i.code: i for i in ServiceItem.objects.unrestricted().all()}


def photo(name: str = "photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
