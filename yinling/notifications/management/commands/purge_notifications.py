from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from yinling.notifications.services import purge


class Command(BaseCommand):
    help = "Delete read notifications and delivery logs older than NOTIFY_RETENTION_DAYS (unread ones stay)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override NOTIFY_RETENTION_DAYS for this run")

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        if days is not None and days < 1:
            self.stderr.write("--days must be at least 1")
            raise SystemExit(2)
        kept = settings.NOTIFY_RETENTION_DAYS if days is None else days
        notifications, deliveries = purge(days=kept)
        self.stdout.write(
            f"Deleted {notifications} read notifications and {deliveries} delivery log entries older than {kept} days."
        )
