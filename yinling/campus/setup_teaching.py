"""Registrations of the teaching half: grants for meetings, attendance, lessons and certificates; the staff
navigation (group "campus"); the students' tiles; the report panels."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from yinling.accounts import roles
    from yinling.campus import reports

    teaching = (
        roles.crud("campus.meeting", "view", "add", "change")
        | roles.crud("campus.presence", "view", "add", "change")
        | roles.crud("campus.lesson", "view", "add", "change")
        | roles.crud("campus.watch", "view")
        | roles.crud("campus.certificate", "view", "add")
    )
    roles.grant([roles.CLERK, roles.BUREAU_ADMIN], teaching)
    roles.grant(
        [roles.LEADER],
        roles.crud("campus.meeting", "view")
        | roles.crud("campus.presence", "view")
        | roles.crud("campus.lesson", "view")
        | roles.crud("campus.watch", "view")
        | roles.crud("campus.certificate", "view"),
    )
    _navigation()
    _tiles()
    reports.register_panels()


def _navigation() -> None:
    from yinling.core.navigation import NavItem, register_nav

    for item in (
        NavItem(
            _("Today's classes"),
            "campus:teaching_today",
            order=75,
            check=_teaches,
            group="campus",
            icon="clipboard-check",
        ),
        NavItem(
            _("Online lessons"),
            "campus:lesson_list",
            perm="campus.view_lesson",
            order=76,
            group="campus",
            icon="journal-text",
        ),
        NavItem(
            _("Teacher hours"),
            "campus:teacher_hours",
            perm="campus.view_section",
            order=77,
            group="campus",
            icon="clock-history",
        ),
        NavItem(
            _("Class report"),
            "campus:course_report",
            perm="campus.view_section",
            order=78,
            group="campus",
            icon="bar-chart-line",
        ),
    ):
        register_nav(item)


def _teaches(user: Any) -> bool:
    from yinling.campus.views_teaching import may_use_teaching

    return getattr(user, "kind", "") != "retiree" and may_use_teaching(user)


def _is_retiree(user: Any) -> bool:
    return getattr(user, "kind", "") == "retiree"


def _studies(user: Any) -> dict[str, bool]:
    """What of the teaching half concerns this retiree (one query set per request): the tiles show only that."""
    from yinling.core.tiles import once_per_request

    def find() -> dict[str, bool]:
        from django.utils import timezone

        from yinling.campus.models import Enrolment, Lesson
        from yinling.campus.views_teaching import may_use_teaching
        from yinling.registry import acting

        me = acting.retiree_of(user)
        if me is None:
            return {}
        mine = Enrolment.objects.unrestricted().filter(retiree=me, status=Enrolment.Status.ENROLLED)
        today = timezone.localdate()
        return {
            "student": mine.filter(section__term__ends__gte=today).exists(),
            "live": mine.filter(section__term__ends__gte=today).exclude(section__live_url="").exists(),
            "ended": mine.filter(section__term__ends__lt=today).exists(),
            "lessons": mine.exists()
            or Lesson.objects.unrestricted().filter(open_to_all=True, is_deleted=False).exists(),
            "teaches": may_use_teaching(user),
        }

    return once_per_request(user, "campus.teaching_tiles", find)  # type: ignore[no-any-return]


def _applies(key: str) -> Any:
    return lambda user: _is_retiree(user) and bool(_studies(user).get(key))


def _today_count(user: Any) -> int:
    from yinling.campus.services import teaching
    from yinling.core.tiles import once_per_request

    return len(once_per_request(user, "campus.meetings_today", lambda: teaching.meetings_today_of(user)))


def _tiles() -> None:
    from yinling.core.tiles import Tile, register_tile

    for tile in (
        Tile("campus-checkin", _("Check in to class"), "clipboard-check", url_name="campus:checkin_today", order=31,
             applies=_applies("student"), count=_today_count),
        Tile("campus-lessons", _("Online lessons"), "journal-text", url_name="campus:my_lessons", order=32,
             applies=_applies("lessons")),
        Tile("campus-timetable", _("Live classes this week"), "calendar-event", url_name="campus:live_timetable",
             order=33, applies=_applies("live")),
        Tile("campus-certificates", _("My certificates"), "file-earmark-pdf", url_name="campus:my_certificates",
             order=34, applies=_applies("ended")),
        Tile("campus-teaching", _("Take attendance"), "people", url_name="campus:teaching_today", order=35,
             applies=_applies("teaches")),
    ):  # fmt: skip
        register_tile(tile)
