"""The key that sealed each record (the chain is HMAC-keyed from here on).

Records sealed before keep an empty key_id: they were sealed under plain SHA-256 and still verify.
On SQLite, adding a column rebuilds the table, which drops its triggers: they are installed again.
"""

from django.db import migrations, models


def reinstall_triggers(apps, schema_editor):
    from yinling.audit import triggers

    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [
        # Backwards, removing the column rebuilds the table too: the first operation runs last then.
        migrations.RunPython(migrations.RunPython.noop, reinstall_triggers),
        migrations.AddField(
            model_name="auditrecord",
            name="key_id",
            field=models.CharField(blank=True, default="", db_default="", editable=False, max_length=16),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
