import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yinling.audit.services import PurgeRefused, purge_before


class Command(BaseCommand):
    help = "Delete audit records older than a date; refuses anything younger than AUDIT_MIN_RETENTION_DAYS (180)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, help="Cut-off date, YYYY-MM-DD (local time).")
        parser.add_argument("--by", default="", help="Who runs the purge (recorded in the trail).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["before"])
        except ValueError as exc:
            raise CommandError("--before must be a date like 2026-05-01") from exc
        cutoff = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        try:
            count = purge_before(cutoff, by=options["by"])
        except PurgeRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"purged {count} audit records older than {day}")
