from __future__ import annotations

from typing import Any

import pytest

from yinling.accounts import roles
from yinling.core.permission_tests import ScopedViewPermissionTests, login_client
from yinling.core.testing import Personas, make_user
from yinling.registry import idcard
from yinling.registry.demo import make_retiree
from yinling.registry.models import Library, Retiree

_counter = iter(range(100, 10_000))


class TestRetireePermissions(ScopedViewPermissionTests):
    model = Retiree
    list_url = "/registry/"
    add_url = "/registry/add/"
    api_list_url = "/api/v1/retirees/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER
    delete_role = roles.SYSTEM_ADMIN

    def make(self, p: Personas, where: str) -> Retiree:
        org = p.tree.unit_a if where == "own" else p.tree.county_b
        person, _c = make_retiree(next(_counter), org, org.code[:6])
        person.name = "本区甲" if where == "own" else "外区乙"
        person.status, person.deceased_on = "active", None
        person.save()
        return person

    def marker(self, obj: Any) -> str:
        return obj.name

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/retirees/{obj.pk}/"

    def delete_url(self, obj: Any) -> str:
        return f"/registry/{obj.pk}/delete/"

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        org = p.tree.unit_a if where == "own" else p.tree.county_b
        data = {
            "org": org.pk,
            "name": "新同志" if obj is None else obj.name,
            "category": "tuixiu",
            "ethnic": "01",
            "id_number": obj.id_number
            if obj
            else idcard.make("330106", __import__("datetime").date(1950, 1, 2), next(_counter) % 1000, "M"),
            "version": obj.version if obj else "",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000",
        }
        return data

    def test_it_deletes_with_the_delete_role(self, p: Personas) -> None:
        deleter = make_user("deleter", p.tree.city_a, roles.SYSTEM_ADMIN)
        obj = self.make(p, "own")
        client = login_client(deleter)
        assert client.post(self.delete_url(obj), {"reason": ""}).status_code == 200  # a reason is required
        assert client.post(self.delete_url(obj), {"reason": "重复录入"}).status_code == 302
        obj.refresh_from_db()
        assert obj.is_deleted  # soft: the row stays
        assert login_client(p.owner).get(f"/registry/{obj.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["death/", "move/", "delete/", "edit/"])
def test_it_guards_the_record_actions(personas: Personas, suffix: str) -> None:
    person, _c = make_retiree(1, personas.tree.unit_a, "330106")
    person.status, person.deceased_on = "active", None
    person.save()
    url = f"/registry/{person.pk}/{suffix}"
    assert login_client(None).get(url).status_code == 302
    assert login_client(personas.limited).get(url).status_code == 403
    assert login_client(personas.outsider).get(url).status_code == 404


@pytest.mark.django_db
def test_it_guards_moves_and_libraries(personas: Personas) -> None:
    assert login_client(personas.norole).get("/registry/moves/").status_code == 403
    assert login_client(personas.limited).get("/registry/moves/").status_code == 200
    lib = Library.objects.create(name="测试库", org=personas.tree.city_a, filters={"gender": "F"})
    assert login_client(personas.limited).post(f"/registry/libraries/{lib.pk}/delete/").status_code == 403
    assert login_client(personas.outsider).post(f"/registry/libraries/{lib.pk}/delete/").status_code == 404
    assert login_client(personas.owner).post(f"/registry/libraries/{lib.pk}/delete/").status_code == 302
    assert not Library.objects.exists()
