"""Open a care plan with the record's default risk for everyone on register under an org who has none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yinling.accounts.models import User
from yinling.audit.context import acting
from yinling.care.services import plans
from yinling.orgs.models import Org


class Command(BaseCommand):
    help = "Open default care plans (risk from the record) for an org's people, acting as a staff user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org", help="org code (its whole subtree)")
        parser.add_argument("--as", dest="username", required=True, help="the staff user who acts (audited)")
        parser.add_argument("--batch", type=int, default=20000, help="plans a transaction (repeats until done)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Org.objects.unrestricted().filter(code=options["org"]).first()
        user = User.objects.unrestricted().filter(username=options["username"], is_active=True).first()
        if org is None or user is None:
            raise CommandError("No such org or active user.")
        total = 0
        batch = max(1, options["batch"])  # --batch 0 would otherwise never end
        with acting(user=user):
            while True:
                n = plans.do_open_default_plans(by=user, org=org, limit=batch)
                total += n
                if n < batch:
                    break
        self.stdout.write(f"opened {total} care plans under {org.code}")
