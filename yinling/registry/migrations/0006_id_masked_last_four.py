"""The ID mask keeps only the last four characters (idcard.mask): rewrite the stored masks from `id_last4`,
which is kept in plain text beside the encrypted number, so nothing is decrypted."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Repeat


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Retiree = apps.get_model("registry", "Retiree")
    Retiree.objects.exclude(id_last4="").update(
        id_masked=Concat(Repeat(Value("*"), Length("id_masked") - 4), F("id_last4"))
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_fewer_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
