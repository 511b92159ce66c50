"""Activities and sign-ups: create, edit, cancel; sign up, waitlist, cancel a sign-up.

Sign-up gives one clear answer (`SignupAnswer`): signed up, or waitlisted at position n, or `Refused`:

- `not_volunteer`  the person is not a registered (active) volunteer;
- `closed`         the activity was cancelled, has started, or its sign-up deadline has passed;
- `not_eligible`   the activity is open to its team (and the person is no active member) or to the org's
                   area (and the person's org lies outside it);
- `duplicate`      the person already holds a place or a waitlist position;
- `full`           every place is taken and so is the waitlist. A capped activity always keeps a waitlist,
                   as long as its number of places (`waitlist_limit`); beyond that a new sign-up is refused.

Each sign-up and cancellation runs under the activity's row lock (`select_for_update`), where the
`Activity.signed_up` counter is read and changed: two people racing for the last place get one place
and one waitlist position. A cancelled place goes to the first on the waitlist in the same
transaction, and they are told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.refusals import Refused
from yinling.notifications.services import notify
from yinling.orgs.models import Org
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.volunteering import codes, policy
from yinling.volunteering.models import Activity, Membership, Signup, Team, Volunteer

# What an organiser may change after creating an activity (its org stays); the form shows them in this order.
EDITABLE = (
    "team",
    "title",
    "kind",
    "description",
    "place",
    "latitude",
    "longitude",
    "start",
    "end",
    "capacity",
    "open_to",
    "signup_deadline",
    "walk_in",
    "checkin_opens_minutes",
)


@dataclass(frozen=True)
class SignupAnswer:
    status: str  # "signed_up" | "waitlisted"
    position: int | None = None
    signup: Signup | None = None


def waitlist_limit(activity: Activity) -> int:
    """How many may wait for a place: as many as there are places."""
    return activity.capacity or 0


def _check_window(start: dt.datetime, end: dt.datetime, deadline: dt.datetime | None) -> None:
    if end <= start:
        raise Refused("invalid", _("The end must be later than the start."))
    if end - start > dt.timedelta(days=7):
        raise Refused("invalid", _("An activity lasts at most seven days; make one for each day instead."))
    if deadline is not None and deadline > start:
        raise Refused("invalid", _("The sign-up deadline cannot be after the start."))


def _check_open_to(open_to: str, team: Team | None) -> None:
    if open_to == Activity.OpenTo.TEAM and team is None:
        raise Refused("invalid", _("An activity open to its team needs a team."))


@transaction.atomic
def do_create_activity(
    *,
    by: Any,
    org: Org,
    title: str,
    place: str,
    start: dt.datetime,
    end: dt.datetime,
    team: Team | None = None,
    kind: str = Activity.Kind.SERVICE,
    capacity: int | None = None,
    open_to: str = Activity.OpenTo.SCOPE,
    signup_deadline: dt.datetime | None = None,
    walk_in: bool = False,
    checkin_opens_minutes: int = 30,
    description: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Activity:
    policy.check_create(by, org, team)
    _check_window(start, end, signup_deadline)
    _check_open_to(open_to, team)
    if end <= timezone.now():
        raise Refused("invalid", _("An activity cannot end in the past."))
    activity = Activity.objects.create(
        org=org,
        team=team,
        title=title,
        kind=kind,
        description=description,
        place=place,
        latitude=latitude,
        longitude=longitude,
        start=start,
        end=end,
        capacity=capacity,
        open_to=open_to,
        signup_deadline=signup_deadline,
        walk_in=walk_in,
        checkin_opens_minutes=checkin_opens_minutes,
        code_secret=codes.new_secret(),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    record(AuditRecord.Action.CREATE, activity, org_path=org.path)
    return activity


def _lock(activity: Activity) -> Activity:
    return Activity.objects.unrestricted().select_for_update(of=("self",)).select_related("org").get(pk=activity.pk)


@transaction.atomic
def do_update_activity(*, by: Any, activity: Activity, **values: Any) -> Activity:
    policy.check_manage(by, activity)
    locked = _lock(activity)
    if locked.is_cancelled:
        raise Refused("closed", _("This activity was cancelled."))
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    new = {name: values.get(name, getattr(locked, name)) for name in EDITABLE}
    if new["team"] != locked.team:
        policy.check_create(by, locked.org, new["team"])  # moving it to a team needs the right to add one there
    _check_window(new["start"], new["end"], new["signup_deadline"])
    _check_open_to(new["open_to"], new["team"])
    if new["capacity"] is not None and new["capacity"] < locked.signed_up:
        raise Refused(
            "invalid",
            _("%(n)s people already hold a place: the places cannot be fewer.") % {"n": locked.signed_up},
        )
    changes: dict[str, Any] = {}
    for name, value in new.items():
        before = getattr(locked, name)
        if before != value:
            changes[name] = [before, value]
            setattr(locked, name, value)
    if changes:
        locked.save()
        record(AuditRecord.Action.UPDATE, locked, changes=changes, org_path=locked.org.path)
        _promote(locked, by)  # more places: the waitlist moves up
    return locked


@transaction.atomic
def do_cancel_activity(*, by: Any, activity: Activity, reason: str = "") -> Activity:
    policy.check_manage(by, activity)
    locked = _lock(activity)
    if locked.is_cancelled:
        return locked
    locked.is_cancelled = True
    locked.save(update_fields=["is_cancelled"])
    live = list(
        Signup.objects.unrestricted()
        .filter(activity=locked, status__in=[Signup.Status.SIGNED_UP, Signup.Status.WAITLISTED])
        .select_related("volunteer__retiree__account")
    )
    record(
        AuditRecord.Action.UPDATE,
        locked,
        changes={"is_cancelled": [False, True]},
        extra={"reason": reason, "rows": len(live)},
        org_path=locked.org.path,
    )
    text = _("“%(title)s” on %(day)s was cancelled.") % {"title": locked.title, "day": _day(locked.start)}
    if reason:
        text = f"{text} {reason}"
    for signup in live:
        _tell(signup.volunteer, "volunteering.activity_cancelled", text, locked)
    return locked


def _day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _tell(volunteer: Volunteer, kind: str, text: str, activity: Activity) -> None:
    account = volunteer.retiree.account
    if account is not None and account.is_active:
        notify(account, kind, text, reverse("volunteering:activity", args=[activity.pk]))


# --- eligibility --------------------------------------------------------------------------------


def live_volunteer(retiree: Retiree) -> Volunteer:
    """The person's volunteer record, or Refused("not_volunteer")."""
    found = (
        Volunteer.objects.unrestricted()
        .filter(retiree=retiree, is_active=True, retiree__is_deleted=False)
        .select_related("retiree__org", "retiree__account")
        .first()
    )
    if found is None:
        raise Refused("not_volunteer", _("Register as a volunteer first."))
    return found


def is_eligible(volunteer: Volunteer, activity: Activity) -> bool:
    """The activity's open_to rule: its team's active members, volunteers of its org's area, or everyone."""
    if activity.open_to == Activity.OpenTo.ALL:
        return True
    if activity.open_to == Activity.OpenTo.TEAM:
        return (
            activity.team_id is not None
            and Membership.objects.unrestricted()
            .filter(team_id=activity.team_id, volunteer=volunteer, status=Membership.Status.ACTIVE)
            .exists()
        )
    return volunteer.retiree.org.path.startswith(activity.org.path)


def signups_open(activity: Activity, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if activity.is_cancelled or activity.is_deleted:
        return False
    deadline = activity.signup_deadline or activity.start
    return now < deadline


def _check_can_sign_up(volunteer: Volunteer, activity: Activity) -> None:
    if not signups_open(activity):
        if activity.is_cancelled:
            raise Refused("closed", _("This activity was cancelled."))
        raise Refused("closed", _("Sign-up for this activity has closed."))
    if not is_eligible(volunteer, activity):
        if activity.open_to == Activity.OpenTo.TEAM:
            raise Refused(
                "not_eligible", _("Only members of the team “%(team)s” can sign up.") % {"team": activity.team}
            )
        raise Refused(
            "not_eligible", _("Only volunteers of %(org)s and the orgs under it can sign up.") % {"org": activity.org}
        )


def waitlist_position(signup: Signup) -> int:
    ahead = (
        Signup.objects.unrestricted()
        .filter(activity_id=signup.activity_id, status=Signup.Status.WAITLISTED)
        .filter(Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, pk__lt=signup.pk))
        .count()
    )
    return ahead + 1


def answer_for(signup: Signup) -> SignupAnswer:
    if signup.status == Signup.Status.WAITLISTED:
        return SignupAnswer("waitlisted", waitlist_position(signup), signup)
    return SignupAnswer(signup.status, None, signup)


def _subject_volunteer(by: Any, retiree: Retiree, member: Retiree | None) -> Volunteer:
    """Family acting for a relative: registry.acting decides (`member`: the signed-in retiree acting)."""
    if member is not None:
        acting.require_family(
            member, retiree, _("You can only sign up yourself or relatives recorded in the registry.")
        )
    return live_volunteer(retiree)


@transaction.atomic
def do_signup(*, by: Any, activity: Activity, retiree: Retiree, member: Retiree | None = None) -> SignupAnswer:
    """Sign `retiree` up. `member`: the retiree acting (themselves, or family for a relative); None when
    staff act, whose right at the retiree's org the caller checked (代办)."""
    volunteer = _subject_volunteer(by, retiree, member)
    locked = _lock(activity)
    _check_can_sign_up(volunteer, locked)
    if (
        Signup.objects.unrestricted()
        .filter(activity=locked, volunteer=volunteer, status__in=[Signup.Status.SIGNED_UP, Signup.Status.WAITLISTED])
        .exists()
    ):
        raise Refused("duplicate", _("You are already signed up for this activity."))
    if locked.capacity is None or locked.signed_up < locked.capacity:
        status = Signup.Status.SIGNED_UP
        locked.signed_up += 1
        locked.save(update_fields=["signed_up"])
    else:
        waiting = Signup.objects.unrestricted().filter(activity=locked, status=Signup.Status.WAITLISTED).count()
        if waiting >= waitlist_limit(locked):
            raise Refused("full", _("Every place is taken and the waitlist is full."))
        status = Signup.Status.WAITLISTED
    signup = Signup.objects.create(
        activity=locked, volunteer=volunteer, status=status, by=by if getattr(by, "is_authenticated", False) else None
    )
    on_behalf = getattr(by, "pk", None) != retiree.account_id
    record(
        AuditRecord.Action.CREATE,
        signup,
        extra={"on_behalf": retiree.name if on_behalf else ""},
        org_path=locked.org.path,
    )
    return answer_for(signup)


@transaction.atomic
def do_cancel_signup(*, by: Any, activity: Activity, retiree: Retiree, member: Retiree | None = None) -> Signup:
    volunteer = _subject_volunteer(by, retiree, member)
    locked = _lock(activity)
    signup = (
        Signup.objects.unrestricted()
        .filter(activity=locked, volunteer=volunteer, status__in=[Signup.Status.SIGNED_UP, Signup.Status.WAITLISTED])
        .first()
    )
    if signup is None:
        raise Refused("not_signed_up", _("There is no sign-up to cancel."))
    if timezone.now() >= locked.start and signup.status == Signup.Status.SIGNED_UP:
        raise Refused("closed", _("The activity has started: tell the organiser instead."))
    was = signup.status
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    record(AuditRecord.Action.UPDATE, signup, changes={"status": [was, signup.status]}, org_path=locked.org.path)
    if was == Signup.Status.SIGNED_UP:
        locked.signed_up -= 1
        locked.save(update_fields=["signed_up"])
        _promote(locked, by)
    return signup


def _promote(locked: Activity, by: Any) -> list[Signup]:
    """Fill free places from the waitlist, first come first served (the caller holds the row lock)."""
    if locked.is_cancelled or timezone.now() >= locked.start:
        return []
    free = None if locked.capacity is None else locked.capacity - locked.signed_up
    queue = Signup.objects.unrestricted().filter(activity=locked, status=Signup.Status.WAITLISTED)
    queue = queue.select_related("volunteer__retiree__account").order_by("created_at", "pk")
    promoted = list(queue if free is None else queue[: max(free, 0)])
    now = timezone.now()
    for signup in promoted:
        signup.status = Signup.Status.SIGNED_UP
        signup.promoted_at = now
        signup.save(update_fields=["status", "promoted_at"])
        record(
            AuditRecord.Action.UPDATE,
            signup,
            changes={"status": [Signup.Status.WAITLISTED, Signup.Status.SIGNED_UP]},
            org_path=locked.org.path,
        )
        text = _("A place freed up: you are now signed up for “%(title)s” on %(day)s.") % {
            "title": locked.title,
            "day": _day(locked.start),
        }
        _tell(signup.volunteer, "volunteering.promoted", text, locked)
    if promoted:
        locked.signed_up += len(promoted)
        locked.save(update_fields=["signed_up"])
    return promoted
