"""Free the seats of fees not paid by their due date (run by `run_periodic lapse_campus_fees`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yinling.campus.services.offers import lapse_unpaid


class Command(BaseCommand):
    help = "Enrolments whose class fee is unpaid after its due date lose the seat; it is offered on."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"lapsed {lapse_unpaid()} enrolment(s)")
