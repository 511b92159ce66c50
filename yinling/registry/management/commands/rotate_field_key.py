"""Re-encrypt every sensitive value under the newest key; optionally recompute the lookup hashes.

Key rotation, step by step (docs/operations.md):
1. Put the new key first: FIELD_ENCRYPTION_KEY=new,old — new values are written with it, old ones still read.
2. `python manage.py rotate_field_key` — every EncryptedTextField of every model, in batches, one
   transaction per batch (safe to interrupt and run again: a rotated value rotates again harmlessly).
3. Drop the old key: FIELD_ENCRYPTION_KEY=new.

After changing FIELD_HASH_KEY, run it with --rehash: the ID-number and phone lookup hashes
(uniqueness, search, phone sign-in) are recomputed from the decrypted values. Unused activation
codes are hashed with that key too and cannot be recomputed: issue new ones.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from yinling.core.crypto import EncryptedTextField, rotate

BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypt every sensitive field under the first FIELD_ENCRYPTION_KEY (then drop the old keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rehash", action="store_true", help="Also recompute the lookup hashes (after FIELD_HASH_KEY changed)."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH, help=f"Rows per transaction (default {BATCH}).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        self.batch = max(1, int(options["batch_size"]))
        self.using = str(options["database"])
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if fields:
                count = self.rotate_model(model, fields)
                total += count
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} rows under the first key."))
        if options["rehash"]:
            count = self.rehash()
            self.stdout.write(self.style.SUCCESS(f"Recomputed the lookup hashes of {count} retirees."))

    def rotate_model(self, model: type[models.Model], fields: list[EncryptedTextField]) -> int:
        """Raw tokens in, raw tokens out: loading instances would decrypt them, saving would fire signals."""
        connection = connections[self.using]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = [quote(str(f.column)) for f in fields]
        pk = quote(str(model._meta.pk.column))
        last: Any = None
        count = 0
        while True:
            with transaction.atomic(using=self.using), connection.cursor() as cur:
                where = f"WHERE {pk} > %s " if last is not None else ""
                cur.execute(
                    f"SELECT {pk}, {', '.join(columns)} FROM {table} {where}ORDER BY {pk} LIMIT %s",  # noqa: S608
                    [last, self.batch] if last is not None else [self.batch],
                )
                rows = cur.fetchall()
                if not rows:
                    return count
                updates = []
                for row in rows:
                    try:
                        tokens = [rotate(v) if v else v for v in row[1:]]
                    except ValueError as exc:
                        raise CommandError(
                            f"{model._meta.label} {row[0]}: a value cannot be decrypted with any configured key "
                            "(FIELD_ENCRYPTION_KEY must list the new key first, then every old one)."
                        ) from exc
                    updates.append([*tokens, row[0]])
                sets = ", ".join(f"{c} = %s" for c in columns)
                cur.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", updates)  # noqa: S608
                last = rows[-1][0]
                count += len(rows)

    def rehash(self) -> int:
        from yinling.registry.models import Retiree

        last = 0
        count = 0
        while True:
            with transaction.atomic(using=self.using):
                people = list(
                    Retiree.objects.using(self.using)
                    .filter(pk__gt=last)
                    .order_by("pk")
                    .only("pk", "id_number", "phone", "address", "name", "special_flags", "contributions")[: self.batch]
                )
                if not people:
                    return count
                for person in people:
                    person.refresh_derived()
                Retiree.objects.using(self.using).bulk_update(
                    people, ["id_hash", "id_last6_hash", "phone_hash"], batch_size=self.batch
                )
                last = people[-1].pk
                count += len(people)
