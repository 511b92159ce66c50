"""Who may do what to which activity (pure functions, no writes).

Two kinds of people organise: staff, through their roles in the org tree (`volunteering.add_activity`
and friends, granted in setup_activities), and team leaders and deputies, who are retirees and hold no
role: their right comes from an active `Membership` with role leader or deputy in the activity's team.
The creator of an activity organises it too. Services call `check_*`, which raise PermissionDenied.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from yinling.core.scoping import can, can_at
from yinling.orgs.models import Org
from yinling.volunteering.models import Activity, Attendance, Flag, HonourHours, Membership, Team, Volunteer

LEAD_ROLES = (Membership.Role.LEADER, Membership.Role.DEPUTY)


def volunteer_of(user: Any) -> Volunteer | None:
    """The volunteer record behind a signed-in retiree (None for staff and non-volunteers)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "retiree":
        return None
    # One's own record, found by the account (as acting.retiree_of finds the person, in one query with the
    # volunteer: every check-in asks): not a staff scope.
    return (
        Volunteer.objects.unrestricted()
        .filter(retiree__account=user, retiree__is_deleted=False, is_active=True)
        .select_related("retiree__org")
        .first()
    )


def led_team_ids(user: Any) -> set[int]:
    """Teams this user leads or deputises (active membership); empty for staff."""
    if getattr(user, "kind", "") != "retiree" or not getattr(user, "is_authenticated", False):
        return set()
    memo: dict[str, Any] = user.__dict__.setdefault("_yl_volunteering", {})
    if "led" not in memo:
        memo["led"] = set(
            Membership.objects.unrestricted()
            .filter(
                volunteer__retiree__account=user,
                volunteer__retiree__is_deleted=False,
                role__in=LEAD_ROLES,
                status=Membership.Status.ACTIVE,
                team__is_deleted=False,
            )
            .values_list("team_id", flat=True)
        )
    return set(memo["led"])


def leads(user: Any, team: Team | int | None) -> bool:
    if team is None:
        return False
    team_id = team if isinstance(team, int) else team.pk
    return team_id in led_team_ids(user)


def _is_creator(user: Any, activity: Activity) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and activity.created_by_id == user.pk


# --- activities ---------------------------------------------------------------------------------


def can_create(user: Any, org: Org, team: Team | None) -> bool:
    """Staff with add_activity at the org, or the leader/deputy of the team (an activity of their team)."""
    if team is not None and not org.path.startswith(team.org.path) and not team.org.path.startswith(org.path):
        return False
    if can_at(user, Activity, "add", org):
        return True
    return team is not None and team.org_id == org.pk and leads(user, team)


def check_create(user: Any, org: Org, team: Team | None) -> None:
    if not can_create(user, org, team):
        raise PermissionDenied


def can_manage(user: Any, activity: Activity) -> bool:
    """Edit or cancel: staff with change_activity at its org, its team's leader/deputies, its creator."""
    return can(user, "change", activity) or leads(user, activity.team_id) or _is_creator(user, activity)


def check_manage(user: Any, activity: Activity) -> None:
    if not can_manage(user, activity):
        raise PermissionDenied


def can_show_code(user: Any, activity: Activity) -> bool:
    """The organiser: its creator, its team's leader/deputies, staff who may change it."""
    return can_manage(user, activity)


def can_checkin_others(user: Any, activity: Activity) -> bool:
    """Leaders check in those without phones: team leader/deputy, creator, staff with add_attendance."""
    return can_at(user, Attendance, "add", activity.org) or leads(user, activity.team_id) or _is_creator(user, activity)


def check_checkin_others(user: Any, activity: Activity) -> None:
    if not can_checkin_others(user, activity):
        raise PermissionDenied


def can_see_as_organiser(user: Any, activity: Activity) -> bool:
    """The organiser's view of an activity (sign-ups, attendance, flags)."""
    return can(user, "view", activity) or leads(user, activity.team_id) or _is_creator(user, activity)


# --- flags, honours, bars -----------------------------------------------------------------------


def can_resolve_flag(user: Any, flag: Flag) -> bool:
    """The activity's team leader/deputies, or staff with change_flag at its org."""
    return can(user, "change", flag) or leads(user, flag.activity.team_id)


def check_resolve_flag(user: Any, flag: Flag) -> None:
    if not can_resolve_flag(user, flag):
        raise PermissionDenied


def can_add_honour(user: Any, volunteer: Volunteer) -> bool:
    return can_at(user, HonourHours, "add", volunteer.retiree.org)


def check_add_honour(user: Any, volunteer: Volunteer) -> None:
    if not can_add_honour(user, volunteer):
        raise PermissionDenied


def can_bar(user: Any, volunteer: Volunteer) -> bool:
    """volunteering.bar_volunteer at the volunteer's org (the bureau admin's)."""
    return can(user, "bar", volunteer)


def check_bar(user: Any, volunteer: Volunteer) -> None:
    if not can_bar(user, volunteer):
        raise PermissionDenied
