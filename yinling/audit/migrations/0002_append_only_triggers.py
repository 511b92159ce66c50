"""Database triggers that make sealed audit records immutable.

UPDATE is refused once a record has its place in the chain (seq set); DELETE is
refused unless the purge command's permit row exists in the same transaction.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from yinling.audit import triggers

    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from yinling.audit import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
