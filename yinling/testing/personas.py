"""Test helpers shared by every app: a small org tree, personas and the generic permission tests.

The tree (codes as in production):
    330000 province
    ├── 330100 city A ── 330106 county A1 ── 330106U01 unit
    └── 330200 city B ── 330212 county B1
Personas: `owner` (full role on city A), `limited` (leader on city A), `outsider`
(full role on city B), `norole` (a staff account without any role).

`make_cast()` builds every persona of the platform on that tree at once (the `cast` fixture, and the
URL walk): anonymous, no role, outsider, clerk, bureau admin, leader, the three administrators, a
retiree with a registry record and an account, and a family member (a retiree the registry records as
the first one's relative, who may act for them). `cast_clients()` signs each in, past two-factor
sign-in for the administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yinling.accounts import roles
from yinling.accounts.models import RoleAssignment, User
from yinling.orgs.models import Division, Org

if TYPE_CHECKING:
    from django.test import Client

    from yinling.registry.models import Retiree

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
    extra.setdefault("full_name", username)
    user = User.objects.create_user(username=username, password=PASSWORD, org=org, **extra)
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


# Every persona, in the order reports list them; "anonymous" is nobody signed in.
PERSONAS = (
    "anonymous",
    "norole",
    "outsider",
    "clerk",
    "bureau_admin",
    "leader",
    "system_admin",
    "security_admin",
    "audit_admin",
    "retiree",
    "family",
)


@dataclass
class Cast:
    """Every persona on one tree. Staff work in city A's subtree unless said otherwise."""

    tree: Tree
    norole: User  # a staff account in city A without any role
    outsider: User  # bureau admin of city B: the other subtree
    clerk: User  # clerk of county A1
    bureau_admin: User  # bureau admin of city A
    leader: User  # leader of city A
    system_admin: User  # the three administrators, on the province
    security_admin: User
    audit_admin: User
    retiree: User  # the account of `retiree_record` (unit A), kind "retiree"
    retiree_record: Retiree
    family: User  # the account of `family_record` (county A1), recorded as the retiree's relative
    family_record: Retiree

    def user(self, persona: str) -> User | None:
        """The account of a persona by name (None for "anonymous")."""
        if persona not in PERSONAS:
            raise KeyError(persona)
        return None if persona == "anonymous" else getattr(self, persona)


def make_retiree_record(org: Org, name: str, phone: str, i: int, age: int = 82, **fields: Any) -> Retiree:
    """A living registry record at `org`, `age` this year, from the registry's demo generator (`i` keeps ID
    numbers apart); `fields` set more of the record."""
    import datetime as dt

    from yinling.registry import idcard
    from yinling.registry.choices import Status
    from yinling.registry.demo import make_retiree

    region = (org.division_id or org.code)[:6]
    record, _contacts = make_retiree(i, org, region)
    record.name, record.phone = name, phone
    record.status, record.deceased_on = Status.ACTIVE, None
    record.birth_date = dt.date(dt.date.today().year - age, 1, 1)
    record.id_number = idcard.make(region, record.birth_date, 2 * i + (1 if record.gender == "M" else 0), record.gender)
    for field, value in fields.items():
        setattr(record, field, value)
    record.save()
    return record


def make_retiree_account(record: Retiree) -> User:
    """A retiree account (kind "retiree") linked to the record, as activation leaves it."""
    from yinling.registry.models import Retiree

    user = make_user(f"r{record.pk:06d}", record.org, kind=User.Kind.RETIREE, full_name=record.name)
    Retiree.objects.filter(pk=record.pk).update(account=user)
    record.account = user
    return user


def make_cast(tree: Tree | None = None) -> Cast:
    """Every persona (see the module docstring). The family member is related the way the time bank's
    are_relatives() decides: the retiree's record lists them as a family contact, same name and phone."""
    from yinling.registry.models import FamilyContact

    tree = tree or make_tree()
    retiree_record = make_retiree_record(tree.unit_a, "张建国", "13800138000", 1)
    # Young enough (55–75) to serve in the time bank, as the relatives who help usually are.
    family_record = make_retiree_record(
        tree.county_a, "张秀英", "13900139000", 2, age=62, health="good", disabled=False, living="with_children"
    )
    FamilyContact.objects.create(
        retiree=retiree_record, relation="女儿", name=family_record.name, phone=family_record.phone
    )
    return Cast(
        tree=tree,
        norole=make_user("norole", tree.city_a),
        outsider=make_user("outsider", tree.city_b, roles.BUREAU_ADMIN),
        clerk=make_user("clerk", tree.county_a, roles.CLERK),
        bureau_admin=make_user("bureauadmin", tree.city_a, roles.BUREAU_ADMIN),
        leader=make_user("leader", tree.city_a, roles.LEADER),
        system_admin=make_user("sysadmin", tree.province, roles.SYSTEM_ADMIN),
        security_admin=make_user("secadmin", tree.province, roles.SECURITY_ADMIN),
        audit_admin=make_user("auditadmin", tree.province, roles.AUDIT_ADMIN),
        retiree=make_retiree_account(retiree_record),
        retiree_record=retiree_record,
        family=make_retiree_account(family_record),
        family_record=family_record,
    )


def cast_clients(cast: Cast) -> dict[str, Client]:
    """One signed-in test client per persona (administrators past two-factor sign-in)."""
    from yinling.testing.permissions import login_client

    return {name: login_client(cast.user(name)) for name in PERSONAS}
