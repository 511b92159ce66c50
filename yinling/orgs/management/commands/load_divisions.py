from typing import Any

from django.core.management.base import BaseCommand

from yinling.orgs.services import load_divisions


class Command(BaseCommand):
    help = "Load the GB/T 2260 divisions shipped with Yinling (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = load_divisions()
        self.stdout.write(f"divisions: {created} created, {updated} updated")
