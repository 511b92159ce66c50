from __future__ import annotations

import pytest

from yinling.accounts import roles
from yinling.accounts.models import RoleAssignment
from yinling.core.scoping import can, in_scope, minimal_paths
from yinling.orgs.models import Org
from yinling.testing.personas import Personas, Tree, make_user

pytestmark = pytest.mark.django_db


def test_it_reduces_paths_to_their_roots() -> None:
    assert minimal_paths(["1/2/", "1/", "3/", "1/2/4/", "30/"]) == ["1/", "3/", "30/"]


def test_it_restricts_to_the_users_subtree(personas: Personas) -> None:
    codes = set(Org.objects.restrict(personas.owner, "view").values_list("code", flat=True))
    assert codes == {"330100", "330106", "330106U01"}


def test_it_returns_nothing_without_a_role(personas: Personas) -> None:
    assert not Org.objects.restrict(personas.norole, "view").exists()
    assert not Org.objects.restrict(None, "view").exists()


def test_it_returns_nothing_for_an_action_the_role_lacks(personas: Personas) -> None:
    assert not Org.objects.restrict(personas.limited, "change").exists()
    assert Org.objects.restrict(personas.limited, None).count() == 3


def test_it_unions_several_assignments(personas: Personas) -> None:
    RoleAssignment.objects.create(user=personas.limited, role=roles.LEADER, org=personas.tree.county_b)
    personas.limited.refresh_from_db()
    codes = set(Org.objects.restrict(personas.limited, "view").values_list("code", flat=True))
    assert codes == {"330100", "330106", "330106U01", "330212"}


def test_it_answers_object_checks(personas: Personas) -> None:
    t: Tree = personas.tree
    assert can(personas.owner, "change", t.unit_a)
    assert not can(personas.owner, "change", t.county_b)
    assert not can(personas.limited, "change", t.unit_a)
    assert in_scope(personas.limited, t.unit_a)
    assert not in_scope(personas.limited, t.province)


def test_it_ignores_assignments_on_deactivated_orgs(tree: Tree) -> None:
    user = make_user("u", tree.county_a, roles.CLERK)
    Org.objects.filter(pk=tree.county_a.pk).update(is_active=False)
    assert not Org.objects.restrict(user, "view").exists()
