"""Import retirees from .xlsx or .csv: read → validate → (preview) → apply, streamed row by row.

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

import codecs
import csv
import datetime as dt
import gc
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree
from xml.parsers import expat

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from yinling.audit.models import AuditRecord
from yinling.audit.services import bulk_record, record
from yinling.core.crypto import encrypt
from yinling.core.scoping import user_paths
from yinling.orgs.models import Division, Org
from yinling.registry import choices
from yinling.registry.models import Retiree, Transfer
from yinling.registry.schema import BY_KEY, Column, header_index, normalise_header
from yinling.registry.validation import clean_record

Source = Path | IO[bytes]
Row = tuple[int, list[Any]]  # (row number as the spreadsheet shows it, cell values)

BATCH = 1000  # rows validated, looked up and written together
INSERT_ROWS = 500  # rows per INSERT statement (under SQLite's and PostgreSQL's parameter limits)
HEADER_SCAN_ROWS = 20
REQUIRED_KEYS = ("name", "id_number", "category")
# Fields an import compares and writes: everything a sheet can carry.
IMPORT_FIELDS = [c.key for c in BY_KEY.values() if c.key != "org_code"]
DERIVED_FIELDS = (
    "id_hash",
    "id_masked",
    "id_last4",
    "id_last6_hash",
    "phone_masked",
    "phone_last4",
    "phone_hash",
    "address_masked",
    "name_pinyin",
    "name_initials",
    "tags",
)
# calamine holds the whole sheet (about 100 bytes a cell): beyond this many cells, stream instead.
CALAMINE_MAX_CELLS = 4_000_000
EXTENSIONS = (".xlsx", ".xlsm", ".csv")


class UnreadableFile(Exception):
    """The file as a whole cannot be used: one clear message, nothing changed."""


class ImportConflict(UnreadableFile):
    """The registry changed under the import (a record edited or added meanwhile): nothing was saved."""


# --- messages ----------------------------------------------------------------------------------
# The validation rules (validation.py, idcard.py) speak English message ids that the catalogue
# does not translate yet; an import's reasons must be plain Chinese, so they are put into Chinese
# here. A message that is already translated (or unknown) passes through unchanged.

_ZH: list[tuple[str, str]] = [
    (r"is required", "必须填写"),
    (r"is required \(离休 or 退休\)", "必须填写（离休或退休）"),
    (
        r"is required for 离休 \(work started on or before 1949-09-30\)",
        "离休人员必须填写（应在 1949 年 9 月 30 日及以前参加工作）",
    ),
    (
        r"is after 1949-09: 离休 requires work started on or before 1949-09-30",
        "晚于 1949 年 9 月：离休人员应在 1949 年 9 月 30 日及以前参加工作",
    ),
    (r"is required when the status is 离世", "状态为离世时必须填写"),
    (r"is not a date \(write it like 1945-03-01\)", "不是日期（请写成 1945-03-01 这样）"),
    (r"is not a real date", "不是真实存在的日期"),
    (r"is not a month \(write it like 1968-08\)", "不是年月（请写成 1968-08 这样）"),
    (r"is not a real month", "不是真实存在的年月"),
    (
        r"is not a valid mainland phone number \(11-digit mobile, or landline like 0571-88888888\)",
        "不是有效的电话号码（11 位手机号，或 0571-88888888 这样的固定电话）",
    ),
    (r"must be one of: (?P<options>.*)", "只能填写：{options}"),
    (r"must be 是 or 否", "只能填写“是”或“否”"),
    (r"is not one of the 56 ethnic groups \(GB/T 3304\)", "不是 56 个民族之一（按 GB/T 3304 填写）"),
    (r"is longer than (?P<n>\d+) characters", "超过 {n} 个字"),
    (r"is in the future", "晚于今天"),
    (r"is before the birth date", "早于出生日期"),
    (
        r"does not match the ID number \(its sequence digit says (?P<g>.+)\)",
        "与身份证号不一致（按身份证号应为{g}）",
    ),
    (
        r"does not match the birth date in the ID number \((?P<d>[\d-]+)\)",
        "与身份证号中的出生日期（{d}）不一致",
    ),
    (
        r"region code (?P<code>\d+) is not a current division \(kept\)",
        "前 6 位地区码 {code} 不是现行行政区划代码（仍会导入）",
    ),
    (r"15-digit numbers contain digits only", "15 位的旧号码只能由数字组成"),
    (
        r"must have 18 characters \(or 15 for old numbers\), got (?P<n>\d+)",
        "应为 18 位（旧号码为 15 位），这里是 {n} 位",
    ),
    (r"only digits, and X as the last character, are allowed", "只能是数字，最后一位可以是 X"),
    (r"the birth date (?P<d>\d+) in it is not a real date", "其中的出生日期 {d} 不是真实存在的日期"),
    (r"the birth date (?P<d>[\d-]+) in it is impossible", "其中的出生日期 {d} 不可能（晚于今天或早于 1890 年）"),
    (r"check digit is wrong \(expected (?P<c>.)\)", "校验位（最后一位）不对，按前 17 位应为 {c}，请核对号码"),
]
_ZH_COMPILED = [(re.compile(pattern), template) for pattern, template in _ZH]


def zh(message: str) -> str:
    for pattern, template in _ZH_COMPILED:
        m = pattern.fullmatch(message)
        if m:
            return template.format(**m.groupdict())
    return message


MSG_NOT_XLSX = "文件不是可以读取的 Excel 工作簿（.xlsx）。如果是旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再导入。"
MSG_XLS = "不能直接导入旧版 Excel 文件（.xls）：请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。"
MSG_WRONG_TYPE = "只能导入 Excel（.xlsx）或 CSV（.csv）文件，这个文件是“{name}”。"
MSG_CSV_ENCODING = "CSV 文件既不是 UTF-8 也不是 GBK 编码的文本，无法读取。请在 Excel 中另存为 .xlsx 后再导入。"
MSG_CSV_BROKEN = "CSV 文件的内容无法读取（{reason}）。请在 Excel 中另存为 .xlsx 后再导入。"
MSG_NO_HEADER = "没有找到表头：前 20 行中应有一行写着“姓名”“身份证号”“离退休类别”等列名。请使用导入模板。"
MSG_MISSING = "表头（第 {row} 行）缺少必填的列：{cols}。"
MSG_EMPTY_FILE = "文件是空的。"
MSG_CONFLICT = "导入期间有记录被他人修改或新增（{detail}），为避免覆盖，本次没有保存任何数据。请重新导入。"


# --- reading -----------------------------------------------------------------------------------


@dataclass
class Table:
    """One sheet (or the CSV) as rows; `close` releases the file."""

    name: str
    rows: Iterator[Row]
    close: Callable[[], None] = lambda: None


def open_tables(source: Source, filename: str) -> Iterator[Table]:
    """The file's sheets, visible ones first, each as rows (a CSV is one table)."""
    name = filename.lower()
    if name.endswith(".csv"):
        yield Table("", _csv_rows(source))
    elif name.endswith((".xlsx", ".xlsm")):
        yield from _xlsx_tables(source)
    elif name.endswith(".xls"):
        raise UnreadableFile(MSG_XLS)
    else:
        raise UnreadableFile(MSG_WRONG_TYPE.format(name=filename))


def _open_binary(source: Source) -> IO[bytes]:
    if isinstance(source, Path):
        return source.open("rb")
    source.seek(0)
    return source


# CSV


def _csv_encoding(fh: IO[bytes]) -> str:
    """UTF-8 (BOM or not) or GBK (read as GB18030, its superset), checked over the whole file."""
    head = fh.read(4)
    if not head:
        raise UnreadableFile(MSG_EMPTY_FILE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := fh.read(1 << 20):
                if b"\x00" in chunk:
                    raise UnreadableFile(MSG_CSV_ENCODING)
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile(MSG_CSV_ENCODING)


def _csv_rows(source: Source) -> Iterator[Row]:
    fh = _open_binary(source)
    try:
        encoding = _csv_encoding(fh)
        fh.seek(0)
        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        sample = text.read(64 * 1024)
        text.seek(0)
        # Comma as Excel writes it; tab or semicolon when the sample plainly uses those instead.
        delimiter = max(",\t;", key=lambda d: (sample.count(d), d == ","))
        try:
            yield from enumerate(csv.reader(text, delimiter=delimiter), 1)
        except csv.Error as exc:
            raise UnreadableFile(MSG_CSV_BROKEN.format(reason=exc)) from exc
        finally:
            text.detach()
    finally:
        if isinstance(source, Path):
            fh.close()


# XLSX

# Built-in number formats that show dates, including the East Asian ones Chinese Excel uses (27–36, 50–58).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml(zf: zipfile.ZipFile, member: str) -> ElementTree.Element:
    with zf.open(member) as fh:
        return ElementTree.parse(fh).getroot()  # noqa: S314 - expat ≥ 2.4 refuses entity expansion attacks


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = [p for p in base_dir.split("/") if p]
    for part in target.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


@dataclass
class _Workbook:
    sheets: list[tuple[str, str]]  # (name, zip member), visible sheets first
    shared_strings: str | None
    styles: str | None
    date1904: bool


def _workbook(zf: zipfile.ZipFile) -> _Workbook:
    names = set(zf.namelist())
    book = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in _xml(zf, "_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                book = _resolve("", rel.get("Target", book))
    book_dir = book.rpartition("/")[0]
    rels_path = f"{book_dir}/_rels/{book.rpartition('/')[2]}.rels"
    targets: dict[str, str] = {}
    shared = styles = None
    if rels_path in names:
        for rel in _xml(zf, rels_path):
            target = _resolve(book_dir, rel.get("Target", ""))
            targets[rel.get("Id", "")] = target
            kind = rel.get("Type", "")
            if kind.endswith("/sharedStrings"):
                shared = target
            elif kind.endswith("/styles"):
                styles = target
    root = _xml(zf, book)
    date1904 = False
    sheets: list[tuple[bool, str, str]] = []
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "workbookPr":
            date1904 = el.get("date1904", "0").lower() in ("1", "true")
        elif tag == "sheet":
            rel_id = next((v for k, v in el.attrib.items() if k.endswith("}id")), "")
            member = targets.get(rel_id, "")
            if member in names and "/worksheets/" in f"/{member}":
                sheets.append((el.get("state", "visible") != "visible", el.get("name", ""), member))
    if not sheets:
        raise UnreadableFile(MSG_NOT_XLSX)
    sheets.sort(key=lambda s: s[0])  # stable: workbook order, visible first
    return _Workbook(
        [(n, m) for _h, n, m in sheets],
        shared if shared in names else None,
        styles if styles in names else None,
        date1904,
    )


def _date_styles(zf: zipfile.ZipFile, member: str | None) -> frozenset[str]:
    """Indexes (as the `s` attribute writes them) of the cell formats that show dates."""
    if member is None:
        return frozenset()
    from openpyxl.styles.numbers import is_date_format

    root = _xml(zf, member)
    custom: dict[int, str] = {}
    result: set[str] = set()
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            for fmt in el:
                with suppress(ValueError):
                    custom[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
        elif tag == "cellXfs":
            for index, xf in enumerate(el):
                try:
                    fmt_id = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                if fmt_id in _DATE_FORMAT_IDS or (fmt_id in custom and is_date_format(custom[fmt_id])):
                    result.add(str(index))
    return frozenset(result)


def _shared_strings(zf: zipfile.ZipFile, member: str | None) -> list[str]:
    """The shared string table, streamed (phonetic runs left out, rich text joined)."""
    if member is None:
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"collect": False, "phonetic": 0}

    def start(name: str, _attrs: dict[str, str]) -> None:
        name = name.rpartition(":")[2]
        if name == "t" and not state["phonetic"]:
            state["collect"] = True
        elif name == "si":
            parts.clear()
        elif name == "rPh":
            state["phonetic"] += 1

    def end(name: str) -> None:
        name = name.rpartition(":")[2]
        if name == "t":
            state["collect"] = False
        elif name == "si":
            strings.append("".join(parts))
        elif name == "rPh":
            state["phonetic"] -= 1

    def text(data: str) -> None:
        if state["collect"]:
            parts.append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with zf.open(member) as fh:
        parser.ParseFile(fh)
    return strings


def _estimated_cells(zf: zipfile.ZipFile, member: str) -> int:
    """Cells in a worksheet, from its size and the cells in its first 2 MB."""
    size = zf.getinfo(member).file_size
    with zf.open(member) as fh:
        sample = fh.read(2 << 20)
    cells = sample.count(b"<c ") + sample.count(b":c ")
    if len(sample) >= size:
        return cells
    if not cells:
        return CALAMINE_MAX_CELLS + 1
    return int(size * cells / len(sample))


def _xlsx_tables(source: Source) -> Iterator[Table]:
    fh = _open_binary(source)
    try:
        zf = zipfile.ZipFile(fh)
        book = _workbook(zf)
        dates = _date_styles(zf, book.styles)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ElementTree.ParseError, EOFError) as exc:
        if isinstance(source, Path):
            fh.close()
        raise UnreadableFile(MSG_NOT_XLSX) from exc
    shared: list[str] | None = None
    try:
        for name, member in book.sheets:
            rows: Iterator[Row]
            if _estimated_cells(zf, member) <= CALAMINE_MAX_CELLS:
                rows = _calamine_rows(source if isinstance(source, Path) else fh, name)
            else:
                if shared is None:
                    shared = _shared_strings(zf, book.shared_strings)
                rows = _expat_rows(zf, member, shared, dates, book.date1904)
            yield Table(name, rows)
    except (zipfile.BadZipFile, KeyError, OSError, expat.ExpatError, EOFError) as exc:
        raise UnreadableFile(MSG_NOT_XLSX) from exc
    finally:
        zf.close()
        if isinstance(source, Path):
            fh.close()


def _calamine_rows(source: Source, sheet: str) -> Iterator[Row]:
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(source, Path):
            book = CalamineWorkbook.from_path(str(source))
        else:
            source.seek(0)
            book = CalamineWorkbook.from_filelike(source)
        ws = book.get_sheet_by_name(sheet)
    except Exception as exc:  # calamine has its own error types for broken workbooks
        raise UnreadableFile(MSG_NOT_XLSX) from exc
    # calamine yields rows from the first (numbers match Excel's) but columns from the first
    # used one: pad them back so that positions match the header's.
    _first_row, first_col = ws.start or (0, 0)
    if not first_col:
        return enumerate(ws.iter_rows(), 1)
    pad: list[Any] = [None] * first_col
    return ((number, [*pad, *row]) for number, row in enumerate(ws.iter_rows(), 1))


_COLUMN_CACHE: dict[str, int] = {}


def _column_index(ref: str) -> int:
    letters = ref.rstrip("0123456789")
    index = _COLUMN_CACHE.get(letters)
    if index is None:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        index = _COLUMN_CACHE[letters] = n - 1
    return index


def _expat_rows(
    zf: zipfile.ZipFile, member: str, shared: list[str], dates: frozenset[str], date1904: bool
) -> Iterator[Row]:
    """Stream a worksheet's XML: bounded memory at any size (about 10 µs a row of 30 cells)."""
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

    epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
    done: list[Row] = []
    values: list[Any] = []
    parts: list[str] = []
    row_number = 0
    ref: str | None = None
    kind = "n"
    style: str | None = None
    collect = False
    phonetic = False

    def number(raw: str) -> Any:
        try:
            return int(raw)
        except ValueError:
            return float(raw)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal values, ref, kind, style, collect, row_number, phonetic
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            ref = attrs.get("r")
            kind = attrs.get("t", "n")
            style = attrs.get("s")
            parts.clear()
        elif name == "v" or (name == "t" and not phonetic):
            collect = True
        elif name == "row":
            r = attrs.get("r")
            row_number = int(r) if r else row_number + 1
            values = []
        elif name == "rPh":
            phonetic = True

    def end(name: str) -> None:
        nonlocal collect, phonetic
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            raw = "".join(parts)
            value: Any
            if kind == "s":
                value = shared[int(raw)] if raw else None
            elif kind in ("inlineStr", "str"):
                value = raw
            elif not raw:
                value = None
            elif kind == "b":
                value = raw in ("1", "true")
            elif kind == "e":
                value = raw
            elif kind == "d":
                try:
                    value = dt.datetime.fromisoformat(raw.rstrip("Z"))
                except ValueError:
                    value = raw
            elif style is not None and style in dates:
                try:
                    value = from_excel(float(raw), epoch)
                except (ValueError, OverflowError):
                    value = number(raw)
            else:
                value = number(raw)
            col = _column_index(ref) if ref else len(values)
            if col == len(values):
                values.append(value)
            elif col > len(values):
                values.extend([None] * (col - len(values)))
                values.append(value)
            else:
                values[col] = value
        elif name == "v" or name == "t":
            collect = False
        elif name == "row":
            done.append((row_number, values))
        elif name == "rPh":
            phonetic = False

    def text(data: str) -> None:
        if collect:
            parts.append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with zf.open(member) as fh:
            while chunk := fh.read(1 << 20):
                parser.Parse(chunk, False)
                yield from done
                done.clear()
            parser.Parse(b"", True)
            yield from done
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, IndexError, ValueError) as exc:
        raise UnreadableFile(MSG_NOT_XLSX) from exc


# --- the header row ----------------------------------------------------------------------------


@dataclass
class Layout:
    header_row: int
    headers: list[str]  # every header cell as written ("" for empty ones)
    columns: dict[int, Column]  # file column index → schema column
    extra: list[str]  # headers that match no column (ignored)
    sheet: str = ""

    def __post_init__(self) -> None:
        self.positions = {col.key: i for i, col in self.columns.items()}

    def header(self, key: str) -> str:
        i = self.positions.get(key)
        if i is not None and i < len(self.headers) and self.headers[i]:
            return self.headers[i]
        return BY_KEY[key].header if key in BY_KEY else key


_BRACKETS = re.compile(r"[（(【\[].*?[)）】\]]")


def _header_text(cell: Any) -> str:
    return "" if cell is None else re.sub(r"\s+", " ", str(cell)).strip()


def _match(index: dict[str, Column], cell: Any) -> Column | None:
    if cell in (None, ""):
        return None
    text = str(cell)
    # "出生日期（yyyy-mm-dd）", "身份证号【必填】": the words in brackets are notes.
    return index.get(normalise_header(text)) or index.get(normalise_header(_BRACKETS.sub("", text)))


def find_layout(rows: Iterator[Row], sheet: str = "") -> Layout | None:
    """The first row (of the first 20) naming 姓名 or 身份证号 is the header; None if there is none."""
    index = header_index()
    for number, values in rows:
        if number > HEADER_SCAN_ROWS:
            return None
        columns: dict[int, Column] = {}
        extra: list[str] = []
        for i, cell in enumerate(values):
            col = _match(index, cell)
            if col is not None and col not in columns.values():
                columns[i] = col
            elif _header_text(cell):
                extra.append(_header_text(cell))
        found = {c.key for c in columns.values()}
        if "name" in found or "id_number" in found:
            missing = [BY_KEY[k].header for k in REQUIRED_KEYS if k not in found]
            if missing:
                raise UnreadableFile(MSG_MISSING.format(row=number, cols="、".join(missing)))
            return Layout(number, [_header_text(v) for v in values], columns, extra, sheet)
    return None


def open_sheet(source: Source, filename: str) -> tuple[Layout, Iterator[Row], Callable[[], None]]:
    """The first sheet with a header row: its layout, the rows after the header, and a close function."""
    tables = open_tables(source, filename)

    def close_all(table: Table | None = None) -> None:
        close = getattr(table.rows if table else None, "close", None)
        if close is not None:
            close()
        tables.close()  # type: ignore[attr-defined]

    try:
        for table in tables:
            layout = find_layout(table.rows, table.name)
            if layout is not None:
                return layout, table.rows, lambda found=table: close_all(found)
            close = getattr(table.rows, "close", None)
            if close is not None:
                close()
    except BaseException:
        close_all()
        raise
    close_all()
    raise UnreadableFile(MSG_NO_HEADER)


# --- results -----------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RejectedRow:
    row: int
    values: list[Any]
    bad: list[tuple[int | None, str, str]]  # (file column index or None, header, message)


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


# --- checking rows (pure: runs in worker processes too) ----------------------------------------


@dataclass
class _Context:
    """What checking a row needs, without the database (so worker processes can check rows)."""

    columns: list[tuple[int, str]]  # file column index → column key
    orgs: dict[str, tuple[int, str, bool]]  # code → (id, path, active)
    paths: list[str]  # where the user may import
    default_org: tuple[int, str, str] | None  # (id, path, code)
    known_regions: set[str]
    today: dt.date
    plan: list[tuple[str, str, Any]]  # the table's columns: (attname, kind, default), see _plan
    # PostgreSQL: a valid row comes back as its COPY line (see _copy_line), not as a list.
    copy_lines: bool = False
    # Derived from plan once (not per row): a new row starts as a copy of `template` (every
    # column's default, converted), then the columns of each kind are filled in.
    template: list[Any] = field(init=False)
    by_kind: dict[str, list[tuple[int, str]]] = field(init=False)
    hash_at: int = field(init=False)  # where id_hash is in a row
    adapt_date: Callable[[Any], Any] = field(init=False)  # a date as the database driver takes it

    def __post_init__(self) -> None:
        self.adapt_date = adapt_date = connection.ops.adapt_datefield_value
        self.template, self.by_kind = [], {}
        for i, (attname, kind, default) in enumerate(self.plan):
            if kind == "json":
                default = json.dumps(default)
            elif kind == "date":
                default = adapt_date(default)
            self.template.append(default)
            self.by_kind.setdefault(kind, []).append((i, attname))
        self.hash_at = [attname for attname, _kind, _default in self.plan].index("id_hash")

    def in_scope(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)

    def org_for(self, code: str) -> tuple[int, str]:
        """(org id, "") or (0, the reason)."""
        if code:
            org = self.orgs.get(code) or self.orgs.get(code.upper())
            if org is None:
                return 0, f"单位代码 {code} 不存在，请核对"
            pk, path, active = org
            if not active:
                return 0, f"单位 {code} 已停用"
            if not self.in_scope(path):
                return 0, f"单位 {code} 不在您可以导入的范围内"
            return pk, ""
        if self.default_org is None:
            return 0, "没有填写，导入时也没有指定默认单位"
        pk, path, default_code = self.default_org
        if not self.in_scope(path):
            return 0, f"默认单位 {default_code} 不在您可以导入的范围内"
        return pk, ""


# A valid row: (org id, its ID hash, the row as the table stores it (ordered as _plan, encrypted,
# converted: a list, or on PostgreSQL its COPY line), the sensitive values in plain text (for
# comparing with a stored record), which fields the row sets).
Valid = tuple[int, str, list[Any] | bytes, tuple[str, ...], int]
# (row number, Valid or None, problems, warnings, the ID number's _id_key or 0 if unreadable);
# problems and warnings are (column key, Chinese message). A blank row is checked as None.
Checked = tuple[int, Valid | None, list[tuple[str, str]], list[tuple[str, str]], int]

ENCRYPTED_FIELDS = ("id_number", "phone", "address", "health_notes")
# The fields a row may set, each with a bit in a Valid's last item.
FIELD_BITS = {name: 1 << i for i, name in enumerate(IMPORT_FIELDS)}


def _plan(now: dt.datetime) -> list[tuple[str, str, Any]]:
    """How each column of the retiree table gets its value in a new row: (attname, kind, default).

    Kinds: value (as is), encrypted (the token), json, date (converted as the ORM would), now
    (the import's time, converted), org. The default is the field's, for values a sheet lacks.
    """
    plan: list[tuple[str, str, Any]] = []
    for f in Retiree._meta.concrete_fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append((f.attname, "now", f.get_db_prep_save(now, connection)))
        elif f.attname == "org_id":
            plan.append((f.attname, "org", None))
        elif f.attname in ENCRYPTED_FIELDS:
            plan.append((f.attname, "encrypted", f.get_default()))
        elif isinstance(f, models.JSONField):
            plan.append((f.attname, "json", f.get_default()))
        elif isinstance(f, models.DateTimeField) and f.attname not in FIELD_BITS and f.get_default() is None:
            plan.append((f.attname, "value", None))  # lifecycle times no sheet sets (deleted_at)
        elif isinstance(f, models.DateField):
            plan.append((f.attname, "date", f.get_default()))
        elif type(f).__module__.startswith("django.") and isinstance(
            f, models.CharField | models.TextField | models.IntegerField | models.BooleanField | models.ForeignKey
        ):
            plan.append((f.attname, "value", f.get_default()))
        else:  # a field type this import does not know how to write fast: let it say so
            raise TypeError(f"imports: add a conversion for {f.name} ({type(f).__name__})")
    return plan


class _Derived:
    """Just the attributes Retiree.refresh_derived reads and writes (a model instance costs more)."""

    def __init__(self, cleaned: dict[str, Any]) -> None:
        self.id_number = cleaned.get("id_number", "")
        self.phone = cleaned.get("phone", "")
        self.address = cleaned.get("address", "")
        self.name = cleaned.get("name", "")
        self.special_flags = cleaned.get("special_flags") or []
        self.contributions = cleaned.get("contributions") or []


def _check_row(ctx: _Context, number: int, values: list[Any]) -> Checked | None:
    if _blank(values):
        return None
    size = len(values)
    raw = {key: values[i] if i < size else None for i, key in ctx.columns}
    problems: list[tuple[str, str]] = []
    org_id, reason = ctx.org_for(_code(raw.pop("org_code", None)))
    if reason:
        problems.append(("org_code", reason))
    cleaned = clean_record(raw, known_regions=ctx.known_regions, today=ctx.today)
    hint = _id_hint(raw.get("id_number"))
    for key, message in cleaned.errors:
        problems.append((key, hint if key == "id_number" and hint else zh(message)))
    fields = cleaned.values
    if hint and "id_number" in fields and not any(k == "id_number" for k, _m in cleaned.errors):
        # An 18-digit number that Excel rounded may still pass the checksum by chance: never trust it.
        problems.append(("id_number", hint))
        del fields["id_number"]
    id_key = _id_key(fields["id_number"]) if fields.get("id_number") else 0
    if problems:
        return number, None, problems, [], id_key
    derived = _Derived(fields)
    Retiree.refresh_derived(derived)  # type: ignore[arg-type]
    merged = derived.__dict__
    merged.update(fields)
    adapt_date = ctx.adapt_date
    row = ctx.template.copy()  # defaults, and the import's time in the "now" columns
    by_kind = ctx.by_kind
    for i, attname in by_kind.get("value", ()):
        if attname in merged:
            row[i] = merged[attname]
    for i, attname in by_kind.get("encrypted", ()):
        value = merged.get(attname)
        if value:
            row[i] = encrypt(value)
    for i, attname in by_kind.get("json", ()):
        if attname in merged:
            row[i] = json.dumps(merged[attname])
    for i, attname in by_kind.get("date", ()):
        if attname in merged:
            row[i] = adapt_date(merged[attname])
    for i, _attname in by_kind.get("org", ()):
        row[i] = org_id
    plain = tuple(fields.get(name, "") for name in ENCRYPTED_FIELDS)
    mask = 0
    for key in fields:
        mask |= FIELD_BITS[key]
    warnings = [(key, zh(message)) for key, message in cleaned.warnings]
    payload = _copy_line(row) if ctx.copy_lines else row
    return number, (org_id, row[ctx.hash_at], payload, plain, mask), [], warnings, id_key


def _check_rows(ctx: _Context, rows: list[Row]) -> list[Checked | None]:
    return [_check_row(ctx, number, values) for number, values in rows]


_WORKER_CONTEXT: _Context | None = None


def _worker_init(ctx: _Context) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = ctx
    gc.freeze()  # what the parent had is not this process's garbage


def _worker_check(rows: list[Row]) -> list[Checked | None]:
    assert _WORKER_CONTEXT is not None
    return _check_rows(_WORKER_CONTEXT, rows)


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _checked(ctx: _Context, rows: Iterator[Row], workers: int) -> Iterator[tuple[list[Row], list[Checked | None]]]:
    """Rows in chunks with their checks, in file order; with workers > 1, checked in worker processes.

    At most two chunks per worker are in flight, so memory stays bounded at any file size.
    The workers are forked: they inherit Django (settings, keys) and never touch the database.
    """
    if workers <= 1:
        for chunk in _chunks(rows, BATCH):
            yield chunk, _check_rows(ctx, chunk)
        return
    import multiprocessing
    from collections import deque

    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_init, initargs=(ctx,))
    try:
        window: deque[tuple[list[Row], Any]] = deque()
        for chunk in _chunks(rows, BATCH):
            window.append((chunk, pool.apply_async(_worker_check, (chunk,))))
            if len(window) >= 2 * workers:
                done, pending = window.popleft()
                yield done, pending.get()
        while window:
            done, pending = window.popleft()
            yield done, pending.get()
    finally:
        pool.terminate()
        pool.join()


def auto_workers(source: Source) -> int:
    """Worker processes worth starting for this file: one per core for files of 1 MB and more."""
    import os

    try:
        size = source.stat().st_size if isinstance(source, Path) else _stream_size(source)
    except OSError:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, 4) if size >= 1 << 20 and cores > 1 else 0


def _stream_size(fh: IO[bytes]) -> int:
    position = fh.tell()
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    fh.seek(position)
    return size


# --- validating and applying -------------------------------------------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Keep the cyclic collector off the objects that existed before the import.

    An import allocates millions of short-lived containers; every full collection would
    walk all of Django's long-lived objects again (a third of the time, measured).
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _id_key(number: str) -> int:
    """A compact key for an 18-character ID number (duplicates in a million-row file cost little)."""
    return int(number[:17]) * 11 + "0123456789X".index(number[17])


def _blank(values: list[Any]) -> bool:
    return all(v is None or v == "" or (isinstance(v, str) and not v.strip()) for v in values)


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value if value is not None else "").strip().replace("\u3000", "")
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


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
        self.paths = user_paths(user, "registry.import_retiree")
        self.orgs: dict[str, tuple[int, str, bool]] = {
            code: (pk, path, active)
            for code, pk, path, active in Org.objects.unrestricted().values_list("code", "id", "path", "is_active")
        }
        self.org_paths = {pk: path for pk, path, _active in self.orgs.values()}
        self.known_regions = set(Division.objects.values_list("code", flat=True))
        self.today = timezone.localdate()

    def in_scope(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)

    def run(self, source: Source, filename: str, *, apply: bool) -> ImportResult:
        layout, rows, close = open_sheet(source, filename)
        result = ImportResult(
            headers=layout.headers, header_row=layout.header_row, extra_columns=layout.extra, sheet=layout.sheet
        )
        org = self.default_org
        self.plan = _plan(timezone.now())
        self.positions = {attname: i for i, (attname, _kind, _default) in enumerate(self.plan)}
        ctx = _Context(
            columns=[(i, col.key) for i, col in layout.columns.items()],
            orgs=self.orgs,
            paths=self.paths,
            default_org=(org.pk, org.path, org.code) if org else None,
            known_regions=self.known_regions,
            today=self.today,
            plan=self.plan,
            copy_lines=connection.vendor == "postgresql",
        )
        try:
            with _gc_paused():
                checked = _checked(ctx, rows, self.workers)
                try:
                    if not apply:
                        self._process(layout, checked, result, apply=False)
                        return result
                    with transaction.atomic():
                        self._process(layout, checked, result, apply=True)
                        self._audit_summary(filename, result)
                except IntegrityError as exc:
                    # Someone registered one of these ID numbers since this import looked.
                    raise ImportConflict(MSG_CONFLICT.format(detail="身份证号重复")) from exc
                finally:
                    checked.close()  # type: ignore[attr-defined]
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
        for chunk, checks in checked:
            for (_number, values), check in zip(chunk, checks, strict=True):
                if check is None:
                    continue  # a blank row
                number, valid, problems, warnings, id_key = check
                if id_key:
                    first = seen.get(id_key)
                    if first is None:
                        seen[id_key] = number
                    else:
                        problems = [*problems, ("id_number", f"与第 {first} 行的身份证号相同：同一个人只能出现一次")]
                if problems or valid is None:
                    self._reject(result, layout, number, values, problems)
                    continue
                for key, message in warnings:
                    result.warnings.append(RowError(number, layout.header(key), message))
                batch.append(_Pending(number, values, valid))
            if len(batch) >= BATCH:
                self._flush(batch, layout, result, apply=apply)
                batch = []
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
            if current.is_deleted:
                problem = "此人的记录已被删除；如需恢复，请联系系统管理员"
                self._reject(result, layout, p.row, p.values, [("id_number", problem)])
                continue
            if not self.in_scope(self.org_paths.get(current.org_id, "")):
                # Say no more than that: who manages the person is not this user's business.
                problem = "此人已由其他单位登记，您不能修改；如需转入，请与其所在单位联系办理迁移"
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
            _insert(new)
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
        return _copy_line_parser()

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
            raise ImportConflict(MSG_CONFLICT.format(detail="有人同时修改了其中的人员信息"))
        self._lifecycle(changed)

    def _lifecycle(self, changed: list[tuple[Retiree, dict[str, list[Any]]]]) -> None:
        """What the edit and move pages do besides saving: transfers, accounts, the signal."""
        from yinling.accounts.models import User
        from yinling.registry.signals import retiree_moved

        moved = [(r, d["org_id"][0]) for r, d in changed if "org_id" in d]
        died = [r.account_id for r, d in changed if "status" in d and r.status == choices.Status.DECEASED]
        if died:
            User.objects.filter(pk__in=[a for a in died if a], is_active=True).update(is_active=False)
        if not moved:
            return
        orgs = Org.objects.in_bulk({o for _r, o in moved} | {r.org_id for r, _o in moved})
        by = getattr(self.user, "username", "")
        Transfer.objects.bulk_create(
            [
                Transfer(retiree=r, from_org_id=old, to_org_id=r.org_id, reason="批量导入（Excel）", by=by)
                for r, old in moved
            ]
        )
        for person, old in moved:
            person.org = orgs[person.org_id]
            if person.account_id:
                User.objects.filter(pk=person.account_id).update(org_id=person.org_id)
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
                codes = dict(Org.objects.filter(pk__in=[old, new]).values_list("id", "code"))
                changes["org"] = [codes.get(old, old), codes.get(new, new)]
                # The old side keeps a record in its own part of the trail, as a move page's does.
                entries.append(_entry(AuditRecord.Action.UPDATE, person, changes, old, {"transfer": "import"}))
            entries.append(_entry(AuditRecord.Action.UPDATE, person, changes, person.org_id))
        bulk_record(entries)

    def _audit_summary(self, filename: str, result: ImportResult) -> None:
        org_path = self.default_org.path if self.default_org else (self.paths[0] if len(self.paths) == 1 else "")
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


def _id_hint(value: Any) -> str:
    """A plainer reason for the two ways ID numbers get spoiled before they reach us."""
    text = str(value or "")
    if "*" in text:
        return "是打码的号码（导出时没有查看完整号码的权限），请填写完整的身份证号"
    if isinstance(value, float) and abs(value) >= 1e16:
        return "是以数字格式保存的，Excel 只保留 15 位有效数字，后几位已经丢失：请把这一列设为“文本”后重新填写号码"
    return ""


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


def _columns() -> list[str]:
    """The table's columns in _plan's order (every concrete field but the id)."""
    return [f.column or f.attname for f in Retiree._meta.concrete_fields if not f.primary_key]


def _copy_line(row: list[Any]) -> bytes:
    """A row as one line of PostgreSQL's COPY text format.

    Valid rows are formatted where they are checked (worker processes), so that the parent
    receives one bytes object a row and only joins them: unpickling some 50 Python values a
    row and formatting them again took about a third of the parent's time (measured with
    benchmarks/import_retirees.py). psycopg's own formatter does it (its C code, through
    a module that is not public API: psycopg's version is pinned and the PostgreSQL import
    tests write and read back every kind of column through it).
    """
    from psycopg._copy_base import format_row_text

    out = bytearray()
    format_row_text(row, _copy_transformer(), out)
    return bytes(out)


@cache
def _copy_transformer() -> Any:
    from psycopg.adapt import Transformer

    return Transformer()  # the default adapters: a worker has no connection


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


def _copy_line_parser() -> Callable[[bytes], tuple[Any, ...]]:
    """Read a _copy_line back into values with the connection's loaders (to compare a row that
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
    tx.set_loader_types([types[column] for column in _columns()], Format.TEXT)

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


def _insert(rows: list[list[Any] | bytes]) -> None:
    """Write new records: COPY on PostgreSQL, multi-row INSERTs on SQLite.

    The rows come as the table stores them (ordered as _plan: encrypted and converted when
    they were checked; on PostgreSQL as COPY lines). Goes to the driver's cursor directly:
    with DEBUG on, Django's debug cursor would keep the text of every statement (megabytes
    each) and quote every value.
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    fields = _columns()
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


# --- the error report --------------------------------------------------------------------------

REPORT_ERROR_HEADER = "错误原因"


def write_report(result: ImportResult, target: Path | IO[bytes]) -> None:
    """The rejected rows as they were (original headers and values), a 错误原因 column, bad cells marked.

    Re-importable as it is: the header is in row 1, the reasons column is ignored on import.
    Written row by row (openpyxl write-only), so a large report needs little memory.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("需修改的行")
    width = len(result.headers)
    while (
        width
        and not result.headers[width - 1]
        and not any(len(r.values) >= width and r.values[width - 1] not in (None, "") for r in result.rejected_rows)
    ):
        width -= 1
    headers = [h or f"列{i + 1}" for i, h in enumerate(result.headers[:width])]
    bold = Font(bold=True)
    header_cells = []
    for title in [*headers, REPORT_ERROR_HEADER]:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    fill = PatternFill("solid", fgColor="FFC7CE")
    for rejected in result.rejected_rows:
        marks: dict[int, list[str]] = {}
        for index, _header, message in rejected.bad:
            if index is not None and index < width:
                marks.setdefault(index, []).append(message)
        cells: list[Any] = []
        for i in range(width):
            value = _plain(rejected.values[i] if i < len(rejected.values) else None)
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and value.isdigit() and len(value) > 11:
                cell.number_format = "@"  # keep ID numbers as text when the file is saved again
            if i in marks:
                cell.fill = fill
                cell.comment = Comment("；".join(marks[i]), "银龄", width=240, height=80)
            cells.append(cell)
        reasons = "；".join(f"{header}：{message}" for _i, header, message in rejected.bad)
        ws.append([*cells, reasons])
    wb.save(target)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    return str(value)
