"""The browser tests' server must not share the test's database connection (see conftest's
django_db_modify_db_settings): a shared SQLite connection let a request and the test interleave their
transactions, and every later audit record on that worker failed."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db(transaction=True)
def test_it_gives_the_live_server_threads_their_own_database_connections(
    django_db_setup: None, live_server: Any
) -> None:
    # The database first (as in a whole run, where an earlier test set it up), then the server.
    assert live_server.thread.connections_override == {}
