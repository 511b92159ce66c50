"""Teams in the org tree, their members, and 五老 pairings.

Teams nest inside the tree: a team's parent is a team at the same org or above it, never the team itself
or one of its own sub-teams. Joining needs the leader's (or a deputy's, or staff's) approval; leaving is
free; a person may be in several teams.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.core.refusals import Refused
from yinling.core.scoping import can, can_at
from yinling.notifications.services import notify
from yinling.orgs.models import Org
from yinling.volunteering import policy_people as policy
from yinling.volunteering.models import Membership, Pairing, PairingVisit, Team, Volunteer
from yinling.volunteering.services.volunteers import audited

LIVE = [Membership.Status.PENDING, Membership.Status.ACTIVE]


def mask_name(name: str) -> str:
    """张*明 for 张三明, 张* for 张三: the first and last characters, the rest masked."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name + "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- nesting -----------------------------------------------------------------------------------------


def check_nesting(team: Team, org: Org, parent: Team | None) -> None:
    """Refused("nesting") unless `parent` is a live team at `org` or above it and not `team` or below it;
    and, for a saved team, unless its sub-teams' orgs stay under `org`."""
    if parent is not None:
        if parent.is_deleted:
            raise Refused("nesting", _("The parent team has been deleted."))
        if not org.path.startswith(parent.org.path):
            raise Refused("nesting", _("A sub-team must belong to the parent team's org or an org below it."))
        if team.pk is not None:
            seen: set[int] = set()
            node: Team | None = parent
            while node is not None and node.pk not in seen:
                if node.pk == team.pk:
                    raise Refused("nesting", _("A team cannot be placed under itself or one of its sub-teams."))
                seen.add(node.pk)
                node = (
                    Team.objects.unrestricted().select_related("org").filter(pk=node.parent_id).first()
                    if node.parent_id is not None
                    else None
                )
    if team.pk is not None:
        children = Team.objects.unrestricted().filter(parent=team, is_deleted=False).select_related("org")
        if any(not child.org.path.startswith(org.path) for child in children):
            raise Refused("nesting", _("This team's sub-teams would no longer lie inside its org."))


@transaction.atomic
def do_save_team(*, by: Any, team: Team, org: Org, parent: Team | None, **values: Any) -> Team:
    """Create (`team.pk` None) or change a team at `org`, keeping the nesting rules."""
    creating = team.pk is None
    if not creating:
        current = Team.objects.unrestricted().select_related("org").get(pk=team.pk)
        policy.check_team_at(by, current.org, "change")
    policy.check_team_at(by, org, "add" if creating else "change")
    check_nesting(team, org, parent)
    action = AuditRecord.Action.CREATE if creating else AuditRecord.Action.UPDATE
    if not creating:
        team = Team.objects.unrestricted().select_for_update().get(pk=team.pk)
    with audited(action, team):
        team.org, team.parent = org, parent
        for key in ("name", "kind", "description"):
            if key in values:
                setattr(team, key, values[key])
        team.save()
    return team


@transaction.atomic
def do_delete_team(*, by: Any, team: Team) -> Team:
    """A soft delete: refused while the team has live sub-teams."""
    policy.check_team_at(by, team.org, "delete")
    locked = Team.objects.unrestricted().select_for_update().get(pk=team.pk)
    if Team.objects.unrestricted().filter(parent=locked, is_deleted=False).exists():
        raise Refused("nesting", _("Delete or move this team's sub-teams first."))
    with audited(AuditRecord.Action.DELETE, locked, extra={"soft": True}):
        locked.is_deleted = True
        locked.save(update_fields=["is_deleted"])
    return locked


# --- joining and leaving ---------------------------------------------------------------------------


def _live_volunteer(volunteer: Volunteer) -> Volunteer:
    locked = Volunteer.objects.unrestricted().select_for_update().select_related("retiree__org").get(pk=volunteer.pk)
    if not locked.is_active or locked.retiree.is_deleted:
        raise Refused("not_volunteer", _("Only registered volunteers can join a team."))
    return locked


def _leaders(team: Team) -> list[Any]:
    rows = (
        Membership.objects.unrestricted()
        .filter(team=team, status=Membership.Status.ACTIVE, role__in=[Membership.Role.LEADER, Membership.Role.DEPUTY])
        .select_related("volunteer__retiree__account")
    )
    return [m.volunteer.retiree.account for m in rows if m.volunteer.retiree.account_id]


def _tell(volunteer: Volunteer, kind: str, text: str, link: str) -> None:
    account = volunteer.retiree.account
    if account is not None:
        notify(account, kind, text, link)


@transaction.atomic
def do_request_join(*, by: Any, team: Team, volunteer: Volunteer) -> Membership:
    """Ask to join: pending until the leader, a deputy or staff decide. Refused("duplicate") when the
    volunteer is already in the team or already waiting."""
    policy.check_join(by, volunteer)
    locked = _live_volunteer(volunteer)
    team = Team.objects.unrestricted().select_for_update().get(pk=team.pk)
    if team.is_deleted:
        raise Refused("closed", _("This team no longer exists."))
    if Membership.objects.unrestricted().filter(team=team, volunteer=locked, status__in=LIVE).exists():
        raise Refused("duplicate", _("You are already in this team or waiting for its answer."))
    membership = Membership(team=team, volunteer=locked)
    try:
        with transaction.atomic(), audited(AuditRecord.Action.CREATE, membership):
            membership.save()
    except IntegrityError as exc:  # a second request at the same moment
        raise Refused("duplicate", _("You are already in this team or waiting for its answer.")) from exc
    link = reverse("volunteering:member_team", args=[team.pk])
    for leader in _leaders(team):
        notify(
            leader,
            "volunteering.join_request",
            _("%(name)s asks to join %(team)s.") % {"name": locked.retiree.name, "team": team.name},
            link,
        )
    return membership


def _decide(by: Any, membership: Membership, status: str, note: str) -> Membership:
    policy.check_decide_join(by, membership)
    locked = Membership.objects.unrestricted().select_for_update().select_related("team").get(pk=membership.pk)
    if locked.status != Membership.Status.PENDING:
        raise Refused("closed", _("This request has already been answered."))
    with audited(AuditRecord.Action.UPDATE, locked):
        locked.status = status
        locked.decided_at = timezone.now()
        locked.decided_by = by if getattr(by, "pk", None) else None
        locked.note = (note or "")[:200]
        locked.save()
    return locked


@transaction.atomic
def do_approve_join(*, by: Any, membership: Membership, note: str = "") -> Membership:
    locked = _decide(by, membership, Membership.Status.ACTIVE, note)
    _tell(
        locked.volunteer,
        "volunteering.join_approved",
        _("You are now a member of %(team)s.") % {"team": locked.team.name},
        reverse("volunteering:member_team", args=[locked.team_id]),
    )
    return locked


@transaction.atomic
def do_reject_join(*, by: Any, membership: Membership, note: str = "") -> Membership:
    locked = _decide(by, membership, Membership.Status.REJECTED, note)
    text = _("%(team)s did not accept your request to join.") % {"team": locked.team.name}
    if note:
        text = f"{text} {note}"
    _tell(locked.volunteer, "volunteering.join_rejected", text, reverse("volunteering:my_teams"))
    return locked


@transaction.atomic
def do_leave(*, by: Any, membership: Membership) -> Membership:
    """Leaving is free (a pending request is withdrawn the same way)."""
    policy.check_leave(by, membership)
    locked = Membership.objects.unrestricted().select_for_update().get(pk=membership.pk)
    if locked.status not in LIVE:
        raise Refused("closed", _("You are no longer in this team."))
    with audited(AuditRecord.Action.UPDATE, locked):
        locked.status = Membership.Status.LEFT
        locked.decided_at = timezone.now()
        locked.save()
    return locked


@transaction.atomic
def do_add_member(*, by: Any, team: Team, volunteer: Volunteer, role: str = Membership.Role.MEMBER) -> Membership:
    """Staff put a volunteer in a team at once (no request to approve)."""
    if not can_at(by, Membership, "add", team.org):
        raise PermissionDenied
    locked = _live_volunteer(volunteer)
    if Membership.objects.unrestricted().filter(team=team, volunteer=locked, status__in=LIVE).exists():
        raise Refused("duplicate", _("%(name)s is already in this team.") % {"name": locked.retiree.name})
    membership = Membership(
        team=team, volunteer=locked, status=Membership.Status.ACTIVE, decided_at=timezone.now(), decided_by=by
    )
    with audited(AuditRecord.Action.CREATE, membership):
        membership.save()
    if role != Membership.Role.MEMBER:
        return do_set_role(by=by, membership=membership, role=role)
    return membership


@transaction.atomic
def do_set_role(*, by: Any, membership: Membership, role: str) -> Membership:
    """Make a member the leader (the previous leader becomes a member), a deputy or a member again."""
    if role not in Membership.Role.values:
        raise Refused("invalid", _("Choose a role."))
    if not can(by, "change", membership):
        raise PermissionDenied
    locked = Membership.objects.unrestricted().select_for_update().get(pk=membership.pk)
    if locked.status != Membership.Status.ACTIVE:
        raise Refused("closed", _("Only members of the team can lead it."))
    if role == Membership.Role.LEADER:
        for old in (
            Membership.objects.unrestricted()
            .filter(team_id=locked.team_id, role=Membership.Role.LEADER, status=Membership.Status.ACTIVE)
            .exclude(pk=locked.pk)
        ):
            with audited(AuditRecord.Action.UPDATE, old):
                old.role = Membership.Role.MEMBER
                old.save(update_fields=["role"])
    with audited(AuditRecord.Action.UPDATE, locked):
        locked.role = role
        locked.save(update_fields=["role"])
    return locked


# --- 五老 pairings --------------------------------------------------------------------------------


@transaction.atomic
def do_save_pairing(
    *,
    by: Any,
    pairing: Pairing,
    team: Team,
    volunteer: Volunteer,
    minor_name: str,
    village: str,
    since: dt.date,
    ended_on: dt.date | None = None,
) -> Pairing:
    """Create or change a pairing in a 五老 team; the volunteer must be an active member of it."""
    creating = pairing.pk is None
    if creating:
        if not can_at(by, Pairing, "add", team.org):
            raise PermissionDenied
    else:
        current = Pairing.objects.unrestricted().select_related("team__org").get(pk=pairing.pk)
        if not can(by, "change", current) or not can_at(by, Pairing, "change", team.org):
            raise PermissionDenied
    if team.kind != Team.Kind.WULAO or team.is_deleted:
        raise Refused("not_eligible", _("Pairings belong to a 五老 pairing team."))
    if (
        not Membership.objects.unrestricted()
        .filter(team=team, volunteer=volunteer, status=Membership.Status.ACTIVE)
        .exists()
    ):
        raise Refused("not_eligible", _("The volunteer must be a member of the team."))
    if ended_on is not None and ended_on < since:
        raise Refused("invalid", _("A pairing cannot end before it began."))
    name = (minor_name or "").strip()
    if not name:
        raise Refused("invalid", _("Enter the child's name."))
    action = AuditRecord.Action.CREATE if creating else AuditRecord.Action.UPDATE
    with audited(action, pairing):
        pairing.team, pairing.volunteer, pairing.village = team, volunteer, village.strip()
        pairing.minor_name, pairing.minor_masked = name, mask_name(name)
        pairing.since, pairing.ended_on = since, ended_on
        pairing.save()
    return pairing


@transaction.atomic
def do_record_visit(*, by: Any, pairing: Pairing, visited_on: dt.date, note: str = "") -> PairingVisit:
    policy.check_record_visit(by, pairing)
    if visited_on < pairing.since or visited_on > timezone.localdate():
        raise Refused("invalid", _("A visit falls between the pairing's start and today."))
    visit = PairingVisit(pairing=pairing, visited_on=visited_on, note=(note or "")[:300], recorded_by=by)
    with audited(AuditRecord.Action.CREATE, visit):
        visit.save()
    return visit
