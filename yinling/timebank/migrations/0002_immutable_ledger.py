"""Transfers and movements are never edited or deleted: the database refuses it."""

from django.db import migrations


def forwards(apps, schema_editor):
    from yinling.timebank import triggers

    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from yinling.timebank import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("timebank", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
