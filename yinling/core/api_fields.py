"""API fields that read dates as offices write them (2026年6月1日, 2026.6.1, full-width digits, 9点30分), by the
same rules as the pages' `core.formfields` and the imports' cell parsers; ISO 8601 always works."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yinling.core.formfields import office_date, office_moment


class OfficeDateTime(serializers.DateTimeField):
    """ISO 8601, or a date and time as offices write them (2026年6月1日 9:00), read in the local time zone."""

    def to_internal_value(self, value: Any) -> Any:
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError:
            moment = office_moment(value)
            if moment is None:
                raise
            return super().to_internal_value(moment.replace(" ", "T"))


class OfficeDate(serializers.DateField):
    """ISO 8601, or a date as offices write it (2026年6月1日, 2026.6.1, 2026/6/1, full-width digits)."""

    def to_internal_value(self, value: Any) -> Any:
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError:
            day = office_date(value) if isinstance(value, str) else None
            if day is None:
                raise
            return day
