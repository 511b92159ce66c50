"""How an SMS leaves the platform: one sender class, chosen by settings.SMS_SENDER (a dotted path).

- `ConsoleSender` writes each message to the log (development);
- `FileSender` appends one JSON line per message to settings.SMS_FILE (the demo and tests; the benchmark counts
  its lines);
- `HttpGatewaySender` POSTs JSON to a generic SMS gateway (production): SMS_GATEWAY_URL, SMS_GATEWAY_KEY and
  SMS_GATEWAY_SECRET (HTTP basic credentials), SMS_TEMPLATE_ID, SMS_GATEWAY_TIMEOUT seconds. Any answer other than
  2xx, a timeout or a refused connection is a failure, which the delivery task retries.

A sender raises `SendError` (with words fit for the delivery log: never the number or the text) when it fails.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.error
import urllib.request
from functools import cache
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SendError(Exception):
    """The message did not go out; str(exc) goes into the delivery log."""


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSender:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS to {phone}: {text}\n")


class FileSender:
    def __init__(self, path: str | None = None) -> None:
        self.path = path or str(settings.SMS_FILE)

    def send(self, phone: str, text: str) -> None:
        line = json.dumps({"at": timezone.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False) + "\n"
        # One write() of one line with O_APPEND: several workers appending at once never interleave lines.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


class HttpGatewaySender:
    def __init__(
        self,
        url: str | None = None,
        key: str | None = None,
        secret: str | None = None,
        template_id: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.key = key if key is not None else settings.SMS_GATEWAY_KEY
        self.secret = secret if secret is not None else settings.SMS_GATEWAY_SECRET
        self.template_id = template_id if template_id is not None else settings.SMS_TEMPLATE_ID
        self.timeout = timeout if timeout is not None else settings.SMS_GATEWAY_TIMEOUT

    def send(self, phone: str, text: str) -> None:
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise SendError("SMS_GATEWAY_URL is not an http(s) URL")
        body = json.dumps({"to": phone, "template_id": self.template_id, "params": {"text": text}}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")  # noqa: S310 (scheme checked above)
        request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.key or self.secret:
            pair = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
            request.add_header("Authorization", f"Basic {pair}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as exc:
            raise SendError(f"gateway answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendError(f"gateway unreachable: {type(reason).__name__}") from None
        if not 200 <= status < 300:
            raise SendError(f"gateway answered HTTP {status}")


@cache
def _sender_class(path: str) -> type:
    return import_string(path)  # type: ignore[no-any-return]


def sms_sender() -> SmsSender:
    """A sender of the class settings.SMS_SENDER names (read each time, so tests can override it)."""
    return _sender_class(settings.SMS_SENDER)()  # type: ignore[no-any-return]
