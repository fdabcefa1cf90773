"""Hand-made files in the shape of TikTok Studio's analytics export, and archives that attack the reader.

Every handle, title and figure here is invented. The shapes follow TikTok's export: one CSV per analytics
table with English headers, quoted cells, a byte-order mark, dates in the interface language without a
year, and `undefined` where TikTok has no figure.
"""

from __future__ import annotations

import csv
import functools
import io
import struct
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

Cell = str | int | float | date | None
Language = Literal["en", "nl"]

HANDLE = "lisa.maakt"

CONTENT_HEADER = (
    "Time",
    "Video title",
    "Video link",
    "Post time",
    "Total likes",
    "Total comments",
    "Total shares",
    "Total views",
)
FOLLOWER_HISTORY_HEADER = ("Date", "Followers", "Difference in followers from previous day")
FOLLOWER_ACTIVITY_HEADER = ("Date", "Hour", "Active followers")
OVERVIEW_HEADER = ("Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares")
VIEWERS_HEADER = ("Date", "Total Viewers", "New Viewers", "Returning Viewers")
FOLLOWER_GENDER_HEADER = ("Gender", "Distribution")
FOLLOWER_TERRITORIES_HEADER = ("Top territories", "Distribution")

_ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DUTCH_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_DUTCH_SHORT = ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")


def video_link(video_id: str, handle: str = HANDLE) -> str:
    return f"https://www.tiktok.com/@{handle}/video/{video_id}"


def day_text(day: date, language: Language = "en", short: bool = False) -> str:
    """A date as TikTok Studio writes it, without a year: "August 9" / "Aug 9", "9 augustus" / "9 aug."."""
    if language == "nl":
        return f"{day.day} {(_DUTCH_SHORT if short else _DUTCH_MONTHS)[day.month - 1]}"
    month = _ENGLISH_MONTHS[day.month - 1]
    return f"{month[:3] if short else month} {day.day}"


def tiktok_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> bytes:
    """A CSV as TikTok writes it: every cell quoted, UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def content_csv(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> bytes:
    """Content.csv; a row is (time, title, link, post time, likes, comments, shares, views)."""
    return tiktok_csv(CONTENT_HEADER, rows, bom=bom)


def follower_history_csv(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> bytes:
    """FollowerHistory.csv; a row is (date, followers, difference from the previous day)."""
    return tiktok_csv(FOLLOWER_HISTORY_HEADER, rows, bom=bom)


def follower_activity_csv(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> bytes:
    """FollowerActivity.csv; a row is (date, hour, active followers)."""
    return tiktok_csv(FOLLOWER_ACTIVITY_HEADER, rows, bom=bom)


def overview_csv(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> bytes:
    """Overview.csv; a row is (date, video views, profile views, likes, comments, shares)."""
    return tiktok_csv(OVERVIEW_HEADER, rows, bom=bom)


def xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = "Sheet1") -> bytes:
    """A workbook whose only worksheet holds the header and rows, cells typed as given."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zipped(files: Mapping[str, bytes]) -> bytes:
    """A zip (deflated) of the given members, in the given order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def download_name(now: datetime, handle: str = HANDLE, tab: str = "Overview") -> str:
    """The name TikTok gives a download: Overview_2026-11-20_1732000000_lisa.maakt.zip."""
    return f"{tab}_{now.astimezone(UTC).date().isoformat()}_{int(now.timestamp())}_{handle}.zip"


# --- archives that attack the reader -------------------------------------------------------------------

BOMB_MEMBER = "Content.csv"
BOMB_SIZE = 1024**3


def bomb_zip(path: Path | None = None) -> bytes:
    """A real zip whose Content.csv inflates to 1 GiB (a header line, then zeros) from about 4.5 MB.

    Streaming 1 GiB through zlib takes about a second, so it is built once per test session: kept in
    memory, and at `path` when one is given (a pytest temporary directory).
    """
    if path is not None and path.exists():
        return path.read_bytes()
    data = _built_bomb()
    if path is not None:
        path.write_bytes(data)
    return data


@functools.cache
def _built_bomb() -> bytes:
    out = io.BytesIO()
    header = (",".join(CONTENT_HEADER) + "\n").encode()
    zeros = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open(BOMB_MEMBER, "w", force_zip64=True) as member,
    ):
        member.write(header)
        left = BOMB_SIZE - len(header)
        while left:
            chunk = zeros[: min(len(zeros), left)]
            member.write(chunk)
            left -= len(chunk)
    return out.getvalue()


def lying_zip(real_size: int, declared_size: int, name: str = "Content.csv") -> bytes:
    """A zip of one member that unpacks to `real_size` bytes while its headers declare `declared_size`."""
    data = zipped({name: bytes(real_size)})
    patched = bytearray(data)
    # The uncompressed size: offset 22 of the local header, offset 24 of the central directory entry.
    struct.pack_into("<I", patched, 22, declared_size)
    struct.pack_into("<I", patched, data.index(b"PK\x01\x02") + 24, declared_size)
    return bytes(patched)


# --- one complete export ------------------------------------------------------------------------------

# FollowerActivity of the sample peaks once: on this weekday (Monday is 0) at this hour (UTC), every
# hour of every day lower than it. Hour 19 is also the busiest hour of every other day, and the peak
# weekday the busiest day, so the peak is the same whether hours, days or single cells are compared.
SAMPLE_PEAK_UTC_HOUR = 19
SAMPLE_PEAK_WEEKDAY = 2  # Wednesday
SAMPLE_PEAK_ACTIVE = 700
SAMPLE_HANDLE = HANDLE
# FollowerHistory covers the 30 days before `now`'s date, FollowerActivity the 7 days before it.
SAMPLE_HISTORY_DAYS = 30
SAMPLE_ACTIVITY_DAYS = 7
SAMPLE_FIRST_FOLLOWERS = 1500
SAMPLE_DAILY_GAIN = 14
SAMPLE_DIP_DAYS_AGO = 14  # followers fell by 3 that day: a negative Difference
SAMPLE_UNDEFINED_FOLLOWERS_DAYS_AGO = 9  # Followers "undefined": the day is left out


@dataclass(frozen=True, slots=True)
class SampleVideo:
    """A video of the sample as Pulse should read it (the largest figures of its rows)."""

    video_id: str
    days_ago: int  # posted on this many days before `now`'s date (UTC), no time given: noon UTC
    likes: int
    comments: int
    shares: int
    views: int | None
    title: str


SAMPLE_VIDEOS = (
    SampleVideo("7301234567890123401", 26, 412, 37, 18, 5230, "Zo maak je een mok van klei"),
    SampleVideo("7301234567890123402", 19, 1288, 96, 64, 15870, "Glazuur dat altijd lukt ✨"),
    SampleVideo("7301234567890123403", 12, 233, 21, 5, None, "Draaien op de schijf, dag 1"),
    SampleVideo("7301234567890123404", 5, 857, 45, 31, 9120, "Mijn atelier: een rondleiding"),
)
# Listed twice in Content.csv: the first row has more comments, the second more likes and shares.
SAMPLE_DUPLICATE_VIDEO_ID = "7301234567890123402"
# Listed with `undefined` likes: left out, counted as incomplete.
SAMPLE_INCOMPLETE_VIDEO_ID = "7301234567890123405"


def sample_followers(now: datetime) -> dict[date, int]:
    """FollowerHistory of the sample as Pulse should read it: one count a day, the undefined day left out."""
    today = now.astimezone(UTC).date()
    counts: dict[date, int] = {}
    followers = SAMPLE_FIRST_FOLLOWERS
    for days_ago in range(SAMPLE_HISTORY_DAYS, 0, -1):
        if days_ago != SAMPLE_HISTORY_DAYS:
            followers += -3 if days_ago == SAMPLE_DIP_DAYS_AGO else SAMPLE_DAILY_GAIN
        if days_ago != SAMPLE_UNDEFINED_FOLLOWERS_DAYS_AGO:
            counts[today - timedelta(days=days_ago)] = followers
    return counts


def sample_activity(now: datetime) -> dict[datetime, int]:
    """FollowerActivity of the sample: active followers by the UTC start of each hour, 7 days of 24."""
    today = now.astimezone(UTC).date()
    active: dict[datetime, int] = {}
    for days_ago in range(SAMPLE_ACTIVITY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        for hour in range(24):
            start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            active[start] = _active(day.weekday(), hour)
    return active


def _active(weekday: int, hour: int) -> int:
    # Rises through the day to 19:00, then falls; the peak weekday is busier all day.
    base = 40 + 10 * hour if hour <= SAMPLE_PEAK_UTC_HOUR else 230 - 45 * (hour - SAMPLE_PEAK_UTC_HOUR)
    if weekday != SAMPLE_PEAK_WEEKDAY:
        return base
    return SAMPLE_PEAK_ACTIVE if hour == SAMPLE_PEAK_UTC_HOUR else base + 60


def sample_export(now: datetime, language: Language = "en") -> bytes:
    """A zip as TikTok Studio could hand it out on `now`'s date: Content.csv, FollowerHistory.csv,
    FollowerActivity.csv and Overview.csv, dates without a year in English ("August 9", "Aug 9") or
    Dutch ("9 augustus", "9 aug.").

    Read by Pulse it gives SAMPLE_VIDEOS (sorted by days_ago, descending) with 1 incomplete video,
    sample_followers(now) (29 days) and sample_activity(now) (168 hours), for the account SAMPLE_HANDLE.
    """
    today = now.astimezone(UTC).date()

    def ago(days: int, short: bool = False) -> str:
        return day_text(today - timedelta(days=days), language, short)

    def content_row(video: SampleVideo, likes: int, comments: int, shares: int) -> list[Cell]:
        views: Cell = "undefined" if video.views is None else video.views
        link = video_link(video.video_id)
        return [ago(0), video.title, link, ago(video.days_ago, short=True), likes, comments, shares, views]

    first, twice, third, fourth = SAMPLE_VIDEOS
    incomplete = [ago(0), "Nog niet geteld", video_link(SAMPLE_INCOMPLETE_VIDEO_ID), ago(3, short=True)]
    # In no particular order, as TikTok lists them.
    rows: list[list[Cell]] = [
        content_row(fourth, fourth.likes, fourth.comments, fourth.shares),
        content_row(twice, twice.likes - 188, twice.comments, twice.shares - 4),
        content_row(first, first.likes, first.comments, first.shares),
        [*incomplete, "undefined", 4, 1, "undefined"],
        content_row(third, third.likes, third.comments, third.shares),
        content_row(twice, twice.likes, twice.comments - 6, twice.shares),
    ]

    followers = sample_followers(now)
    history: list[list[Cell]] = []
    previous = None
    for days_ago in range(SAMPLE_HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        count = followers.get(day)
        if count is None:
            history.append([ago(days_ago), "undefined", "undefined"])
            continue
        # TikTok's Difference is unreliable and never read; the dip makes it negative once.
        history.append([ago(days_ago), count, 0 if previous is None else count - previous])
        previous = count

    activity: list[list[Cell]] = [
        [day_text(start.date(), language), start.hour, count] for start, count in sample_activity(now).items()
    ]
    overview = [
        [ago(days_ago), 300 + 7 * days_ago, "undefined" if days_ago == 2 else 20 + days_ago, 25, 3, 1]
        for days_ago in range(SAMPLE_HISTORY_DAYS, 0, -1)
    ]
    return zipped(
        {
            "Content.csv": content_csv(rows),
            "FollowerHistory.csv": follower_history_csv(history),
            "FollowerActivity.csv": follower_activity_csv(activity),
            "Overview.csv": overview_csv(overview),
        }
    )
