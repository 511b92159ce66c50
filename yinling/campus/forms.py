"""The registrars' desk forms: schools, sites, terms, courses, sections, pledges and the roster's actions.

Choices come from the view (what the user may use); the services check again and refuse with why.
Dates and times accept office spellings (2027年3月1日, 2027/3/1 9点, full-width digits).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.campus.forms_slots import SlotsField
from yinling.campus.models import Course, SafetyPledge, School, Section, Site, Term
from yinling.core.formfields import OfficeDateField, OfficeDateTimeField, OfficeDecimalField
from yinling.orgs.lookups import OrgField
from yinling.orgs.models import Org
from yinling.registry.lookups import RetireeField
from yinling.registry.models import Retiree

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _given(queryset: QuerySet[Any] | None, model: type[Any]) -> QuerySet[Any]:
    return queryset if queryset is not None else model.objects.none()


def choose_from(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Offer `queryset` in a choice field; when there is only one choice (a county's one school), choose it."""
    field.queryset = queryset  # type: ignore[attr-defined]
    only = list(queryset[:2])
    if len(only) == 1 and field.initial is None:
        field.initial = only[0].pk


class SchoolForm(forms.ModelForm):  # type: ignore[type-arg]
    """A school is its org's; the org is chosen once (ObjectEditView narrows it to where the user may add)."""

    org = OrgField(label=_("org"), queryset=Org.objects.unrestricted().filter(is_active=True))

    class Meta:
        model = School
        fields = ("org", "name", "women_from", "men_from", "age_until", "returning_priority")
        labels = {"name": _("school name")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["org"]

    def rules(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("org", "name")}


class SiteForm(forms.ModelForm):  # type: ignore[type-arg]
    """A site is an existing org in the school's subtree (a branch, a community, a station), picked by name or code."""

    org = OrgField(
        label=_("org"),
        queryset=Org.objects.unrestricted().filter(is_active=True),
        help_text=_("The org where classes are held: the school's own org or one below it."),
    )
    latitude = OfficeDecimalField(label=_("latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = OfficeDecimalField(label=_("longitude"), max_digits=9, decimal_places=6, required=False)

    class Meta:
        model = Site
        fields = ("school", "org", "name", "kind", "address", "latitude", "longitude", "rooms", "opening_hours")
        labels = {"name": _("site name")}

    def __init__(self, *args: Any, schools: QuerySet[School] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["org"]
            del self.fields["school"]
        else:
            choose_from(self.fields["school"], _given(schools, School).order_by("name"))

    def clean_latitude(self) -> Any:
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise forms.ValidationError(_("A latitude is between -90 and 90."))
        return value

    def clean_longitude(self) -> Any:
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise forms.ValidationError(_("A longitude is between -180 and 180."))
        return value

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("school", "org", "name")}


class TermForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new term: how it enrols first, then its dates (the service makes and publishes the lottery seed)."""

    starts = OfficeDateField(label=_("classes start"), widget=DATE)
    ends = OfficeDateField(label=_("classes end"), widget=DATE)
    apply_from = OfficeDateTimeField(label=_("enrolment opens"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    apply_until = OfficeDateTimeField(label=_("enrolment closes"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    fees_due = OfficeDateField(label=_("fees due by"), widget=DATE, required=False)

    class Meta:
        model = Term
        fields = (
            "mode",
            "school",
            "name",
            "starts",
            "ends",
            "apply_from",
            "apply_until",
            "limit",
            "choices",
            "fees_due",
            "offer_hours",
        )
        labels = {"name": _("term name")}
        widgets = {"mode": forms.RadioSelect}

    def __init__(self, *args: Any, schools: QuerySet[School] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self.fields["school"], _given(schools, School).order_by("name"))
        self.fields["limit"].widget.attrs.update(min=1, max=20)
        self.fields["choices"].widget.attrs.update(min=1, max=10)
        self.fields["choices"].help_text = _("Only for a lottery: how many classes a person may rank.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("Classes cannot end before they start."))
        opens, closes = data.get("apply_from"), data.get("apply_until")
        if opens and closes and closes <= opens:
            self.add_error("apply_until", _("Enrolment must close after it opens."))
        return data

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "school"}

    def _post_clean(self) -> None:
        # The service builds and saves the term (with its seed); a half-built instance is not validated here.
        pass


class CourseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Course
        fields = ("school", "name", "category", "description", "prerequisite")
        labels = {"name": _("course name")}

    def __init__(self, *args: Any, schools: QuerySet[School] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prerequisites = Course.objects.unrestricted().filter(is_deleted=False).select_related("school")
        if self.instance.pk:
            del self.fields["school"]
            prerequisites = prerequisites.filter(school_id=self.instance.school_id).exclude(pk=self.instance.pk)
        else:
            school_qs = _given(schools, School).order_by("name")
            choose_from(self.fields["school"], school_qs)
            prerequisites = prerequisites.filter(school__in=school_qs)
        self.fields["prerequisite"].queryset = prerequisites.order_by("name")  # type: ignore[attr-defined]
        self.fields["prerequisite"].help_text = _("A course of the same school to finish first (optional).")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        school = data.get("school") or (self.instance.school if self.instance.pk else None)
        prerequisite = data.get("prerequisite")
        if school is not None and prerequisite is not None and prerequisite.school_id != school.pk:
            self.add_error("prerequisite", _("A prerequisite must be a course of the same school."))
        return data

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("school", "name")}


SECTION_FIELDS = ("name", "teacher", "room", "capacity", "fee", "waitlist", "age_min", "age_max", "live_url")


class SectionForm(forms.ModelForm):  # type: ignore[type-arg]
    """A class: its course, term and site (fixed once made), seats, fee and weekly times."""

    slots = SlotsField()
    fee = OfficeDecimalField(label=_("fee (yuan)"), max_digits=8, decimal_places=2, min_value=0, initial=0)
    live_url = forms.URLField(label=_("live class link"), required=False, assume_scheme="https")

    class Meta:
        model = Section
        fields = ("term", "course", "site", *SECTION_FIELDS)

    def __init__(
        self,
        *args: Any,
        terms: QuerySet[Term] | None = None,
        courses: QuerySet[Course] | None = None,
        sites: QuerySet[Site] | None = None,
        slots_editable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs.update(min=1)
        if self.instance.pk:
            for name in ("term", "course", "site"):
                del self.fields[name]
        else:
            self.fields["term"].queryset = _given(terms, Term).select_related("school")  # type: ignore[attr-defined]
            self.fields["course"].queryset = _given(courses, Course).order_by("name")  # type: ignore[attr-defined]
            self.fields["site"].queryset = _given(sites, Site).order_by("name")  # type: ignore[attr-defined]
        if not slots_editable:
            self.fields["slots"].disabled = True
            self.fields["slots"].required = False
            self.fields["slots"].help_text = _("People already hold places in this class: its times stay as they are.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and high < low:
            self.add_error("age_max", _("The maximum age cannot be below the minimum."))
        term, course, site = data.get("term"), data.get("course"), data.get("site")
        if term and course and course.school_id != term.school_id:
            self.add_error("course", _("The course must be one of the term's school."))
        if term and site and site.school_id != term.school_id:
            self.add_error("site", _("The site must be one of the term's school."))
        return data

    def values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in SECTION_FIELDS if k in self.cleaned_data}

    def _post_clean(self) -> None:
        # The service creates and updates sections (seats are only ever changed there).
        pass


class PledgeForm(forms.ModelForm):  # type: ignore[type-arg]
    """A family safety pledge on file, for a person in the user's area at a school they can see."""

    retiree = RetireeField(label=_("Retiree"))
    signed_on = OfficeDateField(label=_("signed on"), widget=DATE)
    valid_until = OfficeDateField(label=_("valid until"), widget=DATE, required=False)

    class Meta:
        model = SafetyPledge
        fields = ("retiree", "school", "signed_by", "signed_on", "valid_until")

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Retiree] | None = None,
        schools: QuerySet[School] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retiree"].queryset = people if people is not None else Retiree.objects.none()  # type: ignore[attr-defined]
        choose_from(self.fields["school"], _given(schools, School).order_by("name"))
        if self.instance.pk:
            self.fields["retiree"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        signed, until = data.get("signed_on"), data.get("valid_until")
        if signed and signed > timezone.localdate():
            self.add_error("signed_on", _("A pledge cannot be signed in the future."))
        if signed and until and until < signed:
            self.add_error("valid_until", _("A pledge cannot run out before it is signed."))
        return data


class EnrolForm(forms.Form):
    """代办: a registrar enrols a retiree of their area in a class."""

    retiree = RetireeField(label=_("Enrol a retiree on their behalf"))

    def __init__(self, *args: Any, people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retiree"].queryset = people  # type: ignore[attr-defined]


class FeeForm(forms.Form):
    paid_on = OfficeDateField(label=_("Paid on"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()

    def clean_paid_on(self) -> Any:
        value = self.cleaned_data["paid_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A fee cannot be paid in the future."))
        return value
