"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from yinling.testing.personas import Cast, Personas, Tree, make_cast, make_personas, make_tree

# Deterministic by default (the same examples on every run and machine, so CI never flakes on a new
# example); HYPOTHESIS_PROFILE=explore draws fresh random examples when hunting for bugs locally.
# A loaded CI machine (xdist workers, browsers) draws slowly; that says nothing about the code under test.
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=500)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> Iterator[None]:
    """On SQLite, the test database is a file in memory (tmpfs), not SQLite's shared in-memory database.

    With an in-memory database Django hands the live server (browser tests) the test's own connection,
    and every request thread shares it with the test and with each other: a request's transaction and
    a query the test makes meanwhile (or a second request) interleave on one connection and can leave
    it outside any transaction with autocommit off, so each later audit record fails. A file gives
    each thread its own connection, as in production; on tmpfs it costs nothing measurable."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    shm = Path("/dev/shm")  # noqa: S108 - tmpfs; a private folder is made inside it
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    # One folder per process (each xdist worker, each concurrent run), readable by this user only.
    folder = Path(tempfile.mkdtemp(prefix="yinling-test-", dir=base))
    db.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _postgres_marker(request: pytest.FixtureRequest) -> None:
    """A test marked `postgres` (row locks, concurrent writers, worker processes) runs on PostgreSQL only."""
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and concurrent writers (run with DATABASE_URL=postgres://…; CI does)")


@pytest.fixture(autouse=True)
def _run_at_instant():  # type: ignore[no-untyped-def]
    """YINLING_TEST_NOW=2027-01-01T00:02+08:00 runs every test as if started then (the clock ticks on).

    Tests must hold at any instant: `make test-at-month-start` runs the suite in the first minutes of
    a month in Asia/Shanghai, when UTC is still in the previous month."""
    instant = os.environ.get("YINLING_TEST_NOW")
    if not instant:
        yield
        return
    import time_machine

    with time_machine.travel(instant, tick=True):
        yield


@pytest.fixture
def tree(db: None) -> Tree:
    return make_tree()


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def cast(db: None) -> Cast:
    """Every persona on one tree (see testing/personas.py); clients: yinling.testing.personas.cast_clients(cast)."""
    return make_cast()


@pytest.fixture(autouse=True)
def _job_files(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    # Each test's job files (uploads, results) in a folder of its own, never the demo's var/.
    settings.JOB_FILES_DIR = tmp_path_factory.mktemp("jobfiles")


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    # axes counts failures in the cache when configured so; every test starts clean.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    # A request through the test client leaves its language active in the thread (LocaleMiddleware
    # activates and never deactivates): every test starts in the default one (zh-hans).
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _audit_triggers(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Let transactional tests' teardown flush the append-only tables (audit, ledger) on SQLite.

    PostgreSQL flushes with TRUNCATE, which row triggers don't see; SQLite flushes with
    DELETE, which the append-only trigger refuses. So on SQLite the triggers come off
    just before the flush and go back on at the next test's start.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from yinling.audit import triggers as audit_triggers
    from yinling.timebank import triggers as ledger_triggers

    for module in (audit_triggers, ledger_triggers):
        module.install(connection)
    yield
    if connection.vendor == "sqlite":
        for module in (audit_triggers, ledger_triggers):
            module.remove(connection)
