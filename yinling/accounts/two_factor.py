"""TOTP two-factor sign-in for the three admin roles (enrol on first sign-in, verify after)."""

from __future__ import annotations

from base64 import b32encode
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from yinling.accounts.forms import TokenForm
from yinling.accounts.views import safe_next
from yinling.audit.models import AuditRecord
from yinling.audit.services import record


def qr_svg(data: str) -> str:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buf = BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.index("<svg") :]


def provisioning_uri(device: TOTPDevice) -> str:
    # device.config_url uses the issuer from settings and the username as the label.
    return device.config_url


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.is_verified():
        return redirect(safe_next(request))
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        verified = allowed and device.verify_token(form.cleaned_data["token"])
        if verified:
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record(
                    AuditRecord.Action.SECURITY,
                    user,
                    extra={"event": "two_factor_enrolled"},
                    org_path=user.org.path if user.org else "",
                )
            otp_login(request, device)
            return redirect(safe_next(request))
        record(
            AuditRecord.Action.SECURITY,
            user,
            extra={"event": "two_factor_failed"},
            org_path=user.org.path if user.org else "",
        )
        form.add_error(
            "token",
            _("The code is wrong or has expired. Check your phone's clock and try again.")
            if allowed
            else _("Too many wrong codes. Wait a few seconds, then enter the newest code."),
        )
    context = {"form": form, "enrolling": not device.confirmed, "next": safe_next(request, "")}
    if not device.confirmed:
        context["qr"] = mark_safe(qr_svg(provisioning_uri(device)))  # noqa: S308 - SVG we generated
        context["secret"] = b32encode(device.bin_key).decode()
        context["issuer"] = settings.OTP_TOTP_ISSUER
    return render(request, "accounts/two_factor.html", context)
