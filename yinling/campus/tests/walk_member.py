"""The retiree's half's objects for the URL walk (core/tests/test_url_walk.py): a class of a first-come term
whose enrolment opens tomorrow (an empty POST answers 409 "closed" rather than enrolling the persona: the walk
expects no 201), and a lottery term (keys: what the routes' pk names)."""

from __future__ import annotations

from typing import Any

from yinling.campus.models import School, Term
from yinling.campus.tests import factories as f


def walk_objects(cast: Any, school: School) -> dict[str, Any]:
    """Built on the desk's school (desk_walk.walk_objects): a school is one to one with its org."""
    site = f.site(school)
    section = f.section(f.term(school, open_now=False), site)
    lottery_term = f.term(school, mode=Term.Mode.LOTTERY, name="2027年秋季学期")
    return {"campus_member_section": section, "campus_lottery_term": lottery_term}
