"""Reading TikTok Studio's analytics export: its files, English and Dutch dates, quirks and refusals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.csv_import import MAX_PROBLEMS, MAX_ROWS, CellError, FileRejected, RowProblem
from bot.domain.history import MAX_TITLE_LENGTH, FollowerCount, PostNumbers
from bot.domain.tiktok_export import (
    USED_KINDS,
    ActivityHour,
    DayFollowers,
    ExportPost,
    PlannedPosts,
    TikTokExport,
    clean_title,
    day_counts,
    handle_from_name,
    infer_year,
    is_tiktok,
    parse_export,
    parse_export_date,
    parse_hour,
    plan_posts,
    recognise,
)
from bot.domain.uploads import Sheet, read_upload
from tests.tiktok_fixtures import (
    CONTENT_HEADER,
    FOLLOWER_ACTIVITY_HEADER,
    FOLLOWER_GENDER_HEADER,
    FOLLOWER_HISTORY_HEADER,
    FOLLOWER_TERRITORIES_HEADER,
    OVERVIEW_HEADER,
    SAMPLE_ACTIVITY_DAYS,
    SAMPLE_HANDLE,
    SAMPLE_PEAK_ACTIVE,
    SAMPLE_PEAK_UTC_HOUR,
    SAMPLE_PEAK_WEEKDAY,
    SAMPLE_VIDEOS,
    VIEWERS_HEADER,
    Cell,
    content_csv,
    download_name,
    follower_activity_csv,
    follower_history_csv,
    sample_activity,
    sample_export,
    sample_followers,
    video_link,
    xlsx,
    zipped,
)

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 21)  # NOW plus a day of slack: what a date without a year may reach
UPLOAD = "Overview_2026-11-20_1732000000_lisa.maakt.zip"
LINK = video_link("7301234567890123456")


def noon(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def content(*rows: Sequence[Cell]) -> Sheet:
    return read_upload("Content.csv", content_csv(rows))[0]


def video(
    video_id: str, post_time: str, likes: Cell, comments: Cell, shares: Cell, views: Cell = 100
) -> list[Cell]:
    return [
        "November 20",
        f"Video {video_id}",
        video_link(video_id),
        post_time,
        likes,
        comments,
        shares,
        views,
    ]


def parsed(*sheets: Sheet, now: datetime = NOW, upload: str = UPLOAD) -> TikTokExport:
    return parse_export(list(sheets), now, upload)


def refused(*sheets: Sheet, upload: str = UPLOAD) -> tuple[str, dict[str, int | str]]:
    with pytest.raises(FileRejected) as caught:
        parsed(*sheets, upload=upload)
    return caught.value.reason, caught.value.values


# --- recognising files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (CONTENT_HEADER, "content"),
        (FOLLOWER_HISTORY_HEADER, "follower_history"),
        (FOLLOWER_ACTIVITY_HEADER, "follower_activity"),
        (OVERVIEW_HEADER, "overview"),
        (VIEWERS_HEADER, "viewers"),
        (FOLLOWER_GENDER_HEADER, "follower_gender"),
        (FOLLOWER_TERRITORIES_HEADER, "follower_territories"),
        (("Top Territories", "Distribution"), "follower_territories"),
        # Order is free, extra columns are fine, the least Content needs is five columns.
        (("Total shares", "Total comments", "Notes", "Total likes", "Post time", "Video link"), "content"),
        ((" VIDEO LINK ", "post_time", "Total-likes", "total comments", "Total Shares"), "content"),
        (("Video link", "Post time", "Total likes", "Total comments"), None),
        # Pulse's own format: a followers-only file is not TikTok's FollowerHistory.
        (("Date", "Followers"), None),
        (("date", "likes", "comments", "shares", "saves", "views", "followers", "title"), None),
        (("Datum", "Volgers"), None),
        ((), None),
    ],
)
def test_recognise_by_header(header: Sequence[str], kind: str | None) -> None:
    assert recognise(list(header)) == kind


def test_used_kinds() -> None:
    assert USED_KINDS == ("content", "follower_history", "follower_activity")


def test_is_tiktok_looks_at_the_first_filled_row() -> None:
    assert is_tiktok(Sheet("a.csv", [[], ["", " "], list(FOLLOWER_HISTORY_HEADER), ["August 9", "1", "0"]]))
    assert not is_tiktok(Sheet("a.csv", [["Date", "Followers"], list(FOLLOWER_HISTORY_HEADER)]))
    assert not is_tiktok(Sheet("a.csv", []))
    # Never by name.
    assert not is_tiktok(Sheet("Content.csv", [["date", "likes", "comments", "shares", "followers"]]))


# --- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("August 9", (date(2026, 8, 9), None)),
        ("Aug 9", (date(2026, 8, 9), None)),
        ("aug. 9", (date(2026, 8, 9), None)),
        ("AUG 9", (date(2026, 8, 9), None)),
        ("9 July", (date(2026, 7, 9), None)),
        ("Sept 3", (date(2026, 9, 3), None)),
        ("Sep. 3", (date(2026, 9, 3), None)),
        ("May 1", (date(2026, 5, 1), None)),
        ("1st March", (date(2026, 3, 1), None)),
        ("9 augustus", (date(2026, 8, 9), None)),
        ("9 aug.", (date(2026, 8, 9), None)),
        ("9 mrt", (date(2026, 3, 9), None)),
        ("9 mrt.", (date(2026, 3, 9), None)),
        ("3 mei", (date(2026, 5, 3), None)),
        ("12 okt", (date(2026, 10, 12), None)),
        ("21 november", (date(2026, 11, 21), None)),
        ("22 november", (date(2025, 11, 22), None)),
        ("December 30", (date(2025, 12, 30), None)),
        ("August 9, 2025", (date(2025, 8, 9), None)),
        ("Aug 9 2025", (date(2025, 8, 9), None)),
        ("9 augustus 2025", (date(2025, 8, 9), None)),
        ("9 July, 2024", (date(2024, 7, 9), None)),
        ("2025-08-09", (date(2025, 8, 9), None)),
        ("2025/08/09", (date(2025, 8, 9), None)),
        ("09-08-2025", (date(2025, 8, 9), None)),
        ("9.8.2025", (date(2025, 8, 9), None)),
        ("August 9 18:30", (date(2026, 8, 9), time(18, 30))),
        ("Aug 9, 6:30 PM", (date(2026, 8, 9), time(18, 30))),
        ("Aug 9 6:30PM", (date(2026, 8, 9), time(18, 30))),
        ("Aug 9 12:05 am", (date(2026, 8, 9), time(0, 5))),
        ("Aug 9 12:05 p.m.", (date(2026, 8, 9), time(12, 5))),
        ("August 9, 2025 at 18:30", (date(2025, 8, 9), time(18, 30))),
        ("9 augustus 2025 om 18.30", (date(2025, 8, 9), time(18, 30))),
        ("9 aug. 18:30", (date(2026, 8, 9), time(18, 30))),
        ("2025-08-09 18:30", (date(2025, 8, 9), time(18, 30))),
        ("09-08-2025 18:30:15", (date(2025, 8, 9), time(18, 30, 15))),
        ("2025-08-09T18:30:00.123Z", (date(2025, 8, 9), time(18, 30, 0, 123000))),
        ("2025-03-01T00:30:00+01:00", (date(2025, 2, 28), time(23, 30))),
        ("2024-12-31T23:00:00-0200", (date(2025, 1, 1), time(1, 0))),
        (" August\u00a09 ", (date(2026, 8, 9), None)),
    ],
)
def test_export_dates(text: str, expected: tuple[date, time | None]) -> None:
    assert parse_export_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "Augustus",
        "Smarch 9",
        "August 32",
        "31 april",
        "February 30",
        "February 29, 2025",
        "August 9 25:00",
        "August 9 13:00 PM",
        "August 9 0:30 AM",
        "August 9 noon",
        "August 123",
        "2025-13-01",
        "31-02-2025",
        "08/09/25",
    ],
)
def test_export_dates_that_are_refused(text: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_export_date(text, TODAY)
    assert caught.value.rule == "date"


@pytest.mark.parametrize(
    ("month", "day", "today", "expected"),
    [
        (12, 30, date(2027, 1, 2), date(2026, 12, 30)),
        (1, 2, date(2027, 1, 2), date(2027, 1, 2)),
        (1, 3, date(2027, 1, 2), date(2026, 1, 3)),
        (12, 31, date(2026, 12, 31), date(2026, 12, 31)),
        (2, 29, date(2026, 3, 1), date(2024, 2, 29)),
        (2, 29, date(2028, 2, 28), date(2024, 2, 29)),
        (2, 29, date(2028, 2, 29), date(2028, 2, 29)),
        (2, 29, date(2101, 1, 1), date(2096, 2, 29)),  # 2100 is no leap year
        (2, 28, date(2026, 3, 1), date(2026, 2, 28)),
    ],
)
def test_year_inference(month: int, day: int, today: date, expected: date) -> None:
    assert infer_year(month, day, today) == expected


@pytest.mark.parametrize(("month", "day"), [(2, 30), (13, 1), (0, 1), (4, 31), (1, 0)])
def test_year_inference_refuses_dates_that_never_exist(month: int, day: int) -> None:
    with pytest.raises(CellError):
        infer_year(month, day, TODAY)


def test_the_year_turns_in_a_whole_export() -> None:
    new_year = datetime(2027, 1, 2, 8, tzinfo=UTC)
    sheet = content(video("1", "Dec 30", 1, 2, 3), video("2", "Jan 2", 4, 5, 6), video("3", "Jan 4", 7, 8, 9))
    export = parsed(sheet, now=new_year)
    assert [(p.video_id, p.posted_at) for p in export.posts] == [
        ("3", noon(2026, 1, 4)),
        ("1", noon(2026, 12, 30)),
        ("2", noon(2027, 1, 2)),
    ]


@pytest.mark.parametrize(
    ("text", "hour"),
    [
        ("0", 0),
        ("7", 7),
        ("07", 7),
        ("23", 23),
        ("14:00", 14),
        ("14:00:00", 14),
        ("2 PM", 14),
        ("2PM", 14),
        ("2 pm", 14),
        ("2 p.m.", 14),
        ("12 AM", 0),
        ("12 PM", 12),
        ("11 PM", 23),
        ("2:00 PM", 14),
    ],
)
def test_hours(text: str, hour: int) -> None:
    assert parse_hour(text) == hour


@pytest.mark.parametrize("text", ["24", "-1", "14:30", "13 PM", "0 AM", "noon", "", "2.5", "14u"])
def test_hours_that_are_refused(text: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_hour(text)
    assert caught.value.rule == "hour"


# --- Content.csv -------------------------------------------------------------------------------------


def test_content_with_bom_undefined_and_duplicates() -> None:
    data = content_csv(
        [
            video("7301234567890123457", "Nov 2", "1,204", 30, 9, "undefined"),
            video("7301234567890123456", "Oct 28", 50, 7, 1, 900),
            video("7301234567890123458", "Nov 3", "undefined", 4, 1),
            video("7301234567890123457", "Nov 2", 1190, 31, 8, 0),
            video("7301234567890123459", "Nov 3", 10, "UNDEFINED", 1),
            video("7301234567890123460", "Nov 3", 10, 1, "undefined"),
            video("7301234567890123460", "Nov 3", 10, 1, "Undefined"),
        ]
    )
    assert data.startswith(b"\xef\xbb\xbf")
    export = parsed(read_upload("Content.csv", data)[0])
    assert export.ok
    assert export.posts == (
        ExportPost("7301234567890123456", noon(2026, 10, 28), 50, 7, 1, 900, "Video 7301234567890123456"),
        ExportPost("7301234567890123457", noon(2026, 11, 2), 1204, 31, 9, None, "Video 7301234567890123457"),
    )
    assert export.incomplete == 3
    assert export.handle == "lisa.maakt"
    assert export.files == ("Content.csv",)
    assert (export.followers, export.activity) == ((), ())


def test_a_video_complete_in_one_of_its_rows_is_not_incomplete() -> None:
    export = parsed(content(video("1", "Nov 2", "undefined", 1, 1), video("1", "Nov 2", 5, 1, 1)))
    assert ([p.likes for p in export.posts], export.incomplete) == ([5], 0)


def test_views_undefined_or_zero_are_unknown_and_posts_are_sorted_by_time_then_id() -> None:
    export = parsed(
        content(
            video("20", "Nov 2", 1, 1, 1, "undefined"),
            video("3", "Nov 2", 1, 1, 1, 0),
            video("100", "Nov 1 18:00", 1, 1, 1, ""),
            video("4", "Nov 1", 1, 1, 1, "1.500"),
        )
    )
    assert [(p.video_id, p.posted_at, p.views) for p in export.posts] == [
        ("4", noon(2026, 11, 1), 1500),
        ("100", datetime(2026, 11, 1, 18, tzinfo=UTC), None),
        ("3", noon(2026, 11, 2), None),
        ("20", noon(2026, 11, 2), None),
    ]


def test_content_without_optional_columns() -> None:
    rows = [
        ["Video link", "Post time", "Total likes", "Total comments", "Total shares"],
        [LINK, "Nov 2", "1", "2", "3"],
    ]
    export = parsed(Sheet("Content.csv", rows))
    assert export.posts == (ExportPost("7301234567890123456", noon(2026, 11, 2), 1, 2, 3, None, None),)


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("  Mijn\n eerste\tvideo  ", "Mijn eerste video"),
        ("Klei\x00 en\x1b glazuur\u200d🏺", "Klei en glazuur\u200d🏺"),
        ("", None),
        (" \n ", None),
        ("undefined", None),
        ("x" * MAX_TITLE_LENGTH, "x" * MAX_TITLE_LENGTH),
        ("x" * (MAX_TITLE_LENGTH + 1), "x" * (MAX_TITLE_LENGTH - 1) + "…"),
        ("ab " * 100, ("ab " * 100)[: MAX_TITLE_LENGTH - 1].rstrip() + "…"),
    ],
)
def test_titles(raw: str, title: str | None) -> None:
    assert clean_title(raw) == title


def test_a_long_title_is_clipped_not_a_problem() -> None:
    row = video("1", "Nov 2", 1, 1, 1)
    row[1] = "Pottenbakken " * 40
    [post] = parsed(content(row)).posts
    assert post.title is not None and len(post.title) == MAX_TITLE_LENGTH and post.title.endswith("…")


def test_cell_problems_name_the_file_row_and_tiktoks_header() -> None:
    sheet = content(
        video("1", "Nov 2", 10, 1, 1),
        video("2", "Nov 2", -5, 1, 1),
        video("3", "2027-11-25", "", "1,5", "−2", -1),
        ["November 20", "t", "https://example.com/video/4", "Nov 2", 1, 1, 1, 1],
        ["November 20", "t", "", "", 1, 1, 1, 1],
        video("6", "August 9, 2015", 1, 1, 1),
        video("7", "Smarch 2", 1, 1, 10**13),
    )
    export = parsed(sheet)
    assert not export.ok
    assert export.problems == (
        RowProblem(3, "Total likes", "min", {"minimum": 0}, file="Content.csv"),
        RowProblem(4, "Post time", "future", {}, file="Content.csv"),
        RowProblem(4, "Total likes", "required", {}, file="Content.csv"),
        RowProblem(4, "Total comments", "whole", {}, file="Content.csv"),
        RowProblem(4, "Total shares", "min", {"minimum": 0}, file="Content.csv"),
        RowProblem(4, "Total views", "min", {"minimum": 0}, file="Content.csv"),
        RowProblem(5, "Video link", "link", {}, file="Content.csv"),
        RowProblem(6, "Video link", "required", {}, file="Content.csv"),
        RowProblem(6, "Post time", "required", {}, file="Content.csv"),
        RowProblem(7, "Post time", "too_early", {"earliest": "2016-09-01"}, file="Content.csv"),
    )
    assert export.problem_count == 12
    assert (export.posts, export.incomplete) == ((), 0)
    assert export.handle == "lisa.maakt"


def test_problems_are_capped_but_counted() -> None:
    export = parsed(content(*(video(str(n), "Nov 2", "x", 1, 1) for n in range(25))))
    assert len(export.problems) == MAX_PROBLEMS
    assert [p.row for p in export.problems] == list(range(2, 2 + MAX_PROBLEMS))
    assert export.problem_count == 25


def test_header_text_is_kept_as_the_file_writes_it() -> None:
    rows = [
        ["video link", "POST TIME", "Total Likes", "total comments", "Total shares"],
        [LINK, "Nov 2", "-1", "1", "1"],
    ]
    assert parsed(Sheet("Content.xlsx", rows)).problems == (
        RowProblem(2, "Total Likes", "min", {"minimum": 0}, file="Content.xlsx"),
    )


@pytest.mark.parametrize(
    ("link", "handle", "video_id"),
    [
        ("https://www.tiktok.com/@lisa.maakt/video/7301234567890123456", "lisa.maakt", "7301234567890123456"),
        (
            "http://tiktok.com/@Lisa.Maakt/video/7301234567890123456?is_from_webapp=1",
            "lisa.maakt",
            "7301234567890123456",
        ),
        ("https://m.tiktok.com/@lisa_maakt/video/7301234567890123456/", "lisa_maakt", "7301234567890123456"),
        ("https://vm.tiktok.com/@lisa.maakt/video/1", "lisa.maakt", "1"),
    ],
)
def test_video_links(link: str, handle: str, video_id: str) -> None:
    export = parsed(content(["", "", link, "Nov 2", 1, 1, 1, 1]), upload="Content.csv")
    assert (export.handle, [p.video_id for p in export.posts]) == (handle, [video_id])


@pytest.mark.parametrize(
    "link",
    [
        "https://www.tiktok.com/@lisa.maakt",
        "https://www.tiktok.com/@lisa.maakt/photo/7301234567890123456",
        "https://www.tiktok.com/video/7301234567890123456",
        "https://www.tiktok.com.evil.example/@lisa.maakt/video/1",
        "ftp://www.tiktok.com/@lisa.maakt/video/1",
        "www.tiktok.com/@lisa.maakt/video/1",
        "7301234567890123456",
    ],
)
def test_links_that_are_not_tiktok_videos(link: str) -> None:
    assert parsed(content(["", "", link, "Nov 2", 1, 1, 1, 1])).problems == (
        RowProblem(2, "Video link", "link", {}, file="Content.csv"),
    )


# --- FollowerHistory.csv and FollowerActivity.csv ----------------------------------------------------


def test_follower_history_ignores_the_difference_and_keeps_the_last_row_of_a_day() -> None:
    data = follower_history_csv(
        [
            ["November 1", 1500, "0"],
            ["November 2", 1497, -3],
            ["November 3", "undefined", "undefined"],
            ["November 4", "1.512", "nonsense"],
            ["November 2", 1499, ""],
            ["October 31", "1,490", "-99999999"],
        ]
    )
    export = parsed(read_upload("FollowerHistory.csv", data)[0])
    assert export.followers == (
        DayFollowers(date(2026, 10, 31), 1490),
        DayFollowers(date(2026, 11, 1), 1500),
        DayFollowers(date(2026, 11, 2), 1499),
        DayFollowers(date(2026, 11, 4), 1512),
    )
    assert export.handle == "lisa.maakt"  # from the upload's name: FollowerHistory has no links


def test_follower_history_problems() -> None:
    data = follower_history_csv(
        [
            ["November 1", 0, 0],
            ["November 2", -4, 0],
            ["", 10, 0],
            ["November 22", 10, 0],  # last year's
            ["2026-11-21", 10, 0],  # within the day of slack
            ["2026-11-22", 10, 0],
            ["2016-08-31", 10, 0],
        ]
    )
    assert parsed(read_upload("FollowerHistory.csv", data)[0]).problems == (
        RowProblem(2, "Followers", "min", {"minimum": 1}, file="FollowerHistory.csv"),
        RowProblem(3, "Followers", "min", {"minimum": 1}, file="FollowerHistory.csv"),
        RowProblem(4, "Date", "required", {}, file="FollowerHistory.csv"),
        RowProblem(7, "Date", "future", {}, file="FollowerHistory.csv"),
        RowProblem(8, "Date", "too_early", {"earliest": "2016-09-01"}, file="FollowerHistory.csv"),
    )


def test_follower_activity_by_utc_hour() -> None:
    data = follower_activity_csv(
        [
            ["November 18", "0", 12],
            ["November 18", "2 PM", 80],
            ["November 18", "15:00", "undefined"],
            ["November 17", 23, 40],
            ["November 18", "0", 14],
        ]
    )
    assert parsed(read_upload("FollowerActivity.csv", data)[0]).activity == (
        ActivityHour(datetime(2026, 11, 17, 23, tzinfo=UTC), 40),
        ActivityHour(datetime(2026, 11, 18, 0, tzinfo=UTC), 14),
        ActivityHour(datetime(2026, 11, 18, 14, tzinfo=UTC), 80),
    )


def test_follower_activity_problems() -> None:
    data = follower_activity_csv([["November 18", "24", 1], ["November 18", "", -2], ["Nov 40", "1", 1]])
    assert parsed(read_upload("FollowerActivity.csv", data)[0]).problems == (
        RowProblem(2, "Hour", "hour", {}, file="FollowerActivity.csv"),
        RowProblem(3, "Hour", "required", {}, file="FollowerActivity.csv"),
        RowProblem(3, "Active followers", "min", {"minimum": 0}, file="FollowerActivity.csv"),
        RowProblem(4, "Date", "date", {}, file="FollowerActivity.csv"),
    )


# --- whole uploads -----------------------------------------------------------------------------------


def test_zip_of_four_files() -> None:
    export = parse_export(read_upload(download_name(NOW), sample_export(NOW)), NOW, download_name(NOW))
    assert export.ok
    assert export.files == ("Content.csv", "FollowerHistory.csv", "FollowerActivity.csv", "Overview.csv")
    assert export.handle == SAMPLE_HANDLE == "lisa.maakt"
    assert export.posts == tuple(
        ExportPost(
            v.video_id,
            datetime.combine(NOW.date() - timedelta(days=v.days_ago), time(12), UTC),
            v.likes,
            v.comments,
            v.shares,
            v.views,
            v.title,
        )
        for v in sorted(SAMPLE_VIDEOS, key=lambda v: -v.days_ago)
    )
    assert [(p.likes, p.comments, p.shares) for p in export.posts] == [
        (412, 37, 18),
        (1288, 96, 64),
        (233, 21, 5),
        (857, 45, 31),
    ]
    assert export.incomplete == 1
    assert export.followers == tuple(DayFollowers(d, n) for d, n in sample_followers(NOW).items())
    assert len(export.followers) == 29
    assert export.followers[0] == DayFollowers(date(2026, 10, 21), 1500)
    assert export.activity == tuple(ActivityHour(h, n) for h, n in sample_activity(NOW).items())
    assert len(export.activity) == 24 * SAMPLE_ACTIVITY_DAYS
    peak = max(export.activity, key=lambda a: a.active)
    assert (peak.hour_at.hour, peak.hour_at.weekday(), peak.active) == (
        SAMPLE_PEAK_UTC_HOUR,
        SAMPLE_PEAK_WEEKDAY,
        SAMPLE_PEAK_ACTIVE,
    )
    assert sum(a.active == SAMPLE_PEAK_ACTIVE for a in export.activity) == 1


@pytest.mark.parametrize(
    "now", [NOW, datetime(2027, 1, 3, 23, 30, tzinfo=UTC), datetime(2028, 3, 2, tzinfo=UTC)]
)
def test_the_dutch_sample_reads_the_same_as_the_english_one(now: datetime) -> None:
    english = parse_export(read_upload("a.zip", sample_export(now, "en")), now, "a.zip")
    dutch = parse_export(read_upload("a.zip", sample_export(now, "nl")), now, "a.zip")
    assert english.ok and dutch == english
    assert len(english.posts) == 4 and english.posts[0].posted_at.date() == now.date() - timedelta(days=26)


def test_the_samples_write_dates_in_their_language() -> None:
    english, dutch = (read_upload("a.zip", sample_export(NOW, language)) for language in ("en", "nl"))
    assert [english[0].rows[1][3], english[1].rows[1][0], english[2].rows[1][:2]] == [
        "Nov 15",
        "October 21",
        ["November 13", "0"],
    ]
    assert [dutch[0].rows[1][3], dutch[1].rows[1][0], dutch[2].rows[1][:2]] == [
        "15 nov.",
        "21 oktober",
        ["13 november", "0"],
    ]
    assert english[1].rows[17] == ["November 6", "1707", "-3"]  # TikTok's Difference, negative once


def test_xlsx_content_alone_and_inside_a_zip() -> None:
    rows: list[list[Cell]] = [
        ["November 20", "Mok", LINK, "Nov 2", 1200, 40, 25, 12345],
        [
            "November 20",
            "Kom",
            video_link("7301234567890123499"),
            datetime(2026, 11, 3, 18, 30),
            10.0,
            2,
            1,
            None,
        ],
    ]
    workbook = xlsx(CONTENT_HEADER, rows)
    expected = (
        ExportPost("7301234567890123456", noon(2026, 11, 2), 1200, 40, 25, 12345, "Mok"),
        ExportPost("7301234567890123499", datetime(2026, 11, 3, 18, 30, tzinfo=UTC), 10, 2, 1, None, "Kom"),
    )
    alone = parse_export(read_upload("Content.xlsx", workbook), NOW, "Content.xlsx")
    assert (alone.posts, alone.files) == (expected, ("Content.xlsx",))
    history = follower_history_csv([["November 2", 900, 3]])
    inside = read_upload(UPLOAD, zipped({"Content.xlsx": workbook, "FollowerHistory.csv": history}))
    export = parse_export(inside, NOW, UPLOAD)
    assert (export.posts, export.followers) == (expected, (DayFollowers(date(2026, 11, 2), 900),))


def test_links_of_two_accounts_are_refused() -> None:
    sheet = content(
        ["", "", video_link("1", "lisa.maakt"), "Nov 2", 1, 1, 1, 1],
        ["", "", video_link("2", "Zoe.Bakt"), "Nov 2", 1, 1, 1, 1],
        ["", "", video_link("3", "LISA.MAAKT"), "Nov 2", 1, 1, 1, 1],
    )
    assert refused(sheet) == ("tiktok_mixed_accounts", {"handles": "@lisa.maakt, @zoe.bakt"})


@pytest.mark.parametrize(
    ("upload", "handle"),
    [
        ("Overview_2026-11-20_1732000000_lisa.maakt.zip", "lisa.maakt"),
        ("FollowerHistory_2026-11-20_1732000000_Lisa_Maakt.ZIP", "lisa_maakt"),
        ("Overview_2026-11-20_1732000000_lisa.maakt (1).zip", "lisa.maakt"),
        ("Overview_2026-11-20_lisa.maakt.zip", None),
        ("Overview_2026-11-20_1732000000_lisa.maakt.csv", None),
        ("export.zip", None),
        ("FollowerHistory.csv", None),
    ],
)
def test_handle_from_the_upload_name(upload: str, handle: str | None) -> None:
    assert handle_from_name(upload) == handle
    history = read_upload("FollowerHistory.csv", follower_history_csv([["November 2", 900, 3]]))
    assert parse_export(history, NOW, upload).handle == handle


def test_a_link_outweighs_the_upload_name() -> None:
    sheet = content(["", "", video_link("1", "zoe.bakt"), "Nov 2", 1, 1, 1, 1])
    assert parsed(sheet, upload="Overview_2026-11-20_1732000000_lisa.maakt.zip").handle == "zoe.bakt"


def test_files_told_in_upload_order_with_the_unused_kinds() -> None:
    sheets = [
        Sheet("Viewers.csv", [list(VIEWERS_HEADER), ["November 1", "undefined", "3", "4"]]),
        Sheet("FollowerGender.csv", [list(FOLLOWER_GENDER_HEADER), ["Female", "0.59"]]),
        Sheet("Overview.csv", [list(OVERVIEW_HEADER), ["not even a date", "x", "", "", "", ""]]),
        Sheet("FollowerTopTerritories.csv", [list(FOLLOWER_TERRITORIES_HEADER), ["NL", "0.9"]]),
        Sheet("FollowerHistory.csv", [list(FOLLOWER_HISTORY_HEADER)]),
    ]
    export = parsed(*sheets)
    assert export == TikTokExport(handle="lisa.maakt", files=tuple(s.name for s in sheets))


def test_files_that_cannot_be_taken() -> None:
    history = Sheet("FollowerHistory.csv", [list(FOLLOWER_HISTORY_HEADER), ["November 2", "1", "0"]])
    assert refused(history, Sheet("notes.csv", [["Date", "Followers"]])) == (
        "tiktok_unknown_file",
        {"file": "notes.csv"},
    )
    assert refused(Sheet("empty.csv", [])) == ("tiktok_unknown_file", {"file": "empty.csv"})
    assert refused(history, Sheet("FollowerHistory (1).csv", history.rows)) == (
        "tiktok_duplicate_file",
        {"file": "FollowerHistory (1).csv"},
    )
    rows = [list(FOLLOWER_HISTORY_HEADER)] + [["November 2", "1", "0"], []] * (MAX_ROWS + 1)
    assert refused(Sheet("FollowerHistory.csv", rows)) == (
        "too_many_rows",
        {"maximum": MAX_ROWS, "rows": MAX_ROWS + 1, "file": "FollowerHistory.csv"},
    )
    assert parsed(Sheet("FollowerHistory.csv", rows[: 1 + 2 * MAX_ROWS])).ok


# --- planning posts ----------------------------------------------------------------------------------


def _export(posts: Sequence[tuple[str, datetime]], days: dict[date, int]) -> TikTokExport:
    return TikTokExport(
        posts=tuple(ExportPost(vid, at, 10, 2, 1, 300, None) for vid, at in posts),
        followers=tuple(DayFollowers(d, n) for d, n in sorted(days.items())),
    )


def test_plan_posts_uses_the_count_of_the_posts_own_day() -> None:
    export = _export(
        [("1", datetime(2026, 11, 2, 23, 59, tzinfo=UTC))], {date(2026, 11, 2): 900, date(2026, 11, 3): 950}
    )
    known = [(datetime(2026, 11, 2, 23, 0, tzinfo=UTC), 1)]
    assert plan_posts(export, known) == PlannedPosts(
        (("1", PostNumbers(datetime(2026, 11, 2, 23, 59, tzinfo=UTC), 10, 2, 1, 0, 300, 900, None)),), 0
    )


def test_plan_posts_takes_the_nearest_count_otherwise() -> None:
    export = _export(
        [
            ("a", datetime(2026, 11, 5, 20, tzinfo=UTC)),  # nearest: the export's Nov 6 (16 h)
            ("b", datetime(2026, 11, 9, 9, tzinfo=UTC)),  # nearest: a stored count on its own day
            ("c", datetime(2026, 11, 20, 12, tzinfo=UTC)),  # nearest: a stored count two days later
            ("d", datetime(2026, 10, 1, 12, tzinfo=UTC)),  # before everything: the earliest count
        ],
        {date(2026, 11, 1): 900, date(2026, 11, 6): 950},
    )
    known = [
        (datetime(2026, 11, 22, 12, tzinfo=UTC), 1200),
        (datetime(2026, 11, 9, 8, tzinfo=UTC), 1000),
        (datetime(2026, 11, 4, 8, tzinfo=UTC), 920),
    ]
    plan = plan_posts(export, known)
    assert [(vid, numbers.followers) for vid, numbers in plan.posts] == [
        ("a", 950),
        ("b", 1000),
        ("c", 1200),
        ("d", 900),
    ]
    assert plan.from_other_day == 3


def test_plan_posts_on_a_tie_takes_the_earlier_count() -> None:
    export = _export(
        [("1", datetime(2026, 11, 3, 12, tzinfo=UTC))], {date(2026, 11, 2): 900, date(2026, 11, 4): 950}
    )
    assert plan_posts(export, []).posts[0][1].followers == 900
    known = [(datetime(2026, 11, 3, 6, tzinfo=UTC), 920), (datetime(2026, 11, 3, 18, tzinfo=UTC), 940)]
    plan = plan_posts(export, known)
    assert (plan.posts[0][1].followers, plan.from_other_day) == (920, 0)


def test_plan_posts_prefers_the_export_at_the_same_moment() -> None:
    export = _export([("1", datetime(2026, 11, 3, 12, tzinfo=UTC))], {date(2026, 11, 2): 900})
    known = [(datetime(2026, 11, 2, 12, tzinfo=UTC), 880)]
    assert plan_posts(export, known).posts[0][1].followers == 900


def test_plan_posts_reads_known_counts_in_any_zone() -> None:
    from datetime import timezone

    export = _export([("1", datetime(2026, 11, 3, 12, tzinfo=UTC))], {})
    amsterdam = timezone(timedelta(hours=1))
    known = [
        (datetime(2026, 11, 3, 0, 30, tzinfo=amsterdam), 800),
        (datetime(2026, 11, 4, 0, 30, tzinfo=amsterdam), 810),
    ]
    # 2026-11-02 23:30 UTC is 12.5 h before the post, 2026-11-03 23:30 UTC 11.5 h after it.
    assert (plan_posts(export, known).posts[0][1].followers, plan_posts(export, known).from_other_day) == (
        810,
        0,
    )


def test_plan_posts_without_any_count() -> None:
    export = _export([("1", datetime(2026, 11, 3, 12, tzinfo=UTC))], {})
    with pytest.raises(FileRejected) as caught:
        plan_posts(export, [])
    assert (caught.value.reason, caught.value.values) == ("tiktok_no_followers", {})
    assert plan_posts(_export([], {}), []) == PlannedPosts((), 0)


def test_day_counts_are_kept_at_noon_utc_like_a_date_only_row() -> None:
    export = TikTokExport(
        followers=(DayFollowers(date(2026, 11, 20), 1_500), DayFollowers(date(2026, 11, 21), 1_510))
    )
    assert day_counts(export) == [
        FollowerCount(datetime(2026, 11, 20, 12, tzinfo=UTC), 1_500),
        FollowerCount(datetime(2026, 11, 21, 12, tzinfo=UTC), 1_510),
    ]


def test_titles_lose_bidi_controls_and_nul_bytes() -> None:
    assert clean_title("\u202eKlei\x00 en\u2066 glazuur\u2069\u200e\u061c\u200f\x7f") == "Klei en glazuur"
    assert clean_title("\u202a\u202b\u202c\u202d\x00") is None


def test_a_stored_export_title_is_clean() -> None:
    row = video("1", "Nov 2", 1, 1, 1)
    row[1] = "Mijn\u202e video\x00"
    assert [post.title for post in parsed(content(row)).posts] == ["Mijn video"]


@pytest.mark.parametrize("offset", ["+24:00", "-24:00", "+05:99", "+9900"])
def test_export_offsets_that_are_refused_name_the_offset(offset: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_export_date(f"2025-08-09T18:30:00{offset}", TODAY)
    assert (caught.value.rule, caught.value.values) == ("offset", {"value": offset})


def test_a_bad_offset_is_a_problem_of_its_row() -> None:
    export = parsed(
        content(
            video("1", "2026-11-02T18:30:00+23:59", 1, 1, 1),
            video("2", "2026-11-02T18:30:00+24:00", 1, 1, 1),
            video("3", "Nov 2 18:30 -05:99", 1, 1, 1),
        )
    )
    assert export.problems == (
        RowProblem(3, "Post time", "offset", {"value": "+24:00"}, file="Content.csv"),
        RowProblem(4, "Post time", "offset", {"value": "-05:99"}, file="Content.csv"),
    )
