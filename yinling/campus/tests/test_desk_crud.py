"""The generic permission tests (yinling.testing.permissions) for the desk's plain CRUD pages:
schools, sites and courses — list, detail, add, edit and export, by scope and by role."""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from yinling.campus.models import Course, School, Site
from yinling.campus.tests import factories as f
from yinling.orgs.models import Org
from yinling.testing.permissions import ScopedViewPermissionTests
from yinling.testing.personas import Personas, make_org

_n = itertools.count(1)


def _org_under(parent: Org) -> Org:
    n = next(_n)
    return make_org(f"{parent.code}Q{n:02d}", f"{parent.name[:2]}学校{n}", Org.Kind.STATION, parent)


def _root(p: Personas, where: str) -> Org:
    return p.tree.city_a if where == "own" else p.tree.city_b


class _FixedPlace(ScopedViewPermissionTests):
    """What places these records (the org, the school) is chosen once, when made: the edit form has no
    such field, so an edit naming another subtree's org changes nothing and stays in scope."""

    fixed: ClassVar[tuple[str, ...]] = ()

    def detail_url(self, obj: Any) -> str:
        return f"/campus/desk/{self.segment}/{obj.pk}/"

    segment: ClassVar[str] = ""

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        own = self.make(p, "own")
        before = {name: getattr(own, name) for name in self.fixed}
        response = self.client_for(p.owner).post(self.edit_url(own), self.form_data(p, own, "other"))
        assert response.status_code in (200, 302)
        own.refresh_from_db()
        assert {name: getattr(own, name) for name in self.fixed} == before


class TestSchoolPermissions(_FixedPlace):
    model = School
    list_url = "/campus/desk/schools/"
    add_url = "/campus/desk/schools/add/"
    segment = "schools"
    fixed = ("org_id",)

    def make(self, p: Personas, where: str) -> School:
        return f.school(_org_under(_root(p, where)))

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        data = {"name": f"老年大学{next(_n)}", "women_from": 50, "men_from": 55, "age_until": 80}
        return {**data, "org": _org_under(_root(p, where)).code}


class TestSitePermissions(_FixedPlace):
    model = Site
    list_url = "/campus/desk/sites/"
    add_url = "/campus/desk/sites/add/"
    segment = "sites"
    fixed = ("org_id", "school_id")

    def make(self, p: Personas, where: str) -> Site:
        school = f.school(_org_under(_root(p, where)))
        return f.site(school, org=_org_under(school.org), name=f"教学点{next(_n)}")

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        school = f.school(_org_under(_root(p, where)))
        return {
            "school": school.pk,
            "org": _org_under(school.org).code,
            "name": f"教学点{next(_n)}",
            "kind": "point",
            "address": "西湖路1号",
        }


class TestCoursePermissions(_FixedPlace):
    model = Course
    list_url = "/campus/desk/courses/"
    add_url = "/campus/desk/courses/add/"
    segment = "courses"
    fixed = ("school_id",)

    def make(self, p: Personas, where: str) -> Course:
        return f.course(f.school(_org_under(_root(p, where))), name=f"课程{next(_n)}")

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        school = f.school(_org_under(_root(p, where)))
        return {"school": school.pk, "name": f"课程{next(_n)}", "category": "dance", "description": ""}
