"""Forms of the activity pages: the activity itself, the check-in code, leaders' actions, flags, honours, bars."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.core.formfields import OfficeDateField, OfficeDateTimeField, OfficeDecimalField
from yinling.orgs.models import Org
from yinling.registry.lookups import RetireeField
from yinling.registry.models import Retiree
from yinling.volunteering.models import Activity, Team
from yinling.volunteering.services.activities import EDITABLE

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(forms.ModelForm):  # type: ignore[type-arg]
    """Org and team choices come from the view: orgs where the user may add, teams they may use."""

    class Meta:
        model = Activity
        fields = ("org", *EDITABLE)
        widgets = {"start": DATETIME, "end": DATETIME, "signup_deadline": DATETIME}
        # Typed as offices write them too: 2026年6月1日 9:00, 2026/6/1 09:00, full-width digits.
        field_classes = {
            "start": OfficeDateTimeField,
            "end": OfficeDateTimeField,
            "signup_deadline": OfficeDateTimeField,
        }

    def __init__(self, *args: Any, orgs: QuerySet[Org], teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start", "end", "signup_deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]  # type: ignore[attr-defined]
        self.fields["org"].queryset = orgs.order_by("path")  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams.order_by("name")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["org"].disabled = True
        self.fields["checkin_opens_minutes"].widget.attrs.update(min=0, max=240)
        self.fields["capacity"].widget.attrs.update(min=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must be later than the start."))
        minutes = data.get("checkin_opens_minutes")
        if minutes is not None and minutes > 240:
            self.add_error("checkin_opens_minutes", _("At most 240 minutes."))
        return data

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("org", None)
        return values

    def _post_clean(self) -> None:
        # The service checks and saves (code secret, counters); the model's own validation of a half-built
        # instance would reject a new activity for the missing secret.
        pass


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the organiser shows"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9０-９ ]*",
                "class": "form-control form-control-lg yl-code-input",
                "autofocus": True,
            }
        ),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (told to those signed up)"), max_length=200, required=False)


class ResolveFlagForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(("keep", _("Keep the hours")), ("cut", _("Cut the hours")), ("bar", _("Over-reported: cut and bar"))),
        widget=forms.RadioSelect,
    )
    hours_left = OfficeDecimalField(
        label=_("Hours left after a cut"),
        required=False,
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
    )
    bar_years = forms.TypedChoiceField(
        label=_("Bar for"),
        choices=((1, _("1 year")), (2, _("2 years")), (3, _("3 years"))),
        coerce=int,
        initial=1,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class HonourForm(forms.Form):
    person = RetireeField(label=_("Volunteer"))
    hours_added = OfficeDecimalField(
        label=_("Hours"),
        min_value=Decimal("0.5"),
        max_digits=6,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
    )
    served_on = OfficeDateField(label=_("Served on"), widget=forms.DateInput(attrs={"type": "date"}))
    activity = forms.IntegerField(label=_("Activity No. (optional)"), required=False, min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class BarForm(forms.Form):
    person = RetireeField(label=_("Volunteer"))
    years = forms.TypedChoiceField(
        label=_("Bar for"), choices=((1, _("1 year")), (2, _("2 years")), (3, _("3 years"))), coerce=int
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
