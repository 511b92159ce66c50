"""The shape of an item's definition (stored as JSON in ServiceItemVersion.definition), its checks, the
approval steps' orgs, and the cleaning of a case's form data against the fields.

    {"fields": [{"name", "label", "type", "required", "choices": [...]}],
     "eligibility": {"categories": ["lixiu"], "min_age": 0, "libraries": ["hardship"]},
     "documents": ["身份证复印件"],
     "steps": [{"name", "role", "level"}],
     "limit_days": 10,
     "applies": ""}            # "info_change": an approved case changes the registry record

Field types: text, number, money, date, choice, yesno, file. Step levels: unit, county, city, province,
relative to the applicant's org in the tree.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.orgs.models import Org

FIELD_TYPES = {
    "text": gettext_lazy("Text"),
    "number": gettext_lazy("Number"),
    "money": gettext_lazy("Amount of money"),
    "date": gettext_lazy("Date"),
    "choice": gettext_lazy("Choice"),
    "yesno": gettext_lazy("Yes or no"),
    "file": gettext_lazy("File (picture or PDF)"),
}
LEVELS = {
    "unit": gettext_lazy("The applicant's unit"),
    "county": gettext_lazy("County bureau"),
    "city": gettext_lazy("City bureau"),
    "province": gettext_lazy("Provincial bureau"),
}
LEVEL_KINDS = {
    "unit": (Org.Kind.UNIT, Org.Kind.STATION),
    "county": (Org.Kind.COUNTY_BUREAU,),
    "city": (Org.Kind.CITY_BUREAU,),
    "province": (Org.Kind.PROVINCE_BUREAU,),
}
LEVEL_ORDER = ["unit", "county", "city", "province"]
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Registry fields an 信息变更 case may change (never identity: ID number, name, birth date).
# The item's "field" choice is stored as these words (data, like the built-in libraries' names).
INFO_FIELDS = {"联系电话": "phone", "居住地址": "address", "所在社区": "community", "特长爱好": "skills"}
# Those the registry keeps encrypted and masked: the case keeps them so too (Case.sensitive_value).
SENSITIVE_INFO = {"phone", "address"}


def split_sensitive(definition: dict[str, Any], data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the form's data to store, the sensitive value to encrypt): an 信息变更 of a phone or an address keeps only
    the value's mask in `data`."""
    from yinling.core.crypto import mask_phone, mask_text

    if definition.get("applies") != "info_change":
        return data, ""
    field = INFO_FIELDS.get(str(data.get("field", "")))
    value = str(data.get("value", ""))
    if field not in SENSITIVE_INFO or not value:
        return data, ""
    return {**data, "value": mask_phone(value) if field == "phone" else mask_text(value)}, value


def check(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition cleaned; ValidationError naming what is wrong."""
    from yinling.accounts import roles

    if not isinstance(definition, dict):
        raise ValidationError(_("The definition must be an object."))
    errors: list[str] = []
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in definition.get("fields") or []:
        name = str(raw.get("name", "")).strip()
        kind = str(raw.get("type", "text"))
        if not NAME_RE.match(name):
            errors.append(_("Field name “%(name)s”: use small letters, digits and _.") % {"name": name})
        if name in seen:
            errors.append(_("Field name “%(name)s” is used twice.") % {"name": name})
        seen.add(name)
        if kind not in FIELD_TYPES:
            errors.append(_("Field “%(name)s”: unknown type %(type)s.") % {"name": name, "type": kind})
        choices = [str(c).strip() for c in raw.get("choices") or [] if str(c).strip()]
        if kind == "choice" and not choices:
            errors.append(_("Field “%(name)s”: a choice needs its options.") % {"name": name})
        label = str(raw.get("label", "")).strip() or name
        fields.append(
            {
                "name": name,
                "label": label[:100],
                "type": kind,
                "required": bool(raw.get("required")),
                "choices": choices if kind == "choice" else [],
            }
        )
    steps: list[dict[str, Any]] = []
    for raw in definition.get("steps") or []:
        role, level = str(raw.get("role", "")), str(raw.get("level", ""))
        if role not in roles.ROLES or role in roles.ADMIN_ROLES:
            errors.append(_("Step “%(name)s”: unknown role %(role)s.") % {"name": raw.get("name", ""), "role": role})
        if level not in LEVELS:
            errors.append(
                _("Step “%(name)s”: unknown level %(level)s.") % {"name": raw.get("name", ""), "level": level}
            )
        steps.append({"name": str(raw.get("name", "")).strip()[:100] or role, "role": role, "level": level})
    if not steps:
        errors.append(_("An item needs at least one approval step."))
    try:
        limit = int(definition.get("limit_days") or 0)
    except (TypeError, ValueError):
        limit = -1
    if not 1 <= limit <= 365:
        errors.append(_("The time limit must be 1 to 365 working days."))
    elig = definition.get("eligibility") or {}
    categories = [c for c in elig.get("categories") or [] if c in ("lixiu", "tuixiu")]
    try:
        min_age = int(elig.get("min_age") or 0)
    except (TypeError, ValueError):
        min_age = -1
    if not 0 <= min_age <= 150:
        errors.append(_("The minimum age must be 0 to 150."))
    libraries = [str(x) for x in elig.get("libraries") or []]
    from yinling.registry.libraries import BUILTIN

    known = {b.key for b in BUILTIN}
    for key in libraries:
        if key not in known:
            errors.append(_("Unknown thematic library %(key)s.") % {"key": key})
    applies = str(definition.get("applies") or "")
    if applies not in ("", "info_change"):
        errors.append(_("Unknown special handling %(x)s.") % {"x": applies})
    if errors:
        raise ValidationError(errors)
    return {
        "fields": fields,
        "eligibility": {"categories": categories, "min_age": min_age, "libraries": libraries},
        "documents": [str(d).strip()[:100] for d in definition.get("documents") or [] if str(d).strip()],
        "steps": steps,
        "limit_days": limit,
        "applies": applies,
    }


def step_org(applicant_org: Org, level: str) -> Org:
    """The org at `level` above (or at) the applicant's org; the nearest higher one when the tree has no such
    level on that branch (a county retiree's "unit" step is their county bureau)."""
    chain = sorted([*applicant_org.ancestors(), applicant_org], key=lambda o: o.depth, reverse=True)  # nearest first
    wanted = LEVEL_ORDER[LEVEL_ORDER.index(level) :]
    for lvl in wanted:
        for org in chain:
            if org.kind in LEVEL_KINDS[lvl]:
                return org
    return chain[-1]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def clean_data(fields: list[dict[str, Any]], data: Any, *, files: set[str] | None = None) -> dict[str, Any]:
    """The form's values checked against the item's fields; ValidationError({field: [message]}).

    File fields are satisfied by `files` (the names of fields with an upload); their value is not stored."""
    if not isinstance(data, dict):
        raise ValidationError({"data": [_("Send the form's values as an object.")]})
    files = files or set()
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in fields:
        name, kind = f["name"], f["type"]
        if kind == "file":
            if f["required"] and name not in files:
                errors[name] = [_("Attach %(label)s.") % {"label": f["label"]}]
            continue
        raw = data.get(name)
        text = _text(raw)
        if text == "" and kind != "yesno":
            if f["required"]:
                errors[name] = [_("Fill in %(label)s.") % {"label": f["label"]}]
            continue
        try:
            out[name] = _one(kind, raw, text, f)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return out


def _one(kind: str, raw: Any, text: str, f: dict[str, Any]) -> Any:
    if kind == "text":
        if len(text) > 1000:
            raise ValueError(_("At most 1000 characters."))
        return text
    if kind in ("number", "money"):
        try:
            value = Decimal(text.replace(",", "").replace("，", ""))
        except InvalidOperation as exc:
            raise ValueError(_("Enter a number.")) from exc
        if not value.is_finite() or value < 0 or value > Decimal("100000000"):
            raise ValueError(_("Enter a number from 0 to 100,000,000."))
        return str(value.quantize(Decimal("0.01"))) if kind == "money" else str(value.normalize())
    if kind == "date":
        try:
            return dt.date.fromisoformat(text[:10].replace("/", "-")).isoformat()
        except ValueError as exc:
            raise ValueError(_("Enter a date as 2026-10-08.")) from exc
    if kind == "choice":
        if text not in f["choices"]:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": "、".join(f["choices"])})
        return text
    if kind == "yesno":
        if isinstance(raw, bool):
            flag = raw
        elif text.lower() in ("1", "true", "yes", "on", "是"):
            flag = True
        elif text.lower() in ("", "0", "false", "no", "off", "否"):
            flag = False
        else:
            raise ValueError(_("Answer yes or no."))
        if f["required"] and not flag:
            raise ValueError(_("This must be confirmed."))
        return flag
    raise ValueError(_("Unknown field type."))
