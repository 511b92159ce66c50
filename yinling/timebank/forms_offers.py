"""Forms for offers: a helper publishes a skill; a member (or someone for them) books one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.registry.lookups import RetireeField
from yinling.registry.models import Retiree
from yinling.timebank.forms import NeedForm
from yinling.timebank.models import ServiceRequest


class OfferForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What can you help with?"), choices=ServiceRequest.Category.choices, widget=forms.RadioSelect
    )
    skill = forms.CharField(
        label=_("Describe your help"),
        max_length=200,
        help_text=_("For example: I can teach video calls on a smartphone."),
        error_messages={"required": _("Say in a few words what help you offer.")},
    )
    available = forms.CharField(
        label=_("When are you available?"),
        max_length=80,
        help_text=_("For example: weekday mornings."),
        error_messages={"required": _("Say when you are usually free, for example weekday mornings.")},
    )
    community = forms.CharField(
        label=_("Community"), max_length=100, required=False, help_text=_("Leave empty to use the one on record.")
    )

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d.get(k, "") for k in ("category", "skill", "available", "community")}


class _Booking:
    cleaned_data: dict[str, Any]

    def book_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "expected_hours": d["expected_hours"],
            "description": d.get("description", ""),
        }


class BookForm(_Booking, NeedForm):
    """When, and for whom: the member, or a relative recorded in the registry (see NeedForm)."""

    field_order = ["for_whom", "day", "start", "expected_hours", "description"]

    def __init__(self, *args: Any, people: list[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, people=people, **kwargs)
        del self.fields["category"], self.fields["community"]
        self.order_fields(self.field_order)

    def recipient(self) -> Retiree:
        person = self.for_person()
        assert person is not None  # a member form always has people
        return person


class StaffBookForm(_Booking, NeedForm):
    """Staff book an offer for a member (代办), chosen with the search picker within the user's scope."""

    recipient = RetireeField(label=_("Member"))
    field_order = ["recipient", "day", "start", "expected_hours", "description"]

    def __init__(self, *args: Any, people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["category"], self.fields["community"]
        self.fields["recipient"].queryset = people  # type: ignore[attr-defined]
        self.order_fields(self.field_order)
