"""Forms: the applicant's form built from an item's fields, the staff form builder (an item's settings, its
fields and its steps as formsets: no code), the decision, and a working-day override."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yinling.cases import definition as spec
from yinling.cases.models import WorkdayOverride
from yinling.orgs.lookups import OrgField
from yinling.orgs.models import Org


def case_form(
    fields: list[dict[str, Any]], data: Any = None, files: Any = None, initial: dict[str, Any] | None = None
) -> forms.Form:
    """A Django form with one control per item field; values are checked again by definition.clean_data."""
    form = forms.Form(data=data, files=files, initial=initial)
    for f in fields:
        label, required = f["label"], bool(f["required"])
        kind = f["type"]
        field: forms.Field
        if kind == "choice":
            field = forms.ChoiceField(
                label=label, required=required, choices=[(c, c) for c in f["choices"]], widget=forms.RadioSelect
            )
        elif kind == "yesno":
            field = forms.BooleanField(label=label, required=required)
        elif kind == "date":
            field = forms.CharField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
        elif kind in ("number", "money"):
            field = forms.CharField(
                label=label, required=required, widget=forms.TextInput(attrs={"inputmode": "decimal"})
            )
        elif kind == "file":
            field = forms.FileField(
                label=label,
                required=required and not (initial or {}).get(f"__has_{f['name']}"),
                help_text=_("A photo or a PDF file, up to 10 MB."),
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
            )
        else:
            field = forms.CharField(
                label=label, required=required, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
            )
        form.fields[f["name"]] = field
    return form


class ItemForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=40, help_text=_("Letters, digits and _ (used by the API)."))
    name = forms.CharField(label=_("name"), max_length=100)
    org = OrgField(
        label=_("offered in the subtree of"),
        queryset=Org.objects.none(),
        params={"for": "cases.serviceitem", "action": "add"},
    )
    limit_days = forms.IntegerField(label=_("time limit (working days)"), min_value=1, max_value=365)
    categories = forms.MultipleChoiceField(
        label=_("who may apply"),
        required=False,
        choices=[("lixiu", "离休"), ("tuixiu", "退休")],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone."),
    )
    min_age = forms.IntegerField(label=_("minimum age"), min_value=0, max_value=150, initial=0)
    libraries = forms.MultipleChoiceField(
        label=_("only people in these thematic libraries"), required=False, widget=forms.CheckboxSelectMultiple
    )
    documents = forms.CharField(
        label=_("documents to attach"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    is_active = forms.BooleanField(label=_("offered now"), required=False, initial=True)

    def __init__(self, *args: Any, orgs: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from yinling.registry.libraries import BUILTIN

        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["libraries"].choices = [(b.key, b.name) for b in BUILTIN]  # type: ignore[attr-defined]
        if editing:
            del self.fields["code"]
            del self.fields["org"]


class FieldRow(forms.Form):
    name = forms.RegexField(label=_("field name"), regex=spec.NAME_RE, max_length=40, required=False)
    label = forms.CharField(label=_("label"), max_length=100, required=False)
    type = forms.ChoiceField(label=_("type"), choices=list(spec.FIELD_TYPES.items()), initial="text")
    required = forms.BooleanField(label=_("required"), required=False)
    choices = forms.CharField(label=_("options (for a choice, separated by commas)"), max_length=500, required=False)


class StepRow(forms.Form):
    name = forms.CharField(label=_("step"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("role"), choices=[])
    level = forms.ChoiceField(label=_("level"), choices=list(spec.LEVELS.items()))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from yinling.accounts import roles

        self.fields["role"].choices = [  # type: ignore[attr-defined]
            (r.code, r.label) for r in roles.ROLES.values() if r.code not in roles.ADMIN_ROLES and not r.for_retirees
        ]


FieldRows = forms.formset_factory(FieldRow, extra=2, can_delete=True, max_num=40)
StepRows = forms.formset_factory(StepRow, extra=1, can_delete=True, max_num=10)


def definition_from(form: ItemForm, fields: Any, steps: Any) -> dict[str, Any]:
    data = form.cleaned_data
    rows = [r for r in fields.cleaned_data if r and not r.get("DELETE") and r.get("name")]
    step_rows = [r for r in steps.cleaned_data if r and not r.get("DELETE") and r.get("role")]
    return {
        "fields": [
            {
                "name": r["name"],
                "label": r["label"] or r["name"],
                "type": r["type"],
                "required": r["required"],
                "choices": [c.strip() for c in r["choices"].replace("，", ",").split(",") if c.strip()],
            }
            for r in rows
        ],
        "eligibility": {
            "categories": data["categories"],
            "min_age": data["min_age"] or 0,
            "libraries": data["libraries"],
        },
        "documents": [d.strip() for d in (data["documents"] or "").splitlines() if d.strip()],
        "steps": [{"name": r["name"], "role": r["role"], "level": r["level"]} for r in step_rows],
        "limit_days": data["limit_days"],
    }


def initial_from(definition: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    elig = definition.get("eligibility") or {}
    head = {
        "limit_days": definition.get("limit_days"),
        "categories": elig.get("categories", []),
        "min_age": elig.get("min_age", 0),
        "libraries": elig.get("libraries", []),
        "documents": "\n".join(definition.get("documents", [])),
    }
    fields = [dict(f, choices=", ".join(f.get("choices", []))) for f in definition.get("fields", [])]
    return head, fields, list(definition.get("steps", []))


class DecideForm(forms.Form):
    action = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("Approve")), ("return", _("Return for correction")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to return (say what to fix) or reject (say why)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class WorkdayForm(forms.ModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["day", "is_workday", "note"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}
