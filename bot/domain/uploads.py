"""Reading what a member uploads to /log import: a CSV, a spreadsheet (.xlsx) or a zip of them, safely.

A zip (and an .xlsx is one) says in its central directory how big every member unpacks; a zip bomb lies
there or unpacks to far more than anyone needs. Every limit is checked on the directory first, before a
byte is unpacked, and then again while unpacking, through a stream that stops one byte past the limit.
"""

from __future__ import annotations

import copy
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import Any

from bot.domain import csv_import
from bot.domain.csv_import import FileRejected, csv_rows

MAX_CSV_BYTES = csv_import.MAX_BYTES  # 1 MB, for a CSV on its own and for one inside a zip alike.
MAX_ARCHIVE_BYTES = 5 * 1024 * 1024  # a .zip or .xlsx upload
MAX_ENTRIES = 50  # members in one zip (an .xlsx has ~10 parts)
MAX_ENTRY_BYTES = 8 * 1024 * 1024  # one unpacked member
MAX_UNPACKED_BYTES = 24 * 1024 * 1024  # all unpacked members together
# Exports unpack to a few times their packed size (CSV) or a few tens of times (a sheet's XML); deflate
# cannot pass about 1,032 times, which is where bombs sit. A small member is harmless whatever its ratio (a file
# of one repeated row packs very well), so the ratio only counts above RATIO_FLOOR.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
# Excel's own limits: a sheet's XML may claim a row or column far beyond them to make the reader fill the
# gap with empty cells; no export of ours or TikTok's comes near 64 columns.
MAX_SHEET_ROWS = 1_048_576
MAX_SHEET_COLUMNS = 64

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members; an empty zip
# Excel's .xls before 2007 (an OLE compound file), which Pulse does not read.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_WORKBOOK = "xl/workbook.xml"
_EXCEL_PARTS = "xl/"
_CHUNK = 64 * 1024
# Only these are unpacked: bzip2 and LZMA members are unpacked by zipfile without an output limit per read.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# What zipfile raises on a damaged or unsupported archive: truncated data, bad checksums, unknown methods.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


@dataclass(frozen=True, slots=True)
class Sheet:
    """One file's rows as text. `name` is the file's name as the member knows it: "Content.csv" inside a
    zip (without its folders), or the uploaded "history.xlsx" (whose first worksheet this is)."""

    name: str
    rows: list[list[str]]


def upload_limit(filename: str) -> int:
    """The most bytes an upload of this name may have, checked against the size Discord states before
    downloading it. The content decides later what the file really is."""
    if filename.lower().endswith((".zip", ".xlsx")):
        return MAX_ARCHIVE_BYTES
    return MAX_CSV_BYTES


def read_upload(filename: str, data: bytes) -> list[Sheet]:
    """The sheets of an upload, recognised by its content: a zip, an .xlsx, or else a CSV.

    An .xlsx is read whatever its name. An Excel file Pulse cannot read (an .xls, or an .xlsx that does not
    open) uploaded under another name than .xlsx or .zip is named as Excel's: read as CSV or as a damaged
    archive, the member would hear about bad text or a broken zip they never made.
    """
    if data.startswith(_OLE_MAGIC):
        raise FileRejected("excel_workbook")
    if not data.startswith(_ZIP_MAGIC):
        if len(data) > MAX_CSV_BYTES:
            raise FileRejected("too_big", maximum=MAX_CSV_BYTES)
        return [Sheet(filename, csv_rows(data))]
    if len(data) > MAX_ARCHIVE_BYTES:
        raise FileRejected("too_big", maximum=MAX_ARCHIVE_BYTES)
    budget = _Budget()
    with _archive(data, filename) as archive:
        excel = any(name.startswith(_EXCEL_PARTS) for name in archive.NameToInfo)
        if not _is_workbook(archive):
            if excel:
                raise FileRejected("excel_workbook")
            return _zip_sheets(archive, budget)
        try:
            return [Sheet(filename, _workbook_rows(archive, data, filename, budget, inside=False))]
        except FileRejected as exc:
            if exc.reason == "archive_unreadable" and not filename.lower().endswith((".xlsx", ".zip")):
                raise FileRejected("excel_workbook") from None
            raise


class _Budget:
    """What the members of one upload may still unpack to, together."""

    def __init__(self) -> None:
        self.used = 0

    @property
    def left(self) -> int:
        return MAX_UNPACKED_BYTES - self.used


def _archive(data: bytes, name: str) -> zipfile.ZipFile:
    """The zip's central directory, read; nothing is unpacked yet."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS:
        raise FileRejected("archive_unreadable", file=name) from None


def _is_workbook(archive: zipfile.ZipFile) -> bool:
    return _WORKBOOK in archive.NameToInfo


def _zip_sheets(archive: zipfile.ZipFile, budget: _Budget) -> list[Sheet]:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise FileRejected("archive_too_many", maximum=MAX_ENTRIES)
    wanted = [(info, _base_name(info.filename)) for info in entries if _wanted(info)]
    if not wanted:
        raise FileRejected("archive_empty")
    limits = [(info, name, _member_limit(name)) for info, name in wanted]
    _check_directory(limits, budget)
    sheets = []
    for info, name, limit in limits:
        data = _unpack(archive, info, name, limit, budget)
        if name.lower().endswith(".xlsx"):
            with _archive(data, name) as workbook:
                if not _is_workbook(workbook):
                    raise FileRejected("archive_unreadable", file=name)
                sheets.append(Sheet(name, _workbook_rows(workbook, data, name, budget, inside=True)))
        else:
            sheets.append(Sheet(name, _named(name, partial(csv_rows, data))))
    return sheets


def _wanted(info: zipfile.ZipInfo) -> bool:
    """A CSV or .xlsx member, not the copies macOS and Excel leave next to them."""
    folders = _path_parts(info.filename)[:-1]
    name = _base_name(info.filename)
    if info.is_dir() or "__MACOSX" in folders or name.startswith(("._", "~$")):
        return False
    return name.lower().endswith((".csv", ".xlsx"))


def _path_parts(path: str) -> list[str]:
    # Some Windows tools write backslashes, which zipfile leaves alone on other systems.
    return path.replace("\\", "/").split("/")


def _base_name(path: str) -> str:
    return _path_parts(path)[-1]


def _member_limit(name: str) -> int:
    # A CSV is held to the size of a CSV uploaded on its own: its rows are kept in memory as lists.
    return MAX_CSV_BYTES if name.lower().endswith(".csv") else MAX_ENTRY_BYTES


def _check_directory(members: list[tuple[zipfile.ZipInfo, str, int]], budget: _Budget) -> None:
    """Refuse on what the central directory declares, before anything is unpacked."""
    total = 0
    for info, name, limit in members:
        if info.flag_bits & 0x1 or info.compress_type not in _METHODS:
            raise FileRejected("archive_unreadable", file=name)
        size = info.file_size
        if size > limit:
            raise FileRejected("archive_too_big", file=name, size=size, maximum=limit)
        by_ratio = _ratio_limit(info)
        if size > by_ratio:
            raise FileRejected("archive_too_big", file=name, size=size, maximum=by_ratio)
        total += size
        if total > budget.left:
            raise FileRejected(
                "archive_too_big", file=name, size=budget.used + total, maximum=MAX_UNPACKED_BYTES
            )


def _ratio_limit(info: zipfile.ZipInfo) -> int:
    return max(RATIO_FLOOR, MAX_RATIO * info.compress_size)


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int, budget: _Budget) -> bytes:
    """A member's bytes, read through a stream that stops one byte past what it may unpack to."""
    limit = min(limit, _ratio_limit(info))
    cap = min(limit, budget.left)
    # zipfile cuts a member off at the size its directory entry declares and then fails on the checksum,
    # which would pass off an understated size as damage; with no size to stop at, the cap decides.
    unbounded = copy.copy(info)
    unbounded.file_size = 1 << 62
    chunks: list[bytes] = []
    got = 0
    try:
        with archive.open(unbounded) as stream:
            while got <= cap:
                chunk = stream.read(min(_CHUNK, cap + 1 - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
    except _ZIP_ERRORS:
        raise FileRejected("archive_unreadable", file=name) from None
    if got > cap:
        if cap < limit:
            raise FileRejected(
                "archive_too_big", file=name, size=budget.used + got, maximum=MAX_UNPACKED_BYTES
            )
        raise FileRejected("archive_too_big", file=name, size=got, maximum=limit)
    if got != info.file_size:
        raise FileRejected("archive_unreadable", file=name)
    budget.used += got
    return b"".join(chunks)


def _named(name: str, read: Callable[[], list[list[str]]]) -> list[list[str]]:
    """Read one member of a zip, naming it in a refusal: which of its files is wrong matters."""
    try:
        return read()
    except FileRejected as exc:
        raise FileRejected(exc.reason, **{**exc.values, "file": name}) from None


def _workbook_rows(
    archive: zipfile.ZipFile, data: bytes, name: str, budget: _Budget, inside: bool
) -> list[list[str]]:
    """The first worksheet of an .xlsx as text, once every part has passed the same checks as a zip's."""
    parts = archive.infolist()
    if len(parts) > MAX_ENTRIES:
        raise FileRejected("archive_too_many", maximum=MAX_ENTRIES)
    members = [(info, name, MAX_ENTRY_BYTES) for info in parts if not info.is_dir()]
    _check_directory(members, budget)
    for info, _, limit in members:
        _unpack(archive, info, name, limit, budget)
    # Slow to import, and most uploads are CSV.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # openpyxl reports a broken workbook with whatever its parsers raise: KeyError, TypeError, ...
        raise FileRejected("archive_unreadable", file=name) from None
    try:
        if inside:
            return _named(name, partial(_sheet_rows, workbook, name))
        return _sheet_rows(workbook, name)
    except FileRejected:
        raise
    except Exception:
        raise FileRejected("archive_unreadable", file=name) from None
    finally:
        workbook.close()


def _sheet_rows(workbook: Any, name: str) -> list[list[str]]:
    """Like csv_rows: every row as text, blank rows included, so that rows[n - 1] is the sheet's row n."""
    sheet = workbook.worksheets[0]
    # The dimension a writer records can be wrong (often just "A1"); read what the sheet really holds.
    sheet.reset_dimensions()
    rows: list[list[str]] = []
    filled = 0
    for number, values in enumerate(sheet.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True), start=1):
        if number > MAX_SHEET_ROWS:
            raise FileRejected("archive_unreadable", file=name)
        if values.count(None) == len(values):
            row = []  # Cheaply: a sheet's gaps come as long runs of empty rows.
        else:
            row = [cell_text(value) for value in values]
            while row and not row[-1]:
                row.pop()
        if any(cell.strip() for cell in row):
            filled += 1
        # Past the header and the most rows a parser takes, rows are only counted: the file is refused
        # either way, and a sheet's XML can hold many more rows than memory should.
        if filled <= csv_import.MAX_ROWS + 1:
            rows.append(row)
    if filled > csv_import.MAX_ROWS + 1:
        raise FileRejected("too_many_rows", maximum=csv_import.MAX_ROWS, rows=filled - 1)
    while rows and not rows[-1]:
        rows.pop()
    if not filled:
        raise FileRejected("empty")
    return rows


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return f"{value.date().isoformat()} {value.strftime('%H:%M:%S')}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M" if not value.second and not value.microsecond else "%H:%M:%S")
    return str(value)
