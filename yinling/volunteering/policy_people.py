"""Who may do what to volunteers, teams, pairings, certificates, stories and nominations (pure: no writes).

A permission question answers with PermissionDenied (403); the pages and the API have already looked
the object up inside the user's scope (404 outside it). Rules of the domain (already registered, barred,
not a member) are `Refused` and are decided by the services.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from yinling.accounts.policy import is_admin_account
from yinling.core.scoping import can, can_at, grants_of
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.volunteering.models import Certificate, Membership, Nomination, Pairing, Story, Team, Volunteer


def is_self(user: Any, retiree: Retiree) -> bool:
    """Whether `user` is the retiree's own account."""
    return bool(getattr(user, "is_authenticated", False)) and retiree.account_id == getattr(user, "pk", None)


def check_register(user: Any, retiree: Retiree) -> None:
    """A retiree registers themselves; staff register a retiree in their scope."""
    if not (is_self(user, retiree) or can_at(user, Volunteer, "add", retiree.org)):
        raise PermissionDenied


def check_change_volunteer(user: Any, volunteer: Volunteer) -> None:
    if not (is_self(user, volunteer.retiree) or can(user, "change", volunteer)):
        raise PermissionDenied


def leads(user: Any, team: Team) -> bool:
    """Whether `user` is the team's leader or a deputy (an active membership)."""
    if getattr(user, "kind", "") != "retiree":
        return False
    # The user's own memberships: not a staff scope.
    return (
        Membership.objects.unrestricted()
        .filter(
            team=team,
            volunteer__retiree__account=user,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.LEADER, Membership.Role.DEPUTY],
        )
        .exists()
    )


def check_decide_join(user: Any, membership: Membership) -> None:
    """The team's leader or a deputy, or staff who may change memberships at the team's org."""
    if not (leads(user, membership.team) or can(user, "change", membership)):
        raise PermissionDenied


def check_join(user: Any, volunteer: Volunteer) -> None:
    """A volunteer asks to join for themselves; staff may ask on their behalf where they may add memberships."""
    if not (is_self(user, volunteer.retiree) or can_at(user, Membership, "add", volunteer.retiree.org)):
        raise PermissionDenied


def check_leave(user: Any, membership: Membership) -> None:
    if not (is_self(user, membership.volunteer.retiree) or can(user, "change", membership)):
        raise PermissionDenied


def check_team_at(user: Any, org: Org, action: str) -> None:
    if not can_at(user, Team, action, org):
        raise PermissionDenied


def sees_minor_name(user: Any, pairing: Pairing) -> bool:
    """The child's name is shown only to staff who may change the pairing; everyone else reads the mask."""
    return can(user, "change", pairing)


def check_record_visit(user: Any, pairing: Pairing) -> None:
    """The paired volunteer, or staff who may change the pairing."""
    if not (is_self(user, pairing.volunteer.retiree) or can(user, "change", pairing)):
        raise PermissionDenied


def check_certificate(user: Any, volunteer: Volunteer) -> None:
    """A volunteer prints their own certificate; staff issue one where they may add certificates."""
    if not (is_self(user, volunteer.retiree) or can_at(user, Certificate, "add", volunteer.retiree.org)):
        raise PermissionDenied


def check_write_story(user: Any) -> None:
    """Anyone signed in writes a story, but the three administrators: they change no business data (三员)."""
    if not getattr(user, "is_authenticated", False) or is_admin_account(user):
        raise PermissionDenied


def may_review_story(user: Any, story: Story) -> bool:
    return can(user, "change", story)


def may_read_story(user: Any, story: Story) -> bool:
    """Published stories are for everyone signed in; others for their author and their reviewers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if story.status == Story.Status.PUBLISHED:
        return True
    return story.author_id == user.pk or may_review_story(user, story)


def check_review_story(user: Any, story: Story) -> None:
    if not may_review_story(user, story):
        raise PermissionDenied


def check_nominate(user: Any, org: Org) -> None:
    if not can_at(user, Nomination, "add", org):
        raise PermissionDenied


def reviews_at(user: Any, org: Org) -> bool:
    """Whether `user` is staff at `org` itself for nominations: holds the right with `org` as a role's org
    (staff higher up review when the nomination reaches them, one level at a time)."""
    return any(path == org.path and "volunteering.change_nomination" in perms for path, perms in grants_of(user))


def check_review_nomination(user: Any, nomination: Nomination) -> None:
    if not reviews_at(user, nomination.at_org):
        raise PermissionDenied
