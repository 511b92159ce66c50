"""Who is acting, from where, in which request: set by middleware, read by the audit trail."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    user: Any = None
    ip: str | None = None
    request_id: str = ""
    on_behalf_of: str = ""


# AuditContext is frozen, so sharing one default instance is safe.
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=AuditContext())  # noqa: B039


def current() -> AuditContext:
    ctx = _current.get()
    if not ctx.request_id:
        # Outside a request (commands, shell): one id per context so a command's changes group.
        ctx = replace(ctx, request_id=new_request_id())
        _current.set(ctx)
    return ctx


def acting_user() -> Any:
    """The signed-in user this code runs for (the request's, resolved only now), or None."""
    user = current().user
    if callable(user) and not hasattr(user, "_meta"):
        user = user()
    return user if getattr(user, "is_authenticated", False) else None


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def acting(
    user: Any = None, ip: str | None = None, request_id: str | None = None, on_behalf_of: str | None = None
) -> Iterator[AuditContext]:
    """Run a block as `user` (commands, tests, background jobs)."""
    base = _current.get()
    ctx = AuditContext(
        user=user if user is not None else base.user,
        ip=ip if ip is not None else base.ip,
        request_id=request_id or base.request_id or new_request_id(),
        on_behalf_of=on_behalf_of if on_behalf_of is not None else base.on_behalf_of,
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
