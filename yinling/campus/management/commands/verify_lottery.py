"""Re-run a term's lottery from what was published and check it gives the same results.

    manage.py verify_lottery TERM          # TERM: the term's id
    manage.py verify_lottery TERM --json   # the inputs, seed and results to re-run elsewhere

Exit 0 when it checks out, 1 when anything differs (each difference printed), 2 for a term not drawn.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yinling.campus import lottery
from yinling.campus.models import LotteryDraw, Term
from yinling.campus.services.draw import verify


class Command(BaseCommand):
    help = "Re-run a term's lottery from its published inputs and revealed seed; exit 1 if the results differ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("term", help="the term's id")
        parser.add_argument("--json", action="store_true", help="print the published inputs, seed and results")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = str(options["term"]).strip()
        if not raw.isdigit():
            raise CommandError(f"not a term id: {raw!r}", returncode=2)
        term = Term.objects.unrestricted().filter(pk=int(raw)).first()
        if term is None:
            raise CommandError(f"no term {raw}", returncode=2)
        draw = LotteryDraw.objects.unrestricted().filter(term=term).first()
        if draw is None or term.drawn_at is None:
            raise CommandError(f"term {raw} ({term}) has not been drawn", returncode=2)
        if options["json"]:
            self.stdout.write(
                f'{{"seed":{lottery.canonical(term.seed)},"seed_sha256":"{term.seed_sha256}",'
                f'"inputs":{draw.inputs},"results":{draw.results}}}'
            )
            return
        problems = verify(draw, term.seed, term.seed_sha256)
        if term.draw_digest != draw.digest:
            problems.append("the term's recorded digest differs from the draw's")
        applicants = len(lottery.inputs_from_json(draw.inputs, term.seed).applicants)
        if problems:
            for problem in problems:
                self.stderr.write(f"MISMATCH: {problem}")
            raise CommandError(f"term {term.pk} ({term}): the draw does not verify", returncode=1)
        self.stdout.write(
            f"OK: term {term.pk} ({term}) drawn {term.drawn_at:%Y-%m-%d %H:%M}; {applicants} applicants; "
            f"seed SHA-256 {term.seed_sha256}; results SHA-256 {draw.digest}"
        )
