"""Test helpers shared by every app: a small org tree, personas and the generic permission tests.

The tree (codes as in production):
    330000 province
    ├── 330100 city A ── 330106 county A1 ── 330106U01 unit
    └── 330200 city B ── 330212 county B1
Personas: `owner` (full role on city A), `limited` (leader on city A), `outsider`
(full role on city B), `norole` (a staff account without any role).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yinling.accounts import roles
from yinling.accounts.models import RoleAssignment, User
from yinling.orgs.models import Division, Org

PASSWORD = "Str0ng-Passw0rd!"


def make_org(code: str, name: str, kind: str, parent: Org | None = None) -> Org:
    division = Division.objects.filter(code=code[:6]).first()
    if division is None and len(code) == 6 and code.isdigit():
        division = Division.objects.create(code=code, name=name, level="county")
    return Org.objects.create(code=code, name=name, kind=kind, parent=parent, division=division)


@dataclass
class Tree:
    province: Org
    city_a: Org
    county_a: Org
    unit_a: Org
    city_b: Org
    county_b: Org


def make_tree() -> Tree:
    province = make_org("330000", "浙江省委老干部局", Org.Kind.PROVINCE_BUREAU)
    city_a = make_org("330100", "杭州市委老干部局", Org.Kind.CITY_BUREAU, province)
    county_a = make_org("330106", "西湖区委老干部局", Org.Kind.COUNTY_BUREAU, city_a)
    unit_a = make_org("330106U01", "西湖区财政局离退休干部科", Org.Kind.UNIT, county_a)
    city_b = make_org("330200", "宁波市委老干部局", Org.Kind.CITY_BUREAU, province)
    county_b = make_org("330212", "鄞州区委老干部局", Org.Kind.COUNTY_BUREAU, city_b)
    return Tree(province, city_a, county_a, unit_a, city_b, county_b)


def make_user(username: str, org: Org | None, *role_codes: str, at: Org | None = None, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, org=org, full_name=username, **extra)
    for role in role_codes:
        target = at or org
        assert target is not None
        RoleAssignment.objects.create(user=user, role=role, org=target)
    return user


@dataclass
class Personas:
    tree: Tree
    owner: User
    limited: User
    outsider: User
    norole: User


def make_personas(full_role: str = roles.BUREAU_ADMIN, limited_role: str = roles.LEADER) -> Personas:
    tree = make_tree()
    return Personas(
        tree=tree,
        owner=make_user("owner", tree.city_a, full_role),
        limited=make_user("limited", tree.city_a, limited_role),
        outsider=make_user("outsider", tree.city_b, full_role),
        norole=make_user("norole", tree.city_a),
    )
