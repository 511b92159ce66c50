"""Completion certificates: for a student enrolled in a class of an ended term who attended at least
`CAMPUS_CERTIFICATE_MIN_ATTENDANCE` (default 0.6) of its held meetings. Issued once per enrolment, by staff
with the campus certificate right at the class's site, or taken by the student from their own page; each
has a random code anyone can check on the public verification page.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.campus.models import Certificate, Enrolment
from yinling.campus.services import teaching
from yinling.core.refusals import Refused
from yinling.core.scoping import can_at
from yinling.registry import acting

# No 0/O or 1/I/L: a code is read aloud and typed by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def min_attendance() -> Decimal:
    return Decimal(str(getattr(settings, "CAMPUS_CERTIFICATE_MIN_ATTENDANCE", 0.6)))


def _enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.unrestricted()
        .select_related("section__term", "section__site__org", "retiree")
        .get(pk=enrolment.pk)
    )


def check_earned(enrolment: Enrolment) -> tuple[int, int]:
    """(attended, held) when the enrolment earned a certificate; Refused with why otherwise."""
    term = enrolment.section.term
    today = timezone.localdate()
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise Refused("not_enrolled", _("Only an enrolled student gets a completion certificate."))
    if term.ends >= today:
        raise Refused("not_ended", _("Certificates are given once the term has ended (%(day)s).") % {"day": term.ends})
    attended, held = teaching.attendance_of(enrolment, today)
    # Exact decimal comparison, so 3 of 5 at a threshold of 0.6 passes (a float product could fall just short).
    if held == 0 or Decimal(attended) < min_attendance() * held:
        raise Refused(
            "too_few",
            _("Attended %(attended)s of %(held)s classes; a certificate needs %(share)s%% of them.")
            % {"attended": attended, "held": held, "share": int(min_attendance() * 100)},
        )
    return attended, held


def may_issue(user: Any, enrolment: Enrolment) -> bool:
    return can_at(user, Certificate, "add", enrolment.section.site.org)


def is_own(user: Any, enrolment: Enrolment) -> bool:
    me = acting.retiree_of(user)
    return me is not None and me.pk == enrolment.retiree_id


@transaction.atomic
def do_issue_certificate(*, by: Any, enrolment: Enrolment) -> Certificate:
    """Issue (or give back the one already issued) the completion certificate of an enrolment."""
    current = _enrolment(enrolment)
    self_service = is_own(by, current)
    if not self_service and not may_issue(by, current):
        raise PermissionDenied
    found = Certificate.objects.unrestricted().filter(enrolment=current).first()
    if found is not None:
        return found
    attended, held = check_earned(current)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                made = Certificate.objects.create(
                    enrolment=current,
                    code=new_code(),
                    attended=attended,
                    meetings=held,
                    issued_on=timezone.localdate(),
                    issued_by=by,
                )
            break
        except IntegrityError:  # a code taken already (1 in 31^10), or a second request for the same enrolment
            found = Certificate.objects.unrestricted().filter(enrolment=current).first()
            if found is not None:
                return found
    else:  # pragma: no cover - three colliding random codes
        raise Refused("invalid", _("Please try again."))
    Enrolment.objects.unrestricted().filter(pk=current.pk).update(completed=True)
    record(
        AuditRecord.Action.CREATE,
        made,
        extra={"event": "campus_certificate", "self_service": self_service, "attended": attended, "held": held},
        org_path=current.section.site.org.path,
    )
    return made


def masked_name(name: str) -> str:
    """张*明 for 张三明, 张* for 张三: the public check shows no full name."""
    name = (name or "").strip()
    if len(name) <= 2:
        return name[:1] + "*" if name else ""
    return name[0] + "*" * (len(name) - 2) + name[-1]


def by_code(code: str) -> Certificate | None:
    text = "".join(str(code or "").split()).upper()
    if not text or len(text) > 16:
        return None
    return (
        Certificate.objects.unrestricted()
        .select_related("enrolment__retiree", "enrolment__section__course", "enrolment__section__term__school")
        .filter(code=text)
        .first()
    )
