"""Volunteering on a retiree's record (core/related.py): their volunteer hours and stars, linked to the
volunteer's page, for staff who may see volunteers there."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from yinling.core.related import Summary
from yinling.volunteering.models import Volunteer


def volunteer_summary(user: Any, retiree: Any) -> Summary | None:
    volunteer = (
        Volunteer.objects.restrict(user, "view")
        .filter(retiree_id=retiree.pk, is_active=True)
        .only("pk", "credited_hours", "stars")
        .first()
    )
    if volunteer is None:
        return None
    text = _("%(h)s hours") % {"h": volunteer.credited_hours}
    if volunteer.stars:
        text = f"{text} · {'★' * volunteer.stars}"
    return Summary(text, reverse("volunteering:volunteer", args=[volunteer.pk]))
