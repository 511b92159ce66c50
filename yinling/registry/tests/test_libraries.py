"""Thematic libraries (专题库): the four built in, saved filters shared down the tree, live scoped counts."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.test import Client

from yinling.accounts import roles
from yinling.accounts.models import RoleAssignment
from yinling.orgs.models import Org
from yinling.registry import services
from yinling.registry.demo import make_retiree
from yinling.registry.libraries import BUILTIN, members, visible_libraries
from yinling.registry.models import Library, Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db

BUILTIN_NAMES = ["老领导动态库", "党员库", "“银色人才”志愿者库", "困难离退休干部库"]


def make(org: Org, i: int, name: str, **fields: Any) -> Retiree:
    person, _contacts = make_retiree(i, org, org.code[:6])
    person.name, person.status, person.deceased_on = name, "active", None
    person.political, person.special_flags, person.contributions = "none", [], []
    for key, value in fields.items():
        setattr(person, key, value)
    person.save()
    return person


@pytest.fixture
def people(personas: Personas) -> dict[str, Retiree]:
    t = personas.tree
    return {
        "老张": make(t.unit_a, 1, "老张", political="cpc", special_flags=["former_leader"]),
        "老李": make(t.county_a, 2, "老李", political="probationary", contributions=["silver_talent", "volunteer"]),
        "老王": make(t.city_a, 3, "老王", special_flags=["hardship", "widowed"]),
        "老赵": make(t.unit_a, 4, "老赵", political="cpc", special_flags=["hardship"], status="deceased"),
        "宁波老陈": make(t.county_b, 5, "宁波老陈", political="cpc", special_flags=["hardship", "former_leader"]),
    }


def counts(user: Any) -> dict[str, int]:
    return {lib["name"]: lib["count"] for lib in visible_libraries(user)}


def listed(client: Client, query: str) -> list[str]:
    response = client.get(f"/registry/?{query}")
    assert response.status_code == 200
    return sorted(row.record.name for row in response.context["table"].page.object_list)


# --- the four built in --------------------------------------------------------------------------


def test_it_has_the_four_zhejiang_libraries_built_in(personas: Personas, people: dict[str, Retiree]) -> None:
    assert [b.name for b in BUILTIN] == BUILTIN_NAMES
    libraries = visible_libraries(personas.limited)  # a leader reads them too
    assert [lib["name"] for lib in libraries[:4]] == BUILTIN_NAMES
    assert all(lib["builtin"] and lib["pk"] is None and not lib["approximate"] for lib in libraries[:4])


def test_it_counts_the_living_members_in_the_users_area(personas: Personas, people: dict[str, Retiree]) -> None:
    # The deceased 老赵 and 宁波老陈 (another city) are not counted.
    assert counts(personas.owner) == {"老领导动态库": 1, "党员库": 2, "“银色人才”志愿者库": 1, "困难离退休干部库": 1}
    assert counts(personas.outsider) == {"老领导动态库": 1, "党员库": 1, "“银色人才”志愿者库": 0, "困难离退休干部库": 1}
    clerk = make_user("clerk", personas.tree.county_a, roles.CLERK)  # 老王 is at the city, above the clerk
    assert counts(clerk)["困难离退休干部库"] == 0 and counts(clerk)["党员库"] == 2
    assert visible_libraries(personas.norole) == []


def test_it_keeps_counts_live(personas: Personas, people: dict[str, Retiree]) -> None:
    zhang = people["老张"]
    zhang.political = "none"
    zhang.save()
    assert counts(personas.owner)["党员库"] == 1
    services.do_record_death(by=personas.owner, retiree=people["老李"], date=dt.date(2020, 1, 1))
    assert counts(personas.owner)["党员库"] == 0 and counts(personas.owner)["“银色人才”志愿者库"] == 0
    make(personas.tree.unit_a, 6, "新党员", political="cpc")
    assert counts(personas.owner)["党员库"] == 1
    sysadmin = make_user("sysadmin", personas.tree.province, roles.SYSTEM_ADMIN)
    services.do_soft_delete(by=sysadmin, retiree=people["老王"], reason="重复录入")
    assert counts(personas.owner)["困难离退休干部库"] == 0


def test_it_opens_a_library_as_the_filtered_list(personas: Personas, people: dict[str, Retiree]) -> None:
    client = login_client(personas.owner)
    page = client.get("/registry/")
    shown = {lib["name"]: lib for lib in page.context["libraries"]}
    assert set(BUILTIN_NAMES) <= set(shown)
    assert "党员库" in page.content.decode()
    for name, expected in (("党员库", ["老张", "老李"]), ("困难离退休干部库", ["老王"]), ("老领导动态库", ["老张"])):
        query = shown[name]["query"]
        assert listed(client, query + "&status=active") == expected
        assert sorted(r.name for r in members(personas.owner, dict(parse_qsl(query)))) == expected


# --- saved by staff -----------------------------------------------------------------------------


def test_it_saves_a_library_from_a_filtered_list(personas: Personas, people: dict[str, Retiree]) -> None:
    client = login_client(personas.owner)
    query = "special_flag=hardship&age_min=60&page=2&sort=-name&bogus=1"
    response = client.post("/registry/libraries/save/", {"name": "困难老同志", "query": query})
    assert response.status_code == 302 and response["Location"].startswith("/registry/?")
    library = Library.objects.get(name="困难老同志")
    # Only the list's filters are kept: not the page, the order or unknown parameters.
    assert library.filters == {"special_flag": "hardship", "age_min": "60"}
    assert library.org == personas.tree.city_a and library.shared and library.created_by == "owner"
    assert counts(personas.owner)["困难老同志"] == 1  # 老王 (老赵 has died)


def test_it_shares_a_saved_library_down_the_tree(personas: Personas, people: dict[str, Retiree]) -> None:
    login_client(personas.owner).post("/registry/libraries/save/", {"name": "党员", "query": "party=party"})
    clerk = make_user("clerk", personas.tree.county_a, roles.CLERK)
    unit_clerk = make_user("unit_clerk", personas.tree.unit_a, roles.CLERK)
    # Staff below see it, each counting only their own area.
    assert counts(clerk)["党员"] == 2
    assert counts(unit_clerk)["党员"] == 1
    assert "党员" in [lib["name"] for lib in login_client(unit_clerk).get("/registry/").context["libraries"]]
    # Another city does not.
    assert "党员" not in counts(personas.outsider)


def test_it_scopes_saved_libraries(personas: Personas, people: dict[str, Retiree]) -> None:
    t = personas.tree
    Library.objects.create(name="县局私有", org=t.county_a, filters={"gender": "F"}, shared=False)
    Library.objects.create(name="市局私有", org=t.city_a, filters={"gender": "M"}, shared=False)
    Library.objects.create(name="省局共享", org=t.province, filters={"party": "party"}, shared=True)
    Library.objects.create(name="宁波共享", org=t.city_b, filters={"party": "party"}, shared=True)
    clerk = make_user("clerk", t.county_a, roles.CLERK)
    unit_clerk = make_user("unit_clerk", t.unit_a, roles.CLERK)
    # Saved in one's own subtree (shared or not), or shared from an org above; never a sibling's.
    assert {"县局私有", "市局私有", "省局共享"} <= set(counts(personas.owner)) and "宁波共享" not in counts(
        personas.owner
    )
    assert {"县局私有", "省局共享"} <= set(counts(clerk)) and "市局私有" not in counts(clerk)
    assert "省局共享" in counts(unit_clerk) and "县局私有" not in counts(unit_clerk)
    assert {"宁波共享", "省局共享"} <= set(counts(personas.outsider)) and "县局私有" not in counts(personas.outsider)
    # The province's library counts each user's own area only.
    assert counts(personas.owner)["省局共享"] == 2 and counts(personas.outsider)["省局共享"] == 1


def test_it_refuses_to_save_an_empty_or_sensitive_library(personas: Personas, people: dict[str, Retiree]) -> None:
    client = login_client(personas.owner)
    assert client.post("/registry/libraries/save/", {"name": "", "query": "party=party"}).status_code == 302
    assert client.post("/registry/libraries/save/", {"name": "全部", "query": "page=2"}).status_code == 302
    number = people["老张"].id_number
    for q in (number, number[-6:], "13800135678"):
        client.post("/registry/libraries/save/", {"name": "某人", "query": f"q={q}"})
    assert not Library.objects.exists()  # saved filters never hold an ID number or a phone
    assert client.post("/registry/libraries/save/", {"name": "张姓", "query": "q=zhang"}).status_code == 302
    assert Library.objects.get().filters == {"q": "zhang"}
    assert client.get("/registry/libraries/save/").status_code == 302  # only a POST saves
    assert Library.objects.count() == 1


def test_it_answers_no_members_for_invalid_saved_filters(personas: Personas, people: dict[str, Retiree]) -> None:
    assert members(personas.owner, {"gender": "X"}).count() == 0
    assert members(personas.owner, {}).count() == 3  # the living, in the area
    assert members(personas.norole, {}).count() == 0


def test_it_audits_saving_and_deleting_a_library(personas: Personas, people: dict[str, Retiree]) -> None:
    from yinling.audit.models import AuditRecord

    client = login_client(personas.owner)
    client.post("/registry/libraries/save/", {"name": "困难老同志", "query": "special_flag=hardship"})
    library = Library.objects.get(name="困难老同志")
    assert client.post(f"/registry/libraries/{library.pk}/delete/").status_code == 302
    trail = AuditRecord.objects.filter(object_type="registry.library", object_id=str(library.pk)).order_by("id")
    assert [r.action for r in trail] == ["create", "delete"]
    assert all(r.actor_username == "owner" and r.org_path == personas.tree.city_a.path for r in trail)
    assert trail[0].changes["filters"][1] == {"special_flag": "hardship"}


def test_it_counts_a_library_searching_by_id_number_only_for_those_who_see_id_numbers(
    personas: Personas, people: dict[str, Retiree]
) -> None:
    """A count by a whole ID number would say whether that number is on the register (as the panel's guard)."""
    target = people["老李"]
    t = personas.tree
    Library.objects.unrestricted().create(  # saved some other way than the page, which refuses such a search
        name="按号码", org=t.city_a, shared=True, filters={"q": target.id_number}, created_by="x"
    )
    Library.objects.unrestricted().create(
        name="按名字", org=t.city_a, shared=True, filters={"q": "老李"}, created_by="x"
    )
    clerk = make_user("clerk", t.county_a, roles.CLERK)
    assert counts(personas.owner)["按号码"] == 1  # the bureau admin sees ID numbers here
    assert counts(clerk)["按号码"] is None
    assert counts(clerk)["按名字"] == 1  # a name search is counted as before
    # Seeing ID numbers in one subtree is not enough when the count covers another where one may not.
    mixed = make_user("mixed", t.county_a, roles.BUREAU_ADMIN)
    assert counts(mixed)["按号码"] == 1
    RoleAssignment.objects.create(user=mixed, role=roles.CLERK, org=t.city_b)
    mixed = type(mixed).objects.get(pk=mixed.pk)  # grants are cached on the instance
    assert counts(mixed)["按号码"] is None
    page = login_client(clerk).get("/registry/").content.decode()
    assert "按号码" in page and target.id_number not in page
