"""The files of a member's export: history split where /log import would refuse it, zipped where Discord would;
when a delete confirmation expires and when a server's data goes."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.csv_import import MAX_BYTES, MAX_ROWS, parse_csv
from bot.domain.history import FollowerSnapshot, LoggedPost, moment_text
from bot.domain.privacy import (
    CONFIRM_WINDOW,
    CSV_HEADER,
    MAX_FILES,
    MAX_UPLOAD,
    RETENTION,
    MemberExport,
    ServerExport,
    confirmation_expired,
    confirmation_expires,
    export_files,
    export_json,
    history_csv,
    purge_due,
)

GUILD = 900_000_000_000_000_001
MEMBER = 800_000_000_000_000_001
START = datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
HEADER = b"date,likes,comments,shares,saves,views,followers,title\r\n"


def post(n: int, title: str | None = None, views: int | None = 1000, guild_id: int = GUILD) -> LoggedPost:
    at = START + timedelta(minutes=n, microseconds=n)
    return LoggedPost(n + 1, guild_id, MEMBER, at, at, 10 + n, 2, 1, 0, views, 5000 + n, title)


def server(
    posts: Sequence[LoggedPost], snapshots: Sequence[FollowerSnapshot] = (), guild_id: int = GUILD
) -> ServerExport:
    return ServerExport(guild_id, tuple(posts), tuple(snapshots), {"goals": []})


def data_rows(file: bytes) -> list[bytes]:
    lines = file.split(b"\r\n")
    assert lines[0] + b"\r\n" == HEADER
    assert lines[-1] == b""
    return lines[1:-1]


def test_moment_text_is_utc_to_the_microsecond() -> None:
    moment = datetime(2026, 7, 1, 2, 30, 0, 7, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert moment_text(moment) == "2026-07-01T00:30:00.000007Z"
    assert moment_text(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000000Z"


def test_one_small_history_is_one_file_that_reads_back() -> None:
    snapshot = FollowerSnapshot(1, GUILD, MEMBER, START + timedelta(days=1), 5100)
    files = history_csv(server([post(0, 'a, "b" é'), post(1, views=None)], [snapshot]))
    assert files == [
        HEADER
        + b'2024-01-01T00:00:00.000001Z,10,2,1,0,1000,5000,"a, ""b"" \xc3\xa9"\r\n'
        + b"2024-01-01T00:01:00.000002Z,11,2,1,0,,5001,\r\n"
        + b"2024-01-02T00:00:00.000001Z,,,,,,5100,\r\n"
    ]
    result = parse_csv(files[0], NOW)
    assert [(p.posted_at, p.likes, p.views, p.title) for p in result.posts] == [
        (START, 10, 1000, 'a, "b" é'),
        (START + timedelta(minutes=1, microseconds=1), 11, None, None),
    ]
    assert [(f.taken_at, f.followers) for f in result.followers] == [(START + timedelta(days=1), 5100)]
    assert CSV_HEADER == ("date", "likes", "comments", "shares", "saves", "views", "followers", "title")


def test_nothing_to_write_is_no_file() -> None:
    assert history_csv(server([])) == []


def test_exactly_max_rows_is_one_file() -> None:
    [only] = history_csv(server([post(n) for n in range(MAX_ROWS)]))
    assert len(data_rows(only)) == MAX_ROWS
    assert len(parse_csv(only, NOW).posts) == MAX_ROWS


def test_more_rows_than_an_import_takes_are_split() -> None:
    posts = [post(n) for n in range(MAX_ROWS + 1)]
    snapshots = [FollowerSnapshot(n, GUILD, MEMBER, START + timedelta(hours=n), 6000 + n) for n in range(3)]
    files = history_csv(server(posts, snapshots))
    assert len(files) == 2
    first, second = data_rows(files[0]), data_rows(files[1])
    assert (len(first), len(second)) == (MAX_ROWS, 4)
    read = [parse_csv(f, NOW) for f in files]
    assert all(r.ok for r in read)
    # Every row once, in the same order.
    assert [p.posted_at for r in read for p in r.posts] == [p.posted_at for p in posts]
    assert [p.likes for r in read for p in r.posts] == [p.likes for p in posts]
    assert [f.followers for r in read for f in r.followers] == [6000, 6001, 6002]


def test_more_bytes_than_an_import_takes_are_split() -> None:
    # 200 characters of two bytes each: about 470 bytes a row, so the size limit comes far before the row limit.
    posts = [post(n, title=("é" * 195) + f"{n:05d}") for n in range(2_600)]
    files = history_csv(server(posts))
    assert len(files) == 2
    assert all(len(f) <= MAX_BYTES for f in files)
    assert all(f.startswith(HEADER) for f in files)
    first, second = data_rows(files[0]), data_rows(files[1])
    assert len(first) + len(second) == 2_600
    assert len(first) < MAX_ROWS
    # The first file is as full as it can be: the next row would have made it too big.
    assert len(files[0]) + len(second[0]) + 2 > MAX_BYTES
    read = [parse_csv(f, NOW) for f in files]
    assert [p.title for r in read for p in r.posts] == [p.title for p in posts]


def same_width(n: int, title: str) -> LoggedPost:
    """A post whose row is as wide as every other's with a title of the same size in bytes."""
    at = START + timedelta(seconds=n)
    return LoggedPost(n + 1, GUILD, MEMBER, at, at, 100, 20, 10, 5, 1000, 5000, title)


def title_of(size: int) -> str:
    """A title of exactly `size` UTF-8 bytes in at most 200 characters (three-byte euro signs, then the rest)."""
    title = "€" * (size // 3) + ("", "y", "é")[size % 3]
    assert len(title.encode("utf-8")) == size and len(title) <= 200
    return title


def test_a_file_of_exactly_max_bytes_stays_whole() -> None:
    base = title_of(180)
    [one] = history_csv(server([same_width(0, base)]))
    width = len(one) - len(HEADER)
    rows = (MAX_BYTES - len(HEADER)) // width
    assert rows <= MAX_ROWS  # the size is what limits this file
    # The last row's title fills the file to the byte.
    rest = MAX_BYTES - len(HEADER) - (rows - 1) * width
    last = title_of(180 + rest - width)
    posts = [same_width(n, base) for n in range(rows - 1)] + [same_width(rows - 1, last)]
    files = history_csv(server(posts))
    assert [len(f) for f in files] == [MAX_BYTES]
    assert len(data_rows(files[0])) == rows
    assert len(parse_csv(files[0], NOW).posts) == rows
    # One byte more and the last row goes to a second file.
    posts[-1] = same_width(rows - 1, last + "y")
    files = history_csv(server(posts))
    assert [len(data_rows(f)) for f in files] == [rows - 1, 1]
    assert len(files[0]) == len(HEADER) + (rows - 1) * width
    assert [len(parse_csv(f, NOW).posts) for f in files] == [rows - 1, 1]


def export_of(servers: int, posts_each: int = 1) -> MemberExport:
    return MemberExport(
        MEMBER,
        tuple(
            server([post(n, guild_id=GUILD + g) for n in range(posts_each)], guild_id=GUILD + g)
            for g in range(servers)
        ),
    )


def test_up_to_max_files_go_as_they_are() -> None:
    export = export_of(MAX_FILES - 1)
    files = export_files(export, "all", NOW)
    assert len(files) == MAX_FILES
    assert [f.name for f in files] == ["pulse-export-20260320.json"] + [
        f"pulse-history-{GUILD + g}.csv" for g in range(MAX_FILES - 1)
    ]
    assert files[0].data == export_json(export, "all", NOW)
    assert [f.data for f in files[1:]] == [history_csv(s)[0] for s in export.servers]


def test_more_than_max_files_go_as_one_zip_of_the_same_files() -> None:
    export = export_of(MAX_FILES)
    [archive] = export_files(export, "all", NOW)
    assert archive.name == "pulse-export-20260320.zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        inside = {name: zipped.read(name) for name in zipped.namelist()}
        assert zipped.testzip() is None
    expected = {"pulse-export-20260320.json": export_json(export, "all", NOW)}
    expected |= {f"pulse-history-{s.guild_id}.csv": history_csv(s)[0] for s in export.servers}
    assert inside == expected
    assert len(inside) == MAX_FILES + 1
    assert [s["server_id"] for s in json.loads(inside["pulse-export-20260320.json"])["servers"]] == [
        str(GUILD + g) for g in range(MAX_FILES)
    ]


def test_split_history_files_are_numbered() -> None:
    export = MemberExport(MEMBER, (server([post(n) for n in range(MAX_ROWS + 1)]),))
    files = export_files(export, "server", NOW)
    assert [f.name for f in files] == [
        "pulse-export-20260320.json",
        f"pulse-history-{GUILD}-1.csv",
        f"pulse-history-{GUILD}-2.csv",
    ]


def test_more_than_max_upload_bytes_goes_as_one_zip() -> None:
    posts = [post(n, title="t" * 200) for n in range(20_000)]
    export = MemberExport(MEMBER, (server(posts),))
    parts = history_csv(export.servers[0])
    unzipped = [export_json(export, "server", NOW), *parts]
    assert len(unzipped) <= MAX_FILES
    assert sum(len(d) for d in unzipped) > MAX_UPLOAD
    [archive] = export_files(export, "server", NOW)
    assert archive.name == "pulse-export-20260320.zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        names = zipped.namelist()
        assert names == ["pulse-export-20260320.json"] + [
            f"pulse-history-{GUILD}-{n}.csv" for n in range(1, len(parts) + 1)
        ]
        assert [zipped.read(n) for n in names] == unzipped


def test_confirmation_expires_after_the_window() -> None:
    asked = datetime(2026, 3, 20, 12, 0, 0, tzinfo=UTC)
    expires = confirmation_expires(asked)
    assert timedelta(minutes=5) == CONFIRM_WINDOW
    assert expires == int(datetime(2026, 3, 20, 12, 5, tzinfo=UTC).timestamp())
    assert confirmation_expired(expires, asked) is False
    assert confirmation_expired(expires, asked + CONFIRM_WINDOW) is False
    assert confirmation_expired(expires, asked + CONFIRM_WINDOW + timedelta(microseconds=1)) is True
    assert confirmation_expired(expires, asked + timedelta(hours=1)) is True


def test_confirmation_expiry_is_whole_seconds() -> None:
    # Asked at .999 s: the button stops working at the whole second before the five minutes are quite up.
    asked = datetime(2026, 3, 20, 12, 0, 0, 999_000, tzinfo=UTC)
    expires = confirmation_expires(asked)
    assert expires == int(datetime(2026, 3, 20, 12, 5, tzinfo=UTC).timestamp())
    assert confirmation_expired(expires, datetime(2026, 3, 20, 12, 5, tzinfo=UTC)) is False
    assert confirmation_expired(expires, datetime(2026, 3, 20, 12, 5, 0, 1, tzinfo=UTC)) is True


def test_purge_is_due_exactly_thirty_days_later() -> None:
    removed = datetime(2026, 3, 28, 23, 30, 0, 5, tzinfo=UTC)
    assert timedelta(days=30) == RETENTION
    assert purge_due(removed) == datetime(2026, 4, 27, 23, 30, 0, 5, tzinfo=UTC)
    assert purge_due(removed) - removed == timedelta(days=30)
