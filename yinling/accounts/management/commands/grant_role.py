from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yinling.accounts.models import RoleAssignment, User
from yinling.accounts.policy import check_separation
from yinling.accounts.roles import ROLES
from yinling.audit.context import acting
from yinling.orgs.models import Org


class Command(BaseCommand):
    help = "Give a user a role on an org's subtree (bootstrap the first administrators)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLES))
        parser.add_argument("org", help="Org code, e.g. 330000")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
            org = Org.objects.get(code=options["org"])
        except (User.DoesNotExist, Org.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        try:
            check_separation(options["role"], user)  # 三员: an administrator holds that one role only
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        with acting(user=None):
            _obj, created = RoleAssignment.objects.get_or_create(user=user, role=options["role"], org=org)
        self.stdout.write(f"{'granted' if created else 'already held'}: {user.username} {options['role']} @ {org.code}")
