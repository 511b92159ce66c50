"""Filters as people read them: "全部" for no choice, and yes/no filters that start at "全部".

django-filter's defaults are a row of dashes for an unchosen select and Django's three-way
"未知 / 是 / 否" for a yes/no filter, which reads as if "unknown" were a value the records hold.
`FILTERS_EMPTY_CHOICE_LABEL` (settings) gives the selects "全部"; `YesNoFilter` gives yes/no filters
the same first choice. The values it reads are django-filter's own (true/false, 1/0, yes/no; anything
else means no filter), so the API's parameters do not change."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.forms import NullBooleanSelect
from django.utils.translation import gettext_lazy as _


class AnyYesNoSelect(NullBooleanSelect):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose unchosen state reads "全部" (all records)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", AnyYesNoSelect)
        super().__init__(*args, **kwargs)


# The largest value a database integer column holds (SQLite and PostgreSQL bigint alike): a filter value
# past it would fail in the driver (OverflowError), so the form refuses it first, as any other bad value.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row id in a query string: a whole number from 1 to MAX_ID, else a form error (400 in the API)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A calendar year (1900–2200): anything else is a form error rather than a query no row can match."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2200)
        super().__init__(*args, **kwargs)
