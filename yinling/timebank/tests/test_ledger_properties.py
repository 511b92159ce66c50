"""Hypothesis drives random operations; the ledger's invariants hold after every step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from yinling.testing.personas import make_personas
from yinling.timebank import ledger, services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Rule
from yinling.timebank.tests.factories import person, relate

CAP = Decimal("20")
hours = st.integers(min_value=1, max_value=16).map(lambda n: Decimal(n) / 2)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_its_invariants_under_random_operations() -> None:
    class Ledger(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            Account.objects.all().exists()  # connection warm-up
            self.p = make_personas()
            Rule.objects.create(org=self.p.tree.city_a, balance_cap=CAP)
            self.members = [person(self.p.tree.unit_a, age=a) for a in (62, 70, 84, 90)]
            relate(self.members[0], self.members[1])
            self.issued = Decimal("0")

        def teardown(self) -> None:
            # Each run starts from an empty database.
            from django.core.management import call_command

            from yinling.audit import triggers as audit_triggers
            from yinling.timebank import triggers as ledger_triggers

            with transaction.atomic():
                from django.db import connection

                for module in (audit_triggers, ledger_triggers):
                    module.remove(connection)
            call_command("flush", verbosity=0, interactive=False)
            from django.db import connection

            for module in (audit_triggers, ledger_triggers):
                module.install(connection)

        @rule(amount=hours)
        def issue(self, amount: Decimal) -> None:
            services.do_issue(by=self.p.owner, org=self.p.tree.city_a, hours=amount, reason="发放", document_no="1号")
            self.issued += amount

        @rule(who=st.integers(0, 3), amount=hours)
        def grant(self, who: int, amount: Decimal) -> None:
            try:
                services.do_grant(by=self.p.owner, retiree=self.members[who], hours=amount, reason="补助")
            except Refused as exc:
                assert exc.code == "insufficient_balance"

        @rule(who=st.integers(0, 3), amount=hours)
        def donate(self, who: int, amount: Decimal) -> None:
            try:
                services.do_donate(by=self.p.owner, retiree=self.members[who], hours=amount)
            except Refused as exc:
                assert exc.code in ("insufficient_balance", "not_member")

        @rule(amount=hours)
        def gift(self, amount: Decimal) -> None:
            try:
                services.do_gift(by=self.p.owner, giver=self.members[0], to=self.members[1], hours=amount)
            except Refused as exc:
                assert exc.code in ("insufficient_balance", "not_member")

        @rule()
        def reverse_latest(self) -> None:
            from yinling.timebank.models import Transfer

            latest = Transfer.objects.exclude(kind__in=["reversal", "issuance"]).order_by("-id").first()
            if latest is not None:
                try:
                    ledger.reverse(latest, by=self.p.owner, reason="更正")
                except Refused as exc:
                    assert exc.code in ("already_reversed", "insufficient_balance")

        @invariant()
        def balances_are_derived_and_sum_to_zero(self) -> None:
            if not hasattr(self, "p"):
                return
            drifts, total, unbalanced = ledger.verify()
            assert drifts == [] and unbalanced == [] and total == 0

        @invariant()
        def no_negative_member_balance_and_caps_hold(self) -> None:
            for account in Account.objects.filter(kind="member"):
                assert Decimal("0") <= account.balance <= CAP

        @invariant()
        def issued_hours_are_all_somewhere(self) -> None:
            if not hasattr(self, "p"):
                return
            assert -services.issuance_account().balance == self.issued

    run = Ledger.TestCase
    run.settings = settings(
        max_examples=12, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
    )
    run().runTest()
