"""Recognition: service certificates (with a code a public page checks), 助力微故事 stories, and the
nominations of 银耀好团队 and 最美助力之星 reviewed up the tree."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.core.refusals import Refused
from yinling.core.scoping import can
from yinling.core.uploads import check_photo
from yinling.orgs.models import Org
from yinling.volunteering import hours
from yinling.volunteering import policy_people as policy
from yinling.volunteering.models import (
    Attendance,
    Certificate,
    Nomination,
    NominationStep,
    Story,
    Team,
    Volunteer,
)
from yinling.volunteering.services.volunteers import audited

# 16 characters from 31 unambiguous ones (no 0/O, 1/I/L): about 79 bits, so codes cannot be guessed.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def barred(volunteer: Volunteer) -> Refused | None:
    if hours.is_barred(volunteer):
        until = volunteer.barred_until.isoformat() if volunteer.barred_until else ""
        return Refused(
            "barred",
            _("Barred from ratings and honours until %(until)s for over-reported hours.") % {"until": until},
        )
    return None


def hours_by_year(volunteer: Volunteer) -> dict[str, str]:
    """Credited hours by the year (Asia/Shanghai) the activity started; unconfirmed stays left out."""
    rows = (
        Attendance.objects.unrestricted()  # the volunteer's own record: the caller's policy allowed it
        .filter(hours.COUNTED, volunteer=volunteer, credited_hours__isnull=False)
        .annotate(year=ExtractYear("activity__start", tzinfo=timezone.get_current_timezone()))
        .values("year")
        .annotate(h=Sum("credited_hours"))
        .order_by("year")
    )
    return {str(row["year"]): f"{row['h'] or Decimal('0'):.2f}" for row in rows}


@transaction.atomic
def do_issue_certificate(*, by: Any, volunteer: Volunteer) -> Certificate:
    """A certificate of the volunteer's service as recorded now; refused for a barred volunteer.

    Issued by the volunteer's own org (whoever records the service certifies it)."""
    policy.check_certificate(by, volunteer)
    locked = Volunteer.objects.unrestricted().select_for_update().select_related("retiree__org").get(pk=volunteer.pk)
    if not locked.is_active:
        raise Refused("not_volunteer", _("Only registered volunteers get a certificate."))
    refusal = barred(locked)
    if refusal is not None:
        raise refusal
    hours.recompute(locked)
    certificate = Certificate(
        volunteer=locked,
        org=locked.retiree.org,
        code=new_code(),
        credited_hours=locked.credited_hours,
        honour_hours=locked.honour_hours,
        stars=locked.stars,
        hours_by_year=hours_by_year(locked),
        issued_by=by if getattr(by, "pk", None) else None,
    )
    with audited(AuditRecord.Action.CREATE, certificate, extra={"on_behalf": not policy.is_self(by, locked.retiree)}):
        certificate.save()
    return certificate


@transaction.atomic
def do_revoke_certificate(*, by: Any, certificate: Certificate, reason: str) -> Certificate:
    if not can(by, "change", certificate):
        raise PermissionDenied
    locked = Certificate.objects.unrestricted().select_for_update().get(pk=certificate.pk)
    if locked.is_revoked:
        raise Refused("closed", _("This certificate is already revoked."))
    with audited(AuditRecord.Action.UPDATE, locked, extra={"reason": reason[:200]}):
        locked.is_revoked = True
        locked.save(update_fields=["is_revoked"])
    return locked


# --- stories ---------------------------------------------------------------------------------------


def story_org(by: Any) -> Org | None:
    """Where a story is reviewed: the author's registry org (a retiree) or their own org (staff)."""
    from yinling.registry.acting import retiree_of

    me = retiree_of(by)
    return me.org if me is not None else getattr(by, "org", None)


@transaction.atomic
def do_submit_story(
    *,
    by: Any,
    title: str,
    body: str,
    photo: UploadedFile | None = None,
    volunteer: Volunteer | None = None,
    team: Team | None = None,
) -> Story:
    """Anyone signed in (but the 三员) writes a story; it waits for staff at the author's org to publish it."""
    policy.check_write_story(by)
    org = story_org(by)
    if org is None:
        raise Refused("not_eligible", _("Your account belongs to no org, so nobody could review your story."))
    if not title.strip() or not body.strip():
        raise Refused("invalid", _("A story needs a title and a text."))
    story = Story(org=org, author=by, volunteer=volunteer, team=team, title=title.strip()[:100], body=body.strip())
    if photo is not None:
        ext = check_photo(photo)
        story.photo.save(f"{new_code()}.{ext}", photo, save=False)
    with audited(AuditRecord.Action.CREATE, story):
        story.save()
    return story


@transaction.atomic
def do_review_story(*, by: Any, story: Story, publish: bool, note: str = "") -> Story:
    """Publish, or return to the author with a note (the note is required to return)."""
    policy.check_review_story(by, story)
    locked = Story.objects.unrestricted().select_for_update().get(pk=story.pk)
    if locked.status != Story.Status.SUBMITTED:
        raise Refused("closed", _("This story is not waiting for review."))
    if not publish and not note.strip():
        raise Refused("invalid", _("Say why the story goes back to its author."))
    with audited(AuditRecord.Action.UPDATE, locked):
        locked.status = Story.Status.PUBLISHED if publish else Story.Status.RETURNED
        locked.review_note = note.strip()[:300]
        locked.reviewed_by = by
        locked.published_at = timezone.now() if publish else None
        locked.save()
    if locked.author_id and locked.author is not None:
        from django.urls import reverse

        from yinling.notifications.services import notify

        text = (
            _("Your story “%(title)s” was published.")
            if publish
            else _("Your story “%(title)s” was returned: %(note)s")
        ) % {"title": locked.title, "note": locked.review_note}
        notify(locked.author, "volunteering.story", text, reverse("volunteering:story", args=[locked.pk]))
    return locked


# --- nominations -----------------------------------------------------------------------------------


def nominee_org(kind: str, team: Team | None, volunteer: Volunteer | None) -> Org:
    if kind == Nomination.Kind.TEAM and team is not None:
        return team.org
    if kind == Nomination.Kind.STAR and volunteer is not None:
        return volunteer.retiree.org
    raise Refused("invalid", _("Name a team for 银耀好团队, or a volunteer for 最美助力之星."))


@transaction.atomic
def do_nominate(
    *,
    by: Any,
    kind: str,
    year: int,
    materials: str,
    team: Team | None = None,
    volunteer: Volunteer | None = None,
    attachment: UploadedFile | None = None,
) -> Nomination:
    """Staff nominate a team or a volunteer of their area; it is reviewed first at the nominee's org."""
    if kind == Nomination.Kind.TEAM:
        volunteer = None
    elif kind == Nomination.Kind.STAR:
        team = None
    org = nominee_org(kind, team, volunteer)
    policy.check_nominate(by, org)
    if volunteer is not None:
        locked = Volunteer.objects.unrestricted().select_for_update().get(pk=volunteer.pk)
        if not locked.is_active:
            raise Refused("not_volunteer", _("Only registered volunteers can be nominated."))
        refusal = barred(locked)
        if refusal is not None:
            raise refusal
    if team is not None and team.is_deleted:
        raise Refused("closed", _("This team no longer exists."))
    if not materials.strip():
        raise Refused("invalid", _("Describe why you nominate them."))
    live = Nomination.objects.unrestricted().filter(
        kind=kind, year=year, status__in=[Nomination.Status.IN_REVIEW, Nomination.Status.ACCEPTED]
    )
    if live.filter(team=team, volunteer=volunteer).exists():
        raise Refused("duplicate", _("They are already nominated this year."))
    nomination = Nomination(
        kind=kind,
        year=year,
        team=team,
        volunteer=volunteer,
        org=org,
        at_org=org,
        materials=materials.strip(),
        created_by=by,
    )
    if attachment is not None:
        nomination.attachment.save(f"{new_code()}-{attachment.name or 'file'}"[-90:], attachment, save=False)
    with audited(AuditRecord.Action.CREATE, nomination):
        nomination.save()
    return nomination


def _step(by: Any, nomination: Nomination, approve: bool, note: str) -> Nomination:
    policy.check_review_nomination(by, nomination)
    locked = Nomination.objects.unrestricted().select_for_update().select_related("at_org").get(pk=nomination.pk)
    if locked.status != Nomination.Status.IN_REVIEW or locked.at_org_id != nomination.at_org_id:
        raise Refused("closed", _("This nomination is no longer waiting for you."))
    here = locked.at_org
    if approve and locked.volunteer_id is not None:
        refusal = barred(Volunteer.objects.unrestricted().get(pk=locked.volunteer_id))
        if refusal is not None:
            raise refusal
    with audited(AuditRecord.Action.UPDATE, locked):
        if not approve:
            decision = NominationStep.Decision.DECLINED
            locked.status = Nomination.Status.DECLINED
        elif here.parent_id is None:
            decision = NominationStep.Decision.ACCEPTED
            locked.status = Nomination.Status.ACCEPTED
        else:
            decision = NominationStep.Decision.FORWARDED
            locked.at_org_id = here.parent_id
        locked.save()
        NominationStep.objects.create(nomination=locked, org=here, decision=decision, note=note.strip()[:300], by=by)
    return locked


@transaction.atomic
def do_approve_nomination(*, by: Any, nomination: Nomination, note: str = "") -> Nomination:
    """Staff at the org now reviewing approve: it goes one level up, or at the top it is accepted."""
    return _step(by, nomination, True, note)


@transaction.atomic
def do_decline_nomination(*, by: Any, nomination: Nomination, note: str = "") -> Nomination:
    if not note.strip():
        raise Refused("invalid", _("Say why the nomination is declined."))
    return _step(by, nomination, False, note)
