from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.orgs.lookups import OrgField
from yinling.orgs.models import Org
from yinling.registry import choices
from yinling.registry.idcard import birth_shown
from yinling.registry.models import FamilyContact, Library, Retiree
from yinling.registry.schema import BY_KEY
from yinling.registry.validation import clean_record, parse_phone

SENSITIVE = ("id_number", "phone", "address", "health_notes")


def _blank(choices_list: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *choices_list]


class RetireeForm(forms.Form):
    """Create or edit a record. Validation is `validation.clean_record`, the same as the import's."""

    org = OrgField(label=_("managing org"), to_field_name=None)
    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    category = forms.ChoiceField(label=_("category"), choices=_blank(choices.Category.choices))
    gender = forms.ChoiceField(
        label=_("gender"),
        choices=_blank(choices.Gender.choices),
        required=False,
        help_text=_("Left empty, it is taken from the ID number."),
    )
    birth_date = forms.CharField(
        label=_("birth date"), required=False, help_text=_("Left empty, it is taken from the ID number.")
    )
    ethnic = forms.ChoiceField(label=_("ethnic group"), choices=choices.ethnic_choices, initial="01")
    former_name = forms.CharField(label=_("former name"), required=False, max_length=50)
    native_place = forms.CharField(label=_("native place"), required=False, max_length=50)
    education = forms.ChoiceField(label=_("education"), choices=_blank(choices.Education.choices), required=False)
    political = forms.ChoiceField(
        label=_("political status"), choices=_blank(choices.Political.choices), required=False
    )
    party_joined = forms.CharField(label=_("joined the party"), required=False, help_text=_("e.g. 1965-07"))
    work_started = forms.CharField(label=_("started work"), required=False, help_text=_("e.g. 1968-08"))
    retired_on = forms.CharField(label=_("retired"), required=False, help_text=_("e.g. 2005-10"))
    former_unit = forms.CharField(label=_("former unit"), required=False, max_length=100)
    former_post = forms.CharField(label=_("former post"), required=False, max_length=100)
    rank = forms.CharField(label=_("rank"), required=False, max_length=50)
    treatment_level = forms.CharField(label=_("treatment level"), required=False, max_length=50)
    treatment_document = forms.CharField(label=_("approval document"), required=False, max_length=100)
    placement = forms.ChoiceField(label=_("placement"), choices=_blank(choices.Placement.choices), required=False)
    address = forms.CharField(label=_("address"), required=False, max_length=200)
    community = forms.CharField(label=_("street / community"), required=False, max_length=100)
    phone = forms.CharField(label=_("phone"), required=False, max_length=30)
    health = forms.ChoiceField(label=_("health"), choices=_blank(choices.Health.choices), required=False)
    health_notes = forms.CharField(label=_("health details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    living = forms.ChoiceField(label=_("living situation"), choices=_blank(choices.Living.choices), required=False)
    disabled = forms.BooleanField(label=_("disabled"), required=False)
    special_flags = forms.MultipleChoiceField(
        label=_("special groups"),
        choices=choices.SpecialFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = forms.CharField(label=_("skills and hobbies"), required=False, max_length=200)
    contributions = forms.MultipleChoiceField(
        label=_("contribution"),
        choices=choices.Contribution.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    honours = forms.CharField(label=_("honours"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, instance: Retiree | None = None, orgs: Any = None, reveal: bool = True, **kwargs: Any
    ) -> None:
        self.instance = instance
        self.reveal = reveal
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance, reveal)
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        # The picker offers the orgs where the user may add (or change) records, as `orgs` holds.
        org_field: Any = self.fields["org"]
        org_field.set_params(**{"for": "registry.retiree", "action": "change" if instance else "add"})
        if instance is not None and not reveal:
            # Without the right to see them, sensitive values are not sent to the browser:
            # an empty input keeps what is stored.
            for key in SENSITIVE:
                masked = {
                    "id_number": instance.id_masked,
                    "phone": instance.phone_masked,
                    "address": instance.address_masked,
                }.get(key, "****")
                self.fields[key].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {"masked": masked}
        elif instance is None:
            self.fields["id_number"].required = True

    @staticmethod
    def initial_from(r: Retiree, reveal: bool) -> dict[str, Any]:
        data = {
            key: getattr(r, key)
            for key in (
                "name",
                "category",
                "gender",
                "ethnic",
                "former_name",
                "native_place",
                "education",
                "political",
                "party_joined",
                "work_started",
                "retired_on",
                "former_unit",
                "former_post",
                "rank",
                "treatment_level",
                "treatment_document",
                "placement",
                "community",
                "health",
                "living",
                "disabled",
                "special_flags",
                "skills",
                "contributions",
                "honours",
                "version",
            )
        }
        data["org"] = r.org_id
        data["birth_date"] = r.birth_date.isoformat() if reveal else birth_shown(r.birth_date)
        if reveal:
            data.update({key: getattr(r, key) for key in SENSITIVE})
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = {k: v for k, v in data.items() if k in BY_KEY}
        if self.instance is not None:
            # An empty sensitive input keeps what is stored (for editors who never saw it, it was empty).
            id_kept = not raw.get("id_number")
            for key in SENSITIVE:
                if not raw.get(key):
                    raw[key] = getattr(self.instance, key)
            if id_kept and (message := keep_birth_date(raw, self.instance)):
                self.add_error("birth_date", message)
        result = clean_record(raw)
        for key, message in result.errors:
            field = key if key in self.fields else None
            self.add_error(field, f"{BY_KEY[key].header}{message}" if field is None else message)
        self.values = result.values
        self.warnings = result.warnings
        return data


def keep_birth_date(raw: dict[str, Any], instance: Retiree) -> str | None:
    """With the stored ID number kept, the birth date is the stored one (the number holds it).

    An editor without the sensitive right sees only its year, and a different date must
    not be answered with "does not match the birth date in the ID number (1945-03-01)": that would
    tell them the whole date. So the shown year or the stored date keep it, and anything else is
    refused with a message that names no date. Returns that message, or None.
    """
    given = str(raw.get("birth_date") or "").strip()
    stored = instance.birth_date
    raw["birth_date"] = stored
    if given in {"", birth_shown(stored), stored.isoformat()}:
        return None
    return gettext("The birth date comes from the ID number: to change it, correct the ID number.")


class ContactForm(forms.ModelForm):
    phone = forms.CharField(label=_("phone"), required=False, max_length=30)

    class Meta:
        model = FamilyContact
        fields = ["relation", "name", "phone", "is_emergency"]

    def __init__(self, *args: Any, reveal: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reveal = reveal
        if not reveal and self.instance.pk:
            # As on the record's form: a stored phone is not sent to editors who may not see it,
            # and an empty input keeps it.
            self.initial["phone"] = ""
            self.fields["phone"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.phone_masked or "—"
            }

    def clean_phone(self) -> str:
        if not self.reveal and self.instance.pk and not self.cleaned_data.get("phone"):
            return self.instance.phone or ""
        try:
            return parse_phone(self.cleaned_data.get("phone"))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class _ContactsOf(forms.BaseInlineFormSet):
    """The contacts of a record the view has already looked up in the user's scope."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", FamilyContact.objects.unrestricted())
        super().__init__(*args, **kwargs)

    def add_fields(self, form: Any, index: Any) -> None:
        super().add_fields(form, index)
        # Django offers every contact's id here; a posted id can only name one of this record's contacts.
        form.fields["id"].queryset = self.get_queryset()


ContactFormSet = forms.inlineformset_factory(
    Retiree, FamilyContact, form=ContactForm, formset=_ContactsOf, extra=1, can_delete=True
)


class DeathForm(forms.Form):
    deceased_on = forms.DateField(label=_("date of death"), widget=forms.DateInput(attrs={"type": "date"}))


class TransferForm(forms.Form):
    to_org = OrgField(
        label=_("New managing org"),
        # The destination only has to exist: moves between cities are routine (异地安置, services.do_transfer).
        queryset=Org.objects.unrestricted().filter(is_active=True),
        params={"scope": "all"},
        help_text=_("Type the destination org's name or code and choose it; it may be in another city."),
    )
    reason = forms.CharField(label=_("reason"), max_length=200)


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)


class LibraryForm(forms.ModelForm):
    org = OrgField(label=_("org"), to_field_name=None, params={"for": "registry.library", "action": "add"})

    class Meta:
        model = Library
        fields = ["name", "description", "org", "shared"]
