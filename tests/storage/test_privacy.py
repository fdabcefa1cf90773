"""What Pulse keeps about a member or a server, on a real SQLite file filled through the real repositories:
counted, exported, deleted (the member's rows gone, the records others rely on kept without their id), and the
export read back by /log import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from bot.domain.checkins import CheckinThread
from bot.domain.csv_import import parse_csv
from bot.domain.history import FollowerCount, Goal, PostNumbers
from bot.domain.leaderboard import Board, Standing, rank
from bot.domain.privacy import DataCounts, export_files, export_json, history_csv
from bot.domain.weeks import IsoWeek
from bot.servers import Servers
from bot.storage.checkins import CheckinRepository
from bot.storage.database import Database, to_text
from bot.storage.history import HistoryRepository, ImportOutcome
from bot.storage.jobs import JobStore, PlannedJob
from bot.storage.leaderboard import LeaderboardRepository
from bot.storage.privacy import MEMBER_MENTIONS, MEMBER_ROWS, SERVER_TABLES, PrivacyRepository
from bot.storage.sqlite import SQLiteDatabase
from tests.clock import SetClock

# Snowflake-sized ids whose digits occur in no other value of the fixture (times, counts, other ids).
M = 987_654_321_987_654_321
OTHER = 123_456_789_123_456_789
G1 = 555_000_000_000_000_001
G2 = 555_000_000_000_000_002
CHANNEL_1, CHANNEL_2 = 777_000_000_000_000_001, 777_000_000_000_000_002
THREAD_M1, THREAD_M2, THREAD_O = 666_000_000_000_000_001, 666_000_000_000_000_002, 666_000_000_000_000_003
MESSAGE_M, MESSAGE_O, BOARD_MESSAGE = (
    444_000_000_000_000_001,
    444_000_000_000_000_002,
    444_000_000_000_000_003,
)
W9, W10 = IsoWeek(2026, 9), IsoWeek(2026, 10)
T0 = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 15, 30, 0, 654321, tzinfo=UTC)

TITLE_QUOTED = 'Dag 1, "eerste" video — café ☕ ü'
NOTE_ABOUT_M = "M twijfelt over hooks — vertrouwelijk #1"
NOTE_ABOUT_M_2 = "Tweede notitie over M, vertrouwelijk #2"
NOTE_BY_M = "Notitie van M over O: meer consistentie"
NOTE_ABOUT_M_G2 = "Notitie over M in de tweede server"


def exact(text: str) -> Fraction:
    return Fraction(Decimal(text))


def board(week: IsoWeek, metric: str, *values: tuple[int, str]) -> Board:
    return rank(
        week,
        metric,  # type: ignore[arg-type]
        [Standing(user, exact(v), 1, T0 - timedelta(days=5)) for user, v in values],
    )


# --- reading the whole database ------------------------------------------------------------------------


async def tables(db: Database) -> list[str]:
    return await db.tables()


async def columns(db: Database, table: str) -> list[str]:
    return [name for name, _ in await db.columns(table)]


async def everything(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, each table's rows in a stable order."""
    found = {}
    for table in await tables(db):
        rows = [dict(row) for row in await db.fetch_all(f"SELECT * FROM {table}")]
        found[table] = sorted(rows, key=repr)
    return found


def mentions(dump: dict[str, list[dict[str, Any]]], user_id: int, guild_id: int | None = None) -> list[Any]:
    """Every cell that is the id or contains its digits (in `guild_id`'s rows, or anywhere)."""
    hits = []
    for table, rows in dump.items():
        for row in rows:
            if guild_id is not None and row.get("guild_id") != guild_id:
                continue
            for column, value in row.items():
                if value == user_id or str(user_id) in str(value):
                    hits.append((table, column, row))
    return hits


# --- the fixture ------------------------------------------------------------------------------------------


@dataclass
class Filled:
    db: Database
    repo: PrivacyRepository
    history: HistoryRepository
    checkins: CheckinRepository
    boards: LeaderboardRepository


@pytest.fixture
async def filled(db: Database) -> Filled:
    """M with everything in G1 and some in G2; OTHER, a coach, in G1 (and a note about M in G2)."""
    history, checkins, boards = HistoryRepository(db), CheckinRepository(db), LeaderboardRepository(db)
    servers = Servers(db, SetClock(T0))
    await servers.load()

    # M in G1: live posts (one without views), an import (with a title that needs quoting), follower counts.
    await history.add_post(
        G1, M, PostNumbers(T0 - timedelta(days=3), 120, 14, 3, 2, 4567, 1500), T0 - timedelta(days=3)
    )
    await history.add_post(
        G1,
        M,
        PostNumbers(T0 - timedelta(days=2, microseconds=-789), 0, 0, 0, 0, None, 1510),
        T0 - timedelta(days=2),
    )
    await history.import_rows(
        G1,
        M,
        [
            PostNumbers(
                T0 - timedelta(days=10, microseconds=-1), 300, 40, 25, 15, 12_345, 1400, TITLE_QUOTED
            ),
            PostNumbers(T0 - timedelta(days=9), 250, 30, 5, 0, None, 1420, "plain title"),
        ],
        [FollowerCount(T0 - timedelta(days=8), 1450)],
        T0 - timedelta(days=1),
    )
    await history.add_followers(G1, M, 1520, T0 - timedelta(days=1, microseconds=-5), T0)
    await history.set_goal(Goal(G1, M, "followers", Fraction(2000), date(2026, 6, 1), T0, Fraction(1520)))
    await history.set_goal(Goal(G1, M, "engagement_rate", Fraction(8), date(2026, 5, 1), T0, Fraction(13, 2)))
    await boards.set_visibility(G1, M, "anonymous", T0)
    await checkins.note_coach(G1, M, T0)
    await checkins.set_thread(G1, M, CheckinThread(THREAD_M1, True), T0)
    await checkins.record_checkin(G1, M, W9, T0 - timedelta(days=7))
    await checkins.record_checkin(G1, M, W10, T0)
    await checkins.set_focus(G1, M, W10, "drie posts deze week", T0 + timedelta(minutes=1))
    await checkins.mark_reminder(G1, M, W10, "sent", T0, MESSAGE_M)
    await checkins.add_note(G1, M, OTHER, NOTE_ABOUT_M, T0)
    await checkins.add_note(G1, M, OTHER, NOTE_ABOUT_M_2, T0 + timedelta(minutes=2))
    await checkins.add_note(G1, OTHER, M, NOTE_BY_M, T0 + timedelta(minutes=3))
    await checkins.record_views(G1, OTHER, [M], "progress", T0 + timedelta(minutes=4))
    await checkins.record_views(G1, M, [OTHER], "history", T0 + timedelta(minutes=5))
    await servers.update(G1, M, leaderboard_channel_id=CHANNEL_1)

    # OTHER (O) in G1, with a place above M on a posted week.
    await history.add_post(G1, OTHER, PostNumbers(T0 - timedelta(days=4), 900, 80, 10, 5, 20_000, 9000), T0)
    await history.add_followers(G1, OTHER, 9100, T0 - timedelta(days=1), T0)
    await history.set_goal(Goal(G1, OTHER, "followers", Fraction(10_000), date(2026, 7, 1), T0, None))
    await boards.set_visibility(G1, OTHER, "hide", T0)
    await checkins.note_coach(G1, OTHER, T0)
    await checkins.set_thread(G1, OTHER, CheckinThread(THREAD_O, False), T0)
    await checkins.record_checkin(G1, OTHER, W10, T0)
    await checkins.mark_reminder(G1, OTHER, W10, "sending", T0, MESSAGE_O)
    await servers.update(G1, OTHER, timezone="Europe/London")
    await boards.archive(
        G1,
        CHANNEL_1,
        BOARD_MESSAGE,
        T0,
        [board(W10, "score", (OTHER, "3"), (M, "2")), board(W10, "growth", (M, "4.5"), (OTHER, "1.5"))],
    )

    # M in G2.
    await history.add_post(G2, M, PostNumbers(T0 - timedelta(days=1), 50, 5, 1, 1, None, 700), T0)
    await history.add_followers(G2, M, 710, T0, T0)
    await history.set_goal(Goal(G2, M, "followers", Fraction(1000), date(2026, 9, 1), T0, Fraction(710)))
    await checkins.set_thread(G2, M, CheckinThread(THREAD_M2, True), T0)
    await checkins.record_checkin(G2, M, W10, T0)
    await checkins.add_note(G2, M, OTHER, NOTE_ABOUT_M_G2, T0)
    await checkins.record_views(G2, OTHER, [M], "roster", T0)
    await servers.update(G2, M, leaderboard_channel_id=CHANNEL_2)
    await boards.archive(G2, CHANNEL_2, BOARD_MESSAGE + 1, T0, [board(W10, "score", (M, "1.25"))])
    return Filled(db, PrivacyRepository(db), history, checkins, boards)


# What deleting M from a server does, written out from the promise (not from the module's tables).
DELETED_BY = {
    "logged_posts": "user_id",
    "follower_snapshots": "user_id",
    "history_batches": "user_id",
    "goals": "user_id",
    "member_privacy": "user_id",
    "coaches": "user_id",
    "checkin_threads": "user_id",
    "checkins": "user_id",
    "checkin_reminders": "user_id",
    "coach_notes": "member_id",
    "data_views": "member_id",
}
NULLED = {
    "leaderboard_archive": "user_id",
    "coach_notes": "author_id",
    "data_views": "viewer_id",
    "settings_changes": "user_id",
}


def without_member(dump: dict[str, list[dict[str, Any]]], user_id: int, guild_id: int | None) -> dict:
    expected = {}
    for table, rows in dump.items():
        kept = []
        for row in rows:
            if guild_id is not None and row.get("guild_id") != guild_id:
                kept.append(row)
                continue
            if table in DELETED_BY and row[DELETED_BY[table]] == user_id:
                continue
            if table in NULLED and row[NULLED[table]] == user_id:
                row = {**row, NULLED[table]: None}
            kept.append(row)
        expected[table] = sorted(kept, key=repr)
    return expected


# --- counting -----------------------------------------------------------------------------------------


async def test_counts_per_server_and_everywhere(filled: Filled) -> None:
    in_g1 = DataCounts(
        posts=4, follower_counts=2, goals=2, checkins=2, notes_about=2, views=1, places=2, threads=1
    )
    in_g2 = DataCounts(
        posts=1, follower_counts=1, goals=1, checkins=1, notes_about=1, views=1, places=1, threads=1
    )
    assert await filled.repo.counts(M, G1) == in_g1
    assert await filled.repo.counts(M, G2) == in_g2
    assert await filled.repo.counts(M, None) == DataCounts(
        posts=5, follower_counts=3, goals=3, checkins=3, notes_about=3, views=2, places=3, threads=2
    )
    assert await filled.repo.counts(OTHER, G2) == DataCounts()
    assert await filled.repo.guilds_of(M) == [G1, G2]
    # OTHER has no rows of their own in G2, but appears there as the author of a note and a viewer.
    assert await filled.repo.guilds_of(OTHER) == [G1, G2]
    assert await filled.repo.guilds_of(42) == []


# --- deleting a member ----------------------------------------------------------------------------------


async def test_delete_member_in_one_server_leaves_no_trace_there(filled: Filled) -> None:
    db = filled.db
    before = await everything(db)
    # The fixture puts M in every column that can name a member, in G1.
    assert {(table, column) for table, column, _ in mentions(before, M, G1)} == {
        *DELETED_BY.items(),
        *NULLED.items(),
    }
    o_posts = await filled.history.posts(G1, OTHER)
    o_snapshots = await filled.history.snapshots(G1, OTHER)
    o_notes = await filled.checkins.notes(G1, OTHER, 10)
    o_views = await filled.checkins.views(G1, OTHER)
    o_checkins = await filled.checkins.checkins(G1, OTHER)
    m_g2_counts = await filled.repo.counts(M, G2)

    deleted = await filled.repo.delete_member(M, G1)

    assert deleted == DataCounts(
        posts=4, follower_counts=2, goals=2, checkins=2, notes_about=2, views=1, places=2, threads=1
    )
    after = await everything(db)
    assert mentions(after, M, G1) == []
    assert after == without_member(before, M, G1)
    # M in G2: untouched.
    assert [row for table in after.values() for row in table if row.get("guild_id") == G2] == [
        row for table in before.values() for row in table if row.get("guild_id") == G2
    ]
    assert await filled.repo.counts(M, G2) == m_g2_counts
    assert await filled.repo.counts(M, G1) == DataCounts()
    assert await filled.repo.guilds_of(M) == [G2]
    # O's own data: exactly as it was.
    assert await filled.history.posts(G1, OTHER) == o_posts
    assert await filled.history.snapshots(G1, OTHER) == o_snapshots
    assert await filled.checkins.checkins(G1, OTHER) == o_checkins
    assert await filled.checkins.thread(G1, OTHER) == CheckinThread(THREAD_O, False)
    assert await filled.checkins.coaches(G1) == [OTHER]
    assert await filled.boards.visibility(G1) == {OTHER: "hide"}
    assert await filled.checkins.reminded(G1, W10) == {OTHER: "sending"}
    # The note M wrote about OTHER stays, without its author; the look M took at O's numbers stays, without M.
    assert [
        (n.id, n.author_id, n.text, n.created_at) for n in await filled.checkins.notes(G1, OTHER, 10)
    ] == [(o_notes[0].id, None, NOTE_BY_M, T0 + timedelta(minutes=3))]
    assert [(v.viewer_id, v.what, v.viewed_at) for v in await filled.checkins.views(G1, OTHER)] == [
        (None, "history", T0 + timedelta(minutes=5))
    ]
    assert [(v.viewer_id, v.what) for v in o_views] == [(M, "history")]
    # Notes about M and looks at M's numbers are gone.
    assert await filled.checkins.notes(G1, M, 10) == []
    assert await filled.checkins.views(G1, M) == []
    # The posted week keeps its ranks and positions; M's places have no id any more.
    archive = await db.fetch_all(
        "SELECT guild_id, metric, position, rank, user_id, anonymous, value FROM leaderboard_archive "
        "ORDER BY guild_id, metric, position"
    )
    assert [tuple(row) for row in archive] == [
        (G1, "growth", 0, 1, None, 0, "9/2"),
        (G1, "growth", 1, 2, OTHER, 0, "3/2"),
        (G1, "score", 0, 1, OTHER, 0, "3"),
        (G1, "score", 1, 2, None, 0, "2"),
        (G2, "score", 0, 1, M, 0, "5/4"),
    ]
    score = await filled.boards.archived(G1, W10, "score")
    assert score is not None
    assert [(p.rank, p.standing.user_id, p.anonymous) for p in score.places] == [
        (1, OTHER, False),
        (2, 0, True),
    ]
    # The settings M changed as an admin are still recorded, by nobody.
    changes = await db.fetch_all(
        "SELECT guild_id, user_id, setting, new_value FROM settings_changes ORDER BY id"
    )
    assert [tuple(row) for row in changes] == [
        (G1, None, "leaderboard_channel_id", str(CHANNEL_1)),
        (G1, OTHER, "timezone", "Europe/London"),
        (G2, M, "leaderboard_channel_id", str(CHANNEL_2)),
    ]


async def test_delete_member_everywhere_leaves_their_id_nowhere(filled: Filled) -> None:
    before = await everything(filled.db)
    deleted = await filled.repo.delete_member(M, None)
    assert deleted == DataCounts(
        posts=5, follower_counts=3, goals=3, checkins=3, notes_about=3, views=2, places=3, threads=2
    )
    after = await everything(filled.db)
    assert mentions(after, M) == []
    assert after == without_member(before, M, None)
    assert await filled.repo.guilds_of(M) == []
    assert await filled.repo.counts(M, None) == DataCounts()
    # Deleting again finds nothing and changes nothing.
    assert await filled.repo.delete_member(M, None) == DataCounts()
    assert await everything(filled.db) == after


async def test_every_table_and_member_column_is_covered(db: Database) -> None:
    """A table or member column added later must be added to the privacy tables too."""
    member_columns = {"user_id", "member_id", "author_id", "viewer_id"}
    listed = set(MEMBER_ROWS) | set(MEMBER_MENTIONS)
    with_guild, found = set(), set()
    for table in await tables(db):
        names = await columns(db, table)
        if "guild_id" in names:
            with_guild.add(table)
        found |= {(table, column) for column in names if column in member_columns}
    assert with_guild == set(SERVER_TABLES)
    assert found == listed
    assert len(SERVER_TABLES) == len(set(SERVER_TABLES))
    # A column is either deleted by or anonymised, never both.
    assert not set(MEMBER_ROWS) & set(MEMBER_MENTIONS)
    # Anonymising needs columns that take NULL.
    for table, column in MEMBER_MENTIONS:
        assert dict(await db.columns(table))[column] is False, (table, column)


# --- exporting ---------------------------------------------------------------------------------------------


def post_fields(posts: Any) -> list[tuple[Any, ...]]:
    return [
        (p.posted_at, p.likes, p.comments, p.shares, p.saves, p.views, p.followers, p.title)
        for p in sorted(posts, key=lambda p: p.posted_at)
    ]


def snapshot_fields(snapshots: Any) -> list[tuple[datetime, int]]:
    return sorted((s.taken_at, s.followers) for s in snapshots)


async def test_the_history_file_round_trips_through_log_import(filled: Filled) -> None:
    history = filled.history
    posts, snapshots = await history.posts(G1, M), await history.snapshots(G1, M)
    export = await filled.repo.export(M, G1)
    files = export_files(export, "server", NOW)
    assert [f.name for f in files] == ["pulse-export-20260320.json", f"pulse-history-{G1}.csv"]
    [csv_bytes] = history_csv(export.servers[0])
    assert files[1].data == csv_bytes
    assert csv_bytes.decode("utf-8").split("\r\n") == [
        "date,likes,comments,shares,saves,views,followers,title",
        f'2026-02-20T09:00:00.123457Z,300,40,25,15,12345,1400,"{TITLE_QUOTED.replace(chr(34), 2 * chr(34))}"',
        "2026-02-21T09:00:00.123456Z,250,30,5,0,,1420,plain title",
        "2026-02-27T09:00:00.123456Z,120,14,3,2,4567,1500,",
        "2026-02-28T09:00:00.124245Z,0,0,0,0,,1510,",
        "2026-02-22T09:00:00.123456Z,,,,,,1450,",
        "2026-03-01T09:00:00.123461Z,,,,,,1520,",
        "",
    ]

    await filled.repo.delete_member(M, G1)
    assert await history.posts(G1, M) == []

    result = parse_csv(csv_bytes, NOW)
    assert result.ok
    outcome = await history.import_rows(G1, M, result.posts, result.followers, NOW)
    assert outcome == ImportOutcome(4, 2, 0)
    assert post_fields(await history.posts(G1, M)) == post_fields(posts)
    assert snapshot_fields(await history.snapshots(G1, M)) == snapshot_fields(snapshots)
    restored = {p.title: p for p in await history.posts(G1, M)}
    assert restored[TITLE_QUOTED].posted_at == T0 - timedelta(days=10, microseconds=-1)
    assert restored["plain title"].views is None

    # The same file again: nothing is stored twice.
    again = await history.import_rows(G1, M, result.posts, result.followers, NOW)
    assert again == ImportOutcome(0, 0, 6)
    assert len(await history.posts(G1, M)) == 4
    assert len(await history.snapshots(G1, M)) == 2


async def test_importing_an_export_on_top_of_the_history_doubles_nothing(filled: Filled) -> None:
    export = await filled.repo.export(M, G1)
    [csv_bytes] = history_csv(export.servers[0])
    result = parse_csv(csv_bytes, NOW)
    before = await everything(filled.db)
    assert await filled.history.import_rows(G1, M, result.posts, result.followers, NOW) == ImportOutcome(
        0, 0, 6
    )
    assert await everything(filled.db) == before


async def test_export_json_of_one_server(filled: Filled) -> None:
    export = await filled.repo.export(M, G1)
    data = export_json(export, "server", NOW)
    document = json.loads(data)
    assert document["format"] == "pulse-member-export"
    assert document["version"] == 1
    assert document["exported_at"] == "2026-03-20T15:30:00.654321Z"
    assert document["member_id"] == str(M)
    assert document["scope"] == "server"
    [server] = document["servers"]
    assert server["server_id"] == str(G1)
    assert [p["title"] for p in server["posts"]] == [TITLE_QUOTED, "plain title", None, None]
    assert server["posts"][0] == {
        "posted_at": "2026-02-20T09:00:00.123457Z",
        "logged_at": "2026-03-01T09:00:00.123456Z",
        "likes": 300,
        "comments": 40,
        "shares": 25,
        "saves": 15,
        "views": 12345,
        "followers": 1400,
        "title": TITLE_QUOTED,
        "tiktok_video_id": None,
    }
    assert server["tiktok_account"] is None and server["follower_activity"] == []
    assert server["follower_counts"] == [
        {"taken_at": "2026-02-22T09:00:00.123456Z", "followers": 1450},
        {"taken_at": "2026-03-01T09:00:00.123461Z", "followers": 1520},
    ]
    assert server["goals"] == [
        {
            "metric": "engagement_rate",
            "target": "8",
            "by_date": "2026-05-01",
            "set_at": to_text(T0),
            "baseline": "13/2",
        },
        {
            "metric": "followers",
            "target": "2000",
            "by_date": "2026-06-01",
            "set_at": to_text(T0),
            "baseline": "1520",
        },
    ]
    assert server["leaderboard_visibility"] == "anonymous"
    assert server["leaderboard_places"] == [
        {"week": "2026-W10", "metric": "growth", "rank": 1, "anonymous": 0, "value": "9/2", "posts": 1},
        {"week": "2026-W10", "metric": "score", "rank": 2, "anonymous": 0, "value": "2", "posts": 1},
    ]
    assert server["checkins"] == [
        {
            "week": "2026-W09",
            "checked_in_at": to_text(T0 - timedelta(days=7)),
            "focus": None,
            "focus_set_at": None,
        },
        {
            "week": "2026-W10",
            "checked_in_at": to_text(T0),
            "focus": "drie posts deze week",
            "focus_set_at": to_text(T0 + timedelta(minutes=1)),
        },
    ]
    assert server["checkin_thread"] == {"thread_id": str(THREAD_M1), "private": 1, "created_at": to_text(T0)}
    assert server["checkin_reminders"] == [{"week": "2026-W10", "state": "sent", "at": to_text(T0)}]
    assert server["coach_notes_about_you"] == 2
    assert server["coach_notes_written"] == 1
    assert server["viewed_by"] == [
        {"viewer_id": str(OTHER), "what": "progress", "viewed_at": to_text(T0 + timedelta(minutes=4))}
    ]
    assert server["seen_as_coach_at"] == to_text(T0)
    assert [(c["setting"], c["old_value"], c["new_value"]) for c in server["settings_changed"]] == [
        ("leaderboard_channel_id", None, str(CHANNEL_1))
    ]
    # Coach notes only as a count: no note's text, whoever wrote it, is in the file.
    text = data.decode("utf-8")
    for note in (NOTE_ABOUT_M, NOTE_ABOUT_M_2, NOTE_BY_M, NOTE_ABOUT_M_G2):
        assert note not in text
        assert note.encode("utf-8") not in data
    assert "vertrouwelijk" not in text
    # Nothing of the other server, nothing of OTHER but their id as the one who looked.
    assert str(G2) not in text
    assert str(OTHER) in text


async def test_export_json_of_every_server(filled: Filled) -> None:
    export = await filled.repo.export(M, None)
    assert [s.guild_id for s in export.servers] == [G1, G2]
    document = json.loads(export_json(export, "all", NOW))
    assert document["scope"] == "all"
    assert document["member_id"] == str(M)
    assert [s["server_id"] for s in document["servers"]] == [str(G1), str(G2)]
    g2 = document["servers"][1]
    assert [(p["likes"], p["followers"], p["views"]) for p in g2["posts"]] == [(50, 700, None)]
    assert g2["coach_notes_about_you"] == 1
    assert g2["viewed_by"] == [{"viewer_id": str(OTHER), "what": "roster", "viewed_at": to_text(T0)}]
    assert g2["leaderboard_visibility"] == "show"
    assert g2["seen_as_coach_at"] is None
    assert g2["coach_notes_written"] == 0
    files = export_files(export, "all", NOW)
    assert [f.name for f in files] == [
        "pulse-export-20260320.json",
        f"pulse-history-{G1}.csv",
        f"pulse-history-{G2}.csv",
    ]
    assert NOTE_ABOUT_M_G2.encode("utf-8") not in files[0].data


async def test_a_member_mentioned_only_is_exported_with_what_mentions_them(filled: Filled) -> None:
    # OTHER has no rows of their own in G2: only a note they wrote and a look they took there.
    export = await filled.repo.export(OTHER, None)
    assert [s.guild_id for s in export.servers] == [G1, G2]
    g2 = export.servers[1]
    assert (g2.posts, g2.snapshots) == ((), ())
    assert g2.records["coach_notes_written"] == 1
    assert g2.records["coach_notes_about_you"] == 0


# --- deleting a server --------------------------------------------------------------------------------------


async def test_delete_server_deletes_every_row_but_the_kept_job(filled: Filled) -> None:
    db = filled.db
    jobs = JobStore(db)
    await jobs.plan(PlannedJob("server_purge", G1, "removed", NOW))
    await jobs.plan(PlannedJob("leaderboard", G1, "2026-W12", NOW))
    await jobs.plan(PlannedJob("leaderboard", G2, "2026-W12", NOW))
    [purge] = await jobs.open_jobs("server_purge", G1)
    assert await filled.repo.has_server_data(G1) is True
    assert await filled.repo.has_server_data(G2) is True
    assert await filled.repo.has_server_data(42) is False
    assert await filled.repo.servers_with_data() == [G1, G2]
    before = await everything(db)
    g1_rows = sum(1 for rows in before.values() for row in rows if row.get("guild_id") == G1)

    deleted = await filled.repo.delete_server(G1, keep_job=purge.id)

    assert deleted == g1_rows - 1
    after = await everything(db)
    left = [(table, row) for table, rows in after.items() for row in rows if row.get("guild_id") == G1]
    assert [(table, row["id"], row["kind"]) for table, row in left] == [
        ("scheduled_jobs", purge.id, "server_purge")
    ]
    for table in after:
        assert [r for r in after[table] if r.get("guild_id") != G1] == [
            r for r in before[table] if r.get("guild_id") != G1
        ], table
    assert await filled.repo.has_server_data(G1) is False  # the kept job alone is not data
    assert await filled.repo.servers_with_data() == [G2]
    assert await filled.repo.counts(M, G1) == DataCounts()
    assert await filled.repo.guilds_of(M) == [G2]

    # Without a job to keep, the job goes too.
    assert await filled.repo.delete_server(G1) == 1
    assert [r for rows in (await everything(db)).values() for r in rows if r.get("guild_id") == G1] == []


async def test_a_server_with_only_settings_or_only_jobs(db: Database) -> None:
    repo = PrivacyRepository(db)
    servers = Servers(db, SetClock(T0))
    await servers.update(G2, M, timezone="Europe/London")
    await JobStore(db).plan(PlannedJob("leaderboard", G1, "2026-W12", NOW))
    assert await repo.has_server_data(G1) is False
    assert await repo.has_server_data(G2) is True
    assert await repo.servers_with_data() == [G2]
    # server_settings and settings_changes: both of G2's rows.
    assert await repo.delete_server(G2) == 2
    assert await repo.servers_with_data() == []


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_deleted_words_are_gone_from_the_files_on_disk(filled: Filled) -> None:
    """Not just unlinked: the database file and its write-ahead log no longer hold what was deleted."""
    assert isinstance(filled.db, SQLiteDatabase)
    path = filled.db.path
    files = [path, path.with_name(path.name + "-wal")]
    before = b"".join(f.read_bytes() for f in files if f.exists())
    assert NOTE_ABOUT_M.encode() in before and TITLE_QUOTED.encode() in before
    await filled.repo.delete_member(M, None)
    after = b"".join(f.read_bytes() for f in files if f.exists())
    assert NOTE_ABOUT_M.encode() not in after
    assert TITLE_QUOTED.encode() not in after
    assert NOTE_BY_M.encode() in after  # a note M wrote about OTHER stays, without M's id
