"""2,000 volunteers check in to one activity over HTTP (issue #12): every check-in recorded once, none lost.

Against a running server on PostgreSQL (gunicorn), with N concurrent clients (threads, urllib):

    export DATABASE_URL=postgres://… DJANGO_SETTINGS_MODULE=benchmarks.bench_settings PYTHONPATH=.
    .venv/bin/python manage.py migrate
    .venv/bin/gunicorn yinling.wsgi -w 2 --threads 4 -b 127.0.0.1:8000 &
    .venv/bin/python benchmarks/volunteer_checkin.py --base http://127.0.0.1:8000 --people 2000 --clients 100

Setup (in this process, through the ORM on the same database): a walk-in activity that started a minute ago
in a fresh org, N volunteers with retiree accounts and an API token each (knox). Then each client posts
`/api/v1/volunteering/activities/{id}/checkin/` with the current code, and the script prints how many were
recorded, duplicates, lost, p50/p99 latency and the count of 5xx answers.

`--over 60` (the default) spreads the N check-ins evenly over the minute, as the issue puts it ("2,000 volunteers
checking in within one minute"), at most C in flight; latency is shown per request and from each volunteer's
moment (which includes waiting for a free client). `--over 0` sends them back to back: the saturation throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def setup(people: int) -> tuple[int, list[str]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinling.settings")
    import django

    django.setup()
    import datetime as dt

    from django.utils import timezone
    from knox.models import AuthToken

    from yinling.accounts.models import User
    from yinling.orgs.models import Org
    from yinling.registry.demo import make_retiree
    from yinling.registry.models import Retiree
    from yinling.volunteering import codes
    from yinling.volunteering.models import Activity, Volunteer

    stamp = str(int(time.time()))[-6:]
    root = Org.objects.unrestricted().filter(parent=None).first()
    if root is None:  # a fresh database: a province to hang the bench org on
        root = Org.objects.create(code="BENCHROOT", name="压测省局", kind=Org.Kind.PROVINCE_BUREAU)
    org = Org.objects.create(code=f"BENCH{stamp}", name=f"压测单位{stamp}", kind=Org.Kind.UNIT, parent=root)
    tokens: list[str] = []
    first = 900_000 + Retiree.objects.unrestricted().count()  # the demo generator's numbers, past earlier runs'
    for i in range(people):
        record, _contacts = make_retiree(first + i, org, "330106")
        record.save()
        user = User.objects.create_user(username=f"b{stamp}{i:05d}", password=None, kind=User.Kind.RETIREE, org=org)
        Retiree.objects.unrestricted().filter(pk=record.pk).update(account=user)
        Volunteer.objects.create(retiree=record)
        tokens.append(AuthToken.objects.create(user)[1])
    start = timezone.now() - dt.timedelta(minutes=1)
    act = Activity.objects.create(
        org=org,
        title="压测活动",
        place="压测",
        start=start,
        end=start + dt.timedelta(hours=3),
        walk_in=True,
        open_to="all",
        code_secret=codes.new_secret(),
    )
    return act.pk, tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument(
        "--over",
        type=float,
        default=60.0,
        help="spread the check-ins evenly over this many seconds (the issue's 'within one minute'); "
        "0 sends them as fast as the clients can (the server's saturation throughput)",
    )
    args = parser.parse_args()
    activity_id, tokens = setup(args.people)
    from yinling.volunteering import codes
    from yinling.volunteering.models import Activity, Attendance

    secret = Activity.objects.unrestricted().get(pk=activity_id).code_secret
    url = f"{args.base}/api/v1/volunteering/activities/{activity_id}/checkin/"
    times: list[float] = []
    statuses: list[int] = []

    waits: list[float] = []

    def one(item: tuple[int, str]) -> None:
        i, token = item
        # Each volunteer presses "check in" at their own moment; a client thread that is still busy with
        # an earlier one makes them wait, and that wait counts (measured from the moment, not the send).
        due = began + (i * args.over / len(tokens) if args.over else 0.0)
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        body = json.dumps({"code": codes.current(secret)[0], "client_id": token[:8]}).encode()
        req = urllib.request.Request(
            url, body, {"Content-Type": "application/json", "Authorization": f"Token {token}"}, method="POST"
        )
        sent = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=30) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
        except OSError:
            statuses.append(0)
        done = time.perf_counter()
        times.append(done - sent)
        waits.append(done - max(due, began))

    began = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(one, enumerate(tokens)))
    wall = time.perf_counter() - began
    recorded = Attendance.objects.unrestricted().filter(activity_id=activity_id).count()
    ok = sum(1 for s in statuses if s == 200)
    quantiles = statistics.quantiles(times, n=100)
    pressed = statistics.quantiles(waits, n=100)
    spread = f"spread over {args.over:.0f} s" if args.over else "as fast as possible"
    print(f"people {args.people}, clients {args.clients}, {spread}, wall {wall:.1f} s, {args.people / wall:.0f}/s")
    print(f"recorded {recorded}, answered 200 {ok}, duplicates {max(0, recorded - ok)}, lost {args.people - recorded}")
    print(f"request p50 {quantiles[49] * 1000:.0f} ms, p99 {quantiles[98] * 1000:.0f} ms")
    print(f"from the press (with any wait for a client) p50 {pressed[49] * 1000:.0f} ms, ", end="")
    print(f"p99 {pressed[98] * 1000:.0f} ms")
    server_errors = sum(1 for s in statuses if s >= 500)
    others = sum(1 for s in statuses if s != 200 and s < 500)
    print(f"5xx {server_errors}, other failures (4xx, network) {others}")


if __name__ == "__main__":
    main()
