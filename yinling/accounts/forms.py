from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from yinling.accounts.models import User
from yinling.accounts.roles import may_hold, role_choices
from yinling.orgs.models import Org


class StaffCreateForm(forms.ModelForm):
    password1 = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(label=_("Repeat password"), widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "org"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].required = True
        self.fields["full_name"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class StaffEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "org"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].required = True


class AssignRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)
    org = forms.ModelChoiceField(label=_("On org (and its subtree)"), queryset=Org.objects.none(), to_field_name="code")

    def __init__(self, *args: Any, orgs: Any = None, account: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        if account is not None:
            # Only the roles this kind of account may hold: a retiree account is offered no staff role, and a
            # posted one is not a valid choice.
            self.fields["role"].choices = [  # type: ignore[attr-defined]
                (code, label) for code, label in role_choices() if may_hold(account.kind, code)
            ]

    @property
    def has_roles(self) -> bool:
        return bool(self.fields["role"].choices)  # type: ignore[attr-defined]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "elder_mode"]


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
    )
