"""Retiree accounts: open one and print its activation code, activation, acting on a retiree's behalf."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from yinling.core.crypto import mask_phone
from yinling.core.scoping import can
from yinling.registry import accounts
from yinling.registry.models import Retiree


def _retiree(request: HttpRequest, pk: int, action: str) -> Retiree:
    """404 outside the user's subtrees (and for deleted records), 403 without `action`."""
    retiree = get_object_or_404(
        Retiree.objects.restrict(request.user, None).filter(is_deleted=False).select_related("org"), pk=pk
    )
    if not can(request.user, action, retiree):
        raise PermissionDenied
    return retiree


def _elder(request: HttpRequest) -> bool:
    """Retiree-facing pages start in elder mode unless this browser switched it off."""
    user: Any = request.user
    if user.is_authenticated:
        return bool(user.elder_mode)
    return request.COOKIES.get("elder_mode") != "0"


@never_cache
@login_required
@require_POST
def account_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the account if need be, issue a new activation code, and show it once on a printable sheet."""
    retiree = _retiree(request, pk, "open_account")
    try:
        user, code, opened = accounts.issue_activation_code(by=request.user, retiree=retiree)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(retiree.get_absolute_url())
    pending = accounts.pending_code(user)
    # never_cache: no-store, so the code does not stay in a browser or proxy cache.
    return render(
        request,
        "registry/account_code_sheet.html",
        {
            "object": retiree,
            "account": user,
            "opened": opened,
            "code": code,
            "code_spaced": f"{code[:4]} {code[4:]}",
            "expires_at": pending.expires_at if pending else None,
            "phone_masked": mask_phone(retiree.phone or ""),
            "activate_url": request.build_absolute_uri(reverse("accounts:activate")),
            "login_url": request.build_absolute_uri(reverse("accounts:login")),
        },
    )


class ActivationForm(forms.Form):
    identifier = forms.CharField(
        label=gettext_lazy("Your phone number"),
        help_text=gettext_lazy(
            "The number the bureau has on record for you. If your sheet shows a sign-in name instead "
            "(like r000042), type that."
        ),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Activation code (8 digits on your sheet)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Choose a password"),
        help_text=gettext_lazy(
            "At least 10 characters. A short sentence you will remember works well, such as "
            "“west lake in spring 1949”; no symbols or capital letters needed. Not your phone "
            "number, not digits of your ID number."
        ),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Type the same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same. Please type them again."))
        return data


@never_cache
@sensitive_post_parameters("code", "password1", "password2")
def activate(request: HttpRequest) -> HttpResponse:
    """Public: phone number + activation code + a new password → the account is ready and signed in."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.activate(identifier=data["identifier"], code=data["code"], password=data["password1"])
        except accounts.ActivationError as exc:
            if exc.expired:
                form.add_error(
                    "code",
                    _("This code has run out (codes work for 7 days). Ask your bureau for a new one."),
                )
            else:
                form.add_error(
                    None,
                    _(
                        "The phone number and the code do not match. Check both and try again. After 5 wrong "
                        "tries the code stops working, and your bureau can give you a new one."
                    ),
                )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            login(request, user, backend="yinling.registry.backends.PhoneBackend")
            messages.success(
                request, _("Your account is ready. From now on, sign in with your phone number and password.")
            )
            return redirect("home")
    return render(request, "accounts/activate.html", {"form": form, "elder_mode": _elder(request)})


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
@require_POST
def act_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start acting on this retiree's behalf (代办): from now on the audit trail says so."""
    retiree = _retiree(request, pk, "act_for")
    accounts.start_acting(request, retiree)
    messages.info(
        request, _("You are now acting for %(name)s. Everything you do is recorded so.") % {"name": retiree.name}
    )
    # `next`: another module's page for that person (care's visit: "open a service case" lands on the services).
    return redirect(_safe_next(request, retiree.get_absolute_url()))


@login_required
@require_POST
def act_stop(request: HttpRequest) -> HttpResponse:
    retiree_id = accounts.stop_acting(request)
    messages.info(request, _("You stopped acting for someone else."))
    default = f"/registry/{retiree_id}/" if retiree_id else "/"
    return redirect(_safe_next(request, default))
