"""Real threads racing on the database, for the concurrency tests (PostgreSQL: mark them `postgres`).

The root conftest skips a test marked `postgres` on any other database, so a module needs only
`pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]`."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

from yinling.core.refusals import Refused


def run_threads(n: int, work: Callable[[int], object]) -> list[BaseException]:
    """Run work(0) … work(n-1) in n threads released together; what they raised, in no order.

    Each thread closes its own connections at the end (Django opens one per thread)."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def split_refused(errors: list[BaseException]) -> tuple[list[Refused], list[BaseException]]:
    """(the rule refusals, everything else): a refusal is an answer, anything else a failure."""
    refused = [e for e in errors if isinstance(e, Refused)]
    return refused, [e for e in errors if not isinstance(e, Refused)]
