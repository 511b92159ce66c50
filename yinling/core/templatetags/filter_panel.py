"""The list pages' filter panel: the first few filters open, the rest behind "more", and the filters in use
as chips that each remove themselves (issue #11: a search box and three filters, not thirteen fields)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms, template
from django.http import QueryDict
from django.utils.translation import gettext as _

register = template.Library()

# Pages that keep state of their own in the query (paging, sorting) drop it when a filter changes.
NOT_FILTERS = ("page", "sort", "export", "per_page")


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    remove_url: str


def _shown(field: forms.BoundField, raw: list[str]) -> str:
    """What a value reads as: a choice's label, the picker's text, yes/no; else the value as typed."""
    widget_text = field.form.data.get(f"{field.html_name}__text") if hasattr(field.form.data, "get") else None
    if widget_text:
        return str(widget_text)
    choices = getattr(field.field, "choices", None)
    if choices is not None and not isinstance(field.field, forms.ModelChoiceField):
        labels = {str(k): str(v) for k, v in choices if not isinstance(v, list | tuple)}
        return "、".join(labels.get(v, v) for v in raw)
    if isinstance(field.field, forms.NullBooleanField):
        return {"true": _("Yes"), "1": _("Yes"), "false": _("No"), "0": _("No")}.get(raw[0], raw[0])
    value = field.form.cleaned_data.get(field.name) if hasattr(field.form, "cleaned_data") else None
    return str(value) if value not in (None, "", []) else "、".join(raw)


def _in_use(field: forms.BoundField, data: QueryDict) -> list[str]:
    return [v for v in data.getlist(field.html_name) if v not in ("", "unknown")]


@register.simple_tag
def filter_chips(filterset: Any, path: str) -> list[Chip]:
    """The filters in use, each with the address of the same list without it."""
    if filterset is None or not filterset.is_bound:
        return []
    data: QueryDict = filterset.data
    form = filterset.form
    form.is_valid()  # cleaned_data for the labels of chosen objects
    chips = []
    for field in form:
        raw = _in_use(field, data)
        if not raw:
            continue
        rest = [
            (key, value)
            for key in data
            if key not in (field.html_name, f"{field.html_name}__text", *NOT_FILTERS)
            for value in data.getlist(key)
        ]
        query = urlencode(rest)
        chips.append(Chip(str(field.label), _shown(field, raw), f"{path}?{query}" if query else path))
    return chips


@register.simple_tag
def split_filters(filterset: Any, shown: int = 4) -> tuple[list[forms.BoundField], list[forms.BoundField], bool]:
    """(the first `shown` fields, the rest, whether one of the rest is in use: then "more" starts open)."""
    fields = list(filterset.form)
    first, rest = fields[:shown], fields[shown:]
    data = filterset.data if filterset.is_bound else QueryDict()
    return first, rest, any(_in_use(f, data) for f in rest)
