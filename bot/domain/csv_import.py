"""Reading a member's history from a CSV file, as Excel or Google Sheets writes it, in Dutch or English."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal, TypeVar

from bot.domain.engagement import MAX_COUNT
from bot.domain.history import MAX_TITLE_LENGTH, FollowerCount, PostNumbers, entry_identity
from bot.domain.text import clean_text

MAX_BYTES = 1024 * 1024  # "1 MB" as Windows and macOS show file sizes to the member.
MAX_ROWS = 5_000
MAX_PROBLEMS = 10
# Pulse takes no date before September 2016, around TikTok's launch: an earlier one is a typo (Pulse's own rule).
EARLIEST = date(2016, 9, 1)
# A date without a time becomes noon UTC: the same calendar day in every offset from UTC-11 to UTC+11.
DATE_ONLY_TIME = time(12, 0)
# A post "from the future" by more than the widest time-zone lead is a typo.
FUTURE_SLACK = timedelta(days=1)

_T = TypeVar("_T")

Column = Literal["date", "likes", "comments", "shares", "saves", "views", "followers", "title"]

# Header spellings, compared after lowercasing and dropping spaces, dashes, dots, underscores and brackets.
_ALIASES: dict[Column, tuple[str, ...]] = {
    "date": (
        "date",
        "datum",
        "posted",
        "postedon",
        "postdate",
        "gepost",
        "gepostop",
        "publicatiedatum",
        "dag",
        "day",
    ),
    "likes": ("likes", "like", "vindikleuks", "vindikleuk", "hartjes"),
    "comments": ("comments", "comment", "reacties", "reactie", "opmerkingen"),
    "shares": ("shares", "share", "delen", "gedeeld", "kerengedeeld"),
    "saves": (
        "saves",
        "save",
        "saved",
        "opslaan",
        "opgeslagen",
        "kerenopgeslagen",
        "favorieten",
        "favorites",
    ),
    "views": ("views", "view", "weergaven", "weergave", "plays", "videoviews", "bekeken", "kerenbekeken"),
    "followers": ("followers", "follower", "volgers", "volger"),
    "title": ("title", "titel", "link", "url", "video", "naam", "name", "omschrijving", "description"),
}
HEADERS: dict[str, Column] = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
POST_COLUMNS: tuple[Column, ...] = ("likes", "comments", "shares", "saves", "views", "title")
REQUIRED_POST_COLUMNS: tuple[Column, ...] = ("likes", "comments", "shares")

DELIMITERS = (",", ";", "\t")
_DECIMAL_TAIL = re.compile(r"(?P<whole>\d[\d., ']*?)(?P<mark>[.,])(?P<decimals>\d{1,2})")
_GROUPED = re.compile(r"\d{1,3}(?P<sep>[., '])\d{3}(?:(?P=sep)\d{3})*")
_DATE_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DATE_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_TIME = re.compile(r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?")
_OFFSET = re.compile(r"[+-](\d{2}):?(\d{2})")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks the csv module knows


class FileRejected(ValueError):
    """The uploaded file as a whole cannot be read; `reason` names the message, `values` fill it in."""

    def __init__(self, reason: str, **values: int | str) -> None:
        super().__init__(f"{reason} {values}")
        self.reason = reason
        self.values = values


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one cell of one row cannot be stored; `row` is the spreadsheet row number (the header is 1).

    In Pulse's own format `column` is a Column name and `file` is None. For a file of TikTok's export, `file`
    names it and `column` is that file's header text as written there (TikTok's headers are English in
    every interface language, so they are shown as the member sees them).
    """

    row: int
    column: str
    rule: str
    values: dict[str, int | str] = field(default_factory=dict)
    file: str | None = None


@dataclass(frozen=True, slots=True)
class RepeatedRow:
    """A row with the same entry as an earlier row of the same file (`same_as`); only the earlier is kept."""

    row: int
    same_as: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Either every row read (posts and follower counts) or the first problems; never both.

    `posts` and `followers` hold each entry once: `repeated` names the rows left out because an earlier
    row of the file has the same entry (as the history compares entries: the title does not count).
    """

    posts: tuple[PostNumbers, ...] = ()
    followers: tuple[FollowerCount, ...] = ()
    problems: tuple[RowProblem, ...] = ()
    problem_count: int = 0
    repeated: tuple[RepeatedRow, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows(self) -> int:
        """The data rows read, repeats included."""
        return len(self.posts) + len(self.followers) + len(self.repeated)


class CellError(ValueError):
    """One cell's text is not what its column takes; `rule` names the message."""

    def __init__(self, rule: str, **values: int | str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.values = values


def normalize_header(name: str) -> str:
    return re.sub(r"[\s\-_.()#:]+", "", name.strip().lower())


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark; anything else is refused with a hint."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected("encoding_utf16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected("encoding") from None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter used most in the header line; Dutch Excel writes ';', others ',' or a tab."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_count(text: str, minimum: int = 0) -> int:
    """A whole number written with or without thousands separators: 75.000, 75,000, 75 000, 1.234,00."""
    raw = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if raw[:1] in "-−" and raw[1:].strip()[:1].isdigit():
        raise CellError("min", minimum=minimum)
    digits = whole_number_digits(raw)
    if digits is None:
        raise CellError("whole")
    value = int(digits)
    if value < minimum:
        raise CellError("min", minimum=minimum)
    if value > MAX_COUNT:
        raise CellError("max", maximum=MAX_COUNT)
    return value


def whole_number_digits(raw: str) -> str | None:
    """The digits of a whole number as a Dutch or English reader writes it, or None when it is not one.

    A separator followed by exactly three digits groups thousands (12.000 and 12,000 are both twelve
    thousand: a count of likes is never a fraction). A separator followed by one or two digits is a decimal
    mark, allowed only when the decimals are zero (a cell formatted as 1.234,00 or 1,234.00).
    """
    decimal_mark = None
    match = _DECIMAL_TAIL.fullmatch(raw)
    if match:
        if set(match["decimals"]) != {"0"}:
            return None
        raw, decimal_mark = match["whole"], match["mark"]
    if raw.isascii() and raw.isdigit():
        return raw
    match = _GROUPED.fullmatch(raw)
    if match is None or match["sep"] == decimal_mark:
        return None
    return re.sub(r"\D", "", raw)


def parse_moment(text: str) -> datetime:
    """2025-03-01, 2025-03-01 18:30, 2025-03-01T18:30:00+01:00, 01-03-2025 or 1/3/2025 (day first) -> UTC.

    Without an offset a time is read as UTC, like the rest of Pulse's storage.
    """
    raw = text.strip()
    match = _DATE_YMD.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DATE_DMY.match(raw)
        if not match:
            raise CellError("date")
        day, month, year = (int(g) for g in match.groups())
    rest = _TIME.fullmatch(raw[match.end() :])
    if rest is None:
        raise CellError("date")
    hour, minute, second, fraction, offset = rest.groups()
    try:
        day_of = date(year, month, day)
        if hour is None:
            if offset is not None:
                raise CellError("date")
            return datetime.combine(day_of, DATE_ONLY_TIME, UTC)
        # Microseconds are kept (a Pulse export writes them), finer digits dropped.
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        moment = datetime.combine(day_of, time(int(hour), int(minute), int(second or 0), micro))
    except ValueError:
        raise CellError("date") from None
    return moment.replace(tzinfo=_zone(offset)).astimezone(UTC)


def parse_day(text: str) -> date:
    """A calendar date alone: 2025-12-31, 31-12-2025, 31/12/2025 or 31.12.2025 (day before month)."""
    raw = text.strip()
    ymd, dmy = _DATE_YMD.fullmatch(raw), _DATE_DMY.fullmatch(raw)
    if ymd:
        year, month, day = (int(g) for g in ymd.groups())
    elif dmy:
        day, month, year = (int(g) for g in dmy.groups())
    else:
        raise CellError("date")
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError("date") from None


def _zone(offset: str | None) -> timezone:
    if offset is None or offset == "Z":
        return UTC
    return utc_offset(offset)


def utc_offset(text: str) -> timezone:
    """An offset from UTC written as +01:00, -0530 or +14:00; hours past 23 or minutes past 59 are refused."""
    match = _OFFSET.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise CellError("offset", value=text)
    delta = timedelta(hours=int(match[1]), minutes=int(match[2]))
    return timezone(-delta if text[0] == "-" else delta)


def parse_csv(data: bytes, now: datetime) -> ImportResult:
    """Read every row of a history CSV, or report the first problems by row number."""
    if len(data) > MAX_BYTES:
        raise FileRejected("too_big", maximum=MAX_BYTES)
    return parse_rows(csv_rows(data), now)


def csv_rows(data: bytes) -> list[list[str]]:
    """Every row of a CSV file as text, blank rows included: row n of the list is row n + 1 in Excel."""
    text = decode(data)
    lines = text.splitlines()
    delimiter = None
    # Excel honours (and hides) a first line such as `sep=;`; so do we.
    if lines and re.fullmatch(r'"?sep=(.)"?', lines[0].strip()):
        delimiter = lines[0].strip().strip('"')[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise FileRejected("empty")
    delimiter = delimiter or sniff_delimiter(first)
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[list[str]] = []
    read = 0
    try:
        for row in reader:
            rows.append(row)
            start, read = read, reader.line_num
            # A quote that opens a cell stands on the record's first line, whatever lines the cell spans.
            if '"' in lines[start] and _opens_unclosed_quote(
                "".join(lines[start:read]), delimiter, first.count(delimiter)
            ):
                raise FileRejected("open_quote", row=len(rows))
    except csv.Error:
        raise FileRejected("unreadable") from None
    return rows


def _opens_unclosed_quote(record: str, delimiter: str, header_delimiters: int) -> bool:
    """Whether a cell of this record (its lines as in the file) starts with a quote that was never closed.

    The csv module reads such a cell on to the next quotation mark anywhere below, swallowing the rows in
    between into one cell without a word. A cell that really holds a line break (Excel quotes those) ends
    in a quote followed by a delimiter or the end of its line, and none of its lines is a whole row. A quote
    only opens a cell at the cell's start; further on in a cell it is just a character, as in Excel.
    """
    at_start, i = True, 0
    while i < len(record):
        char = record[i]
        if not (at_start and char == '"'):
            at_start = char in (delimiter, "\n", "\r")
            i += 1
            continue
        end = i + 1
        while (end := record.find('"', end)) != -1 and record.startswith('""', end):
            end += 2  # a doubled quote is a quotation mark inside the cell
        if end == -1:
            return True  # the file ended inside the cell
        after = record[end + 1 : end + 2]
        _, *more = _LINE_BREAK.split(record[i + 1 : end])
        if more and (
            after not in ("", delimiter, "\n", "\r")
            or any(line.count(delimiter) >= header_delimiters > 0 for line in more)
        ):
            return True
        at_start, i = False, end + 1
    return False


def parse_rows(rows: list[list[str]], now: datetime) -> ImportResult:
    """Read a history in Pulse's own columns from rows of text (a CSV file's or a spreadsheet's)."""
    filled = [(number, r) for number, r in enumerate(rows, start=1) if any(cell.strip() for cell in r)]
    if not filled:
        raise FileRejected("empty")
    (_, header), body = filled[0], filled[1:]
    columns = _columns(header)
    if not body:
        raise FileRejected("no_rows")
    if len(body) > MAX_ROWS:
        raise FileRejected("too_many_rows", maximum=MAX_ROWS, rows=len(body))
    order: dict[str, int] = dict(columns.items())
    latest = now.astimezone(UTC) + FUTURE_SLACK
    posts: list[PostNumbers] = []
    followers: list[FollowerCount] = []
    problems: list[RowProblem] = []
    count = 0
    first_rows: dict[tuple[object, ...], int] = {}
    repeated: list[RepeatedRow] = []
    for number, record in body:
        cells = {column: (record[i] if i < len(record) else "").strip() for column, i in columns.items()}
        row = _Row(number, cells)
        parsed = row.parse(latest)
        if row.problems:
            count += len(row.problems)
            # Listed left to right, as the member reads the row in the spreadsheet.
            in_file_order = sorted(row.problems, key=lambda p: order[p.column])
            problems.extend(in_file_order[: MAX_PROBLEMS - len(problems)])
        elif parsed is not None:
            same_as = first_rows.setdefault(entry_identity(parsed), number)
            if same_as != number:
                repeated.append(RepeatedRow(number, same_as))
            elif isinstance(parsed, PostNumbers):
                posts.append(parsed)
            else:
                followers.append(parsed)
    if problems:
        return ImportResult(problems=tuple(problems), problem_count=count)
    return ImportResult(posts=tuple(posts), followers=tuple(followers), repeated=tuple(repeated))


def _columns(header: list[str]) -> dict[Column, int]:
    columns: dict[Column, int] = {}
    for index, name in enumerate(header):
        column = HEADERS.get(normalize_header(name))
        if column is None:
            continue  # Extra columns (notes, sound used, ...) are the member's own business.
        if column in columns:
            raise FileRejected("duplicate_column", column=name.strip())
        columns[column] = index
    missing = [c for c in ("date", "followers") if c not in columns]
    if any(c in columns for c in POST_COLUMNS):
        missing += [c for c in REQUIRED_POST_COLUMNS if c not in columns]
    if missing:
        raise FileRejected("missing_columns", columns=", ".join(missing))
    return columns


class _Row:
    """One data row being read; collects every problem instead of stopping at the first."""

    def __init__(self, number: int, cells: dict[Column, str]) -> None:
        self.number = number
        self.cells = cells
        self.problems: list[RowProblem] = []

    def _problem(self, column: Column, rule: str, **values: int | str) -> None:
        self.problems.append(RowProblem(self.number, column, rule, values))

    def _read(self, column: Column, parse: Callable[[str], _T], required: bool = True) -> _T | None:
        text = self.cells.get(column, "")
        if not text:
            if required:
                self._problem(column, "required")
            return None
        try:
            return parse(text)
        except CellError as exc:
            self._problem(column, exc.rule, **exc.values)
            return None

    def parse(self, latest: datetime) -> PostNumbers | FollowerCount | None:
        moment = self._read("date", parse_moment)
        if moment is not None and moment.date() < EARLIEST:
            self._problem("date", "too_early", earliest=EARLIEST.isoformat())
        elif moment is not None and moment > latest:
            self._problem("date", "future")
        followers = self._read("followers", lambda t: parse_count(t, minimum=1))
        if not any(self.cells.get(c) for c in POST_COLUMNS):
            if self.problems or moment is None or followers is None:
                return None
            return FollowerCount(moment, followers)
        likes = self._read("likes", parse_count)
        comments = self._read("comments", parse_count)
        shares = self._read("shares", parse_count)
        saves = self._read("saves", parse_count, required=False)
        views = self._read("views", lambda t: parse_count(t, minimum=1), required=False)
        title = " ".join(clean_text(self.cells.get("title", "")).split()) or None
        if title is not None and len(title) > MAX_TITLE_LENGTH:
            self._problem("title", "too_long", maximum=MAX_TITLE_LENGTH)
        if (
            self.problems
            or moment is None
            or followers is None
            or likes is None
            or comments is None
            or shares is None
        ):
            return None
        return PostNumbers(moment, likes, comments, shares, saves or 0, views, followers, title)
