"""Pass on offered seats not accepted in time (run by `run_periodic expire_campus_offers`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yinling.campus.services.offers import expire_offers


class Command(BaseCommand):
    help = "Expire senior-university seat offers past their deadline and offer the seats to the next in line."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"expired {expire_offers()} offer(s)")
