from typing import Any

from django.core.management.base import BaseCommand

from yinling.timebank.services import expire_overdue


class Command(BaseCommand):
    help = (
        "Expire open time bank needs whose time window has passed (nobody took them on). "
        "Run daily, e.g. from cron: manage.py expire_timebank_requests"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = expire_overdue()
        noun = "request" if result.expired == 1 else "requests"
        line = f"expired {result.expired} open time bank {noun} whose window had passed"
        if result.skipped:
            line += f"; skipped {result.skipped} taken on or cancelled meanwhile"
        self.stdout.write(line)
