"""Sending: the rate limit, retries with backoff then a logged failure, the HTTP gateway against a local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from yinling.notifications import tasks
from yinling.notifications.models import Delivery, Notification
from yinling.notifications.senders import HttpGatewaySender, SendError
from yinling.notifications.services import notify
from yinling.notifications.tests.conftest import sent_lines
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def log_of(user: Any) -> list[tuple[str, int, str]]:
    rows = Delivery.objects.unrestricted().filter(recipient=user).order_by("id")
    return list(rows.values_list("status", "attempt", "error"))


def test_it_rate_limits_per_person_and_channel(
    cast: Cast, sms_file: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_SMS_PER_HOUR = 3
    cast.family.is_active = False  # one recipient only
    cast.family.save()
    with time_machine.travel("2027-03-01 09:00 +08:00", tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(5):
                notify(cast.retiree, "k", f"第{i}条")
        assert [s for s, _a, _e in log_of(cast.retiree)] == ["sent"] * 3 + ["rate_limited"] * 2
        assert log_of(cast.retiree)[-1][2] == "rate limited"
        assert len(sent_lines(sms_file)) == 3
        # Every message is in the inbox all the same.
        assert Notification.objects.unrestricted().filter(recipient=cast.retiree).count() == 5
        # Another person is not held back by this one's count, nor another channel.
        cast.clerk.email = "clerk@example.org"
        cast.clerk.save()
        with django_capture_on_commit_callbacks(execute=True):
            notify(cast.clerk, "k", "x")
        assert log_of(cast.clerk)[0][0] == "sent"
        # An hour later the window has moved on.
        clock.shift(3601)
        with django_capture_on_commit_callbacks(execute=True):
            notify(cast.retiree, "k", "一小时后")
    assert log_of(cast.retiree)[-1][0] == "sent"
    assert len(sent_lines(sms_file)) == 4


class Failing:
    calls = 0

    def send(self, phone: str, text: str) -> None:
        Failing.calls += 1
        raise SendError("gateway answered HTTP 503")


class FailingOnce:
    calls = 0

    def send(self, phone: str, text: str) -> None:
        FailingOnce.calls += 1
        if FailingOnce.calls == 1:
            raise SendError("gateway unreachable: timeout")


def test_it_retries_a_failure_then_logs_it_failed(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_SENDER = f"{__name__}.Failing"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    Failing.calls = 0
    cast.family.is_active = False
    cast.family.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(cast.retiree, "k", "x")
    assert Failing.calls == 3
    assert log_of(cast.retiree) == [("failed", n, "gateway answered HTTP 503") for n in (1, 2, 3)]


def test_it_succeeds_on_a_retry(cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.SMS_SENDER = f"{__name__}.FailingOnce"
    FailingOnce.calls = 0
    cast.family.is_active = False
    cast.family.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(cast.retiree, "k", "x")
    assert [(s, a) for s, a, _e in log_of(cast.retiree)] == [("failed", 1), ("sent", 2)]


def test_it_does_nothing_for_a_notification_purged_before_its_job(cast: Cast) -> None:
    assert tasks.deliver(999_999, "sms") == "gone"
    assert Delivery.objects.unrestricted().count() == 0


# --- the HTTP gateway, against a server on this machine --------------------------------------------------------


class Gateway(BaseHTTPRequestHandler):
    status = 200
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Gateway.seen.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "type": self.headers.get("Content-Type"),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        if Gateway.status == 0:  # hang past the client's timeout
            threading.Event().wait(1.5)
            return
        self.send_response(Gateway.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.seen, Gateway.status = [], 200
    yield f"http://127.0.0.1:{server.server_port}/sms/send"
    server.shutdown()
    server.server_close()


def sender(url: str, timeout: float = 5) -> HttpGatewaySender:
    return HttpGatewaySender(url=url, key="acct", secret="s3cret", template_id="SMS_123", timeout=timeout)


def test_it_posts_json_with_credentials_and_template_to_the_gateway(gateway: str) -> None:
    sender(gateway).send("13800138000", "您有一条新通知")
    [seen] = Gateway.seen
    assert seen["path"] == "/sms/send"
    assert seen["auth"] == "Basic YWNjdDpzM2NyZXQ="  # acct:s3cret
    assert seen["type"].startswith("application/json")
    assert seen["body"] == {"to": "13800138000", "template_id": "SMS_123", "params": {"text": "您有一条新通知"}}


@pytest.mark.parametrize("status", [400, 401, 429, 500, 503])
def test_it_fails_on_an_answer_other_than_2xx(gateway: str, status: int) -> None:
    Gateway.status = status
    with pytest.raises(SendError, match=f"HTTP {status}"):
        sender(gateway).send("13800138000", "x")


def test_it_fails_on_a_timeout(gateway: str) -> None:
    Gateway.status = 0
    with pytest.raises(SendError, match="unreachable"):
        sender(gateway, timeout=0.3).send("13800138000", "x")


def test_it_fails_when_nobody_listens() -> None:
    with pytest.raises(SendError, match="unreachable"):
        sender("http://127.0.0.1:9/").send("13800138000", "x")


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://example.org/"])
def test_it_refuses_a_gateway_url_that_is_not_http(url: str) -> None:
    with pytest.raises(SendError, match="not an http"):
        sender(url).send("13800138000", "x")


def test_it_logs_the_gateways_failure_and_retries_through_the_task(
    cast: Cast, gateway: str, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_SENDER = "yinling.notifications.senders.HttpGatewaySender"
    settings.SMS_GATEWAY_URL = gateway
    Gateway.status = 502
    cast.family.is_active = False
    cast.family.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(cast.retiree, "k", "x")
    assert log_of(cast.retiree) == [("failed", n, "gateway answered HTTP 502") for n in (1, 2, 3)]
    # The log never holds the number or the text.
    assert len(Gateway.seen) == 3


# --- the real queue (django-tasks-db): what notify() and a retry put in it ---------------------------------------

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notify"]}}


def test_it_queues_one_job_per_copy_in_the_notify_queue_after_commit(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_QUEUE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify(cast.retiree, "k", "x")
    assert DBTaskResult.objects.count() == 0  # nothing before commit
    for callback in callbacks:
        callback()
    jobs = DBTaskResult.objects.order_by("enqueued_at")
    assert [(j.queue_name, j.status, j.args_kwargs["args"]) for j in jobs] == [
        ("notify", "READY", [rows[0].pk, "sms"]),
        ("notify", "READY", [rows[1].pk, "sms"]),
    ]
    assert all(j.task_path == "yinling.notifications.tasks.send_notification" for j in jobs)


def test_it_queues_a_retry_to_run_after_the_backoff(cast: Cast, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_QUEUE
    settings.NOTIFY_RETRY_SECONDS = 60
    settings.SMS_SENDER = f"{__name__}.Failing"
    row = Notification.objects.create(recipient=cast.retiree, kind="k", text="x")
    with time_machine.travel("2027-03-01 09:00 +08:00", tick=False):
        assert tasks.deliver(row.pk, "sms", 1) == "failed"
        assert tasks.deliver(row.pk, "sms", 2) == "failed"
        assert tasks.deliver(row.pk, "sms", 3) == "failed"
        now = timezone.now()
    waits = [(j.run_after - now).total_seconds() for j in DBTaskResult.objects.order_by("run_after")]
    assert waits == [60, 120]  # attempts 2 and 3; none after the last
    assert [a for _s, a, _e in log_of(cast.retiree)] == [1, 2, 3]
