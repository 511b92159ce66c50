"""The desk's list tables (django-tables2): the first column links to the object's page."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from yinling.campus.models import Course, Enrolment, SafetyPledge, School, Section, Site, Term

ATTRS = {"class": "table table-striped table-hover align-middle"}


def _link(name: str, pk: int, text: Any) -> Any:
    return format_html('<a href="{}">{}</a>', reverse(name, args=[pk]), text)


class SchoolTable(tables.Table):
    name = tables.Column(verbose_name=_("name"))
    org = tables.Column(verbose_name=_("org"), accessor="org__name", order_by=("org__path",))

    class Meta:
        model = School
        fields = ("name", "org", "women_from", "men_from", "age_until")
        attrs = ATTRS
        order_by = ("name",)

    def render_name(self, value: str, record: School) -> Any:
        return _link("campus:school_detail", record.pk, value)


class SiteTable(tables.Table):
    name = tables.Column(verbose_name=_("name"))
    school = tables.Column(verbose_name=_("school"), accessor="school__name")

    class Meta:
        model = Site
        fields = ("name", "school", "kind", "address", "opening_hours")
        attrs = ATTRS
        order_by = ("name",)

    def render_name(self, value: str, record: Site) -> Any:
        return _link("campus:site_detail", record.pk, value)


class TermTable(tables.Table):
    name = tables.Column(verbose_name=_("name"))
    school = tables.Column(verbose_name=_("school"), accessor="school__name")
    apply_from = tables.DateTimeColumn(verbose_name=_("enrolment opens"), format="Y-m-d H:i")
    apply_until = tables.DateTimeColumn(verbose_name=_("enrolment closes"), format="Y-m-d H:i")
    drawn_at = tables.DateTimeColumn(verbose_name=_("drawn"), format="Y-m-d H:i", default="—")

    class Meta:
        model = Term
        fields = ("name", "school", "mode", "starts", "ends", "apply_from", "apply_until", "drawn_at")
        attrs = ATTRS
        order_by = ("-starts",)

    def render_name(self, value: str, record: Term) -> Any:
        return _link("campus:term_detail", record.pk, value)


class CourseTable(tables.Table):
    name = tables.Column(verbose_name=_("name"))
    school = tables.Column(verbose_name=_("school"), accessor="school__name")
    prerequisite = tables.Column(verbose_name=_("prerequisite"), accessor="prerequisite__name", default="—")

    class Meta:
        model = Course
        fields = ("name", "school", "category", "prerequisite")
        attrs = ATTRS
        order_by = ("name",)

    def render_name(self, value: str, record: Course) -> Any:
        return _link("campus:course_detail", record.pk, value)


class SectionTable(tables.Table):
    course = tables.Column(verbose_name=_("course"), accessor="course__name")
    name = tables.Column(verbose_name=_("class name"), default="—")
    term = tables.Column(verbose_name=_("term"), accessor="term__name", order_by=("term__starts",))
    site = tables.Column(verbose_name=_("site"), accessor="site__name")
    times = tables.Column(verbose_name=_("weekly times"), empty_values=(), orderable=False)
    seats = tables.Column(verbose_name=_("seats taken"), empty_values=(), order_by=("taken",))

    class Meta:
        model = Section
        fields = ("course", "name", "term", "site", "teacher", "times", "seats", "fee")
        attrs = ATTRS
        order_by = ("course",)

    def render_course(self, value: str, record: Section) -> Any:
        return _link("campus:section_detail", record.pk, value)

    def render_times(self, record: Section) -> str:
        from yinling.campus.forms_slots import format_slots

        return format_slots(record.slots.all())

    def render_seats(self, record: Section) -> str:
        return f"{record.taken} / {record.capacity}"


class EnrolmentTable(tables.Table):
    """People masked as the registry's lists show them: the name and the last four ID digits."""

    person = tables.Column(verbose_name=_("Name"), accessor="retiree__name", order_by=("retiree__name_pinyin",))
    id_last4 = tables.Column(verbose_name=_("ID (last 4)"), accessor="retiree__id_masked", orderable=False)
    section = tables.Column(verbose_name=_("class"), accessor="section", order_by=("section__course__name",))
    site = tables.Column(verbose_name=_("site"), accessor="section__site__name")
    created_at = tables.DateTimeColumn(verbose_name=_("asked"), format="Y-m-d H:i")

    class Meta:
        model = Enrolment
        fields = ("person", "id_last4", "section", "site", "status", "rank", "fee_due_on", "fee_paid_on", "created_at")
        attrs = ATTRS
        order_by = ("-created_at",)

    def render_section(self, value: Any, record: Enrolment) -> Any:
        return _link("campus:section_detail", record.section_id, value)


class PledgeTable(tables.Table):
    person = tables.Column(verbose_name=_("Name"), accessor="retiree__name", order_by=("retiree__name_pinyin",))
    school = tables.Column(verbose_name=_("school"), accessor="school__name")

    class Meta:
        model = SafetyPledge
        fields = ("person", "school", "signed_by", "signed_on", "valid_until")
        attrs = ATTRS
        order_by = ("-signed_on",)

    def render_person(self, value: str, record: SafetyPledge) -> Any:
        return _link("campus:pledge_detail", record.pk, value)
