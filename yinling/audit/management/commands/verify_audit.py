from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yinling.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the keyed audit hash chain and its anchored heads; report any record changed or removed "
        "(exit 1 if any)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        for problem in result.problems:
            self.stderr.write(problem)
        for note in result.notes:
            self.stderr.write(f"note: {note}")
        summary = (
            f"checked {result.checked} records; head seq {result.head_seq} hash {result.head_hash}; "
            f"anchored up to seq {result.anchored_seq}"
        )
        if not result.ok:
            raise CommandError(f"audit chain BROKEN: {len(result.problems)} problem(s); {summary}")
        self.stdout.write(f"audit chain OK: {summary}")
