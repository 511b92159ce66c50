"""Staff figures of the senior university, always inside the viewer's subtree (restrict()):

- teacher hours: per teacher per term, the sum of the held meetings' lengths (held: not cancelled, its day come);
- per course: applicants, seats, applicants per seat, enrolled, success rate (enrolled / applicants) and the
  attendance rate (presences / (held meetings × enrolled students), summed over the course's classes);
as pages with .xlsx downloads (views_teaching_reports.py) and as cockpit panels (bar charts).

An applicant is one person asking for one class, whatever came of it (enrolment rows of any status).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.campus.models import Enrolment, Meeting, Presence, Section, Term
from yinling.core.panels import Panel, PanelData, Series, register_panel
from yinling.orgs.models import Org

PERM = "campus.view_section"


def sections(user: Any) -> QuerySet[Section]:
    return Section.objects.restrict(user, "view")


def terms(user: Any) -> QuerySet[Term]:
    """Terms with a class the user sees, newest first."""
    return Term.objects.unrestricted().filter(pk__in=sections(user).values("term_id"), is_deleted=False)


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


@dataclass
class TeacherHours:
    teacher: str
    term: Term
    classes: int
    meetings: int
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


def teacher_hours(user: Any, term: Term | None = None, today: dt.date | None = None) -> list[TeacherHours]:
    day = today or timezone.localdate()
    mine = sections(user).select_related("term", "teacher_account")
    if term is not None:
        mine = mine.filter(term=term)
    by_section = {s.pk: s for s in mine}
    held = (
        Meeting.objects.unrestricted()
        .filter(section_id__in=list(by_section), is_cancelled=False, date__lte=day)
        .values_list("section_id", "start", "end")
    )
    rows: dict[tuple[str, int], TeacherHours] = {}
    classes: dict[tuple[str, int], set[int]] = defaultdict(set)
    for section in by_section.values():
        name = section.teacher or (section.teacher_account.full_name if section.teacher_account else "") or _("(none)")
        key = (name, section.term_id)
        rows.setdefault(key, TeacherHours(name, section.term, 0, 0, 0))
        classes[key].add(section.pk)
    for section_id, start, end in held:
        section = by_section[section_id]
        name = section.teacher or (section.teacher_account.full_name if section.teacher_account else "") or _("(none)")
        row = rows[(name, section.term_id)]
        row.meetings += 1
        row.minutes += _minutes(start, end)
    for key, row in rows.items():
        row.classes = len(classes[key])
    return sorted(rows.values(), key=lambda r: (-r.term.starts.toordinal(), r.teacher))


@dataclass
class CourseFigures:
    course: str
    term: str
    applicants: int
    seats: int
    enrolled: int
    present: int
    possible: int  # held meetings × enrolled students
    term_id: int = 0

    @property
    def per_seat(self) -> float:
        return round(self.applicants / self.seats, 2) if self.seats else 0.0

    @property
    def success(self) -> float:
        return round(self.enrolled / self.applicants, 4) if self.applicants else 0.0

    @property
    def attendance(self) -> float:
        return round(self.present / self.possible, 4) if self.possible else 0.0


def course_figures(
    user: Any, *, term: Term | None = None, org: Org | None = None, today: dt.date | None = None
) -> list[CourseFigures]:
    """One row per course and term (the classes of a course in a term added up)."""
    day = today or timezone.localdate()
    mine = sections(user)
    if term is not None:
        mine = mine.filter(term=term)
    if org is not None:
        mine = mine.filter(site__org__path__under=org.path)
    per_section = list(
        mine.values("pk", "capacity", "course_id", "course__name", "term_id", "term__name").annotate(
            applicants=Count("enrolments", distinct=True),
            enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED), distinct=True),
        )
    )
    ids = [row["pk"] for row in per_section]
    held = dict(
        Meeting.objects.unrestricted()
        .filter(section_id__in=ids, is_cancelled=False, date__lte=day)
        .values("section_id")
        .annotate(n=Count("id"))
        .values_list("section_id", "n")
    )
    present = dict(
        Presence.objects.unrestricted()
        .filter(
            meeting__section_id__in=ids,
            meeting__is_cancelled=False,
            meeting__date__lte=day,
            enrolment__status=Enrolment.Status.ENROLLED,
        )
        .values("meeting__section_id")
        .annotate(n=Count("id"))
        .values_list("meeting__section_id", "n")
    )
    rows: dict[tuple[int, int], CourseFigures] = {}
    for s in per_section:
        key = (s["course_id"], s["term_id"])
        row = rows.setdefault(key, CourseFigures(s["course__name"], s["term__name"], 0, 0, 0, 0, 0, s["term_id"]))
        row.applicants += s["applicants"]
        row.seats += s["capacity"]
        row.enrolled += s["enrolled"]
        row.present += present.get(s["pk"], 0)
        row.possible += held.get(s["pk"], 0) * s["enrolled"]
    return sorted(rows.values(), key=lambda r: (r.term, r.course))


COURSE_HEADERS = [
    gettext_lazy("Course"),
    gettext_lazy("Term"),
    gettext_lazy("Applicants"),
    gettext_lazy("Seats"),
    gettext_lazy("Applicants per seat"),
    gettext_lazy("Enrolled"),
    gettext_lazy("Success rate"),
    gettext_lazy("Attendance rate"),
]


def course_rows(figures: list[CourseFigures]) -> list[list[Any]]:
    return [[r.course, r.term, r.applicants, r.seats, r.per_seat, r.enrolled, r.success, r.attendance] for r in figures]


TEACHER_HEADERS = [
    gettext_lazy("Teacher"),
    gettext_lazy("Term"),
    gettext_lazy("Classes"),
    gettext_lazy("Meetings held"),
    gettext_lazy("Hours"),
]


def teacher_rows(figures: list[TeacherHours]) -> list[list[Any]]:
    return [[r.teacher, r.term.name, r.classes, r.meetings, r.hours] for r in figures]


# --- cockpit panels ----------------------------------------------------------------------------------------

# The panels show the current and the last term: terms that ended within half a year, or have not ended.
RECENT_DAYS = 183


def _recent(user: Any, org: Org) -> list[CourseFigures]:
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    recent = set(terms(user).filter(ends__gte=since).values_list("pk", flat=True))
    return [r for r in course_figures(user, org=org) if r.term_id in recent]


def _label(r: CourseFigures) -> str:
    return f"{r.course}（{r.term}）"


def applicants_panel(user: Any, org: Org) -> PanelData:
    rows = _recent(user, org)
    return PanelData(
        categories=[_label(r) for r in rows],
        series=[Series(_("Applicants per seat"), [r.per_seat for r in rows])],
        category_header=_("Course"),
        note=_("Everyone who asked for a class, divided by its seats; the current and the last term."),
    )


def success_panel(user: Any, org: Org) -> PanelData:
    rows = _recent(user, org)
    return PanelData(
        categories=[_label(r) for r in rows],
        series=[Series(_("Success rate (%)"), [round(r.success * 100, 1) for r in rows])],
        category_header=_("Course"),
        note=_("Enrolled students out of everyone who asked."),
    )


def attendance_panel(user: Any, org: Org) -> PanelData:
    rows = _recent(user, org)
    return PanelData(
        categories=[_label(r) for r in rows],
        series=[Series(_("Attendance rate (%)"), [round(r.attendance * 100, 1) for r in rows])],
        category_header=_("Course"),
        note=_("Students marked present out of those enrolled, over the class meetings held so far."),
    )


def register_panels() -> None:
    for panel in (
        Panel("campus-applicants", gettext_lazy("Class applicants per seat"), applicants_panel, perm=PERM, order=70),
        Panel("campus-success", gettext_lazy("Class enrolment success rate"), success_panel, perm=PERM, order=71),
        Panel("campus-attendance", gettext_lazy("Class attendance rate"), attendance_panel, perm=PERM, order=72),
    ):
        register_panel(panel)
