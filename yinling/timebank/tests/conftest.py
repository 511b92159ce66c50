"""Fixtures shared by the time bank's tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.models import Account


@pytest.fixture
def funded(personas: Personas) -> Account:
    """The pool serving city_a (and so unit_a), with 100 issued hours."""
    services.do_issue(
        by=personas.owner, org=personas.tree.city_a, hours=Decimal("100"), reason="年度发放", document_no="1号"
    )
    return services.pool_for(personas.tree.city_a)
