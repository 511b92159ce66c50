import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from yinling.accounts.models import User
from yinling.audit.context import acting
from yinling.core.scoping import has_anywhere
from yinling.orgs.models import Org
from yinling.registry.import_jobs import run_import
from yinling.registry.imports import write_report
from yinling.registry.models import Retiree


class Command(BaseCommand):
    help = (
        "Import retirees from an .xlsx or .csv file; prints one JSON summary. "
        "Exit 0: all applied; 3: some rows rejected (the rest applied); 2: the file could not be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="The account the import is done as (its scope applies).")
        parser.add_argument("--org", help="Org code for rows without a 管理单位代码.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count; change nothing.")
        parser.add_argument("--report", help="Write the rejected rows, with reasons, to this .xlsx file.")
        parser.add_argument(
            "--workers",
            type=int,
            help="Processes that check rows (default: one per core, up to 4, for files of 1 MB or more; 0: none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("zh-hans")
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"no active user {options['user']}") from exc
        if not has_anywhere(user, Retiree, "import"):
            raise CommandError(f"{user.username} may not import retirees (no role with registry.import_retiree)")
        org = None
        if options["org"]:
            org = Org.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"no org with code {options['org']}")
        path = Path(options["file"])
        with acting(user=user):
            # The same code path as the web and API import jobs (registry/import_jobs.py).
            summary, result = run_import(
                user, org, path, path.name, dry_run=options["dry_run"], workers=options["workers"]
            )
        if result is None:
            self._print(summary)
            sys.exit(2)
        if options["report"] and result.rejected_rows:
            write_report(result, Path(options["report"]))
        self._print(summary)
        if result.rejected:
            sys.exit(3)

    def _print(self, payload: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False))
