"""Close check-ins left open after their activity ended (run by `run_periodic close_volunteer_checkins`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yinling.volunteering.services.attendance import close_forgotten


class Command(BaseCommand):
    help = "Close volunteers' check-ins left open after the activity's end; flag them for the leader."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = close_forgotten()
        self.stdout.write(f"closed {closed} check-in(s)")
