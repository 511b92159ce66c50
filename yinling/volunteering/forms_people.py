"""Forms of the people half: the volunteer profile (member and staff), teams, pairings, stories, nominations,
targets. People and orgs are chosen with the search pickers, never typed ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.core.formfields import OfficeDateField
from yinling.orgs.lookups import OrgField
from yinling.orgs.models import Org
from yinling.registry.lookups import RetireeField
from yinling.registry.models import Retiree
from yinling.volunteering.models import Membership, Nomination, Skill, Target, Team, Volunteer


class ProfileForm(forms.Form):
    """The volunteer's profile, as the retiree fills it in on the phone (elder mode) or staff for them."""

    skills = forms.MultipleChoiceField(
        label=_("What can you help with?"),
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    specialities = forms.CharField(
        label=_("Specialities"), max_length=200, required=False, help_text=_("For example: 书法, 太极拳, 老年病防治")
    )
    availability = forms.CharField(
        label=_("When are you available?"), max_length=100, required=False, help_text=_("For example: 周二、周四上午")
    )
    service_areas = forms.CharField(
        label=_("Where can you serve?"), max_length=200, required=False, help_text=_("Streets or communities")
    )
    insurance = forms.ChoiceField(
        label=_("Accident insurance"),
        choices=Volunteer.Insurance.choices,
        widget=forms.RadioSelect,
        initial=Volunteer.Insurance.NONE,
    )
    insurance_expires = OfficeDateField(
        label=_("Insurance expires"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    returning_talent = forms.BooleanField(label=_("银雁返乡: I serve my home village"), required=False)
    home_village = forms.CharField(label=_("Home village"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("insurance") == Volunteer.Insurance.INSURED and not data.get("insurance_expires"):
            self.add_error("insurance_expires", _("Enter when the insurance expires."))
        if data.get("returning_talent") and not (data.get("home_village") or "").strip():
            self.add_error("home_village", _("Enter your home village."))
        return data

    @classmethod
    def initial_for(cls, volunteer: Volunteer) -> dict[str, Any]:
        initial: dict[str, Any] = {key: getattr(volunteer, key) for key in cls.base_fields if key != "skills"}
        initial["skills"] = volunteer.skill_list
        return initial

    def values(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(key) for key in self.fields if key != "retiree"}


class StaffRegisterForm(ProfileForm):
    retiree = RetireeField(label=_("Retiree"))
    field_order = ["retiree"]

    def __init__(self, *args: Any, people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retiree"].queryset = people  # type: ignore[attr-defined]
        self.fields["skills"].label = _("Skills")
        self.fields["availability"].label = _("Availability")
        self.fields["service_areas"].label = _("Service areas")
        self.fields["returning_talent"].label = _("银雁返乡 talent")


class TeamForm(forms.ModelForm):
    org = OrgField(
        label=_("org"),
        queryset=Org.objects.unrestricted(),
        params={"for": "volunteering.team", "action": "add"},
        to_field_name=None,
    )

    class Meta:
        model = Team
        fields = ["org", "name", "kind", "parent", "description"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Team.objects.restrict(user, "view").select_related("org").order_by("org__path", "name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parent"].required = False


class VolunteerPicked(forms.Form):
    """A form whose `volunteer` is chosen with the registry's search picker among `people` (active volunteers
    the user may act on) and cleans to the Volunteer."""

    def __init__(self, *args: Any, people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = people  # type: ignore[attr-defined]

    def clean_volunteer(self) -> Volunteer | None:
        retiree = self.cleaned_data.get("volunteer")
        if retiree is None:
            return None
        # The person was chosen among `people` (scoped by the caller): their volunteer record.
        return Volunteer.objects.unrestricted().filter(retiree=retiree, is_active=True).first()


class MemberAddForm(VolunteerPicked):
    volunteer = RetireeField(label=_("Volunteer"))
    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PairingForm(VolunteerPicked):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    volunteer = RetireeField(label=_("volunteer"))
    minor_name = forms.CharField(label=_("child's name"), max_length=50)
    village = forms.CharField(label=_("village"), max_length=100)
    since = OfficeDateField(label=_("paired since"), widget=forms.DateInput(attrs={"type": "date"}))
    ended_on = OfficeDateField(label=_("ended"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, teams: QuerySet[Team], people: QuerySet[Retiree], **kwargs: Any) -> None:
        super().__init__(*args, people=people, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    visited_on = OfficeDateField(label=_("visited on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class StoryForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100)
    body = forms.CharField(label=_("story"), widget=forms.Textarea(attrs={"rows": 8}))
    photo = forms.ImageField(label=_("photo"), required=False, help_text=_("A JPEG, PNG or WebP picture, up to 5 MB."))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish")), ("return", _("Return to the author"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note to the author"), max_length=300, required=False)


class NominationForm(VolunteerPicked):
    kind = forms.ChoiceField(label=_("kind"), choices=Nomination.Kind.choices, widget=forms.RadioSelect)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)
    volunteer = RetireeField(label=_("volunteer"), required=False)
    materials = forms.CharField(label=_("materials"), widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(label=_("attachment"), required=False)

    def __init__(self, *args: Any, teams: QuerySet[Team], people: QuerySet[Retiree], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, people=people, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Nomination.Kind.TEAM and not data.get("team"):
            self.add_error("team", _("Choose the team you nominate."))
        if data.get("kind") == Nomination.Kind.STAR and not data.get("volunteer"):
            self.add_error("volunteer", _("Choose the volunteer you nominate."))
        return data


class TargetForm(forms.ModelForm):
    org = OrgField(
        label=_("org"),
        queryset=Org.objects.unrestricted(),
        params={"for": "volunteering.target", "action": "add"},
        to_field_name=None,
    )

    class Meta:
        model = Target
        fields = ["org", "year", "top_teams", "stories", "star_volunteers", "volunteers"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": dt.date.today().year})
        super().__init__(*args, **kwargs)
