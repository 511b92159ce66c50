"""Forms for the time bank pages: large, plain controls for members; staff forms for the desk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.orgs.lookups import OrgField
from yinling.orgs.models import Org
from yinling.registry.lookups import RetireeField
from yinling.registry.models import Retiree
from yinling.timebank import services
from yinling.timebank.models import ServiceRequest


def _hours_label(hours: Decimal) -> str:
    return gettext("%(h)s hours") % {"h": hours}


# Labels translated when shown, in the language of the request that shows them.
HALF_HOURS = [(str(Decimal(n) / 2), lazy(_hours_label, str)(Decimal(n) / 2)) for n in range(1, 17)]
RATINGS = [
    (5, _("5 stars: very satisfied")),
    (4, _("4 stars: satisfied")),
    (3, _("3 stars: acceptable")),
    (2, _("2 stars: not satisfied")),
    (1, _("1 star: very unsatisfied")),
]


# <input type="date"> takes only ISO dates; the locale's input format (2026/05/01 in Chinese) leaves it blank.
HTML_DATE, HTML_TIME = "%Y-%m-%d", "%H:%M"


def hours_field(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=Decimal("0.5"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "inputmode": "decimal"}),
    )


class NeedForm(forms.Form):
    """What a member (or someone for them) needs: for whom, kind of help, when, about how long.

    `people` are whom the member may post for (registry.acting.family_of: themselves first, then their
    recorded relatives); "for whom" is asked only when there is a choice. Staff forms pass none."""

    for_whom = forms.TypedChoiceField(label=_("Who is the help for?"), coerce=int, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        label=_("What help do you need?"), choices=ServiceRequest.Category.choices, widget=forms.RadioSelect
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format=HTML_DATE))
    start = forms.TimeField(label=_("From (time)"), widget=forms.TimeInput(attrs={"type": "time"}, format=HTML_TIME))
    expected_hours = forms.TypedChoiceField(label=_("About how long"), choices=HALF_HOURS, coerce=Decimal, initial="1")
    description = forms.CharField(label=_("Anything the helper should know"), max_length=300, required=False)
    community = forms.CharField(
        label=_("Community"), max_length=100, required=False, help_text=_("Leave empty to use the one on record.")
    )

    def __init__(self, *args: Any, people: list[Retiree] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        self.fields["day"].initial = tomorrow
        self.fields["start"].initial = dt.time(9, 0)
        self.people = {p.pk: p for p in people or []}
        self.me = people[0] if people else None
        if self.me is not None and len(self.people) > 1:
            me, *relatives = people or []
            choices = [(me.pk, gettext("Myself (%(name)s)") % {"name": me.name})]
            choices += [(r.pk, f"{r.name}（{r.org.name}）") for r in relatives]
            self.fields["for_whom"].choices = choices  # type: ignore[attr-defined]
            self.fields["for_whom"].initial = me.pk
        else:
            del self.fields["for_whom"]

    def for_person(self) -> Retiree | None:
        """The person chosen in "for whom" (the member when there was no choice; None on staff forms)."""
        if self.me is None:
            return None
        return self.people.get(self.cleaned_data.get("for_whom") or self.me.pk, self.me)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, hours = data.get("day"), data.get("start"), data.get("expected_hours")
        if day and start and hours:
            starts_at = timezone.make_aware(dt.datetime.combine(day, start))
            problem = services.start_problem(starts_at)
            if problem:
                self.add_error("day", problem)
            data["starts_at"] = starts_at
            # The window leaves an hour's margin around the expected length.
            data["ends_at"] = starts_at + dt.timedelta(hours=float(hours) + 1)
        return data

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "category": d["category"],
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "expected_hours": d["expected_hours"],
            "description": d.get("description", ""),
            "community": d.get("community", ""),
        }


class StaffNeedForm(NeedForm):
    """Staff post a need for a member (代办): the member chosen with the search picker, within the user's scope."""

    recipient = RetireeField(label=_("Member"))
    field_order = ["recipient"]

    def __init__(self, *args: Any, people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = people  # type: ignore[attr-defined]
        self.fields["start"].required = True


class HoursForm(forms.Form):
    hours = hours_field(_("Hours"))


class DonateForm(forms.Form):
    hours = hours_field(_("Hours to donate"), _("They go to the mutual-aid pool, which helps elders in need."))


class GiftForm(forms.Form):
    to = forms.TypedChoiceField(label=_("To which relative"), coerce=int, widget=forms.RadioSelect)
    hours = hours_field(_("Hours to give"))

    def __init__(self, *args: Any, relatives: list[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(r.pk, f"{r.name}（{r.org.name}）") for r in relatives]  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    hours = hours_field(_("Hours you actually served"), _("In half hours, for example 1.5."))


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the service?"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class JoinForm(forms.Form):
    as_provider = forms.BooleanField(label=_("I can also help others (aged 55–75, in good health)"), required=False)


class EnrolForm(forms.Form):
    as_provider = forms.BooleanField(label=_("Register as a service provider"), required=False)


class GrantForm(forms.Form):
    member = RetireeField(label=_("Member"))
    hours = hours_field(_("Hours"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, people: QuerySet[Retiree] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = people  # type: ignore[attr-defined]


class IssueForm(forms.Form):
    hours = hours_field(_("Hours to issue"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    document_no = forms.CharField(label=_("Document number"), max_length=100, help_text=_("e.g. 浙老干〔2026〕1号"))


class ResolveForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours to pay the provider (0 for none)"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
    )
    note = forms.CharField(label=_("How the dispute was settled"), max_length=300)


class StatementForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format=HTML_DATE)
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format=HTML_DATE)
    )


class ReportFilterForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    # Keyed by code, as the report's URLs (and its export link) always were.
    org = OrgField(label=_("org"), required=False, params={"for": "timebank.account", "action": "view"})

    def __init__(self, *args: Any, orgs: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def clean_month(self) -> dt.date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            year, month = (int(x) for x in value.split("-")[:2])
            return dt.date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError(_("Use a month like 2026-05.")) from exc


class AssignForm(forms.Form):
    """Staff match an open need with a provider, chosen with the search picker within their scope."""

    provider = RetireeField(label=_("provider"))

    def __init__(self, *args: Any, people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = people  # type: ignore[attr-defined]
