"""Demo staff accounts (password Yinling@2020, written in the README)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yinling.accounts import roles
from yinling.accounts.models import RoleAssignment, User
from yinling.core.demo import DEMO_PASSWORD
from yinling.orgs.models import Org

# username, full name, role, org code
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", roles.SYSTEM_ADMIN, "330000"),
    ("sec", "安全管理员", roles.SECURITY_ADMIN, "330000"),
    ("audit", "审计管理员", roles.AUDIT_ADMIN, "330000"),
    ("zhejiang", "省局管理员", roles.BUREAU_ADMIN, "330000"),
    ("hangzhou", "杭州市局管理员", roles.BUREAU_ADMIN, "330100"),
    ("xihu", "西湖区经办人", roles.CLERK, "330106"),
    ("ningbo", "宁波市局管理员", roles.BUREAU_ADMIN, "330200"),
    ("yinzhou", "鄞州区经办人", roles.CLERK, "330212"),
    ("leader", "省局领导", roles.LEADER, "330000"),
]


def seed_accounts(options: dict[str, Any], write: Callable[[str], None]) -> None:
    created = 0
    for username, full_name, role, code in DEMO_ACCOUNTS:
        org = Org.objects.get(code=code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, org=org, kind=User.Kind.STAFF)
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        RoleAssignment.objects.get_or_create(user=user, role=role, org=org)
    write(f"staff accounts: {created} new")
    write(f"demo logins (password {DEMO_PASSWORD}):")
    for username, _name, role, code in DEMO_ACCOUNTS:
        note = " (enrols TOTP at first sign-in)" if role in roles.ADMIN_ROLES else ""
        write(f"  {username:<10} {roles.ROLES[role].label!s:<24} {code}{note}")
