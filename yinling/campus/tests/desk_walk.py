"""One of each campus object on the personas' tree, for the core URL walk (keys: what a route's pk names)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def walk_objects(cast: Any) -> dict[str, Any]:
    from yinling.campus.models import SafetyPledge
    from yinling.campus.services import enrol
    from yinling.campus.tests import factories as f

    school = f.school(cast.tree.county_a)
    site = f.site(school)
    term = f.term(school)
    section = f.section(term, site)
    student = f.person(cast.tree.unit_a)
    answer = enrol.do_enrol(by=cast.clerk, section=section, retiree=student, on_behalf=True)
    pledge = SafetyPledge.objects.create(
        retiree=cast.retiree_record, school=school, signed_by="张秀英", signed_on=timezone.localdate()
    )
    return {
        "campus_school": school,
        "campus_site": site,
        "campus_term": term,
        "campus_course": section.course,
        "campus_section": section,
        "campus_enrolment": answer.enrolment,
        "campus_pledge": pledge,
    }
