"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from yinling.testing.personas import Cast, Personas, Tree, make_cast, make_personas, make_tree


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
