"""The staff form for an org's own time bank rule; the checks are services_rules.problems()."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yinling.timebank.services import rules as services_rules

UNIT_CHOICES = [("0.5", _("Half an hour")), ("1", _("One hour"))]


def _age(label: Any, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(
            attrs={"min": services_rules.AGE_LOW, "max": services_rules.AGE_HIGH, "inputmode": "numeric"}
        ),
    )


def _hours(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "inputmode": "decimal"}),
    )


class RuleForm(forms.Form):
    provider_min_age = _age(_("Youngest helper age"), _("Helpers must be at least this old (default 55)."))
    provider_max_age = _age(_("Oldest helper age"), _("Helpers must be at most this old (default 75)."))
    recipient_priority_age = _age(
        _("Priority recipients from age"),
        _("From this age services are paid by the mutual-aid pool (default 80)."),
    )
    balance_cap = _hours(
        _("Balance cap (hours)"),
        _("Earnings above it go to the mutual-aid pool and the member is told (default 1500)."),
    )
    daily_cap = _hours(_("Daily service cap per helper (hours)"), _("At most 24 (default 8)."))
    starter_hours = _hours(
        _("Starter hours"), _("Given from the pool to each member who joins from now on (default 0).")
    )
    unit = forms.TypedChoiceField(label=_("Smallest unit"), choices=UNIT_CHOICES, coerce=Decimal)
    reason = forms.CharField(
        label=_("Reason or document number"),
        max_length=200,
        help_text=_("Kept in the audit trail with the change."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, messages in services_rules.problems(data).items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services_rules.FIELDS}

    @classmethod
    def initial_from(cls, values: dict[str, Any]) -> dict[str, Any]:
        """The values as a person types them: 900 and 0.5, not 900.00 and 0.50."""
        return {name: services_rules.plain(value) for name, value in values.items()}


class RemoveRuleForm(forms.Form):
    reason = forms.CharField(label=_("Reason or document number"), max_length=200)


class RuleSearchForm(forms.Form):
    q = forms.CharField(label=_("Find an org (name or code)"), max_length=50, required=False)
