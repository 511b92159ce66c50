"""The staff quick search (/search/, the top bar's box) on PostgreSQL with 1,000,000 retirees (issue #11:
p95 under 100 ms for the province).

    .venv/bin/python benchmarks/seed_1m.py --keep                 # once: 5-10 minutes
    .venv/bin/python benchmarks/quick_search.py [--db yinling_bench_1m] [--requests 40]

Requests go through Django's test Client in this process (the top bar's htmx request: the results
fragment), signed in as the demo users `zhejiang` (bureau admin at 330000: every retiree in scope),
`hangzhou` (330100) and `xihu` (clerk at 330106). Each case runs 3 requests untimed, then --requests
timed ones; the table gives p50, p95 and max in milliseconds and the SQL queries per request. The
database is migrated first (the product's current migrations) and kept.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.seed_1m import DEFAULT_SERVER  # noqa: E402

TARGET_MS = 100.0
USERS = ("zhejiang", "hangzhou", "xihu")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--db", default="yinling_bench_1m")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{args.server}/{args.db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from yinling.accounts.models import User
    from yinling.registry.models import Retiree

    call_command("migrate", verbosity=0)
    total = Retiree.objects.unrestricted().count()
    last4 = (
        Retiree.objects.unrestricted()
        .filter(org__path__under="330000/330100/330106/")
        .values_list("id_last4", flat=True)
        .first()
    )
    queries = [
        ("surname 张", "张"),
        ("name 王建国", "王建国"),
        ("pinyin zhangs", "zhangs"),
        ("initials zjg", "zjg"),
        (f"ID last four {last4}", last4 or "0000"),
        ("org 西湖", "西湖"),
    ]
    print(f"quick search, {total:,} retirees, {args.requests} requests a case (after 3 untimed)")
    print(f"{'user':<10} {'query':<22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL':>4}")
    worst = 0.0
    for username in USERS:
        client = Client()
        client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
        for label, text in queries:
            times = []
            for i in range(args.requests + 3):
                reset_queries()
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = client.get("/search/", {"q": text}, HTTP_HX_REQUEST="true")
                    elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, (username, text, response.status_code)
                if i >= 3:
                    times.append(elapsed)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            worst = max(worst, p95)
            print(
                f"{username:<10} {label:<22} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f} "
                f"{len(ctx.captured_queries):4d}"
            )
    print(f"worst p95: {worst:.1f} ms (target {TARGET_MS:.0f} ms): {'met' if worst < TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
