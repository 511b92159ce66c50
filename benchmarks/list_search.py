"""The registry list and search on PostgreSQL with 1,000,000 retirees, beside Django admin's changelist.

    .venv/bin/python benchmarks/seed_1m.py --keep          # once: 5-10 minutes
    .venv/bin/python benchmarks/list_search.py --reuse --keep
    .venv/bin/python benchmarks/list_search.py --reuse --keep --via client    # also counts the SQL
    .venv/bin/python benchmarks/list_search.py --reuse --keep --explain       # EXPLAIN ANALYZE the slowest

Without --reuse it seeds the database first (benchmarks/seed_1m.py); without --keep it drops
it at the end. By default the requests go over HTTP to one gunicorn worker on 127.0.0.1
serving benchmarks/bench_settings.py (the product's settings plus Django admin, DEBUG off);
with --via client they go through Django's test Client in this process, which also reports
the SQL queries per request and the time spent in them (medians). Signed in as the demo
users `zhejiang` (bureau admin at 330000: all 1,000,000 in scope), `hangzhou` (330100) and
`xihu` (clerk at 330106), and for admin as a superuser. Each case runs --warmup requests
untimed, then --requests timed ones, one at a time; the table gives p50, p95 and max in
milliseconds. The issue's target: p95 under 100 ms for our pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.seed_1m import DEFAULT_SERVER, drop, seed  # noqa: E402

TARGET_MS = 100.0
USERS = ("zhejiang", "hangzhou", "xihu")
ADMIN_USER = "bench_superuser"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    import django

    django.setup()


def cases() -> list[tuple[str, dict[str, str], dict[str, str] | None]]:
    """(label, our query, admin's query): the same list, filter or search on both sides.

    Admin has no list_filter for special groups (they are a tag string), so that case is ours only.
    """
    from django.utils import timezone

    from yinling.registry.filters import _years_before

    today = timezone.localdate()
    # Ours: age_min=70&age_max=80 is born after today-81y and on or before today-70y.
    born_after = _years_before(today, 81)
    born_by = _years_before(today, 70)
    filtered = {"category": "tuixiu", "gender": "F", "age_min": "70", "age_max": "80", "living": "alone"}
    admin_filtered = {
        "category__exact": "tuixiu",
        "gender__exact": "F",
        "living__exact": "alone",
        "birth_date__gte": (born_after + dt.timedelta(days=1)).isoformat(),
        "birth_date__lt": (born_by + dt.timedelta(days=1)).isoformat(),
    }
    last4 = sample_last4()
    return [
        ("list, first page", {}, {}),
        ("filtered list", filtered, admin_filtered),
        ("name search 王建国", {"q": "王建国"}, {"q": "王建国"}),
        ("pinyin search zhangs", {"q": "zhangs"}, {"q": "zhangs"}),
        ("initials search zs", {"q": "zs"}, {"q": "zs"}),
        (f"ID last-4 search {last4}", {"q": last4}, {"q": last4}),
        # Beyond the cases: a library's link, and a surname alone (~1% of everyone).
        ("library 困难 (hardship)", {"special_flag": "hardship"}, None),
        ("surname search 张", {"q": "张"}, {"q": "张"}),
    ]


def sample_last4() -> str:
    """The last 4 of the ID number of someone under 330106 (in every user's scope)."""
    from yinling.registry.models import Retiree

    value = (
        Retiree.objects.filter(org__path__under="330000/330100/330106/", is_deleted=False)
        .order_by("id")
        .values_list("id_last4", flat=True)
        .first()
    )
    return value or "0000"


def ensure_superuser() -> Any:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(
        username=ADMIN_USER, defaults={"is_staff": True, "is_superuser": True, "kind": "staff"}
    )
    return user


def client_for(username: str) -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


class ClientFetcher:
    """Requests through Django's test Client in this process: SQL can be counted and explained."""

    sql = True

    def __init__(self, username: str) -> None:
        self.client = client_for(username)

    def get(self, url: str) -> tuple[int, str]:
        response = self.client.get(url)
        return response.status_code, response.content.decode()


class HttpFetcher:
    """Requests over HTTP to the gunicorn worker on loopback, with the user's session cookie."""

    sql = False

    def __init__(self, port: int, username: str) -> None:
        from django.conf import settings

        name = settings.SESSION_COOKIE_NAME
        self.port = port
        self.cookie = f"{name}={client_for(username).cookies[name].value}"

    def get(self, url: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request("GET", url, headers={"Cookie": self.cookie})
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()


GC_FREEZE_HOOK = """
import gc


def post_worker_init(worker):
    # Move everything loaded so far (Django, the apps, their modules) out of the collector's way.
    gc.collect()
    gc.freeze()
"""


@contextmanager
def gunicorn(url: str, gc_freeze: bool = False) -> Iterator[int]:
    """One sync gunicorn worker on 127.0.0.1 serving bench_settings (requests are sequential anyway)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "gunicorn", "yinling.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"]
    command += ["--timeout", "300", "--log-level", "warning"]
    config = None
    if gc_freeze:
        with tempfile.NamedTemporaryFile("w", suffix=".py", prefix="gunicorn-gc-freeze-", delete=False) as hook:
            hook.write(GC_FREEZE_HOOK)
        config = Path(hook.name)
        command += ["-c", str(config)]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(30)
        if config is not None:
            config.unlink()


class QueryTimer:
    """Counts the SQL queries of a request and the time spent in them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.statements: list[tuple[float, str, Any]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - start
            self.count += 1
            self.seconds += took
            self.statements.append((took, sql, params))


@contextmanager
def timed_queries() -> Iterator[QueryTimer]:
    from django.db import connection

    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        yield timer


COUNT_PATTERNS = (
    re.compile(r'role="status">\s*([^<]*?)\s*</p>'),  # ours: "1,000,000 条记录" / "约 …"
    re.compile(r'<p class="paginator">(.*?)</p>', re.S),  # admin: "… 1000000 离退休干部"
)


def shown_count(html: str) -> str:
    for pattern in COUNT_PATTERNS:
        match = pattern.search(html)
        if match:
            text = re.sub(r"<[^>]+>", " ", match.group(1))
            return " ".join(text.split())[-40:]
    return "?"


def measure(fetcher: Any, path: str, query: dict[str, str], warmup: int, n: int) -> dict[str, Any]:
    from urllib.parse import urlencode

    url = f"{path}?{urlencode(query)}" if query else path
    shown = "?"
    for _ in range(warmup):
        status, html = fetcher.get(url)
        if status != 200:
            raise SystemExit(f"{url}: HTTP {status}")
        shown = shown_count(html)
    times, queries, db_times = [], [], []
    slowest: QueryTimer | None = None
    for _ in range(n):
        with timed_queries() if fetcher.sql else nullcontext(QueryTimer()) as timer:
            start = time.perf_counter()
            status, html = fetcher.get(url)
            took = time.perf_counter() - start
        if status != 200:
            raise SystemExit(f"{url}: HTTP {status}")
        times.append(took * 1000)
        if shown == "?":
            shown = shown_count(html)
        queries.append(timer.count)
        db_times.append(timer.seconds * 1000)
        if slowest is None or timer.seconds > slowest.seconds:
            slowest = timer
    times.sort()
    return {
        "url": url,
        "p50": statistics.median(times),
        "p95": times[max(0, round(0.95 * len(times)) - 1)],
        "max": times[-1],
        "queries": statistics.median(queries) if fetcher.sql else None,
        "db": statistics.median(db_times) if fetcher.sql else None,
        "shown": shown,
        "slowest": slowest if fetcher.sql else None,
    }


def explain(timer: QueryTimer, top: int = 3) -> None:
    """EXPLAIN ANALYZE the slowest SELECTs of one request."""
    from django.db import connection

    for took, sql, params in sorted(timer.statements, key=lambda s: -s[0])[:top]:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        print(f"\n    -- {took * 1000:.1f} ms: {sql[:300]}{'…' if len(sql) > 300 else ''}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            for (line,) in cursor.fetchall():
                print(f"    {line}")


def row(label: str, who: str, result: dict[str, Any], mark: bool) -> str:
    verdict = ("ok" if result["p95"] < TARGET_MS else "MISS") if mark else ""
    sql = f"{result['queries']:5.0f} {result['db']:8.1f}" if result["queries"] is not None else f"{'—':>5} {'—':>8}"
    return (
        f"{label:<28} {who:<9} {result['p50']:8.1f} {result['p95']:8.1f} {result['max']:8.1f} "
        f"{sql}  {verdict:<4}  {result['shown']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="yinling_bench_1m")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--retirees", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="use the seeded database if it is there")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per case (at least 50 for p95)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-admin", action="store_true", help="skip Django admin")
    parser.add_argument(
        "--via",
        choices=["gunicorn", "client"],
        default="gunicorn",
        help="gunicorn: HTTP to one gunicorn worker on 127.0.0.1 (default); client: Django's test Client "
        "in this process, which also counts the SQL and can --explain it",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gunicorn only: gc.freeze() again in the worker's post_worker_init hook; yinling/wsgi.py "
        "now freezes once the app is loaded, so this only matters for figures from before that",
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each case's slowest queries")
    args = parser.parse_args()
    if args.explain:
        args.via = "client"

    timings = seed(args.server, args.db, args.retirees, args.reuse)
    if timings:
        print(f"seeded {args.retirees:,} retirees in {timings['seed']:.0f} s")
    url = f"{args.server}/{args.db}"
    setup_django(url)
    try:
        if args.via == "client":
            return run(args, ClientFetcher)
        with gunicorn(url, args.gc_freeze) as port:
            return run(args, lambda username: HttpFetcher(port, username))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop(args.server, args.db)
            print(f"dropped {args.db} (use --keep to keep it)")


def run(args: argparse.Namespace, fetcher: Callable[[str], Any]) -> int:
    from django.db import connection

    from yinling.registry.models import Retiree

    ensure_superuser()
    total = Retiree.objects.count()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(
        f"PostgreSQL {connection.pg_version // 10000}, {total:,} retirees, {args.requests} timed requests a case "
        f"after {args.warmup} untimed; DEBUG off; times in ms; "
        + ("Django test Client in this process" if args.via == "client" else "HTTP to 1 gunicorn worker on 127.0.0.1")
        + (", gc.freeze() in the worker" if args.gc_freeze and args.via == "gunicorn" else "")
    )
    header = f"{'case':<28} {'who':<9} {'p50':>8} {'p95':>8} {'max':>8} {'SQL':>5} {'SQL ms':>8}  {'':<4}  shown"
    print(header)
    print("-" * len(header))
    clients = {u: fetcher(u) for u in USERS}
    admin_client = None if args.no_admin else fetcher(ADMIN_USER)
    misses = 0
    for label, ours, theirs in cases():
        for username in USERS:
            result = measure(clients[username], "/registry/", ours, args.warmup, args.requests)
            misses += result["p95"] >= TARGET_MS
            print(row(label, username, result, True), flush=True)
            if args.explain and result["slowest"] is not None:
                explain(result["slowest"])
        if admin_client is not None and theirs is not None:
            result = measure(admin_client, "/admin/registry/retiree/", theirs, args.warmup, args.requests)
            print(row(label, "admin", result, False), flush=True)
            if args.explain and result["slowest"] is not None:
                explain(result["slowest"])
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"\nour pages: {'all p95 under' if not misses else f'{misses} cases missed'} {TARGET_MS:.0f} ms "
        "(admin: superuser, whole table, no scope)"
    )
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
