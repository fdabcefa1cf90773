"""Reading TikTok Studio's own analytics export, whatever language its interface speaks.

TikTok Studio hands out one zip per analytics tab, each holding a few files. Their headers are English in
every interface language, so a file is known by its header; its dates follow the interface language and
carry no year. `undefined` is TikTok's word for a figure it does not have, which is not zero.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import MINYEAR, UTC, date, datetime, time, timezone
from typing import Literal, TypeVar

from bot.domain import csv_import
from bot.domain.csv_import import (
    DATE_ONLY_TIME,
    EARLIEST,
    FUTURE_SLACK,
    CellError,
    FileRejected,
    RowProblem,
    normalize_header,
    parse_count,
    utc_offset,
)
from bot.domain.history import MAX_TITLE_LENGTH, FollowerCount, PostNumbers, as_utc
from bot.domain.text import clean_text
from bot.domain.uploads import Sheet

TikTokKind = Literal[
    "content",
    "follower_history",
    "follower_activity",
    "overview",
    "viewers",
    "follower_gender",
    "follower_territories",
]
USED_KINDS: tuple[TikTokKind, ...] = ("content", "follower_history", "follower_activity")

# Header names as normalize_header leaves them.
_T = TypeVar("_T")

_LINK = "videolink"
_POST_TIME = "posttime"
_TITLE = "videotitle"
_LIKES = "totallikes"
_COMMENTS = "totalcomments"
_SHARES = "totalshares"
_VIEWS = "totalviews"
_DATE = "date"
_FOLLOWERS = "followers"
_HOUR = "hour"
_ACTIVE = "activefollowers"

# The columns that make a file of a kind; more columns, in any order, are fine. Pulse's own format may
# also have just "Date" and "Followers", so FollowerHistory is known by its Difference column as well
# (whose figures are never read: TikTok's are unreliable).
_SIGNATURES: tuple[tuple[TikTokKind, frozenset[str]], ...] = (
    ("content", frozenset({_LINK, _POST_TIME, _LIKES, _COMMENTS, _SHARES})),
    ("follower_history", frozenset({_DATE, _FOLLOWERS, "differenceinfollowersfrompreviousday"})),
    ("follower_activity", frozenset({_DATE, _HOUR, _ACTIVE})),
    ("overview", frozenset({_DATE, "videoviews", "profileviews"})),
    ("viewers", frozenset({_DATE, "totalviewers"})),
    ("follower_gender", frozenset({"gender", "distribution"})),
    ("follower_territories", frozenset({"topterritories", "distribution"})),
)

_MONTH_NAMES = (
    ("january", "jan", "januari"),
    ("february", "feb", "februari"),
    ("march", "mar", "maart", "mrt"),
    ("april", "apr"),
    ("may", "mei"),
    ("june", "jun", "juni"),
    ("july", "jul", "juli"),
    ("august", "aug", "augustus"),
    ("september", "sep", "sept"),
    ("october", "oct", "oktober", "okt"),
    ("november", "nov"),
    ("december", "dec"),
)
MONTHS: dict[str, int] = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}

_NUMERIC_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_WORD_DATE = re.compile(
    r"(?:(?P<month_first>[^\W\d_]+)\.?\s*(?P<day_after>\d{1,2})(?:st|nd|rd|th)?"
    r"|(?P<day_first>\d{1,2})(?:st|nd|rd|th)?\.?\s*(?P<month_after>[^\W\d_]+)\.?)"
    r"(?:,?\s*(?P<year>\d{4}))?(?![\d:])"
)
# A time of day after the date: 18:30, 18.30, 6:30 PM, T18:30:00.123Z, "at 18:30", "om 18:30", +01:00.
_CLOCK = re.compile(
    r"(?:\s*,\s*|\s+(?:at|om)\s+|\s*t\s*|\s+)?"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"\s*(?P<half>[ap]\.?\s?m\.?)?"
    r"\s*(?P<offset>z|utc|gmt|[+-]\d{2}:?\d{2})?\s*"
)
_HOUR_ONLY = re.compile(r"(\d{1,2})(?::00(?::00)?)?")
_HOUR_HALF = re.compile(r"(\d{1,2})(?::00)?\s*([ap])\.?\s?m\.?")
_VIDEO_LINK = re.compile(
    r"https?://(?:(?:www|m|vm)\.)?tiktok\.com/@(?P<handle>[a-z0-9._]+)/video/(?P<id>\d{1,30})/?(?:[?#]\S*)?",
    re.IGNORECASE,
)
# The name TikTok gives its downloads: Overview_2026-11-20_1732000000_lisa.maakt.zip (a browser may add
# " (1)" to a second download).
_DOWNLOAD_NAME = re.compile(
    r"[a-z]+_\d{4}-\d{2}-\d{2}_\d+_(?P<handle>[a-z0-9._]+?)(?:\s*\(\d+\))?\.zip", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class ExportPost:
    """One video of Content.csv, with the largest figures TikTok gave for it."""

    video_id: str
    posted_at: datetime
    likes: int
    comments: int
    shares: int
    views: int | None
    title: str | None


@dataclass(frozen=True, slots=True)
class DayFollowers:
    """The follower count TikTok gives for a day."""

    day: date
    followers: int


@dataclass(frozen=True, slots=True)
class ActivityHour:
    """How many followers were active in an hour that starts at `hour_at` (UTC)."""

    hour_at: datetime
    active: int


@dataclass(frozen=True, slots=True)
class TikTokExport:
    """What one upload of TikTok's export holds. With problems nothing of it is to be stored: posts,
    followers and activity are then empty, while files and handle are still told."""

    posts: tuple[ExportPost, ...] = ()
    followers: tuple[DayFollowers, ...] = ()
    activity: tuple[ActivityHour, ...] = ()
    handle: str | None = None
    files: tuple[str, ...] = ()
    incomplete: int = 0
    problems: tuple[RowProblem, ...] = ()
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class PlannedPosts:
    """The export's posts as Pulse stores them, each with the follower count chosen for it."""

    posts: tuple[tuple[str, PostNumbers], ...]
    from_other_day: int


def recognise(header: list[str]) -> TikTokKind | None:
    """Which of TikTok's files has this header row, if any."""
    names = {normalize_header(cell) for cell in header}
    for kind, needed in _SIGNATURES:
        if needed <= names:
            return kind
    return None


def is_tiktok(sheet: Sheet) -> bool:
    header = _first_filled(sheet.rows)
    return header is not None and recognise(header[1]) is not None


def infer_year(month: int, day: int, today: date) -> date:
    """The latest date with this month and day that is not after `today`.

    TikTok Studio looks back a year at most, so the last such date is the one meant: in January,
    December 30 is last year's; February 29 is the latest leap day that has been.
    """
    try:
        date(2000, month, day)  # A leap year: every month and day that exists at all exists in it.
    except ValueError:
        raise CellError("date") from None
    for year in range(today.year, MINYEAR - 1, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # February 29 in a common year
        if candidate <= today:
            return candidate
    raise CellError("date")


def parse_export_date(text: str, today: date) -> tuple[date, time | None]:
    """A date as TikTok Studio writes it in English or Dutch, or as csv_import reads it, with or without a
    year and a time of day: "August 9", "Aug. 9, 2025", "9 augustus", "9 mrt 2025 18:30", "2025-08-09",
    "09-08-2025 6:30 PM", "2025-08-09T18:30:00+02:00".

    Without a year, the year comes from infer_year. The time is None when the text has none; a time with
    an offset is turned into UTC (which may change the date), a time without one is taken as UTC.
    """
    raw = " ".join(text.split()).casefold()
    numeric = _NUMERIC_DATE.match(raw)
    if numeric:
        if numeric[1]:
            year, month, day = int(numeric[1]), int(numeric[2]), int(numeric[3])
        else:
            day, month, year = int(numeric[4]), int(numeric[5]), int(numeric[6])
        found = _calendar_date(year, month, day)
        end = numeric.end()
    else:
        words = _WORD_DATE.match(raw)
        month_name = words and (words["month_first"] or words["month_after"])
        if not words or month_name not in MONTHS:
            raise CellError("date")
        month, day = MONTHS[month_name], int(words["day_after"] or words["day_first"])
        found = (
            _calendar_date(int(words["year"]), month, day) if words["year"] else infer_year(month, day, today)
        )
        end = words.end()
    rest = raw[end:]
    if not rest.strip():
        return found, None
    return _with_clock(found, rest)


def _calendar_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError("date") from None


def _with_clock(day: date, text: str) -> tuple[date, time]:
    clock = _CLOCK.fullmatch(text)
    if clock is None:
        raise CellError("date")
    hour, minute = int(clock["hour"]), int(clock["minute"])
    if clock["half"]:
        if not 1 <= hour <= 12:
            raise CellError("date")
        hour = hour % 12 + (12 if clock["half"].startswith("p") else 0)
    micro = int((clock["fraction"] or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime.combine(day, time(hour, minute, int(clock["second"] or 0), micro))
    except ValueError:
        raise CellError("date") from None
    moment = moment.replace(tzinfo=_zone(clock["offset"])).astimezone(UTC)
    return moment.date(), moment.time()


def _zone(offset: str | None) -> timezone:
    if offset is None or offset in ("z", "utc", "gmt"):
        return UTC
    return utc_offset(offset)


def parse_hour(text: str) -> int:
    """An hour of FollowerActivity: 0 to 23, 14:00, 2 PM, 2PM, 12 AM."""
    raw = " ".join(text.split()).casefold()
    plain, half = _HOUR_ONLY.fullmatch(raw), _HOUR_HALF.fullmatch(raw)
    if plain and int(plain[1]) <= 23:
        return int(plain[1])
    if half and 1 <= int(half[1]) <= 12:
        return int(half[1]) % 12 + (12 if half[2] == "p" else 0)
    raise CellError("hour")


def clean_title(text: str) -> str | None:
    """A video's title for Pulse: one line, no control or bidi characters, at most MAX_TITLE_LENGTH characters."""
    title = " ".join(clean_text(text).split())
    if not title or _is_undefined(title):
        return None
    if len(title) > MAX_TITLE_LENGTH:
        title = title[: MAX_TITLE_LENGTH - 1].rstrip() + "…"
    return title


def _is_undefined(text: str) -> bool:
    return text.strip().casefold() == "undefined"


def _first_filled(rows: list[list[str]]) -> tuple[int, list[str]] | None:
    return next(((n, r) for n, r in enumerate(rows, start=1) if any(c.strip() for c in r)), None)


def parse_export(sheets: list[Sheet], now: datetime, upload_name: str) -> TikTokExport:
    """Read the files of one upload of TikTok's export, or report the first problems by file and row."""
    latest = now.astimezone(UTC) + FUTURE_SLACK
    reader = _ExportReader(latest)
    seen: dict[TikTokKind, str] = {}
    for sheet in sheets:
        table = _Table.of(sheet)
        if table.kind in seen:
            raise FileRejected("tiktok_duplicate_file", file=sheet.name)
        seen[table.kind] = sheet.name
        reader.read(table)
    if len(reader.handles) > 1:
        raise FileRejected(
            "tiktok_mixed_accounts", handles=", ".join(f"@{h}" for h in sorted(reader.handles))
        )
    handle = next(iter(reader.handles), None) or handle_from_name(upload_name)
    files = tuple(sheet.name for sheet in sheets)
    if reader.problems:
        return TikTokExport(
            handle=handle, files=files, problems=tuple(reader.problems), problem_count=reader.problem_count
        )
    posts = sorted(reader.posts.values(), key=lambda p: (p.posted_at, len(p.video_id), p.video_id))
    return TikTokExport(
        posts=tuple(posts),
        followers=tuple(DayFollowers(day, count) for day, count in sorted(reader.followers.items())),
        activity=tuple(ActivityHour(hour, count) for hour, count in sorted(reader.activity.items())),
        handle=handle,
        files=files,
        incomplete=len(reader.left_out - reader.posts.keys()) + reader.left_out_unknown,
    )


def handle_from_name(upload_name: str) -> str | None:
    """The account in the name TikTok gives a download, lower-case and without "@"."""
    match = _DOWNLOAD_NAME.fullmatch(upload_name.strip())
    return match["handle"].lower() if match else None


@dataclass(frozen=True, slots=True)
class _Table:
    """One of TikTok's files: where its columns are and its data rows with their row numbers."""

    sheet: Sheet
    kind: TikTokKind
    columns: dict[str, int]
    headers: list[str]
    body: list[tuple[int, list[str]]]

    @classmethod
    def of(cls, sheet: Sheet) -> _Table:
        first = _first_filled(sheet.rows)
        kind = recognise(first[1]) if first else None
        if first is None or kind is None:
            raise FileRejected("tiktok_unknown_file", file=sheet.name)
        number, header = first
        columns: dict[str, int] = {}
        for index, name in enumerate(header):
            columns.setdefault(normalize_header(name), index)
        body = [
            (n, r) for n, r in enumerate(sheet.rows[number:], start=number + 1) if any(c.strip() for c in r)
        ]
        if len(body) > csv_import.MAX_ROWS:
            raise FileRejected("too_many_rows", maximum=csv_import.MAX_ROWS, rows=len(body), file=sheet.name)
        return cls(sheet, kind, columns, [name.strip() for name in header], body)


@dataclass
class _Row:
    """One data row being read; collects every problem instead of stopping at the first."""

    table: _Table
    number: int
    record: list[str]
    problems: list[tuple[int, RowProblem]] = field(default_factory=list)
    # A cell TikTok wrote as `undefined` where the row cannot do without it.
    undefined: bool = False

    def text(self, key: str) -> str:
        index = self.table.columns.get(key)
        if index is None or index >= len(self.record):
            return ""
        return self.record[index].strip()

    def problem(self, key: str, rule: str, **values: int | str) -> None:
        index = self.table.columns[key]
        column = self.table.headers[index]
        self.problems.append((index, RowProblem(self.number, column, rule, values, self.table.sheet.name)))

    def read(self, key: str, parse: Callable[[str], _T], required: bool = True) -> _T | None:
        """The cell parsed, or None: when TikTok wrote `undefined` (noted, if the row needs the cell), when it
        is empty (a problem, if the row needs it) or when it does not parse (a problem)."""
        text = self.text(key)
        if _is_undefined(text):
            self.undefined = self.undefined or required
            return None
        if not text:
            if required:
                self.problem(key, "required")
            return None
        try:
            return parse(text)
        except CellError as exc:
            self.problem(key, exc.rule, **exc.values)
            return None

    def figure(self, key: str, minimum: int = 0, required: bool = True) -> int | None:
        return self.read(key, lambda text: parse_count(text, minimum), required)

    def when(self, key: str, today: date) -> tuple[date, time | None] | None:
        found = self.read(key, lambda text: parse_export_date(text, today))
        if found is None:
            return None
        if found[0] < EARLIEST:
            self.problem(key, "too_early", earliest=EARLIEST.isoformat())
            return None
        return found

    def day(self, key: str, today: date) -> date | None:
        found = self.when(key, today)
        if found is not None and found[0] > today:
            self.problem(key, "future")
            return None
        return None if found is None else found[0]

    def hour(self, key: str) -> int | None:
        return self.read(key, parse_hour)


class _ExportReader:
    """Everything read so far from the files of one upload."""

    def __init__(self, latest: datetime) -> None:
        self.latest = latest
        self.today = latest.date()
        self.posts: dict[str, ExportPost] = {}
        self.left_out: set[str] = set()
        self.left_out_unknown = 0
        self.followers: dict[date, int] = {}
        self.activity: dict[datetime, int] = {}
        self.handles: set[str] = set()
        self.problems: list[RowProblem] = []
        self.problem_count = 0

    def read(self, table: _Table) -> None:
        read_row = {
            "content": self._content,
            "follower_history": self._follower_day,
            "follower_activity": self._activity_hour,
        }.get(table.kind)
        if read_row is None:
            return  # Known, but nothing of it is stored.
        for number, record in table.body:
            row = _Row(table, number, record)
            read_row(row)
            if row.problems:
                self.problem_count += len(row.problems)
                # Listed left to right, as the member reads the row in the spreadsheet.
                in_file_order = [p for _, p in sorted(row.problems, key=lambda p: p[0])]
                self.problems.extend(in_file_order[: csv_import.MAX_PROBLEMS - len(self.problems)])

    def _content(self, row: _Row) -> None:
        link = row.text(_LINK)
        video_id = None
        if _is_undefined(link):
            row.undefined = True
        elif not link:
            row.problem(_LINK, "required")
        elif (match := _VIDEO_LINK.fullmatch(link)) is None:
            row.problem(_LINK, "link")
        else:
            video_id = match["id"]
            self.handles.add(match["handle"].lower())
        when = row.when(_POST_TIME, self.today)
        posted_at = None
        if when is not None:
            posted_at = datetime.combine(when[0], when[1] or DATE_ONLY_TIME, UTC)
            if posted_at > self.latest:
                row.problem(_POST_TIME, "future")
        likes, comments, shares = (row.figure(key) for key in (_LIKES, _COMMENTS, _SHARES))
        views = row.figure(_VIEWS, required=False) or None
        title = clean_title(row.text(_TITLE))
        if row.problems:
            return
        if row.undefined or video_id is None or posted_at is None:
            if video_id is None:
                self.left_out_unknown += 1
            else:
                self.left_out.add(video_id)
            return
        if likes is None or comments is None or shares is None:
            return  # Not reached: a missing figure is either a problem or undefined.
        post = ExportPost(video_id, posted_at, likes, comments, shares, views, title)
        if (earlier := self.posts.get(video_id)) is not None:
            post = _merged(earlier, post)
        self.posts[video_id] = post

    def _follower_day(self, row: _Row) -> None:
        day = row.day(_DATE, self.today)
        followers = row.figure(_FOLLOWERS, minimum=1)
        if row.problems or row.undefined or day is None or followers is None:
            return
        self.followers[day] = followers  # A day listed twice: the last row wins.

    def _activity_hour(self, row: _Row) -> None:
        day = row.day(_DATE, self.today)
        hour = row.hour(_HOUR)
        active = row.figure(_ACTIVE)
        if row.problems or row.undefined or day is None or hour is None or active is None:
            return
        self.activity[datetime.combine(day, time(hour), UTC)] = active


def _merged(first: ExportPost, second: ExportPost) -> ExportPost:
    """A video listed twice: TikTok's figures only grow, so the largest of each is the latest."""
    views = max((v for v in (first.views, second.views) if v is not None), default=None)
    return ExportPost(
        first.video_id,
        first.posted_at,
        max(first.likes, second.likes),
        max(first.comments, second.comments),
        max(first.shares, second.shares),
        views,
        first.title or second.title,
    )


def day_counts(export: TikTokExport) -> list[FollowerCount]:
    """The export's daily follower counts as Pulse keeps a count of a day: at noon UTC, like a date-only row."""
    return [
        FollowerCount(datetime.combine(d.day, DATE_ONLY_TIME, UTC), d.followers) for d in export.followers
    ]


def plan_posts(export: TikTokExport, known_counts: Sequence[tuple[datetime, int]]) -> PlannedPosts:
    """The export's posts with saves at 0 (TikTok's export has none) and a follower count each.

    A post takes the export's count of its own (UTC) day; without one, the count nearest in time among the
    export's days (taken at noon UTC) and `known_counts` (the member's stored counts), the earlier on a tie.
    """
    if not export.posts:
        return PlannedPosts((), 0)
    own_day = {d.day: d.followers for d in export.followers}
    candidates: dict[datetime, int] = {}
    # At the same moment the member's stored count gives way to the export's.
    for moment, count in known_counts:
        candidates[as_utc(moment)] = count
    for day_count in day_counts(export):
        candidates[day_count.taken_at] = day_count.followers
    if not candidates:
        raise FileRejected("tiktok_no_followers")
    moments = sorted(candidates)
    planned: list[tuple[str, PostNumbers]] = []
    from_other_day = 0
    for post in export.posts:
        followers = own_day.get(post.posted_at.date())
        if followers is None:
            at = bisect_left(moments, post.posted_at)
            nearest = min(moments[max(at - 1, 0) : at + 1], key=lambda m: (abs(m - post.posted_at), m))
            followers = candidates[nearest]
            if nearest.date() != post.posted_at.date():
                from_other_day += 1
        numbers = PostNumbers(
            post.posted_at, post.likes, post.comments, post.shares, 0, post.views, followers, post.title
        )
        planned.append((post.video_id, numbers))
    return PlannedPosts(tuple(planned), from_other_day)
