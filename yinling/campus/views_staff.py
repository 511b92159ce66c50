"""The registrars' desk, part 1: what every desk page shares, then schools, sites and courses.

Lists and pages are the generic views (core/views.py): 404 outside the user's subtrees, 403 inside them
without the right, checked before any form is read. Creating goes through the catalogue services
(`do_create_*`, which check the policy and write the audit record); edits of these plain records save the
form and write one audit record of what changed (`save_audited`). Terms are in views_staff_terms.py,
sections and their rosters in views_staff_sections.py, enrolments and pledges in views_staff_people.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.audit import registry as audit_registry
from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.campus.filters_staff import CourseFilterSet, SchoolFilterSet, SiteFilterSet
from yinling.campus.forms import CourseForm, SchoolForm, SiteForm
from yinling.campus.models import Course, School, Site
from yinling.campus.services import catalogue
from yinling.campus.tables import CourseTable, SchoolTable, SiteTable
from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import object_path
from yinling.core.views import ObjectDetailView, ObjectEditView, ObjectListView


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def save_audited(form: BaseModelForm, by: Any) -> models.Model:
    """Save an edit of a plain record and write one audit record of the fields that changed."""
    obj = form.instance
    model = type(obj)
    names = [model._meta.get_field(n).attname for n in form.fields if not form.fields[n].disabled]
    before = model._base_manager.filter(pk=obj.pk).values(*names).first() or {}
    with audit_registry.explicit():  # a model registered elsewhere would record the same save twice
        saved = form.save()
    changes = {n: [_text(before.get(n)), _text(getattr(saved, n))] for n in names if before.get(n) != getattr(saved, n)}
    if changes:
        record(AuditRecord.Action.UPDATE, saved, changes=changes, org_path=object_path(saved))
    return saved


class DeskDetailView(ObjectDetailView):
    template_name = "campus/staff/detail.html"
    edit_url_name: str = ""

    def object_crumbs(self, obj: Any) -> list[tuple[str, str]]:
        return [*self.list_crumbs(), (str(obj), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        if self.edit_url_name and ctx["can_change"]:
            ctx["edit_url"] = reverse(self.edit_url_name, args=[self.object.pk])
        return ctx


class DeskEditView(ObjectEditView):
    """Add or edit on the desk: a Refused from the service goes on the form, the page comes back."""

    template_name = "campus/staff/form.html"
    detail_url_name: str = ""
    list_url_name: str = ""

    def form_extra(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), **self.form_extra()}

    def form_valid(self, form: BaseModelForm) -> HttpResponse:
        try:
            with transaction.atomic():
                obj = self.save(form)
        except Refused as exc:
            refusals.on_form(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error(None, _("You may not do this at the org chosen."))
            return self.form_invalid(form)
        messages.success(self.request, _("Saved “%(obj)s”.") % {"obj": obj})
        return HttpResponseRedirect(self.get_success_url(obj))

    def get_success_url(self, obj: models.Model | None = None) -> str:  # type: ignore[override]
        target: Any = obj or self.object
        return reverse(self.detail_url_name, args=[target.pk])

    def cancel_url(self) -> str:
        if self.object is not None:
            return reverse(self.detail_url_name, args=[self.object.pk])
        return reverse(self.list_url_name)

    def object_crumbs(self, obj: Any) -> list[tuple[str, str]]:
        return [*self.list_crumbs(), (str(obj), reverse(self.detail_url_name, args=[obj.pk]))]


# --- schools --------------------------------------------------------------------------------------


class SchoolListView(ObjectListView):
    model = School
    table_class = SchoolTable
    filterset_class = SchoolFilterSet
    title = gettext_lazy("Schools")
    add_url_name = "campus:school_add"
    export_columns = [("编号", "pk"), ("学校名称", "name"), ("主管单位", "org.name"), ("单位代码", "org.code")]

    def get_queryset(self) -> QuerySet[School]:
        return super().get_queryset().select_related("org")


class SchoolDetailView(DeskDetailView):
    model = School
    template_name = "campus/staff/school_detail.html"
    edit_url_name = "campus:school_edit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["sites"] = Site.objects.restrict(user, "view").filter(school=self.object).order_by("name")
        ctx["courses"] = Course.objects.restrict(user, "view").filter(school=self.object).order_by("name")
        return ctx


class SchoolEditView(DeskEditView):
    model = School
    form_class = SchoolForm
    detail_url_name = "campus:school_detail"
    list_url_name = "campus:school_list"

    def save(self, form: BaseModelForm) -> models.Model:
        if self.object is not None:
            return save_audited(form, self.request.user)
        data = form.cleaned_data
        assert isinstance(form, SchoolForm)
        return catalogue.do_create_school(by=self.request.user, org=data["org"], name=data["name"], **form.rules())


# --- sites ----------------------------------------------------------------------------------------


class SiteListView(ObjectListView):
    model = Site
    table_class = SiteTable
    filterset_class = SiteFilterSet
    title = gettext_lazy("Teaching sites")
    add_url_name = "campus:site_add"
    export_columns = [
        ("编号", "pk"),
        ("名称", "name"),
        ("学校", "school.name"),
        ("类型", "get_kind_display"),
        ("地址", "address"),
        ("纬度", "latitude"),
        ("经度", "longitude"),
        ("教室", "rooms"),
        ("开放时间", "opening_hours"),
    ]

    def get_queryset(self) -> QuerySet[Site]:
        return super().get_queryset().select_related("school", "org")


class SiteDetailView(DeskDetailView):
    model = Site
    edit_url_name = "campus:site_edit"


class SiteEditView(DeskEditView):
    model = Site
    form_class = SiteForm
    detail_url_name = "campus:site_detail"
    list_url_name = "campus:site_list"

    def form_extra(self) -> dict[str, Any]:
        return {"schools": School.objects.restrict(self.request.user, "view")}

    def save(self, form: BaseModelForm) -> models.Model:
        if self.object is not None:
            return save_audited(form, self.request.user)
        assert isinstance(form, SiteForm)
        data = form.cleaned_data
        return catalogue.do_create_site(
            by=self.request.user, school=data["school"], org=data["org"], name=data["name"], **form.values()
        )


# --- courses --------------------------------------------------------------------------------------


class CourseListView(ObjectListView):
    model = Course
    table_class = CourseTable
    filterset_class = CourseFilterSet
    title = gettext_lazy("Courses")
    add_url_name = "campus:course_add"
    export_columns = [
        ("编号", "pk"),
        ("课程名称", "name"),
        ("学校", "school.name"),
        ("类别", "get_category_display"),
        ("先修课程", "prerequisite.name"),
        ("简介", "description"),
    ]

    def get_queryset(self) -> QuerySet[Course]:
        return super().get_queryset().select_related("school", "prerequisite")


class CourseDetailView(DeskDetailView):
    model = Course
    edit_url_name = "campus:course_edit"


class CourseEditView(DeskEditView):
    model = Course
    form_class = CourseForm
    detail_url_name = "campus:course_detail"
    list_url_name = "campus:course_list"
    org_fields = ()

    def form_extra(self) -> dict[str, Any]:
        from yinling.campus.services.selectors import schools_where

        return {"schools": schools_where(self.request.user, Course)}

    def save(self, form: BaseModelForm) -> models.Model:
        if self.object is not None:
            return save_audited(form, self.request.user)
        assert isinstance(form, CourseForm)
        data = form.cleaned_data
        return catalogue.do_create_course(
            by=self.request.user, school=data["school"], name=data["name"], **form.values()
        )
