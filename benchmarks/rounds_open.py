"""Opening a 平安报 round for N retirees (issue #14: a city of 150,000 in under 10 s) and 50 staff recording
answers at once with none lost, on PostgreSQL.

    .venv/bin/python benchmarks/rounds_open.py                  # 150,000 retirees, 50 clients; drops the db
    .venv/bin/python benchmarks/rounds_open.py --keep           # keep yinling_bench_rounds for a rerun
    .venv/bin/python benchmarks/rounds_open.py --reuse          # reuse it (the registry is seeded once)

The registry is built by the product's own `seed_demo --retirees N` (as benchmarks/seed_1m.py does), then the
script, in this process through the services:

1. opens a round at the root org (in a demo of N people its subtree holds all of them: the size of the issue's
   city), through `do_open_round` as a bureau admin there, and prints the time
   (the entries' INSERT … SELECT, the round's audit record and the notices job put on the queue; the job
   itself runs in a worker and is not timed);
2. runs `--clients` threads (50), each a clerk at the round's org recording `--answers` answers in all through
   `do_record_entry`, a tenth of them for people another client also answers (the same row, queued on its
   lock), and checks that every answer is there: the entries' versions add up to the answers given, and the
   history and the audit trail hold one row each;
3. closes the round (timed).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_1m import DEFAULT_SERVER, drop, seed

TARGET_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--retirees", type=int, default=150_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--answers", type=int, default=5_000, help="answers recorded by the clients in all")
    parser.add_argument("--db", default="yinling_bench_rounds")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it holds the rows (implies --keep)")
    args = parser.parse_args()

    timings = seed(args.server, args.db, args.retirees, args.reuse)
    if timings:
        print(f"seed_demo --retirees {args.retirees:,}: {timings['seed']:.1f} s (setup, not timed)")
    url = f"{args.server}/{args.db}"
    os.environ["TASKS_BACKEND"] = "database"  # the notices job is queued, as in production
    from _common import setup_django

    setup_django(url)
    ok = run(args)
    if args.keep or args.reuse:
        print(f"kept {args.db}: DATABASE_URL={url}")
    else:
        from django.db import connections

        connections.close_all()
        drop(args.server, args.db)
    return 0 if ok else 1


def run(args: argparse.Namespace) -> bool:
    from django.db import connections
    from django.db.models import Sum

    from yinling.audit.context import acting
    from yinling.audit.models import AuditRecord
    from yinling.orgs.models import Org
    from yinling.registry.models import Retiree
    from yinling.rounds.models import EntryUpdate, Round, RoundEntry
    from yinling.rounds.services import do_close_round, do_open_round, do_record_entry
    from yinling.testing.personas import make_user

    # Close what an earlier run (--reuse) left open, so the org may have a new round.
    Round.objects.unrestricted().filter(status="open").update(status="closed")
    root = Org.objects.unrestricted().filter(parent=None).order_by("id").first()
    assert root is not None, "no org tree: seed_demo did not run"
    people = Retiree.objects.unrestricted().filter(is_deleted=False, status="active").count()
    stamp = str(int(time.time()))[-6:]
    admin = make_user(f"rb{stamp}", root, "bureau_admin")
    print(f"org {root.code} {root.name}: {people:,} living retirees on register in its subtree")

    with acting(admin):
        start = time.perf_counter()
        found = do_open_round(by=admin, org=root, title=f"压测平安报{stamp}")
        opened = time.perf_counter() - start
    verdict = "PASS" if opened < TARGET_SECONDS else "MISS"
    print(f"open the round: {opened:.2f} s for {found.total:,} entries  [{verdict}: target < {TARGET_SECONDS:.0f} s]")

    ids = list(RoundEntry.objects.unrestricted().filter(round=found).values_list("id", flat=True))
    rng = random.Random(14)
    plan: list[list[int]] = [[] for _ in range(args.clients)]
    answers = min(args.answers, len(ids))
    picked = rng.sample(ids, answers)
    for n, pk in enumerate(picked):
        plan[n % args.clients].append(pk)
    shared = picked[: max(1, answers // 10)]  # also answered by another client: the same rows, queued
    for n, pk in enumerate(shared):
        plan[(n + 1) % args.clients].append(pk)
    clerks = [make_user(f"rc{stamp}{i:02d}", root, "clerk") for i in range(args.clients)]
    errors: list[BaseException] = []
    done = [0] * args.clients
    barrier = threading.Barrier(args.clients)

    def client(i: int) -> None:
        try:
            barrier.wait()
            with acting(clerks[i]):
                for pk in plan[i]:
                    entry = RoundEntry.objects.unrestricted().get(pk=pk)
                    do_record_entry(by=clerks[i], entry=entry, status=rng.choice(("safe", "unreachable")))
                    done[i] += 1
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    from django.utils import timezone

    began = timezone.now()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    given = sum(done)
    entries = RoundEntry.objects.unrestricted().filter(round=found)
    versions = entries.aggregate(v=Sum("version"))["v"] or 0
    history = EntryUpdate.objects.unrestricted().filter(entry__round=found).count()
    trail = AuditRecord.objects.filter(
        object_type="rounds.roundentry", extra__event="round_entry_recorded", extra__round=found.pk, at__gte=began
    ).count()
    lost = given - versions
    print(
        f"{args.clients} clients recorded {given:,} answers ({len(shared):,} people answered twice) in {wall:.1f} s, "
        f"{given / wall:,.0f}/s; errors {len(errors)}"
    )
    print(f"entries' versions {versions:,}, history rows {history:,}, audit records {trail:,}: lost {lost}")
    with acting(admin):
        start = time.perf_counter()
        do_close_round(by=admin, round_=found, report="压测结束")
        closed = time.perf_counter() - start
    print(f"close the round (counts frozen): {closed:.2f} s")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    return opened < TARGET_SECONDS and lost == 0 and not errors and history == given == trail


if __name__ == "__main__":
    sys.exit(main())
