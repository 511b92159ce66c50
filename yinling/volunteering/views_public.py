"""The public check of a certificate's code (no sign-in): valid or revoked, the issuing org, the issue date,
the hours and stars, and the volunteer's name masked (张*明). Nothing else personal.

Codes are 16 random characters (recognition.new_code), so the page cannot be used to list certificates;
each address also answers at most VERIFY_PER_MINUTE checks a minute (a small cache counter)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yinling.core import ratelimit
from yinling.volunteering.models import Certificate
from yinling.volunteering.services.recognition import CODE_ALPHABET, CODE_LENGTH
from yinling.volunteering.services.teams import mask_name

VERIFY_PER_MINUTE = 30


def CRUMBS() -> list[tuple[str, str]]:
    return [(_("Check a volunteer certificate"), "")]


CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def _too_many(request: HttpRequest) -> bool:
    return ratelimit.hit(f"volunteering:verify:{request.META.get('REMOTE_ADDR', '')}", 60) > VERIFY_PER_MINUTE


@never_cache
@require_GET
def verify(request: HttpRequest) -> HttpResponseBase:
    """A form to type a code in (the certificate's QR code leads straight to verify_code)."""
    code = request.GET.get("code", "").strip().upper().replace(" ", "").replace("-", "")
    if code:
        if CODE_RE.match(code):
            return redirect("volunteering:verify_code", code=code)
        return render(
            request,
            "volunteering/verify.html",
            {"code": code, "found": None, "checked": True, "breadcrumbs": CRUMBS()},
            status=404,
        )
    return render(
        request, "volunteering/verify.html", {"code": "", "found": None, "checked": False, "breadcrumbs": CRUMBS()}
    )


@never_cache
@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    if _too_many(request):
        return render(
            request, "volunteering/verify.html", {"code": code, "limited": True, "breadcrumbs": CRUMBS()}, status=429
        )
    certificate = None
    if CODE_RE.match(code):
        # A public page: the certificate is found by its unguessable code, for nobody in particular.
        certificate = (
            Certificate.objects.unrestricted().select_related("org", "volunteer__retiree").filter(code=code).first()
        )
    if certificate is None:
        return render(
            request,
            "volunteering/verify.html",
            {"code": code, "found": None, "checked": True, "breadcrumbs": CRUMBS()},
            status=404,
        )
    found = {
        "valid": not certificate.is_revoked,
        "org": certificate.org.name,
        "issued": certificate.issued_at,
        "credited_hours": certificate.credited_hours,
        "honour_hours": certificate.honour_hours,
        "stars": certificate.stars,
        "name": mask_name(certificate.volunteer.retiree.name),
    }
    return render(
        request, "volunteering/verify.html", {"code": code, "found": found, "checked": True, "breadcrumbs": CRUMBS()}
    )
