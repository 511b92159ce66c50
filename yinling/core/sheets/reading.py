"""Reading spreadsheets: .xlsx (calamine, or streamed through expat when large) and CSV, as numbered rows.

Tolerates what real sheets have: hidden sheets (read last), title rows, sheets whose used
range does not start at A1, dates as Excel dates, shared or inline strings, phonetic runs,
and CSV in UTF-8 (with or without BOM) or GBK, comma-, tab- or semicolon-separated.

Workbooks up to about 4 million cells are read with calamine (Rust, 5x faster than anything
in Python, but it holds the sheet in memory); larger ones stream through expat with bounded
memory. A file that cannot be read at all raises `UnreadableFile` with one plain message.

An upload is untrusted (issue #9: a 91 KB file once took 1.27 GB), so before anything parses
it the package is checked (`_check_package`): the number of parts, each part's size as it
really inflates (not as the zip declares it) and its compression ratio. Styles and shared
strings are parsed as streams with limits on their counts, and calamine, which holds a sheet's
whole used range (first to last cell, empty ones included), reads only a sheet whose range is
small; any other streams through expat.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree
from xml.parsers import expat

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yinling.core.sheets.package import MAX_PART_BYTES as MAX_PART_BYTES  # re-exported: read here too
from yinling.core.sheets.package import MAX_PARTS as MAX_PARTS
from yinling.core.sheets.package import MAX_RATIO as MAX_RATIO
from yinling.core.sheets.package import MAX_SHARED_STRINGS_BYTES as MAX_SHARED_STRINGS_BYTES
from yinling.core.sheets.package import MSG_NOT_XLSX, check_package
from yinling.core.sheets.package import UnreadableFile as UnreadableFile

Source = Path | IO[bytes]
Row = tuple[int, list[Any]]  # (row number as the spreadsheet shows it, cell values)

# calamine holds the whole sheet (about 100 bytes a cell): beyond this many cells, stream instead.
CALAMINE_MAX_CELLS = 4_000_000
EXTENSIONS = (".xlsx", ".xlsm", ".csv")


MSG_XLS = gettext_noop(
    "Old Excel files (.xls) cannot be imported directly: save the file as .xlsx in Excel or WPS first."
)
MSG_WRONG_TYPE = gettext_noop('Only Excel (.xlsx) or CSV (.csv) files can be imported; this file is "%(name)s".')
MSG_CSV_ENCODING = gettext_noop(
    "The CSV file is neither UTF-8 nor GBK text and cannot be read. Save it as .xlsx in Excel and import that."
)
MSG_CSV_BROKEN = gettext_noop("The CSV file cannot be read (%(reason)s). Save it as .xlsx in Excel and import that.")
MSG_EMPTY_FILE = gettext_noop("The file is empty.")
MSG_TOO_MANY_ITEMS = gettext_noop(
    'The workbook cannot be read safely: its part "%(part)s" has more than %(limit)s entries, the most that is read.'
)

MAX_SHARED_STRINGS = 5_000_000
MAX_STYLES = 64_000  # Excel's own limit on cell formats


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
        raise UnreadableFile(_(MSG_XLS))
    else:
        raise UnreadableFile(_(MSG_WRONG_TYPE) % {"name": filename})


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
        raise UnreadableFile(_(MSG_EMPTY_FILE))
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
                    raise UnreadableFile(_(MSG_CSV_ENCODING))
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile(_(MSG_CSV_ENCODING))


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
            raise UnreadableFile(_(MSG_CSV_BROKEN) % {"reason": exc}) from exc
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
        raise UnreadableFile(_(MSG_NOT_XLSX))
    sheets.sort(key=lambda s: s[0])  # stable: workbook order, visible first
    return _Workbook(
        [(n, m) for _h, n, m in sheets],
        shared if shared in names else None,
        styles if styles in names else None,
        date1904,
    )


def _date_styles(zf: zipfile.ZipFile, member: str | None) -> frozenset[str]:
    """Indexes (as the `s` attribute writes them) of the cell formats that show dates (streamed, counted)."""
    if member is None:
        return frozenset()
    from openpyxl.styles.numbers import is_date_format

    custom: dict[int, str] = {}
    formats: list[int] = []  # numFmtId of each cellXfs entry, in order
    where: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        name = name.rpartition(":")[2]
        if name in ("numFmts", "cellXfs", "cellStyleXfs", "dxfs"):
            where.append(name)
        elif name == "numFmt" and where and where[-1] == "numFmts":
            if len(custom) >= MAX_STYLES:
                raise UnreadableFile(_(MSG_TOO_MANY_ITEMS) % {"part": member, "limit": f"{MAX_STYLES:,}"})
            with suppress(ValueError):
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
        elif name == "xf" and where and where[-1] == "cellXfs":
            if len(formats) >= MAX_STYLES:
                raise UnreadableFile(_(MSG_TOO_MANY_ITEMS) % {"part": member, "limit": f"{MAX_STYLES:,}"})
            try:
                formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                formats.append(-1)

    def end(name: str) -> None:
        name = name.rpartition(":")[2]
        if where and name == where[-1]:
            where.pop()

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    with zf.open(member) as fh:
        parser.ParseFile(fh)
    return frozenset(
        str(index)
        for index, fmt_id in enumerate(formats)
        if fmt_id in _DATE_FORMAT_IDS or (fmt_id in custom and is_date_format(custom[fmt_id]))
    )


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
            if len(strings) >= MAX_SHARED_STRINGS:
                raise UnreadableFile(_(MSG_TOO_MANY_ITEMS) % {"part": member, "limit": f"{MAX_SHARED_STRINGS:,}"})
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


# Every writer puts the r attribute of a cell or row first (<c r="B7" ...>, <row r="7" ...>),
# and plain patterns on that are fast; text that merely looks like one only adds rows, which errs
# on the safe side. A cell or row with r elsewhere sends the sheet to expat.
_REF = rb'c r="'
_CELL_ROW = re.compile(_REF + rb'[A-Z]{1,3}([0-9]{1,7})"')
_ROW_TAG = re.compile(rb'row r="([0-9]{1,7})"')
_REF_NOT_FIRST = re.compile(rb"(?:c|row)\s+(?!r=)[^>]*?\sr=")


def _columns_beyond(letters: str) -> re.Pattern[bytes]:
    """A cell reference whose column comes after `letters` (same length and later, or longer)."""
    options = [f"[A-Z]{{{len(letters) + 1},3}}"] if len(letters) < 3 else []
    for i, ch in enumerate(letters):
        if ch < "Z":
            options.append(f"{letters[:i]}[{chr(ord(ch) + 1)}-Z][A-Z]{{{len(letters) - i - 1}}}")
    return re.compile(_REF + b"(" + "|".join(options).encode() + b")[0-9]")


def _calamine_fits(zf: zipfile.ZipFile, member: str) -> bool:
    """Whether calamine may read the sheet: it holds the whole range up to the last row and
    column as cells, so two cells far apart (A1 and Z400000) cost as much as ten million.

    Scans the sheet's XML once: every row number (a set of them, at C speed), and the widest
    column by searching only for columns beyond the widest seen so far (none, in a real sheet)."""
    if zf.getinfo(member).file_size > CALAMINE_MAX_CELLS * 200:
        return False
    rows: set[bytes] = set()
    widest, beyond = "A", _columns_beyond("A")
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 22):
            data = tail + chunk
            cut = data.rfind(b"<")
            data, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            if _REF_NOT_FIRST.search(data):
                return False
            rows.update(_CELL_ROW.findall(data))
            rows.update(_ROW_TAG.findall(data))
            while found := beyond.search(data):
                widest = found.group(1).decode()
                beyond = _columns_beyond(widest)
            height = max((int(r) for r in rows), default=0) if len(rows) < 64 else len(rows)
            if height * (_column_index(widest) + 1) > CALAMINE_MAX_CELLS:
                return False
    height = max((int(r) for r in rows), default=0)
    return height * (_column_index(widest) + 1) <= CALAMINE_MAX_CELLS


def _xlsx_tables(source: Source) -> Iterator[Table]:
    fh = _open_binary(source)
    try:
        zf = zipfile.ZipFile(fh)
        check_package(zf)
        book = _workbook(zf)
        dates = _date_styles(zf, book.styles)
    except UnreadableFile:
        if isinstance(source, Path):
            fh.close()
        raise
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        ElementTree.ParseError,
        expat.ExpatError,
        EOFError,
    ) as exc:
        if isinstance(source, Path):
            fh.close()
        raise UnreadableFile(_(MSG_NOT_XLSX)) from exc
    shared: list[str] | None = None
    try:
        for name, member in book.sheets:
            rows: Iterator[Row]
            if _calamine_fits(zf, member):
                rows = _calamine_rows(source if isinstance(source, Path) else fh, name)
            else:
                if shared is None:
                    shared = _shared_strings(zf, book.shared_strings)
                rows = _expat_rows(zf, member, shared, dates, book.date1904)
            yield Table(name, rows)
    except (zipfile.BadZipFile, KeyError, OSError, expat.ExpatError, EOFError) as exc:
        raise UnreadableFile(_(MSG_NOT_XLSX)) from exc
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
        raise UnreadableFile(_(MSG_NOT_XLSX)) from exc
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
        raise UnreadableFile(_(MSG_NOT_XLSX)) from exc
