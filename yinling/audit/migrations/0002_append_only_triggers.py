"""Database triggers that make sealed audit records immutable.

UPDATE is refused once a record has its place in the chain (seq set); DELETE is
refused unless the purge command's permit row exists in the same transaction.
"""

from django.db import migrations

PG_SQL = """
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
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditrecord
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditrecord
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS audit_no_update ON audit_auditrecord;
DROP TRIGGER IF EXISTS audit_no_delete ON audit_auditrecord;
DROP FUNCTION IF EXISTS audit_append_only();
"""
SQLITE_SQL = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditrecord
       WHEN OLD.seq IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditrecord
       WHEN NOT EXISTS (SELECT 1 FROM audit_purgepermit)
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only (use manage.py purge_audit)'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_SQL)
    elif vendor == "sqlite":
        for statement in SQLITE_SQL:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
