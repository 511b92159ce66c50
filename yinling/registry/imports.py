"""Import retirees from .xlsx or .csv: read → validate → (preview) → apply, streamed row by row.

The sheet machinery (reading, header matching, worker processes, the error report) is
`core.sheets`; the registry brings its schema (`validation.sheet()`: the columns of
schema.py with their parsers), the row check (`import_rows`: the registry's rules, the ID
number, the row as the table stores it) and the apply step here.

Tolerates what real sheets have: title rows above the header (merged or not), header
aliases, any column order, extra columns (ignored and listed), blank rows, dates as Excel
dates or as text, numbers stored as text, ID numbers stored as numbers, CSV in UTF-8 (with
or without BOM) or GBK. Each row goes through `validation.clean_record`, the rules forms
and the API use. Valid rows are applied in one transaction; rejected rows are reported
with the row number as the spreadsheet shows it, the header as written in the file and a
plain Chinese reason, and come back as an .xlsx to fix and re-import. Upsert by ID
number (its keyed hash), so importing a file twice changes nothing.

Speed and memory (benchmarks/import_retirees.py): rows are read, checked and written in
batches of 1,000 and nothing of a valid row is kept once its batch is written, so memory
does not grow with the file except for rejected rows and one small key per ID number
(to find duplicates). Workbooks up to about 4 million cells are read with calamine (Rust,
5x faster than anything in Python, but it holds the sheet in memory); larger ones stream
through expat. Rows are checked in worker processes for large files (the command line),
and new records are written with COPY on PostgreSQL (the workers format the lines) and
multi-row INSERTs on SQLite (Django's bulk_create spends most of an import compiling
values); existing ones are found with one query per batch, and the audit trail gets one
summary record per import plus one record per updated person (a created person's record is
the row itself; see `_audit_rows`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import bulk_record, record
from yinling.core.scoping import can_at, orgs_where
from yinling.core.sheets import Layout, RejectedRow, Row, RowError, Source, UnreadableFile, checked, gc_paused, report
from yinling.core.sheets import auto_workers as auto_workers
from yinling.core.sheets.checking import BATCH
from yinling.orgs.models import Division, Org
from yinling.registry import choices
from yinling.registry.import_rows import (
    DERIVED_FIELDS,
    ENCRYPTED_FIELDS,
    FIELD_BITS,
    IMPORT_FIELDS,
    Checked,
    RowContext,
    Valid,
    check_rows,
    plan_for,
    table_columns,
)
from yinling.registry.models import Retiree, Transfer
from yinling.registry.services import duplicate_message, record_duplicate_attempt
from yinling.registry.validation import sheet

INSERT_ROWS = 500  # rows per INSERT statement (under SQLite's and PostgreSQL's parameter limits)


class ImportConflict(UnreadableFile):
    """The registry changed under the import (a record edited or added meanwhile): nothing was saved."""


def _conflict(detail: str) -> ImportConflict:
    return ImportConflict(
        _(
            "Records were changed or added by someone else during the import (%(detail)s). Nothing was saved, so "
            "that nothing is overwritten: import the file again."
        )
        % {"detail": detail}
    )


def open_sheet(source: Source, filename: str) -> tuple[Layout, Iterator[Row], Callable[[], None]]:
    """The first sheet with the registry's header row: its layout, the rows after it, and a close function."""
    return sheet().open(source, filename)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    moved: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    header_row: int = 0
    sheet: str = ""
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    applied: bool = False

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def summary(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class _Pending:
    row: int
    values: list[Any]
    valid: Valid


class Importer:
    """Check (and with apply=True, write) a file as `user`, within where the user may import.

    workers > 1 checks rows in that many forked processes (the command line and benchmarks;
    web requests check in-process).
    """

    def __init__(self, user: Any, default_org: Org | None = None, *, source: str = "", workers: int = 0) -> None:
        self.user = user
        self.default_org = default_org
        self.source = source
        self.workers = workers
        allowed = orgs_where(user, Retiree, "import").values_list("pk", "path")
        self.allowed = frozenset(pk for pk, _path in allowed)
        # The tops of the user's import scope (for the summary record's place in the trail).
        self.roots: list[str] = []
        for path in sorted(path for _pk, path in allowed):
            if not (self.roots and path.startswith(self.roots[-1])):
                self.roots.append(path)
        self.orgs: dict[str, tuple[int, str, bool]] = {
            code: (pk, path, active)
            for code, pk, path, active in Org.objects.unrestricted().values_list("code", "id", "path", "is_active")
        }
        self.org_paths = {pk: path for pk, path, _active in self.orgs.values()}
        # Rows refused as registered outside the user's area: how many, and the first ID numbers (the audit
        # record keeps 20; a sheet of a hundred thousand guesses need not be held in memory).
        self.elsewhere: list[str] = []
        self.elsewhere_rows = 0
        self.known_regions = set(Division.objects.values_list("code", flat=True))
        self.today = timezone.localdate()
        # Set by a background job (registry/import_jobs.py): rows read so far, after each chunk;
        # and the point just before the writing transaction opens (from then on no cancelling).
        self.progress: Callable[[int], None] | None = None
        self.before_apply: Callable[[], None] | None = None

    def may_change(self, org_id: int) -> bool:
        """Whether the user may import over a person managed at this org (also when it was switched off)."""
        return org_id in self.allowed or can_at(self.user, Retiree, "import", self.org_paths.get(org_id, ""))

    def may_view(self, org_id: int) -> bool:
        """Whether the user may see people managed at this org (else the record is not theirs to know of)."""
        return self.may_change(org_id) or can_at(self.user, Retiree, "view", self.org_paths.get(org_id, ""))

    def run(self, source: Source, filename: str, *, apply: bool) -> ImportResult:
        layout, rows, close = open_sheet(source, filename)
        result = ImportResult(
            headers=layout.headers, header_row=layout.header_row, extra_columns=layout.extra, sheet=layout.sheet
        )
        org = self.default_org
        self.plan = plan_for(timezone.now())
        self.positions = {attname: i for i, (attname, _kind, _default) in enumerate(self.plan)}
        ctx = RowContext(
            columns=[(i, col.key) for i, col in layout.columns.items()],
            orgs=self.orgs,
            allowed=self.allowed,
            default_org=(org.pk, org.path, org.code) if org else None,
            known_regions=self.known_regions,
            today=self.today,
            plan=self.plan,
            copy_lines=connection.vendor == "postgresql",
        )
        try:
            with gc_paused():
                checks = checked(partial(check_rows, ctx), rows, self.workers, BATCH)
                try:
                    if not apply:
                        self._process(layout, checks, result, apply=False)
                        self._audit_elsewhere(filename)
                        return result
                    if self.before_apply is not None:
                        self.before_apply()
                    with transaction.atomic():
                        self._process(layout, checks, result, apply=True)
                        self._audit_summary(filename, result)
                        self._audit_elsewhere(filename)
                except IntegrityError as exc:
                    # Someone registered one of these ID numbers since this import looked.
                    raise _conflict(_("an ID number registered meanwhile")) from exc
                finally:
                    checks.close()  # type: ignore[attr-defined]
                result.applied = True
                return result
        finally:
            close()

    # Rows

    def _process(
        self,
        layout: Layout,
        checked: Iterator[tuple[list[Row], list[Checked | None]]],
        result: ImportResult,
        *,
        apply: bool,
    ) -> None:
        seen: dict[int, int] = {}
        batch: list[_Pending] = []
        read = 0
        for chunk, checks in checked:
            read += len(chunk)
            for (_number, values), check in zip(chunk, checks, strict=True):
                if check is None:
                    continue  # a blank row
                number, valid, problems, warnings, id_key = check
                if id_key:
                    first = seen.get(id_key)
                    if first is None:
                        seen[id_key] = number
                    else:
                        same = _("is the same as in row %(row)d: a person may appear only once") % {"row": first}
                        problems = [*problems, ("id_number", same)]
                if problems or valid is None:
                    self._reject(result, layout, number, values, problems)
                    continue
                for key, message in warnings:
                    result.warnings.append(RowError(number, layout.header(key), message))
                batch.append(_Pending(number, values, valid))
            if len(batch) >= BATCH:
                self._flush(batch, layout, result, apply=apply)
                batch = []
            if self.progress is not None:
                self.progress(read)
        if batch:
            self._flush(batch, layout, result, apply=apply)

    def _reject(
        self, result: ImportResult, layout: Layout, number: int, values: list[Any], problems: list[tuple[str, str]]
    ) -> None:
        """problems: (column key, Chinese message)."""
        result.rejected += 1
        bad: list[tuple[int | None, str, str]] = []
        for key, message in problems:
            header = layout.header(key)
            result.errors.append(RowError(number, header, message))
            bad.append((layout.positions.get(key), header, message))
        result.rejected_rows.append(RejectedRow(number, values, bad))

    def _flush(self, batch: list[_Pending], layout: Layout, result: ImportResult, *, apply: bool) -> None:
        hashes = [p.valid[1] for p in batch]
        existing = {r.id_hash: r for r in Retiree.objects.unrestricted().filter(pk__in=_present(hashes))}
        new: list[list[Any] | bytes] = []
        changed: list[tuple[Retiree, dict[str, list[Any]]]] = []
        for p, id_hash in zip(batch, hashes, strict=True):
            current = existing.get(id_hash)
            if current is None:
                new.append(p.valid[2])
                continue
            if not self.may_view(current.org_id):
                # Outside the user's area, deleted or not: the one answer the add page gives, which names
                # no org and no person (issue #9); the attempts are audited once per run (_audit_elsewhere).
                where = layout.positions.get("id_number")
                self.elsewhere_rows += 1
                if len(self.elsewhere) < 20:
                    self.elsewhere.append(str(p.values[where]) if where is not None else "")
                self._reject(result, layout, p.row, p.values, [("id_number", duplicate_message())])
                continue
            if current.is_deleted:
                problem = _("this person's record was deleted; ask a system administrator to restore it")
                self._reject(result, layout, p.row, p.values, [("id_number", problem)])
                continue
            if not self.may_change(current.org_id):
                problem = _(
                    "this person is registered by another org, so you cannot change the record; to take the person "
                    "over, ask that org for a transfer"
                )
                self._reject(result, layout, p.row, p.values, [("id_number", problem)])
                continue
            diff = _diff(current, self._cleaned(p.valid))
            if current.org_id != p.valid[0]:
                diff["org_id"] = [current.org_id, p.valid[0]]
            if not diff:
                result.unchanged += 1
                continue
            for key, (_old, value) in diff.items():
                setattr(current, key, value)
            current.refresh_derived()
            changed.append((current, diff))
        result.created += len(new)
        result.updated += len(changed)
        result.moved += sum(1 for _r, d in changed if "org_id" in d)
        if apply:
            insert(new)
            if changed:
                self._update(changed)
                self._audit_rows(changed)

    def _cleaned(self, valid: Valid) -> dict[str, Any]:
        """A valid row's values as clean_record gave them (to compare with a stored record)."""
        _org, _hash, payload, plain, mask = valid
        row = self._parse_line(payload) if isinstance(payload, bytes) else payload
        cleaned: dict[str, Any] = {}
        for name, bit in FIELD_BITS.items():
            if not mask & bit:
                continue
            if name in ENCRYPTED_FIELDS:
                cleaned[name] = plain[ENCRYPTED_FIELDS.index(name)]
                continue
            value = row[self.positions[name]]
            kind = self.plan[self.positions[name]][1]
            if kind == "json" and isinstance(value, str):
                value = json.loads(value)
            elif kind == "date" and isinstance(value, str):
                value = dt.date.fromisoformat(value)
            cleaned[name] = value
        return cleaned

    @cached_property
    def _parse_line(self) -> Callable[[bytes], tuple[Any, ...]]:
        """Reads a COPY line back (built on first use: only rows that update a stored record need it)."""
        return copy_line_parser()

    def _update(self, changed: list[tuple[Retiree, dict[str, list[Any]]]]) -> None:
        now = timezone.now()
        fields = [_concrete(name) for name in (*IMPORT_FIELDS, *DERIVED_FIELDS, "org")]
        table = connection.ops.quote_name(Retiree._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(f.column or f.attname)} = %s" for f in fields)
        rows = []
        for person, _diff in changed:
            params = [f.get_db_prep_save(getattr(person, f.attname), connection) for f in fields]
            rows.append([*params, person.version + 1, now, person.pk, person.version])
            person.version += 1
            person.updated_at = now
        sql = f"UPDATE {table} SET {sets}, version = %s, updated_at = %s WHERE id = %s AND version = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
            count = cursor.rowcount
        if count != -1 and count != len(rows):
            # Optimistic locking, as for the edit form: someone saved one of these people meanwhile.
            raise _conflict(_("someone changed some of these people at the same time"))
        self._lifecycle(changed)

    def _lifecycle(self, changed: list[tuple[Retiree, dict[str, list[Any]]]]) -> None:
        """What the edit, death and move pages do besides saving: transfers, accounts, the signal.

        The accounts change through the accounts app's services, which write one audit record per
        account. A death switches the account off (as do_record_death does); 迁出 leaves it on, as
        the edit page does: the person may still use the services of the org they moved to.
        """
        from yinling.accounts.services import deactivate_accounts, move_accounts
        from yinling.registry.signals import retiree_moved

        reason = _("Excel import")
        moved = [(r, d["org_id"][0]) for r, d in changed if "org_id" in d]
        died = [r.account_id for r, d in changed if "status" in d and r.status == choices.Status.DECEASED]
        if any(died):
            deactivate_accounts(ids=[a for a in died if a], reason=reason)
        if not moved:
            return
        orgs = Org.objects.unrestricted().in_bulk({o for _r, o in moved} | {r.org_id for r, _o in moved})
        by = getattr(self.user, "username", "")
        Transfer.objects.bulk_create(
            [Transfer(retiree=r, from_org_id=old, to_org_id=r.org_id, reason=reason, by=by) for r, old in moved]
        )
        # The account moves with the person: the new org's staff manage it from now on.
        move_accounts(moves=[(r.account_id, r.org_id) for r, _old in moved if r.account_id], reason=reason)
        for person, old in moved:
            person.org = orgs[person.org_id]
            retiree_moved.send(sender=Retiree, retiree=person, from_org=orgs[old], to_org=person.org, by=self.user)

    # Audit

    def _audit_rows(self, changed: list[tuple[Retiree, dict[str, list[Any]]]]) -> None:
        """One record per updated person (what changed, masked), as the edit page writes.

        Created people get none: the summary record names the file, the user and the counts,
        and the person's record is the row itself. Writing 100,000 create records (and
        sealing them into the hash chain) took longer than validating and inserting the
        rows (benchmarks/import_retirees.py --audit-rows).
        """
        if not changed:
            return
        from yinling.audit.registry import mask_value

        entries: list[dict[str, Any]] = []
        for person, diff in changed:
            changes = {
                ("org" if k == "org_id" else k): [mask_value(Retiree, k, a), mask_value(Retiree, k, b)]
                for k, (a, b) in diff.items()
            }
            if "org_id" in diff:
                old, new = diff["org_id"]
                codes = dict(Org.objects.unrestricted().filter(pk__in=[old, new]).values_list("id", "code"))
                changes["org"] = [codes.get(old, old), codes.get(new, new)]
                # The old side keeps a record in its own part of the trail, as a move page's does.
                entries.append(_entry(AuditRecord.Action.UPDATE, person, changes, old, {"transfer": "import"}))
            entries.append(_entry(AuditRecord.Action.UPDATE, person, changes, person.org_id))
        bulk_record(entries)

    def _audit_summary(self, filename: str, result: ImportResult) -> None:
        org_path = self.default_org.path if self.default_org else (self.roots[0] if len(self.roots) == 1 else "")
        record(
            AuditRecord.Action.CREATE,
            object_type="registry.import",
            object_repr=filename[:200],
            org_path=org_path,
            extra={
                "file": filename,
                "sheet": result.sheet,
                "source": self.source,
                "default_org": self.default_org.code if self.default_org else "",
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": result.rejected,
                "moved": result.moved,
            },
        )

    def _audit_elsewhere(self, filename: str) -> None:
        """One security record per run for the rows whose ID number is registered outside the user's area:
        a sheet of guessed numbers is the add page's duplicate probe, a thousand at a time."""
        if self.elsewhere_rows:
            record_duplicate_attempt(self.user, self.elsewhere, "import", file=filename, rows=self.elsewhere_rows)


def _present(hashes: list[str]) -> list[int]:
    """The ids of the records with these ID hashes: one array parameter, not a thousand placeholders.

    Most rows of a first import are new, so this is usually empty and the records themselves
    (decrypted, to compare) are loaded only for the rows that exist.
    """
    if not hashes:
        return []
    table = connection.ops.quote_name(Retiree._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One string, split by the server: psycopg quotes an array element by element, in
            # Python (about a tenth of the parent process's time). The hashes are hex digits.
            sql = f"SELECT id FROM {table} WHERE id_hash = ANY(string_to_array(%s, ','))"  # noqa: S608
            cursor.execute(sql, [",".join(hashes)])
        else:
            marks = ", ".join(["%s"] * len(hashes))
            cursor.execute(f"SELECT id FROM {table} WHERE id_hash IN ({marks})", hashes)  # noqa: S608
        return [pk for (pk,) in cursor.fetchall()]


def _concrete(name: str) -> models.Field[Any, Any]:
    field = Retiree._meta.get_field(name)
    assert isinstance(field, models.Field)  # the import's own field list, never a relation
    return field


def _diff(current: Retiree, cleaned: dict[str, Any]) -> dict[str, list[Any]]:
    diff: dict[str, list[Any]] = {}
    for key, value in cleaned.items():
        old = getattr(current, key)
        if old == value:
            continue
        # A masked address or health note (from an export without the right to see them) keeps the stored one.
        if key == "address" and value and value == current.address_masked:
            continue
        if key == "health_notes" and value == "****" and old:
            continue
        diff[key] = [old, value]
    return diff


def _entry(
    action: str, r: Retiree, changes: dict[str, list[Any]], org_id: int, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "action": action,
        "object_type": "registry.retiree",
        "object_id": str(r.pk),
        "object_repr": r.name,
        "org_id": org_id,
        "changes": changes,
        "extra": {"source": "import", **(extra or {})},
    }


# --- writing new records -----------------------------------------------------------------------


# The escapes format_row_text writes, and what they stand for.
_COPY_ESCAPED = {
    rb"\b": b"\b",
    rb"\t": b"\t",
    rb"\n": b"\n",
    rb"\v": b"\v",
    rb"\f": b"\f",
    rb"\r": b"\r",
    rb"\\": b"\\",
}
_COPY_UNESCAPE = re.compile(rb"\\[btnvfr\\]")


def copy_line_parser() -> Callable[[bytes], tuple[Any, ...]]:
    """Read a copy_line back into values with the connection's loaders (to compare a row that
    turns out to update a stored record): a date as a date, a boolean as a boolean."""
    from psycopg.adapt import Transformer
    from psycopg.pq import Format

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
            [Retiree._meta.db_table],
        )
        types = dict(cursor.fetchall())
    tx = Transformer(connection.connection)
    tx.set_loader_types([types[column] for column in table_columns()], Format.TEXT)

    def unescape(match: re.Match[bytes]) -> bytes:
        return _COPY_ESCAPED[match[0]]

    def parse(line: bytes) -> tuple[Any, ...]:
        # Split and unescaped here: psycopg's own parser wants a result set to size its rows.
        fields = line[:-1].split(b"\t")
        return tuple(
            tx.load_sequence(
                [None if f == b"\\N" else _COPY_UNESCAPE.sub(unescape, f) if b"\\" in f else f for f in fields]
            )
        )

    return parse


def insert(rows: list[list[Any] | bytes]) -> None:
    """Write new records: COPY on PostgreSQL, multi-row INSERTs on SQLite.

    The rows come as the table stores them (ordered as plan_for: encrypted and converted when
    they were checked; on PostgreSQL as COPY lines). Goes to the driver's cursor directly:
    with DEBUG on, Django's debug cursor would keep the text of every statement (megabytes
    each) and quote every value.
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    fields = table_columns()
    columns = ", ".join(qn(column) for column in fields)
    table = qn(Retiree._meta.db_table)
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(b"".join(rows))  # type: ignore[arg-type]  # COPY lines (bytes) here
            return
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        pending: list[Any] = []
        count = 0
        for row in rows:
            pending.extend(row)
            count += 1
            if count == INSERT_ROWS:
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * count)}", pending)  # noqa: S608
                pending, count = [], 0
        if count:
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * count)}", pending)  # noqa: S608


def write_report(result: ImportResult, target: Path | IO[bytes]) -> None:
    """The rejected rows as they were, with the reasons: fix and import again (core.sheets.report)."""
    report.write_report(result.headers, result.rejected_rows, target)
