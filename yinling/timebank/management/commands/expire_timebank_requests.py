from typing import Any

from django.core.management.base import BaseCommand

from yinling.timebank.services import expire_overdue


class Command(BaseCommand):
    help = (
        "Expire open time bank needs whose time window has passed (nobody took them on). "
        "Run daily, e.g. from cron: manage.py expire_timebank_requests"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_overdue()
        noun = "request" if count == 1 else "requests"
        self.stdout.write(f"expired {count} open time bank {noun} whose window had passed")
