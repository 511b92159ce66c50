"""Database triggers that keep the ledger append-only (installed by migration 0002)."""

from __future__ import annotations

from typing import Any

TABLES = ("timebank_transfer", "timebank_movement")


def install(connection: Any) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "CREATE OR REPLACE FUNCTION timebank_immutable() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'the time bank ledger is append-only: post a reversal instead'; "
                "END; $$ LANGUAGE plpgsql;"
            )
            for table in TABLES:
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
                cur.execute(
                    f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION timebank_immutable();"
                )
        elif connection.vendor == "sqlite":
            for table in TABLES:
                for op in ("UPDATE", "DELETE"):
                    cur.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                        "BEGIN SELECT RAISE(ABORT, 'the time bank ledger is append-only'); END;"
                    )


def remove(connection: Any) -> None:
    with connection.cursor() as cur:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
            elif connection.vendor == "sqlite":
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
