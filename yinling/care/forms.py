"""Care's forms. People are chosen with the registry's search picker; workers from the staff of the user's
care scope; dates read as offices write them (core.formfields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.care import rules
from yinling.care.models import Campaign, EventKind, Occasion, Risk, VisitKind
from yinling.core.formfields import OfficeDateField, OfficeDateTimeField
from yinling.orgs.models import Org
from yinling.registry.lookups import RetireeField
from yinling.registry.models import Retiree

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = getattr(obj, "full_name", "") or obj.username
        org = getattr(getattr(obj, "org", None), "name", "")
        return f"{name}（{org}）" if org else str(name)


class VisitForm(forms.Form):
    """Recording a visit on a phone: the kind as big choices, today by default, the rest short text."""

    retiree = RetireeField(label=_("Retiree"))
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=VisitKind.choices, widget=forms.RadioSelect)
    visited_on = OfficeDateField(label=_("Date"), widget=DATE)
    visitors = forms.CharField(label=_("Visitors"), max_length=200)
    occasion = forms.ChoiceField(label=_("Occasion"), choices=Occasion.choices, initial=Occasion.ROUTINE)
    given = forms.CharField(label=_("What was given"), max_length=200, required=False)
    needs = forms.CharField(
        label=_("Needs found"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(label=_("Follow-up task"), max_length=300, required=False)
    open_case = forms.BooleanField(label=_("A service case should be opened"), required=False)
    photo = forms.ImageField(label=_("Photo (optional, at most 5 MB)"), required=False)

    def __init__(self, *args: Any, people: QuerySet[Retiree], fixed: Retiree | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retiree"].queryset = people  # type: ignore[attr-defined]
        self.fields["visited_on"].initial = timezone.localdate()
        if fixed is not None:
            del self.fields["retiree"]
        self.fixed = fixed

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("retiree", None)
        return data


class PlanForm(forms.Form):
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices)
    worker = WorkerField(label=_("Responsible worker"), queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args: Any, workers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=EventKind.choices)
    happened_at = OfficeDateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ended_on = OfficeDateField(label=_("Ended (left hospital)"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PolicyForm(forms.Form):
    needs = forms.CharField(label=_("Needs"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("Measures"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    responsible = WorkerField(label=_("Responsible person"), queryset=None, required=False)
    review_months = forms.IntegerField(label=_("Review every (months)"), min_value=1, max_value=12, initial=6)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args: Any, workers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = workers  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    reviewed_on = OfficeDateField(label=_("Reviewed on"), widget=DATE)
    notes = forms.CharField(label=_("What the review found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()


class CampaignForm(forms.Form):
    org = forms.ModelChoiceField(label=_("Org"), queryset=Org.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    starts_on = OfficeDateField(label=_("Starts"), widget=DATE)
    ends_on = OfficeDateField(label=_("Ends"), widget=DATE)
    codes = forms.MultipleChoiceField(
        label=_("Who is visited"), choices=rules.choices_list, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, orgs: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    """Assign the campaign's unassigned targets under an org (or all of them) to one worker."""

    org = forms.ModelChoiceField(label=_("People managed under"), queryset=Org.objects.none(), required=False)
    worker = WorkerField(label=_("Worker"), queryset=None)
    only_unassigned = forms.BooleanField(label=_("Only those not yet assigned"), required=False, initial=True)

    def __init__(self, *args: Any, orgs: QuerySet[Any], workers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]
