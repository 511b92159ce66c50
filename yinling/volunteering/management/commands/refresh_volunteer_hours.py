"""Rebuild the board's hours-by-month summary (run by `run_periodic refresh_volunteer_hours`, every 10 minutes)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from yinling.volunteering.services.summary import refresh_hours_summary


class Command(BaseCommand):
    help = "Rebuild the volunteering board's hours by org and month from the check-ins (the last 13 months)."

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.perf_counter()
        rows = refresh_hours_summary()
        self.stdout.write(f"{rows} org-month row(s) in {time.perf_counter() - began:.1f} s")
