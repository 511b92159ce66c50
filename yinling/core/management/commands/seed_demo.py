from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from yinling.core.demo import SEEDERS


class Command(BaseCommand):
    help = "Load the demo data: the Zhejiang org tree, demo accounts and module data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print only the summary.")
        parser.add_argument(
            "--retirees",
            type=int,
            default=None,
            help="How many synthetic retirees the registry should hold, 0 or more (default 5000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retirees"] is not None and options["retirees"] < 0:
            raise CommandError(f"--retirees must be 0 or more (got {options['retirees']}).")
        write = (lambda msg: None) if options["quiet"] else self.stdout.write
        # The audit trail groups a command's changes under one request id by itself (audit.context.current).
        # One transaction per module, in order: a module may finish its work once its transaction commits
        # (the registry's large seeds run in worker processes then, which must see the org tree), and the
        # modules after it must find that work done (volunteers and time-bank members are chosen among the
        # retirees). Every seeder is idempotent, so a run that stops halfway is completed by the next one.
        for seeder in SEEDERS:
            with transaction.atomic():
                seeder.run(options, write)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
