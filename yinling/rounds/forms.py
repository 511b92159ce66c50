"""Forms of the round pages: opening (an org picked with the picker), recording, closing, the member's needs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import orgs_where
from yinling.orgs.lookups import OrgField
from yinling.orgs.models import Org
from yinling.rounds.models import EntryStatus, Round, Source
from yinling.rounds.services.entries import MAX_NEEDS


class OpenRoundForm(forms.Form):
    org = OrgField(
        label=_("Org (the round covers it and everything below it)"),
        queryset=Org.objects.none(),
        params={"for": "rounds.round", "action": "add"},
    )
    title = forms.CharField(label=_("Title"), max_length=100, help_text=_("For example: 台风“烟花”平安报"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs_where(user, Round, "add")  # type: ignore[attr-defined]


class EntryForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s, label) for s, label in EntryStatus.choices if s != EntryStatus.NOT_REACHED],
    )
    source = forms.ChoiceField(
        label=_("How they were reached"),
        choices=[(s, label) for s, label in Source.choices if s in (Source.CALL, Source.VISIT)],
        initial=Source.CALL,
    )
    needs = forms.CharField(
        label=_("What help is needed"), required=False, max_length=MAX_NEEDS, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == EntryStatus.NEEDS_HELP and not (data.get("needs") or "").strip():
            self.add_error("needs", _("Say what help is needed."))
        return data


class QuickForm(forms.Form):
    """One tap from the list: safe or unreachable, by phone call."""

    status = forms.ChoiceField(choices=[(EntryStatus.SAFE, ""), (EntryStatus.UNREACHABLE, "")])
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class NeedsForm(forms.Form):
    needs = forms.CharField(
        label=_("What do you need?"),
        max_length=MAX_NEEDS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please write what you need, in a few words.")},
    )


class CloseForm(forms.Form):
    report = forms.CharField(
        label=_("Report"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, what was done for those who needed help, what remains."),
    )


class EntryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *EntryStatus.choices],
    )
    org = OrgField(label=_("Org"), queryset=Org.objects.none(), required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
