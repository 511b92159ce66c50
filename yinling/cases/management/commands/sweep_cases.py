"""Flag service cases near their time limit and escalate late ones (run by `run_periodic sweep_cases`, daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yinling.cases.services.sweep import sweep


class Command(BaseCommand):
    help = "Flag service cases near their time limit for the step's owners; escalate past-due ones one level up."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep()
        self.stdout.write(f"flagged {result.flagged} case(s), escalated {result.escalated} case(s)")
