from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yinling.timebank.audit_check import cross_check
from yinling.timebank.ledger import verify


class Command(BaseCommand):
    help = (
        "Recompute every time bank balance from its movements and check every transfer against its audit "
        "record; report drift or disagreement (exit 1 if any)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        drifts, total, unbalanced = verify()
        for d in drifts:
            self.stderr.write(f"account {d.account_id}: cached {d.cached} but movements sum to {d.derived}")
        for transfer in unbalanced:
            self.stderr.write(f"transfer {transfer}: its movements do not sum to zero")
        if total != 0:
            self.stderr.write(f"the sum of all balances is {total}, not 0")
        disagreements = cross_check()
        for problem in disagreements:
            self.stderr.write(problem)
        if drifts or unbalanced or total != 0 or disagreements:
            raise CommandError(
                f"time bank ledger: {len(drifts)} balance drift(s), {len(unbalanced)} unbalanced "
                f"transfer(s), global sum {total}, {len(disagreements)} disagreement(s) with the audit trail"
            )
        self.stdout.write(
            "time bank ledger OK: every balance equals its movements; the global sum is 0; "
            "every transfer agrees with its audit record"
        )
