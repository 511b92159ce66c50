from __future__ import annotations

from dataclasses import dataclass

import pytest

from yinling.campus.models import School, Section, Site, Term
from yinling.campus.tests import factories as f
from yinling.testing.personas import Cast


@dataclass
class Campus:
    cast: Cast
    school: School
    site: Site
    term: Term
    section: Section  # 2 seats, Monday 09:00–11:00, keeps a waitlist


@pytest.fixture
def campus(cast: Cast) -> Campus:
    """西湖区's school (at county A1, where the clerk works) with one site, a first-come term open now."""
    school = f.school(cast.tree.county_a)
    site = f.site(school)
    term = f.term(school)
    return Campus(cast, school, site, term, f.section(term, site))
