"""A process killed in the middle of transfers leaves no half transfer.

A child process (the same settings, pointed at the test database) posts grants, donations
and gifts in a loop; it is killed with SIGKILL — no cleanup, no rollback of its own — at a
random moment, several times over. PostgreSQL then rolls back whatever transaction it had
open. Afterwards every transfer has exactly its two movements, every cached balance equals
its movements, the global sum is 0, every committed transfer has its audit record, and the
audit chain verifies (records the killed process committed but had no time to seal are
sealed by the verification).

PostgreSQL only: the test database on SQLite lives in memory, where no second process can
reach it. CI runs the suite on PostgreSQL too.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from yinling.audit.models import AuditRecord
from yinling.audit.services import verify_chain
from yinling.registry.models import FamilyContact
from yinling.testing.personas import make_personas
from yinling.timebank import ledger, services
from yinling.timebank.models import Account, Movement, Transfer
from yinling.timebank.tests.factories import person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
H = Decimal
ROOT = Path(settings.BASE_DIR)

CHILD = """
import os, random, sys, time
from decimal import Decimal as H
import django
django.setup()
from yinling.accounts.models import User
from yinling.registry.models import Retiree
from yinling.timebank import ledger, services
from yinling.timebank.ledger import Refused

admin = User.objects.get(username="owner")
people = list(Retiree.objects.filter(pk__in=[int(x) for x in sys.argv[1].split(",")]).order_by("pk"))
mode, after = sys.argv[2], int(sys.argv[3])
rng = random.Random(os.getpid())
done = 0

def stall_after(fn):
    def stalled(*args, **kwargs):
        result = fn(*args, **kwargs)
        print("mid", flush=True)  # inside the transaction, rows locked
        time.sleep(60)
        return result
    return stalled

while True:
    if done == after and mode == "locked":
        ledger.lock = stall_after(ledger.lock)  # audit record written, rows locked, no transfer yet
    if done == after and mode == "written":
        ledger._write = stall_after(ledger._write)  # transfer, movements and balances written; no commit
    member = rng.choice(people)
    op = rng.choice(("grant", "donation", "gift"))
    try:
        if op == "grant":
            services.do_grant(by=admin, retiree=member, hours=H("1"), reason="crash test")
        elif op == "donation":
            services.do_donate(by=None, retiree=member, hours=H("0.5"))
        else:
            i = people.index(member)
            services.do_gift(by=None, giver=member, to=people[i ^ 1], hours=H("0.5"))
    except Refused:
        continue
    done += 1
    print(done, flush=True)
"""


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: a second process cannot reach SQLite's in-memory test database "
            "(run with DATABASE_URL=postgres://…; CI does)"
        )


def child_env() -> dict[str, str]:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # DEBUG=1: the child reads the same development keys under var/ as this test process.
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "yinling.settings"}


def run_and_kill(people: list[int], mode: str, after: int, rng: random.Random) -> int:
    """Start the child, let it commit `after` transfers, then kill it: at a random moment ("random"),
    or once it stands inside the next transfer's transaction (the other modes). Returns how many
    transfers it reported committed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, ",".join(map(str, people)), mode, str(after)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reported = 0
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while True:
            line = proc.stdout.readline().strip()
            if not line:
                raise AssertionError(f"the child stopped: {proc.stderr.read() if proc.stderr else ''}")
            if line == "mid":
                break
            reported = int(line)
            if mode == "random" and reported >= after:
                time.sleep(rng.uniform(0, 0.05))  # anywhere in the next few transfers
                break
            assert time.monotonic() < deadline, "the child is too slow"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    # Read what is left through the same file object: readline() may already hold more lines in
    # its buffer, which communicate() (reading the raw pipes when there are two) would lose.
    out = proc.stdout.read() if proc.stdout else ""
    if proc.stderr:
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    lines = [int(x) for x in out.split() if x.isdigit()]
    return lines[-1] if lines else reported


def test_it_leaves_no_half_transfer_when_a_process_is_killed() -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("10000"), reason="发放", document_no="1号")
    people = [person(p.tree.unit_a, age=80 if i % 2 == 0 else 60) for i in range(4)]
    for mother, child in zip(people[0::2], people[1::2], strict=True):
        FamilyContact.objects.create(retiree=mother, relation="女儿", name=child.name, phone=child.phone)
    for someone in people:
        services.do_grant(by=p.owner, retiree=someone, hours=H("20"), reason="初始")
    before = Transfer.objects.count()
    rng = random.Random(4)

    ids = [r.pk for r in people]
    reported = 0
    for mode in ("locked", "written"):
        reported += run_and_kill(ids, mode, after=rng.randint(5, 15), rng=rng)
        assert Transfer.objects.count() - before == reported  # the stalled transfer left nothing
    for _round in range(3):
        reported += run_and_kill(ids, "random", after=rng.randint(15, 40), rng=rng)

    posted = Transfer.objects.count() - before
    # A process killed at random may have committed one transfer it had no time to report.
    assert reported <= posted <= reported + 3
    # Every transfer whole: exactly two movements, summing to zero.
    shapes = Movement.objects.values("transfer").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(shapes) == {2}
    assert Movement.objects.values("transfer").distinct().count() == Transfer.objects.count()
    drifts, total, unbalanced = ledger.verify()
    assert drifts == [] and total == 0 and unbalanced == []
    issued = services.issuance_account()
    assert sum(Account.objects.exclude(pk=issued.pk).values_list("balance", flat=True)) == H("10000")
    # Every committed transfer has its audit record, written in the same transaction.
    audited = AuditRecord.objects.filter(object_type="timebank.transfer").count()
    assert audited == Transfer.objects.count()
    result = verify_chain()
    assert result.ok, result.problems
    assert not AuditRecord.objects.filter(seq__isnull=True).exists()
