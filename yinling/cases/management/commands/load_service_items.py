"""Create the built-in service items (困难帮扶, 住宅适老化改造, 抗战时期离休干部医疗待遇, 加装电梯, 信息变更) and the
catalogue of external services, at the root org (or --org CODE); existing items are left as they are."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yinling.cases import builtin
from yinling.orgs.models import Org


class Command(BaseCommand):
    help = "Create the built-in service items at the root org (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="the code of the org that offers them (default: the root)")

    def handle(self, *args: Any, **options: Any) -> None:
        orgs = Org.objects.unrestricted()
        org = (
            orgs.filter(code=options["org"]).first()
            if options.get("org")
            else orgs.filter(parent__isnull=True).order_by("pk").first()
        )
        if org is None:
            raise CommandError("No such org (load the org tree first).")
        made = builtin.load(org)
        self.stdout.write(f"service items: {made} new at {org.code}")
