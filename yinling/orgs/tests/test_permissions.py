from __future__ import annotations

from typing import Any

from yinling.accounts import roles
from yinling.orgs.models import Org
from yinling.testing.permissions import ScopedViewPermissionTests
from yinling.testing.personas import Personas


class TestOrgPermissions(ScopedViewPermissionTests):
    model = Org
    list_url = "/orgs/"
    add_url = "/orgs/add/"
    api_list_url = "/api/v1/orgs/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER
    delete_role = roles.SYSTEM_ADMIN

    def make(self, p: Personas, where: str) -> Org:
        parent = p.tree.county_a if where == "own" else p.tree.county_b
        code = f"{parent.code}S{'01' if where == 'own' else '02'}"
        return Org.objects.create(
            code=code, name=f"测试驿站{'甲' if where == 'own' else '乙'}", kind=Org.Kind.STATION, parent=parent
        )

    def marker(self, obj: Any) -> str:
        return obj.name

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/orgs/{obj.code}/"

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        parent = p.tree.county_a if where == "own" else p.tree.county_b
        return {
            "code": obj.code if obj else f"{parent.code}S09",
            "name": "新建驿站" if obj is None else obj.name + "（改）",
            "kind": Org.Kind.STATION,
            "parent": parent.pk,
            "division": "",
            "is_active": "on",
        }
