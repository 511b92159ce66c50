from __future__ import annotations

from typing import Any

from yinling.accounts import roles
from yinling.accounts.models import User
from yinling.testing.permissions import ScopedViewPermissionTests
from yinling.testing.personas import PASSWORD, Personas, make_user


class TestStaffAccountPermissions(ScopedViewPermissionTests):
    model = User
    list_url = "/accounts/users/"
    add_url = "/accounts/users/add/"
    full_role = roles.BUREAU_ADMIN
    # Security admins may see accounts (to unlock them) but not create or edit them.
    limited_role = roles.SECURITY_ADMIN

    def make(self, p: Personas, where: str) -> User:
        org = p.tree.county_a if where == "own" else p.tree.county_b
        return make_user(f"staff{where}", org)

    def marker(self, obj: Any) -> str:
        return obj.username

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        org = p.tree.county_a if where == "own" else p.tree.county_b
        data: dict[str, Any] = {"full_name": "新同事", "email": "", "org": org.pk}
        if obj is None:
            data.update(username="newstaff", password1=PASSWORD, password2=PASSWORD)
        return data
