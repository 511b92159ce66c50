import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yinling.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the keyed audit hash chain and its anchored heads; report any record changed or removed "
        "(exit 1 if any)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor-file", help="Check against this copy of the anchors instead of AUDIT_ANCHOR_FILE."
        )
        parser.add_argument(
            "--anchors-before",
            help="Leave out anchors written at or after this time (ISO, local time if no offset): "
            "the time a restored dump was taken.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        before = None
        if options.get("anchors_before"):
            try:
                before = dt.datetime.fromisoformat(options["anchors_before"])
            except ValueError as exc:
                raise CommandError("--anchors-before must be a time like 2026-12-01T01:15") from exc
            if timezone.is_naive(before):
                before = timezone.make_aware(before)
        anchor_file = Path(options["anchor_file"]) if options.get("anchor_file") else None
        result = verify_chain(anchor_file=anchor_file, anchors_before=before)
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
