"""Check-in and check-out, the hours they credit, flags, bars and honour hours.

Credited hours come only from an `Attendance`: check-in with the organiser's rotating code (codes.py) or by
a leader for someone without a phone, then check-out, clipped to the activity's start and end and rounded
by hours.credited(). Check-in opens `checkin_opens_minutes` before the start and closes at the end
(`not_open` / `closed`). A forgotten check-out is closed at the activity's end by `close_forgotten()`
(the periodic command close_volunteer_checkins): review pending, a NO_CHECKOUT flag for the leader.

Every change to a person's hours runs under that volunteer's row lock and ends with hours.recompute().
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.refusals import Refused
from yinling.volunteering import codes, hours, policy
from yinling.volunteering.models import Activity, Attendance, Bar, Flag, HonourHours, Signup, Volunteer
from yinling.volunteering.services.activities import is_eligible, live_volunteer

BAR_YEARS = (1, 2, 3)


def device_hash(client_id: str = "", user_agent: str = "", ip: str = "") -> str:
    """A keyed hash of the phone (its client id, else browser and address); the raw values are never kept."""
    raw = client_id.strip() or f"{user_agent}|{ip}"
    if not raw.strip("|"):
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()


def _lock_volunteer(volunteer: Volunteer) -> Volunteer:
    return (
        Volunteer.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("retiree__org")
        .get(pk=volunteer.pk)
    )


def _check_window(activity: Activity, now: dt.datetime) -> None:
    if activity.is_cancelled or activity.is_deleted:
        raise Refused("closed", _("This activity was cancelled."))
    opens = activity.start - dt.timedelta(minutes=activity.checkin_opens_minutes)
    if now < opens:
        raise Refused(
            "not_open",
            _("Check-in opens at %(time)s.") % {"time": timezone.localtime(opens).strftime("%m-%d %H:%M")},
        )
    if now >= activity.end:
        raise Refused("closed", _("This activity has ended: check-in is closed."))


def _check_may_attend(volunteer: Volunteer, activity: Activity) -> None:
    if activity.walk_in:
        if not is_eligible(volunteer, activity):
            raise Refused("not_eligible", _("This activity is not open to you."))
        return
    signed = (
        Signup.objects.unrestricted()
        .filter(activity=activity, volunteer=volunteer, status=Signup.Status.SIGNED_UP)
        .exists()
    )
    if not signed:
        raise Refused("not_eligible", _("Only those signed up for this activity can check in."))


def _existing(activity: Activity, volunteer: Volunteer) -> Attendance | None:
    return Attendance.objects.unrestricted().filter(activity=activity, volunteer=volunteer).first()


def _raise_flag(kind: str, attendance: Attendance, detail: str) -> Flag | None:
    if Flag.objects.unrestricted().filter(kind=kind, attendance=attendance, status=Flag.Status.OPEN).exists():
        return None
    flag = Flag.objects.create(
        kind=kind,
        volunteer_id=attendance.volunteer_id,
        activity_id=attendance.activity_id,
        attendance=attendance,
        detail=detail[:300],
    )
    record(AuditRecord.Action.CREATE, flag, org_path=attendance.activity.org.path)
    return flag


def _checkin(
    *, by: Any, activity: Activity, volunteer: Volunteer, device: str, leader: bool, now: dt.datetime
) -> Attendance:
    _check_window(activity, now)
    _check_may_attend(volunteer, activity)
    if _existing(activity, volunteer) is not None:
        raise Refused("already_checked_in", _("Already checked in to this activity."))
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                activity=activity,
                volunteer=volunteer,
                checked_in_at=now,
                checked_in_by=by if leader else None,
                device=device,
            )
    except IntegrityError as exc:  # the same person at the same moment from two phones
        raise Refused("already_checked_in", _("Already checked in to this activity.")) from exc
    record(
        AuditRecord.Action.CREATE,
        attendance,
        extra={"via": "leader" if leader else "code"},
        org_path=activity.org.path,
    )
    _flag_still_elsewhere(attendance, now)
    if device and not leader:
        _flag_shared_device(attendance)
    return attendance


def _activity(activity: Activity) -> Activity:
    # Read on the service's authority: the caller found the activity through its own rule.
    return Activity.objects.unrestricted().select_related("org").get(pk=activity.pk)


@transaction.atomic
def do_checkin(*, by: Any, activity: Activity, code: str, device: str = "") -> Attendance:
    """A volunteer checks themselves in with the organiser's code."""
    me = policy.volunteer_of(by)
    if me is None:
        raise Refused("not_volunteer", _("Register as a volunteer first."))
    now = timezone.now()
    current = _activity(activity)
    _check_window(current, now)
    if codes.locked_out(me.pk, current.pk):
        raise Refused(
            "too_many_tries",
            _("Too many wrong codes. Wait %(minutes)s minutes, or ask the leader to check you in.")
            % {"minutes": settings.VOLUNTEER_CODE_MISS_WINDOW_SECONDS // 60},
        )
    if not codes.is_valid(current.code_secret, code, now):
        codes.count_miss(me.pk, current.pk)
        raise Refused("bad_code", _("That code is not right. Enter the 6 digits the organiser shows now."))
    volunteer = _lock_volunteer(me)
    attendance = _checkin(by=by, activity=current, volunteer=volunteer, device=device, leader=False, now=now)
    codes.forget_misses(me.pk, current.pk)
    return attendance


@transaction.atomic
def do_leader_checkin(*, by: Any, activity: Activity, volunteer: Volunteer) -> Attendance:
    """A leader checks in someone without a phone (recorded as done by the leader)."""
    current = _activity(activity)
    policy.check_checkin_others(by, current)
    locked = _lock_volunteer(live_volunteer(volunteer.retiree))
    return _checkin(by=by, activity=current, volunteer=locked, device="", leader=True, now=timezone.now())


def _checkout(*, by: Any, activity: Activity, volunteer: Volunteer, leader: bool) -> Attendance:
    attendance = (
        Attendance.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("activity__org")
        .filter(activity=activity, volunteer=volunteer)
        .first()
    )
    if attendance is None:
        raise Refused("not_checked_in", _("Not checked in to this activity."))
    if attendance.checked_out_at is not None:
        raise Refused(
            "not_checked_in",
            _("Already checked out at %(time)s.")
            % {"time": timezone.localtime(attendance.checked_out_at).strftime("%H:%M")},
        )
    now = timezone.now()
    attendance.checked_out_at = now
    attendance.checked_out_by = by if leader else None
    attendance.credited_hours = hours.credited(attendance.checked_in_at, now, activity.start, activity.end)
    attendance.save(update_fields=["checked_out_at", "checked_out_by", "credited_hours"])
    record(
        AuditRecord.Action.UPDATE,
        attendance,
        changes={"checked_out_at": [None, now], "credited_hours": [None, attendance.credited_hours]},
        extra={"via": "leader" if leader else "code"},
        org_path=activity.org.path,
    )
    _flag_after_stay(attendance)
    hours.recompute(volunteer)
    return attendance


@transaction.atomic
def do_checkout(*, by: Any, activity: Activity) -> Attendance:
    me = policy.volunteer_of(by)
    if me is None:
        raise Refused("not_volunteer", _("Register as a volunteer first."))
    volunteer = _lock_volunteer(me)
    return _checkout(by=by, activity=_activity(activity), volunteer=volunteer, leader=False)


@transaction.atomic
def do_leader_checkout(*, by: Any, activity: Activity, volunteer: Volunteer) -> Attendance:
    current = _activity(activity)
    policy.check_checkin_others(by, current)
    return _checkout(by=by, activity=current, volunteer=_lock_volunteer(volunteer), leader=True)


# --- forgotten check-outs -----------------------------------------------------------------------


def close_forgotten(now: dt.datetime | None = None) -> int:
    """Close every attendance still open after its activity ended: checked out at the end, review pending,
    a NO_CHECKOUT flag for the leader; one transaction per person. Returns how many were closed."""
    now = now or timezone.now()
    open_ids = list(
        Attendance.objects.unrestricted()
        .filter(checked_out_at__isnull=True, activity__end__lte=now)
        .order_by("pk")
        .values_list("pk", "volunteer_id")
    )
    closed = 0
    for pk, volunteer_id in open_ids:
        with transaction.atomic():
            volunteer = _lock_volunteer(Volunteer(pk=volunteer_id))
            attendance = (
                Attendance.objects.unrestricted()
                .select_for_update(of=("self",))
                .select_related("activity__org")
                .filter(pk=pk, checked_out_at__isnull=True)
                .first()
            )
            if attendance is None:
                continue
            activity = attendance.activity
            attendance.checked_out_at = activity.end
            attendance.auto_closed = True
            attendance.review = Attendance.Review.PENDING
            attendance.credited_hours = hours.credited(
                attendance.checked_in_at, activity.end, activity.start, activity.end
            )
            attendance.save(update_fields=["checked_out_at", "auto_closed", "review", "credited_hours"])
            record(
                AuditRecord.Action.UPDATE,
                attendance,
                changes={"checked_out_at": [None, activity.end], "review": ["", attendance.review]},
                extra={"reason": "no_checkout"},
                org_path=activity.org.path,
                actor_username="system",
            )
            _raise_flag(
                Flag.Kind.NO_CHECKOUT,
                attendance,
                _("Closed at the activity's end: %(hours)s h awaiting the leader.")
                % {"hours": attendance.credited_hours},
            )
            _flag_after_stay(attendance)
            hours.recompute(volunteer)
            closed += 1
    return closed


# --- flags --------------------------------------------------------------------------------------


def _flag_still_elsewhere(attendance: Attendance, now: dt.datetime) -> None:
    other = (
        Attendance.objects.unrestricted()
        .filter(volunteer_id=attendance.volunteer_id, checked_out_at__isnull=True, activity__end__gt=now)
        .exclude(pk=attendance.pk)
        .select_related("activity")
        .first()
    )
    if other is not None:
        _raise_flag(
            Flag.Kind.OVERLAP, attendance, _("Still checked in to “%(title)s”.") % {"title": other.activity.title}
        )


def _stay(attendance: Attendance) -> tuple[dt.datetime, dt.datetime]:
    activity = attendance.activity
    end = attendance.checked_out_at or activity.end
    return max(attendance.checked_in_at, activity.start), min(end, activity.end)


def _flag_after_stay(attendance: Attendance) -> None:
    """OVERLAP with the person's other stays, and LONG_DAY when a local day's credited hours pass the limit."""
    begin, finish = _stay(attendance)
    others = (
        Attendance.objects.unrestricted()
        .filter(volunteer_id=attendance.volunteer_id, checked_in_at__lt=finish, activity__end__gt=begin)
        .exclude(pk=attendance.pk)
        .select_related("activity")
    )
    for other in others:
        o_begin, o_finish = _stay(other)
        if o_begin < finish and begin < o_finish:
            _raise_flag(Flag.Kind.OVERLAP, attendance, _("Overlaps “%(title)s”.") % {"title": other.activity.title})
            break
    day = timezone.localtime(attendance.checked_in_at).date()
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    total = Attendance.objects.unrestricted().filter(
        volunteer_id=attendance.volunteer_id,
        checked_in_at__gte=day_start,
        checked_in_at__lt=day_start + dt.timedelta(days=1),
    ).aggregate(h=Sum("credited_hours"))["h"] or Decimal("0")
    limit = Decimal(settings.VOLUNTEER_MAX_DAY_HOURS)
    if total > limit:
        _raise_flag(
            Flag.Kind.LONG_DAY,
            attendance,
            _("%(hours)s h on %(day)s (more than %(limit)s).") % {"hours": total, "day": day, "limit": limit},
        )


def _flag_shared_device(attendance: Attendance) -> None:
    people = (
        Attendance.objects.unrestricted()
        .filter(activity_id=attendance.activity_id, device=attendance.device)
        .values("volunteer_id")
        .distinct()
        .count()
    )
    if people > settings.VOLUNTEER_DEVICE_MAX_PEOPLE:
        _raise_flag(
            Flag.Kind.SHARED_DEVICE,
            attendance,
            _("%(n)s people checked in from one phone.") % {"n": people},
        )


RESOLUTIONS = ("keep", "cut", "bar")


@transaction.atomic
def do_resolve_flag(
    *,
    by: Any,
    flag: Flag,
    decision: str,
    hours_left: Decimal | None = None,
    note: str = "",
    bar_years: int = 1,
) -> Flag:
    """keep: the hours stand (a pending review is confirmed); cut: the attendance keeps `hours_left`;
    bar: cut (to `hours_left`, default 0) and bar the volunteer from stars and honours for `bar_years`."""
    if decision not in RESOLUTIONS:
        raise Refused("invalid", _("Choose keep, cut or bar."))
    current = Flag.objects.unrestricted().select_related("activity__org", "volunteer__retiree__org").get(pk=flag.pk)
    policy.check_resolve_flag(by, current)
    if decision == "bar":
        policy.check_bar(by, current.volunteer)
    volunteer = _lock_volunteer(current.volunteer)
    locked = Flag.objects.unrestricted().select_for_update(of=("self",)).get(pk=flag.pk)
    if locked.status != Flag.Status.OPEN:
        raise Refused("closed", _("This flag was already resolved."))
    attendance = (
        Attendance.objects.unrestricted().select_for_update(of=("self",)).filter(pk=locked.attendance_id).first()
        if locked.attendance_id is not None
        else None
    )
    changes: dict[str, Any] = {}
    if decision == "keep":
        locked.status = Flag.Status.KEPT
        if attendance is not None and attendance.review == Attendance.Review.PENDING:
            changes["review"] = [attendance.review, Attendance.Review.CONFIRMED]
            attendance.review = Attendance.Review.CONFIRMED
            attendance.save(update_fields=["review"])
    else:
        left = Decimal("0") if hours_left is None else Decimal(hours_left)
        if attendance is not None:
            before = attendance.credited_hours or Decimal("0")
            if left < 0 or left > before:
                raise Refused("invalid", _("The hours left must be between 0 and %(h)s.") % {"h": before})
            changes["credited_hours"] = [before, left]
            changes["review"] = [attendance.review, Attendance.Review.CUT]
            attendance.credited_hours = left
            attendance.review = Attendance.Review.CUT
            attendance.save(update_fields=["credited_hours", "review"])
        locked.status = Flag.Status.CUT if decision == "cut" else Flag.Status.BARRED
    locked.resolved_by = by
    locked.resolved_at = timezone.now()
    locked.resolution_note = note[:300]
    locked.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    changes["status"] = [Flag.Status.OPEN, locked.status]
    record(AuditRecord.Action.UPDATE, locked, changes=changes, org_path=current.activity.org.path)
    if decision == "bar":
        _bar(by=by, volunteer=volunteer, years=bar_years, reason=note or str(current), flag=locked)
    hours.recompute(volunteer)
    return locked


def _bar(*, by: Any, volunteer: Volunteer, years: int, reason: str, flag: Flag | None) -> Bar:
    if years not in BAR_YEARS:
        raise Refused("invalid", _("A bar lasts 1, 2 or 3 years."))
    if not reason.strip():
        raise Refused("invalid", _("Give the reason for the bar."))
    today = timezone.localdate()
    try:
        until = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        until = today.replace(year=today.year + years, day=28)
    bar = Bar.objects.create(volunteer=volunteer, since=today, until=until, reason=reason[:300], flag=flag, by=by)
    before = volunteer.barred_until
    volunteer.barred_until = max(until, before) if before else until
    volunteer.save(update_fields=["barred_until"])
    record(
        AuditRecord.Action.CREATE,
        bar,
        extra={"reason": reason[:300], "to": volunteer.barred_until},
        org_path=volunteer.retiree.org.path,
    )
    return bar


@transaction.atomic
def do_bar_volunteer(*, by: Any, volunteer: Volunteer, years: int, reason: str) -> Bar:
    """Bar an over-reporting volunteer from stars and honours for 1–3 years (stars go to 0)."""
    policy.check_bar(by, volunteer)
    locked = _lock_volunteer(volunteer)
    bar = _bar(by=by, volunteer=locked, years=years, reason=reason, flag=None)
    hours.recompute(locked)
    return bar


@transaction.atomic
def do_add_honour_hours(
    *,
    by: Any,
    volunteer: Volunteer,
    hours_added: Decimal,
    reason: str,
    served_on: dt.date,
    activity: Activity | None = None,
) -> HonourHours:
    """Honour hours for past or offline service: a reason is required; capped at the activity's length."""
    policy.check_add_honour(by, volunteer)
    locked = _lock_volunteer(volunteer)
    if hours.is_barred(locked):
        raise Refused("barred", _("Barred from honours until %(day)s.") % {"day": locked.barred_until})
    if not reason.strip():
        raise Refused("invalid", _("Give the reason for the honour hours."))
    amount = Decimal(hours_added)
    if amount <= 0 or amount != amount.quantize(Decimal("0.5")):
        raise Refused("invalid", _("Enter the hours in half hours, more than 0."))
    if served_on > timezone.localdate():
        raise Refused("invalid", _("Honour hours are for service already done."))
    if activity is not None:
        length = hours.round_seconds((activity.end - activity.start).total_seconds())
        earlier = HonourHours.objects.unrestricted().filter(volunteer=locked, activity=activity).aggregate(
            h=Sum("hours")
        )["h"] or Decimal("0")
        if amount + earlier > length:
            raise Refused(
                "invalid",
                _("At most %(h)s hours for this activity (its length).") % {"h": length - earlier},
            )
    honour = HonourHours.objects.create(
        volunteer=locked, activity=activity, served_on=served_on, hours=amount, reason=reason[:300], added_by=by
    )
    record(AuditRecord.Action.CREATE, honour, extra={"reason": reason[:300]}, org_path=locked.retiree.org.path)
    hours.recompute(locked)
    return honour
