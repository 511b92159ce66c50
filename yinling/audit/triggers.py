"""The database triggers that keep sealed audit records append-only (installed by migration 0002)."""

from __future__ import annotations

from typing import Any

PG_INSTALL = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.seq IS NOT NULL THEN
      RAISE EXCEPTION 'audit records are append-only (record % is sealed)', OLD.id;
    END IF;
    RETURN NEW;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM audit_purgepermit) THEN
    RAISE EXCEPTION 'audit records are append-only (use manage.py purge_audit)';
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_no_update ON audit_auditrecord;
DROP TRIGGER IF EXISTS audit_no_delete ON audit_auditrecord;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditrecord
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditrecord
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_REMOVE = """
DROP TRIGGER IF EXISTS audit_no_update ON audit_auditrecord;
DROP TRIGGER IF EXISTS audit_no_delete ON audit_auditrecord;
DROP FUNCTION IF EXISTS audit_append_only();
"""
SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditrecord
       WHEN OLD.seq IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditrecord
       WHEN NOT EXISTS (SELECT 1 FROM audit_purgepermit)
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only (use manage.py purge_audit)'); END;""",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]


def install(connection: Any) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(PG_INSTALL)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_INSTALL:
                cur.execute(statement)


def remove(connection: Any) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(PG_REMOVE)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_REMOVE:
                cur.execute(statement)
