from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yinling.timebank.ledger import verify


class Command(BaseCommand):
    help = "Recompute every time bank balance from its movements; report drift (exit 1 if any)."

    def handle(self, *args: Any, **options: Any) -> None:
        drifts, total, unbalanced = verify()
        for d in drifts:
            self.stderr.write(f"account {d.account_id}: cached {d.cached} but movements sum to {d.derived}")
        for transfer in unbalanced:
            self.stderr.write(f"transfer {transfer}: its movements do not sum to zero")
        if total != 0:
            self.stderr.write(f"the sum of all balances is {total}, not 0")
        if drifts or unbalanced or total != 0:
            raise CommandError(
                f"time bank ledger: {len(drifts)} balance drift(s), {len(unbalanced)} unbalanced "
                f"transfer(s), global sum {total}"
            )
        self.stdout.write("time bank ledger OK: every balance equals its movements; the global sum is 0")
