from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from yinling.core.crypto import EncryptedTextField, rotate

BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypt every sensitive field under the first FIELD_ENCRYPTION_KEY (then drop the old keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rehash", action="store_true", help="Also recompute lookup hashes (after FIELD_HASH_KEY changed)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [connection.ops.quote_name(f.column) for f in fields]
            pk = connection.ops.quote_name(model._meta.pk.column)
            last = 0
            while True:
                with transaction.atomic(), connection.cursor() as cur:
                    # Raw tokens, not model instances: the field would decrypt them on load.
                    cur.execute(
                        f"SELECT {pk}, {', '.join(columns)} FROM {table} WHERE {pk} > %s "  # noqa: S608
                        f"ORDER BY {pk} LIMIT %s",
                        [last, BATCH],
                    )
                    rows = cur.fetchall()
                    if not rows:
                        break
                    sets = ", ".join(f"{c} = %s" for c in columns)
                    cur.executemany(
                        f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                        [[rotate(v) if v else v for v in row[1:]] + [row[0]] for row in rows],
                    )
                    last = rows[-1][0]
                    total += len(rows)
            self.stdout.write(f"{model._meta.label}: re-encrypted")
        if options["rehash"]:
            from yinling.registry.models import Retiree

            for person in Retiree.objects.iterator(chunk_size=BATCH):
                person.refresh_derived()
                Retiree.objects.filter(pk=person.pk).update(
                    id_hash=person.id_hash, id_last6_hash=person.id_last6_hash, phone_hash=person.phone_hash
                )
        self.stdout.write(f"rotated {total} rows")
