"""Read-only queries the activity pages, the API and the home tile share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from yinling.core.scoping import get_scoped_or_404, has_anywhere, orgs_where
from yinling.orgs.models import Org
from yinling.volunteering import policy
from yinling.volunteering.models import Activity, Attendance, Flag, Membership, Signup, Team, Volunteer

LIVE_SIGNUP = (Signup.Status.SIGNED_UP, Signup.Status.WAITLISTED)


def ancestor_paths(path: str) -> list[str]:
    """ "330000/330100/" → ["330000/", "330000/330100/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def team_ids(volunteer: Volunteer) -> list[int]:
    return list(
        Membership.objects.unrestricted()
        .filter(volunteer=volunteer, status=Membership.Status.ACTIVE, team__is_deleted=False)
        .values_list("team_id", flat=True)
    )


def open_to_q(volunteer: Volunteer) -> Q:
    """Activities whose open_to rule lets this volunteer sign up (see services.activities.is_eligible)."""
    return (
        Q(open_to=Activity.OpenTo.ALL)
        | Q(open_to=Activity.OpenTo.SCOPE, org__path__in=ancestor_paths(volunteer.retiree.org.path))
        | Q(open_to=Activity.OpenTo.TEAM, team_id__in=team_ids(volunteer))
    )


def member_activities(volunteer: Volunteer) -> QuerySet[Activity]:
    """Every activity a volunteer may see: open to them, or one they signed up for or attended."""
    mine = Q(signups__volunteer=volunteer) | Q(attendances__volunteer=volunteer)
    # A volunteer's own view, by the open_to rules and their own rows: not a staff scope.
    return Activity.objects.unrestricted().filter(is_deleted=False).filter(open_to_q(volunteer) | mine).distinct()


def upcoming_for(volunteer: Volunteer, now: dt.datetime | None = None) -> QuerySet[Activity]:
    now = now or timezone.now()
    return (
        Activity.objects.unrestricted()
        .filter(open_to_q(volunteer), is_deleted=False, is_cancelled=False, end__gt=now)
        .select_related("org", "team")
        .order_by("start", "pk")
    )


def signup_of(volunteer: Volunteer, activity: Activity) -> Signup | None:
    return Signup.objects.unrestricted().filter(activity=activity, volunteer=volunteer, status__in=LIVE_SIGNUP).first()


def attendance_of(volunteer: Volunteer, activity: Activity) -> Attendance | None:
    return Attendance.objects.unrestricted().filter(activity=activity, volunteer=volunteer).first()


def signups_of(volunteer: Volunteer) -> QuerySet[Signup]:
    return (
        Signup.objects.unrestricted()
        .filter(volunteer=volunteer, status__in=LIVE_SIGNUP, activity__is_deleted=False)
        .select_related("activity__org")
        .order_by("activity__start")
    )


def attendances_of(volunteer: Volunteer) -> QuerySet[Attendance]:
    return (
        Attendance.objects.unrestricted()
        .filter(volunteer=volunteer)
        .select_related("activity__org")
        .order_by("-checked_in_at")
    )


def due_today(volunteer: Volunteer, now: dt.datetime | None = None) -> list[Activity]:
    """Activities signed up for that start today (local) and have not ended, not yet checked out of."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    found = (
        Activity.objects.unrestricted()
        .filter(
            signups__volunteer=volunteer,
            signups__status=Signup.Status.SIGNED_UP,
            is_cancelled=False,
            is_deleted=False,
            start__gte=day_start,
            start__lt=day_start + dt.timedelta(days=1),
            end__gt=now,
        )
        .exclude(attendances__volunteer=volunteer, attendances__checked_out_at__isnull=False)
        .order_by("start")
    )
    return list(found)


def waitlist(activity: Activity) -> QuerySet[Signup]:
    return (
        Signup.objects.unrestricted()
        .filter(activity=activity, status=Signup.Status.WAITLISTED)
        .select_related("volunteer__retiree")
        .order_by("created_at", "pk")
    )


def signed_up(activity: Activity) -> QuerySet[Signup]:
    return (
        Signup.objects.unrestricted()
        .filter(activity=activity, status=Signup.Status.SIGNED_UP)
        .select_related("volunteer__retiree")
        .order_by("created_at", "pk")
    )


def attendances(activity: Activity) -> QuerySet[Attendance]:
    return (
        Attendance.objects.unrestricted()
        .filter(activity=activity)
        .select_related("volunteer__retiree", "checked_in_by")
        .order_by("checked_in_at")
    )


def open_flags(activity: Activity) -> QuerySet[Flag]:
    return (
        Flag.objects.unrestricted()
        .filter(activity=activity, status=Flag.Status.OPEN)
        .select_related("volunteer__retiree")
        .order_by("raised_at")
    )


def flags_for(user: Any, led: set[int]) -> QuerySet[Flag]:
    """Open flags a user may resolve: staff by scope (change_flag), leaders for their teams."""
    staff = Flag.objects.restrict(user, "change")
    base = staff.filter(status=Flag.Status.OPEN)
    if led:
        team = Flag.objects.unrestricted().filter(status=Flag.Status.OPEN, activity__team_id__in=led)
        base = Flag.objects.unrestricted().filter(Q(pk__in=base.values("pk")) | Q(pk__in=team.values("pk")))
    return base.select_related("activity", "volunteer__retiree").order_by("raised_at")


# --- finding one activity for a page or an endpoint ---------------------------------------------


def live_activity(pk: Any) -> Activity:
    """Any live activity by id (404 when none): the member actions, whose rules the services decide.
    An activity's existence is no secret (its sign-up refusal says why)."""
    try:
        found = Activity.objects.unrestricted().select_related("org", "team").filter(pk=pk, is_deleted=False).first()
    except (ValueError, TypeError, OverflowError):
        found = None
    if found is None:
        raise Http404
    return found


def is_staff(user: Any) -> bool:
    return getattr(user, "kind", "") != "retiree"


NEEDS = {
    "view": policy.can_see_as_organiser,
    "manage": policy.can_manage,
    "code": policy.can_show_code,
    "checkin": policy.can_checkin_others,
}


def organised(user: Any, pk: Any, need: str = "view") -> Activity:
    """An activity seen as its organiser: staff by scope (404 outside it, 403 inside without the right),
    a team leader by the team (404 for a retiree who does not organise it)."""
    if is_staff(user):
        activity: Activity = get_scoped_or_404(Activity.objects.select_related("org", "team"), user, "view", pk=pk)
    else:
        activity = live_activity(pk)
        if not policy.can_see_as_organiser(user, activity):
            raise Http404
    if not NEEDS[need](user, activity):
        raise PermissionDenied
    return activity


def viewable(user: Any, pk: Any) -> Activity:
    """An activity as a list shows it: staff by scope; a retiree when it is open to them, theirs, or theirs
    to organise."""
    if is_staff(user):
        return get_scoped_or_404(Activity.objects.select_related("org", "team"), user, "view", pk=pk)  # type: ignore[no-any-return]
    activity = live_activity(pk)
    if policy.can_see_as_organiser(user, activity):
        return activity
    me = policy.volunteer_of(user)
    if me is None or not member_activities(me).filter(pk=activity.pk).exists():
        raise Http404
    return activity


def listed_for(user: Any) -> QuerySet[Activity]:
    """The API's list: staff's scope, or what a volunteer may see plus what they organise as a leader."""
    if is_staff(user):
        return Activity.objects.restrict(user, "view")
    me = policy.volunteer_of(user)
    led = policy.led_team_ids(user)
    mine = member_activities(me) if me is not None else Activity.objects.none()
    if not led:
        return mine
    ids = Activity.objects.unrestricted().filter(team_id__in=led, is_deleted=False).values("pk")
    return Activity.objects.unrestricted().filter(Q(pk__in=mine.values("pk")) | Q(pk__in=ids))


def flag_to_resolve(user: Any, pk: Any) -> Flag:
    """A flag to resolve: its team's leader or deputy (a retiree; 404 for any other), or staff by scope
    (404 outside it, 403 inside it without the right to resolve)."""
    related = ("activity", "volunteer__retiree__org")
    if is_staff(user):
        flag = get_scoped_or_404(Flag.objects.select_related(*related), user, "view", pk=pk)
    else:
        flag = Flag.objects.unrestricted().select_related(*related).filter(pk=pk).first()
        if flag is None or not policy.leads(user, flag.activity.team_id):
            raise Http404
    policy.check_resolve_flag(user, flag)
    return flag  # type: ignore[no-any-return]


def may_add(user: Any) -> bool:
    """Whether the user may add an activity somewhere: staff with add_activity, team leaders and deputies."""
    return has_anywhere(user, Activity, "add") or bool(policy.led_team_ids(user))


def organiser_choices(user: Any) -> tuple[QuerySet[Org], QuerySet[Team]]:
    """The orgs and teams a new activity may name: where staff may add, and the teams leaders lead (with
    their orgs). The page's choices and the API's lookups, so "not yours" reads as "no such org"."""
    led = policy.led_team_ids(user)
    orgs = orgs_where(user, Activity, "add")
    teams = Team.objects.restrict(user, None).filter(is_deleted=False) if orgs.exists() else Team.objects.none()
    if led:
        led_teams = Team.objects.unrestricted().filter(pk__in=led, is_deleted=False)
        teams = Team.objects.unrestricted().filter(pk__in=[*teams.values_list("pk", flat=True), *led])
        orgs = Org.objects.unrestricted().filter(
            pk__in=[*orgs.values_list("pk", flat=True), *led_teams.values_list("org_id", flat=True)]
        )
    return orgs, teams
