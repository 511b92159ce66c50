"""API tokens moved from DRF's authtoken (plain keys) to django-rest-knox (hashed, expiring).

rest_framework.authtoken left INSTALLED_APPS, so nothing would ever remove its table of plain, never-expiring
keys: drop it here. Existing integrations request a new token (docs/api.md, docs/operations.md).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
