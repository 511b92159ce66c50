"""An uploaded workbook's package checked before anything parses it: how many parts, how far each really
expands (inflated here, whatever the zip declares) and how well it compresses. A small crafted file
must not take a gigabyte of memory or minutes of time."""

from __future__ import annotations

import struct
import zipfile
import zlib

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop


class UnreadableFile(Exception):
    """The file as a whole cannot be used: one clear message, nothing changed."""


# Marked here, translated where raised (the language of the request or command that reads the file).
MSG_NOT_XLSX = gettext_noop(
    "The file is not an Excel workbook (.xlsx) that can be read. If it is an old .xls file, "
    "save it as .xlsx in Excel and import that."
)
MSG_TOO_MANY_PARTS = gettext_noop(
    "The workbook cannot be read safely: it has %(count)s parts, and at most %(limit)s are read."
)
MSG_PART_TOO_BIG = gettext_noop(
    'The workbook cannot be read safely: its part "%(part)s" expands to more than %(limit)s MB, the most that is read.'
)
MSG_PART_RATIO = gettext_noop(
    'The workbook cannot be read safely: its part "%(part)s" is compressed more than %(limit)s to 1, '
    "which only a crafted file is."
)

# Limits on an uploaded workbook. Real files are far below them: the registry's 100,000 rows of
# 33 columns are a 130 MB sheet, a few MB of shared strings and a styles part under 1 MB.
MAX_PARTS = 1_000
MAX_SHEET_BYTES = 1 << 30  # a sheet streams through expat whatever its size: this bounds the time
MAX_SHARED_STRINGS_BYTES = 256 << 20  # the shared strings are held in memory
MAX_PART_BYTES = 16 << 20  # styles, the workbook, relationships and anything else
MAX_TOTAL_BYTES = 2 << 30
MAX_RATIO = 200  # expanded to compressed, for parts over RATIO_FROM bytes (XML sheets compress 10-30 to 1)
RATIO_FROM = 1 << 20


def _inflated_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> int:
    """What the part really expands to, up to `limit` + 1 bytes: inflated here from its raw bytes,
    since the size the zip declares is the attacker's to write (and other readers, calamine
    among them, inflate to the end of the stream whatever it declares)."""
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise UnreadableFile(_(MSG_NOT_XLSX))
    fp = zf.fp
    if fp is None:
        raise UnreadableFile(_(MSG_NOT_XLSX))
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise UnreadableFile(_(MSG_NOT_XLSX))
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    inflater = zlib.decompressobj(-15)
    left, total = info.compress_size, 0
    try:
        while left > 0 and not inflater.eof:
            chunk = fp.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
            # At most 1 MB of output a call: the output is only counted, and one call asked for up to the
            # limit would hold hundreds of MB at once.
            total += len(inflater.decompress(chunk, min(1 << 20, limit + 1 - total)))
            while inflater.unconsumed_tail and total <= limit:
                total += len(inflater.decompress(inflater.unconsumed_tail, min(1 << 20, limit + 1 - total)))
            if total > limit:
                return total
    except zlib.error as exc:
        raise UnreadableFile(_(MSG_NOT_XLSX)) from exc
    return total


def check_package(zf: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts are too many, expand too far or compress too well to be real.

    Before anything parses it; parts are told apart by name (what Excel, WPS and LibreOffice
    write), so a sheet under any other name is held to the smaller limit."""
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise UnreadableFile(_(MSG_TOO_MANY_PARTS) % {"count": f"{len(infos):,}", "limit": f"{MAX_PARTS:,}"})
    total = 0
    for info in infos:
        name = info.filename.lower()
        if "/worksheets/" in f"/{name}":
            limit = MAX_SHEET_BYTES
        elif name.rpartition("/")[2].startswith("sharedstrings"):
            limit = MAX_SHARED_STRINGS_BYTES
        else:
            limit = MAX_PART_BYTES
        size = _inflated_size(zf, info, max(limit, info.file_size))
        if size > limit or info.file_size > limit:
            raise UnreadableFile(_(MSG_PART_TOO_BIG) % {"part": info.filename, "limit": f"{limit >> 20:,}"})
        if size > RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
            raise UnreadableFile(_(MSG_PART_RATIO) % {"part": info.filename, "limit": MAX_RATIO})
        if size != info.file_size:
            raise UnreadableFile(_(MSG_NOT_XLSX))  # it lies about its size
        total += size
        if total > MAX_TOTAL_BYTES:
            raise UnreadableFile(_(MSG_PART_TOO_BIG) % {"part": info.filename, "limit": f"{MAX_TOTAL_BYTES >> 20:,}"})
