"""verify_timebank against someone who can write to the database (issue #9): a transfer edited
consistently with its movements and balances still disagrees with its sealed audit record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from yinling.audit import triggers as audit_triggers
from yinling.audit.models import AuditRecord
from yinling.testing.personas import Personas
from yinling.timebank import ledger, services
from yinling.timebank import triggers as ledger_triggers
from yinling.timebank.audit_check import cross_check
from yinling.timebank.models import Transfer
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db
H = Decimal


@contextmanager
def lifted() -> Iterator[Any]:
    """Every append-only trigger off, as a database owner can take them off."""
    for module in (audit_triggers, ledger_triggers):
        module.remove(connection)
    try:
        with connection.cursor() as cur:
            yield cur
    finally:
        for module in (audit_triggers, ledger_triggers):
            module.install(connection)


@pytest.fixture
def granted(personas: Personas) -> Transfer:
    services.do_issue(by=personas.owner, org=personas.tree.city_a, hours=H("100"), reason="年度发放", document_no="1号")
    elder = person(personas.tree.unit_a, age=85)
    return services.do_grant(by=personas.owner, retiree=elder, hours=H("5"), reason="高龄独居").transfer


def _inflate(transfer: Transfer, to: Decimal) -> None:
    """Make `transfer` move `to` hours instead, with movements and balances to match."""
    delta = to - transfer.amount
    with lifted() as cur:
        cur.execute("UPDATE timebank_transfer SET amount = %s WHERE id = %s", [to, transfer.pk])
        for account_id, sign in ((transfer.from_account_id, -1), (transfer.to_account_id, 1)):
            cur.execute(
                "UPDATE timebank_movement SET amount = %s, balance_after = balance_after + %s "
                "WHERE transfer_id = %s AND account_id = %s",
                [sign * to, sign * delta, transfer.pk, account_id],
            )
            cur.execute("UPDATE timebank_account SET balance = balance + %s WHERE id = %s", [sign * delta, account_id])


def test_it_agrees_with_the_audit_trail_when_nothing_was_touched(granted: Transfer) -> None:
    assert cross_check() == []
    call_command("verify_timebank")


def test_it_catches_a_transfer_edited_with_its_movements_and_balances(granted: Transfer) -> None:
    _inflate(granted, H("50"))
    # Balances, movements and transfers are consistent: recomputing them finds nothing.
    drifts, total, unbalanced = ledger.verify()
    assert drifts == [] and total == 0 and unbalanced == []
    problems = cross_check()
    assert any(f"transfer {granted.pk}:" in p and "grant 5" in p and "50" in p for p in problems), problems
    with pytest.raises(CommandError, match="disagreement"):
        call_command("verify_timebank")


def test_it_catches_movements_edited_under_an_unchanged_transfer(granted: Transfer) -> None:
    with lifted() as cur:
        cur.execute("UPDATE timebank_movement SET amount = amount * 2 WHERE transfer_id = %s", [granted.pk])
        for account_id, sign in ((granted.from_account_id, -1), (granted.to_account_id, 1)):
            cur.execute("UPDATE timebank_account SET balance = balance + %s WHERE id = %s", [sign * 5, account_id])
    assert ledger.verify()[0] == []
    assert any(f"transfer {granted.pk}" in p and "movements" in p for p in cross_check())


def test_it_catches_a_transfer_deleted_with_its_movements(granted: Transfer) -> None:
    with lifted() as cur:
        cur.execute("DELETE FROM timebank_movement WHERE transfer_id = %s", [granted.pk])
        cur.execute("DELETE FROM timebank_transfer WHERE id = %s", [granted.pk])
        for account_id, sign in ((granted.from_account_id, 1), (granted.to_account_id, -1)):
            cur.execute("UPDATE timebank_account SET balance = balance + %s WHERE id = %s", [sign * 5, account_id])
    assert ledger.verify()[0] == []
    assert any(f"transfer {granted.pk}, which is not in the ledger" in p for p in cross_check())


def test_it_catches_the_audit_record_edited_to_match(granted: Transfer) -> None:
    _inflate(granted, H("50"))
    cross_check()  # seals the records
    rec = AuditRecord.objects.get(object_type="timebank.transfer", object_id=str(granted.pk))
    changes = {**rec.changes, "amount": [None, "50.00"]}
    with lifted() as cur:
        cur.execute(
            "UPDATE audit_auditrecord SET changes = %s WHERE id = %s",
            [json.dumps(changes), rec.pk],
        )
    problems = cross_check()
    assert any(f"transfer {granted.pk}" in p and "does not verify" in p for p in problems), problems


def test_it_catches_a_transfer_whose_audit_record_was_removed(granted: Transfer) -> None:
    with lifted() as cur:
        cur.execute(
            "DELETE FROM audit_auditrecord WHERE object_type = 'timebank.transfer' AND object_id = %s",
            [str(granted.pk)],
        )
    assert any(f"transfer {granted.pk}" in p and "no audit record" in p for p in cross_check())
