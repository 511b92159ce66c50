"""The permission mixin on every registry page and endpoint: anonymous → sign-in, no role → 403,
another subtree → 404, a role without the action → 403, a role with it → 200/302."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

import pytest
from django.test import Client

from yinling.accounts import roles
from yinling.registry import idcard
from yinling.registry.demo import make_retiree
from yinling.registry.models import Library, Retiree, Transfer
from yinling.testing.permissions import ScopedViewPermissionTests, login_client
from yinling.testing.personas import Personas, make_user

_numbers = count(100)


def make_person(org: Any, name: str) -> Retiree:
    person, _contacts = make_retiree(next(_numbers), org, org.code[:6])
    person.name, person.status, person.deceased_on = name, "active", None
    person.save()
    return person


def contacts_management(total: int = 0) -> dict[str, str]:
    return {
        "contacts-TOTAL_FORMS": str(total),
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }


class TestRetireePermissions(ScopedViewPermissionTests):
    model = Retiree
    list_url = "/registry/"
    add_url = "/registry/add/"
    api_list_url = "/api/v1/retirees/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER
    delete_role = roles.SYSTEM_ADMIN

    def make(self, p: Personas, where: str) -> Retiree:
        return make_person(
            p.tree.unit_a if where == "own" else p.tree.county_b, "本区甲" if where == "own" else "外区乙"
        )

    def marker(self, obj: Any) -> str:
        return obj.name

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/retirees/{obj.pk}/"

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        """RetireeForm's fields (with the contacts formset's management form and the version)."""
        org = p.tree.unit_a if where == "own" else p.tree.county_b
        if obj is None:
            number = idcard.make("330106", dt.date(1950, 1, 2), next(_numbers) % 1000, "M")
            data = {"name": "新同志", "id_number": number, "category": "tuixiu", "version": ""}
        else:
            data = {
                "name": obj.name,
                "id_number": obj.id_number,
                "category": obj.category,
                "work_started": obj.work_started,
                "version": obj.version,
            }
        return {"org": org.pk, "ethnic": "01", **data, **contacts_management()}

    # The delete view is a form: a POST needs a reason, and deletion is soft.
    def test_it_deletes_with_the_delete_role(self, p: Personas) -> None:
        deleter = make_user("deleter", p.tree.city_a, roles.SYSTEM_ADMIN)
        obj = self.make(p, "own")
        client = login_client(deleter)
        assert client.get(self.delete_url(obj)).status_code == 200
        assert client.post(self.delete_url(obj), {"reason": ""}).status_code == 200  # a reason is required
        assert not Retiree.objects.get(pk=obj.pk).is_deleted
        response = client.post(self.delete_url(obj), {"reason": "重复录入"})
        assert response.status_code == 302
        obj.refresh_from_db()
        assert obj.is_deleted and obj.deleted_reason == "重复录入"  # soft: the row stays
        assert login_client(p.owner).get(self.detail_url(obj)).status_code == 404

    def test_it_forbids_delete_without_the_permission(self, p: Personas) -> None:
        obj = self.make(p, "own")
        for user in (p.limited, p.owner):  # not even a bureau admin: only system admins delete
            assert self.client_for(user).post(self.delete_url(obj), {"reason": "x"}).status_code == 403
        assert not Retiree.objects.get(pk=obj.pk).is_deleted

    def test_it_hides_delete_outside_the_subtree(self, p: Personas) -> None:
        deleter = make_user("deleter", p.tree.city_b, roles.SYSTEM_ADMIN)
        obj = self.make(p, "own")
        assert self.client_for(deleter).post(self.delete_url(obj), {"reason": "x"}).status_code == 404
        assert not Retiree.objects.get(pk=obj.pk).is_deleted

    def test_it_guards_the_api_writes(self, p: Personas) -> None:
        own, other = self.make(p, "own"), self.make(p, "other")
        from rest_framework.test import APIClient

        def api(user: Any) -> APIClient:
            client = APIClient()
            client.force_authenticate(user)
            return client

        change = {"skills": "x", "version": 1}
        assert api(p.limited).patch(self.api_detail_url(own), change, format="json").status_code == 403
        assert api(p.owner).patch(self.api_detail_url(other), change, format="json").status_code == 404
        assert api(p.norole).patch(self.api_detail_url(own), change, format="json").status_code == 404
        assert api(p.limited).post(self.api_list_url, {"org": "330106"}, format="json").status_code == 403
        assert api(p.owner).patch(self.api_detail_url(own), change, format="json").status_code == 200
        assert APIClient().patch(self.api_detail_url(own), change, format="json").status_code in (401, 403)


# --- the record's other pages ---------------------------------------------------------------------

ACTIONS = {
    "death/": {"deceased_on": "2025-01-01"},
    "move/": {"to_org": "330212", "reason": "随子女迁居"},
    "delete/": {"reason": "重复录入"},
    "edit/": contacts_management(),
    "": {},
}


@pytest.fixture
def person(personas: Personas) -> Retiree:
    return make_person(personas.tree.unit_a, "本区甲")


def assert_sent_to_sign_in(response: Any) -> None:
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", list(ACTIONS))
def test_it_guards_the_record_pages(personas: Personas, person: Retiree, suffix: str) -> None:
    url, data = f"/registry/{person.pk}/{suffix}", ACTIONS[suffix]
    assert_sent_to_sign_in(Client().get(url))
    assert_sent_to_sign_in(Client().post(url, data))
    for outsider in (personas.outsider, personas.norole):
        assert login_client(outsider).get(url).status_code == 404
        assert login_client(outsider).post(url, data).status_code == 404
    if suffix:  # the leader may read the record, not act on it
        assert login_client(personas.limited).get(url).status_code == 403
        assert login_client(personas.limited).post(url, data).status_code == 403
    else:
        assert login_client(personas.limited).get(url).status_code == 200
    person.refresh_from_db()
    assert (person.status, person.org_id, person.is_deleted) == ("active", personas.tree.unit_a.pk, False)


@pytest.mark.django_db
def test_it_lets_the_full_role_record_a_death_and_a_move(personas: Personas, person: Retiree) -> None:
    client = login_client(personas.owner)
    assert client.get(f"/registry/{person.pk}/death/").status_code == 200
    assert client.post(f"/registry/{person.pk}/death/", ACTIONS["death/"]).status_code == 302
    assert Retiree.objects.get(pk=person.pk).status == "deceased"
    assert client.get(f"/registry/{person.pk}/move/").status_code == 200
    assert client.post(f"/registry/{person.pk}/move/", ACTIONS["move/"]).status_code == 302
    assert Retiree.objects.get(pk=person.pk).org == personas.tree.county_b


@pytest.mark.django_db
def test_it_lets_a_clerk_act_but_not_delete(personas: Personas, person: Retiree) -> None:
    clerk = login_client(make_user("clerk", personas.tree.county_a, roles.CLERK))
    assert clerk.get(f"/registry/{person.pk}/edit/").status_code == 200
    assert clerk.get(f"/registry/{person.pk}/death/").status_code == 200
    assert clerk.get(f"/registry/{person.pk}/move/").status_code == 200
    assert clerk.post(f"/registry/{person.pk}/delete/", {"reason": "x"}).status_code == 403


@pytest.mark.django_db
def test_it_guards_the_moves_list(personas: Personas, person: Retiree) -> None:
    other = make_person(personas.tree.county_b, "外区乙")
    Transfer.objects.create(retiree=other, from_org=personas.tree.county_b, to_org=personas.tree.city_b, reason="内部")
    assert_sent_to_sign_in(Client().get("/registry/moves/"))
    assert login_client(personas.norole).get("/registry/moves/").status_code == 403
    page = login_client(personas.limited).get("/registry/moves/")
    assert page.status_code == 200 and "外区乙" not in page.content.decode()
    assert "外区乙" in login_client(personas.outsider).get("/registry/moves/").content.decode()


@pytest.mark.django_db
def test_it_guards_saving_a_library(personas: Personas) -> None:
    data = {"name": "女同志", "query": "gender=F"}
    assert_sent_to_sign_in(Client().post("/registry/libraries/save/", data))
    assert login_client(personas.limited).post("/registry/libraries/save/", data).status_code == 403
    assert login_client(personas.norole).post("/registry/libraries/save/", data).status_code == 403
    assert not Library.objects.exists()
    assert login_client(personas.owner).post("/registry/libraries/save/", data).status_code == 302
    assert Library.objects.get().org == personas.tree.city_a


@pytest.mark.django_db
def test_it_guards_deleting_a_library(personas: Personas) -> None:
    library = Library.objects.create(name="测试库", org=personas.tree.city_a, filters={"gender": "F"})
    url = f"/registry/libraries/{library.pk}/delete/"
    assert_sent_to_sign_in(Client().post(url))
    assert login_client(personas.limited).post(url).status_code == 403
    assert login_client(personas.outsider).post(url).status_code == 404
    assert login_client(personas.norole).post(url).status_code == 404
    # Staff below see a shared library of the org above, but it is not theirs to delete.
    clerk = make_user("clerk", personas.tree.county_a, roles.CLERK)
    assert login_client(clerk).post(url).status_code == 404
    assert Library.objects.filter(pk=library.pk).exists()
    assert login_client(personas.owner).get(url).status_code == 302  # a GET deletes nothing
    assert Library.objects.filter(pk=library.pk).exists()
    assert login_client(personas.owner).post(url).status_code == 302
    assert not Library.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/registry/template/", "/registry/import/", "/registry/import/report/"])
def test_it_guards_the_import_pages(personas: Personas, url: str) -> None:
    assert_sent_to_sign_in(Client().get(url))
    assert login_client(personas.limited).get(url).status_code == 403
    assert login_client(personas.norole).get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["account/code/", "act/"])
def test_it_guards_the_account_actions(personas: Personas, person: Retiree, suffix: str) -> None:
    url = f"/registry/{person.pk}/{suffix}"
    assert_sent_to_sign_in(Client().post(url))
    assert login_client(personas.limited).post(url).status_code == 403
    assert login_client(personas.outsider).post(url).status_code == 404
    assert login_client(personas.owner).get(url).status_code == 405  # POST only
