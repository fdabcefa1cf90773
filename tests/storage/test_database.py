import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.metrics import DATABASE_COMMIT
from bot.storage.database import (
    Database,
    DatabaseUnavailable,
    Migration,
    SchemaTooNew,
    migrations,
    open_database,
)
from bot.storage.postgres import VERSIONS_TABLE, PostgresDatabase, numbered
from bot.storage.sqlite import SQLiteDatabase
from bot.storage.state import BotState
from tests.databases import Backend, database_url
from tests.test_metrics import histogram_count


def schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall())


async def open_db(path: Path) -> SQLiteDatabase:
    return await SQLiteDatabase.open(path)


@pytest.fixture
async def url(backend: Backend, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the test's backend (see the `backend` fixture: both run)."""
    async with database_url(backend, tmp_path) as found:
        yield found


async def shape(db: Database) -> dict[str, list[tuple[str, bool]]]:
    return {table: await db.columns(table) for table in await db.tables()}


# --- both backends -----------------------------------------------------------------------------------------


async def test_every_backend_gets_every_migration_once(url: str, backend: Backend) -> None:
    db = await open_database(url)
    try:
        assert await db.schema_version() == 0
        applied = await db.migrate()
        assert applied == [m.version for m in migrations(backend)]
        assert await db.schema_version() == migrations(backend)[-1].version
        assert await db.migrate() == []
    finally:
        await db.close()


async def test_both_backends_end_with_the_same_tables_and_columns(tmp_path: Path) -> None:
    shapes = []
    for backend in ("sqlite", "postgresql"):
        async with database_url(backend, tmp_path) as found:
            db = await open_database(found)
            try:
                await db.migrate()
                shapes.append(await shape(db))
            finally:
                await db.close()
    assert shapes[0] == shapes[1]
    assert "logged_posts" in shapes[0]
    assert [m.name for m in migrations("sqlite")] == [m.name for m in migrations("postgresql")]


async def test_upgrading_step_by_step_ends_where_a_fresh_database_does(url: str, backend: Backend) -> None:
    db = await open_database(url)
    try:
        for version in range(1, len(migrations(backend)) + 1):
            assert await db.migrate(target=version) == [version]
            assert await db.schema_version() == version
        upgraded = await shape(db)
    finally:
        await db.close()
    async with database_url(backend, Path(url.removeprefix("sqlite:///")).parent) as fresh_url:
        fresh = await open_database(fresh_url)
        try:
            await fresh.migrate()
            assert await shape(fresh) == upgraded
        finally:
            await fresh.close()


async def test_write_rolls_back_on_error_on_every_backend(url: str) -> None:
    db = await open_database(url)
    await db.migrate()
    state = BotState(db)
    try:
        await state.set("k", "one")
        with pytest.raises(RuntimeError):
            async with db.write() as conn:
                assert await conn.execute("UPDATE bot_state SET value = 'two' WHERE key = ?", ("k",)) == 1
                raise RuntimeError("boom")
        assert await state.get("k") == "one"
        await state.set("k", "three")
        assert await state.get("k") == "three"
        assert await state.get("absent") is None
    finally:
        await db.close()


async def test_committed_writes_survive_reopening_on_every_backend(url: str) -> None:
    db = await open_database(url)
    await db.migrate()
    await BotState(db).set("command_hash:global", "abc")
    await db.close()
    db = await open_database(url)
    try:
        assert await BotState(db).get("command_hash:global") == "abc"
    finally:
        await db.close()


async def test_a_failed_migration_leaves_no_trace_on_every_backend(url: str) -> None:
    steps = [
        Migration(1, "001_a", "CREATE TABLE a (x INTEGER);"),
        Migration(2, "002_b", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"),
    ]
    db = await open_database(url)
    try:
        with pytest.raises((sqlite3.OperationalError, asyncpg.UndefinedTableError)):
            await db.migrate(steps)
        assert await db.schema_version() == 1
        assert await db.tables() == ["a"]
    finally:
        await db.close()


async def test_times_dates_and_big_ids_come_back_as_they_went_in(url: str) -> None:
    """Times cross the API as the same fixed-width UTC text on both backends, microseconds and all."""
    db = await open_database(url)
    await db.migrate()
    big = 1_300_000_000_000_000_000
    # PostgreSQL writes these back as '…40+00', '…40.5+00', '…40.000001+00' and '…40.123456+00'.
    moments = [
        "2026-11-23T01:32:40.000000Z",
        "2026-11-23T01:32:40.500000Z",
        "2026-11-23T01:32:40.000001Z",
        "2026-11-23T01:32:40.123456Z",
    ]
    try:
        async with db.write() as conn:
            await conn.execute_many(
                "INSERT INTO goals (guild_id, user_id, metric, target, by_date, set_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(big, big + n, "followers", "12000/1", "2027-02-28", at) for n, at in enumerate(moments)],
            )
        rows = await db.fetch_all(
            "SELECT user_id, by_date, set_at FROM goals WHERE guild_id = ? ORDER BY user_id", (big,)
        )
        assert [tuple(row) for row in rows] == [(big + n, "2027-02-28", at) for n, at in enumerate(moments)]
        first = await db.fetch_one("SELECT min(set_at) AS first FROM goals")
        assert first is not None and first["first"] == "2026-11-23T01:32:40.000000Z"
    finally:
        await db.close()


async def test_insert_returns_the_new_id_and_execute_counts_changed_rows(url: str) -> None:
    db = await open_database(url)
    await db.migrate()
    try:
        async with db.write() as conn:
            first = await conn.insert(
                "INSERT INTO history_batches (guild_id, user_id, kind, created_at) VALUES (?, ?, 'post', ?)",
                (1, 2, "2026-11-23T01:32:40.000000Z"),
            )
            second = await conn.insert(
                "INSERT INTO history_batches (guild_id, user_id, kind, created_at) VALUES (?, ?, 'post', ?)",
                (1, 2, "2026-11-23T01:32:41.000000Z"),
            )
            assert second == first + 1
            changed = await conn.execute_many(
                "UPDATE history_batches SET kind = 'import' WHERE id = ?",
                [(first,), (second,), (second + 5,)],
            )
            assert changed == 2
            assert await conn.execute("DELETE FROM history_batches WHERE guild_id = ?", (1,)) == 2
    finally:
        await db.close()


_BATCHES = "INSERT INTO history_batches (guild_id, user_id, kind, created_at) VALUES (?, ?, 'post', ?), (?, ?, 'post', ?)"
_COUNTS = (
    "INSERT INTO follower_snapshots (batch_id, guild_id, user_id, taken_at, logged_at, followers) VALUES "
    "(?, 1, 2, ?, ?, ?), (?, 1, 2, ?, ?, ?)"
)
_AT = "2026-11-23T01:32:40.000000Z"


async def test_linked_inserts_hand_each_step_the_ids_before_it(db: Database) -> None:
    batches, counts = await db.insert_linked(
        [
            (_BATCHES, lambda _: (1, 2, _AT, 1, 2, _AT)),
            (_COUNTS, lambda ids: (ids[0], _AT, _AT, 100, ids[1], _AT, _AT, 200)),
        ]
    )
    assert batches[1] == batches[0] + 1 and counts[1] == counts[0] + 1
    rows = await db.fetch_all("SELECT id, batch_id, followers FROM follower_snapshots ORDER BY id")
    assert [tuple(row) for row in rows] == [(counts[0], batches[0], 100), (counts[1], batches[1], 200)]


async def test_linked_inserts_keep_nothing_when_a_step_fails(db: Database) -> None:
    with pytest.raises(Exception, match=r"(?i)foreign key|violates"):
        await db.insert_linked(
            [
                (_BATCHES, lambda _: (1, 2, _AT, 1, 2, _AT)),
                # A batch that does not exist: the whole write is refused, the batches with it.
                (_COUNTS, lambda ids: (ids[1] + 99, _AT, _AT, 100, ids[1], _AT, _AT, 200)),
            ]
        )
    assert await db.fetch_all("SELECT id FROM history_batches") == []
    # The writer is usable again afterwards.
    async with db.write() as conn:
        await conn.execute("DELETE FROM history_batches")


# --- PostgreSQL ------------------------------------------------------------------------------------------


def test_question_marks_become_numbered_parameters_outside_quoted_text() -> None:
    assert numbered("SELECT ? , 'a?b', \"c\" FROM t WHERE x = ? AND y IN (?, ?)") == (
        "SELECT $1 , 'a?b', \"c\" FROM t WHERE x = $2 AND y IN ($3, $4)"
    )
    assert numbered("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1"


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_processes_starting_at_once_migrate_once(url: str) -> None:
    first, second = await open_database(url), await open_database(url)
    try:
        applied = await asyncio.gather(first.migrate(), second.migrate())
        assert sorted(applied, key=len) == [[], [m.version for m in migrations("postgresql")]]
        rows = await first.fetch_all(f"SELECT version FROM {VERSIONS_TABLE} ORDER BY version")
        assert [row[0] for row in rows] == [m.version for m in migrations("postgresql")]
    finally:
        await first.close()
        await second.close()


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_newer_postgresql_schema_is_refused(url: str) -> None:
    db = await open_database(url)
    try:
        await db.migrate()
        newest = migrations("postgresql")[-1].version
        async with db.write() as conn:
            await conn.execute(
                f"INSERT INTO {VERSIONS_TABLE} (version, name) VALUES (?, ?)", (newest + 1, "future")
            )
        with pytest.raises(SchemaTooNew, match=f"schema version {newest + 1}"):
            await db.migrate()
    finally:
        await db.close()


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_query_running_past_the_statement_timeout_is_stopped(url: str) -> None:
    db = await PostgresDatabase.open(url, statement_timeout=0.2)
    try:
        with pytest.raises(asyncpg.QueryCanceledError):
            await db.fetch_one("SELECT pg_sleep(2)")
        row = await db.fetch_one("SELECT 1")
        assert row is not None and row[0] == 1
    finally:
        await db.close()


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_read_is_tried_again_when_its_connection_was_cut(url: str) -> None:
    db = await PostgresDatabase.open(url, pool_size=1)
    try:
        row = await db.fetch_one("SELECT pg_backend_pid()")
        assert row is not None
        pid = row[0]
        other = await asyncpg.connect(url)
        try:
            assert await other.fetchval("SELECT pg_terminate_backend($1)", pid) is True
        finally:
            await other.close()
        # The pool's only connection is dead; the read gets a new one instead of failing the member's command.
        row = await db.fetch_one("SELECT pg_backend_pid()")
        assert row is not None and row[0] != pid
    finally:
        await db.close()


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_the_pool_holds_at_most_the_configured_connections(url: str) -> None:
    db = await PostgresDatabase.open(url, pool_size=3)
    try:
        await asyncio.gather(*(db.fetch_one("SELECT pg_sleep(0.2)") for _ in range(9)))
        assert db.pool.get_max_size() == 3
        assert db.pool.get_size() <= 3
    finally:
        await db.close()


async def test_an_unreachable_postgresql_is_one_clear_problem() -> None:
    with pytest.raises(DatabaseUnavailable, match=r"127\.0\.0\.1:1/pulse cannot be reached"):
        await open_database("postgresql://pulse:secret@127.0.0.1:1/pulse", connect_timeout=2)


# --- SQLite ----------------------------------------------------------------------------------------------


async def test_connection_settings(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "pulse.db")
    try:
        async with db.write() as conn:
            pragmas = {}
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "secure_delete"):
                row = await conn.fetch_one(f"PRAGMA {name}")
                assert row is not None
                pragmas[name] = row[0]
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 2,
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "secure_delete": 1,
        }
    finally:
        await db.close()


@pytest.mark.parametrize("start", range(len(migrations())))
async def test_upgrade_from_each_earlier_version(tmp_path: Path, start: int) -> None:
    fresh, old = tmp_path / "fresh.db", tmp_path / "old.db"
    db = await open_db(fresh)
    await db.migrate()
    await db.close()

    db = await open_db(old)
    await db.migrate(target=start)
    assert await db.schema_version() == start
    await db.close()
    db = await open_db(old)
    applied = await db.migrate()
    await db.close()
    assert applied == [m.version for m in migrations() if m.version > start]
    assert schema(old) == schema(fresh)


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pulse.db"
    newest = migrations()[-1].version
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {newest + 1}")
    db = await open_db(path)
    try:
        with pytest.raises(SchemaTooNew, match=f"schema version {newest + 1}"):
            await db.migrate()
    finally:
        await db.close()


def test_migration_files_are_numbered_without_gaps(tmp_path: Path) -> None:
    (tmp_path / "001_first.sql").write_text("SELECT 1;")
    (tmp_path / "003_third.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError, match="002 is missing"):
        migrations(tmp_path)


async def test_privacy_migration_keeps_every_row_and_lets_ids_go(tmp_path: Path) -> None:
    """005 rebuilds three tables so a deleted member's id can become NULL; what was there stays."""
    path = tmp_path / "pulse.db"
    db = await open_db(path)
    await db.migrate(target=4)
    at = "2026-11-20T10:00:00.000000Z"
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO server_settings (guild_id, timezone, language, leaderboard_weekday, leaderboard_hour, "
            "leaderboard_enabled, leaderboard_min_posts, updated_at, updated_by) "
            "VALUES (1, 'Europe/Amsterdam', 'nl', 0, 9, 1, 2, ?, 7)",
            (at,),
        )
        await conn.execute(
            "INSERT INTO settings_changes (guild_id, user_id, setting, old_value, new_value, changed_at) "
            "VALUES (1, 7, 'language', 'auto', 'nl', ?)",
            (at,),
        )
        await conn.execute(
            "INSERT INTO coach_notes (guild_id, member_id, author_id, text, created_at) VALUES (1, 8, 7, 'ok', ?)",
            (at,),
        )
        await conn.execute(
            "INSERT INTO data_views (guild_id, member_id, viewer_id, what, viewed_at) VALUES (1, 8, 7, 'history', ?)",
            (at,),
        )
    await db.migrate()
    async with db.write() as conn:
        for table, column in (
            ("settings_changes", "user_id"),
            ("coach_notes", "author_id"),
            ("data_views", "viewer_id"),
        ):
            await conn.execute(f"UPDATE {table} SET {column} = NULL")
    await db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute(
            "SELECT guild_id, language, leaderboard_min_posts FROM server_settings"
        ).fetchall() == [(1, "nl", 2)]
        assert "updated_by" not in [r[1] for r in conn.execute("PRAGMA table_info(server_settings)")]
        assert conn.execute("SELECT id, user_id, new_value FROM settings_changes").fetchall() == [
            (1, None, "nl")
        ]
        assert conn.execute("SELECT id, member_id, author_id, text FROM coach_notes").fetchall() == [
            (1, 8, None, "ok")
        ]
        assert conn.execute("SELECT id, member_id, viewer_id, what FROM data_views").fetchall() == [
            (1, 8, None, "history")
        ]


async def test_each_commit_is_timed_and_a_rolled_back_write_is_not(url: str) -> None:
    db = await open_database(url)
    await db.migrate()
    commits = DATABASE_COMMIT.labels(db.dialect)
    before = histogram_count(commits)
    try:
        await BotState(db).set("k", "one")
        with pytest.raises(RuntimeError):
            async with db.write() as conn:
                await conn.execute("UPDATE bot_state SET value = 'two' WHERE key = ?", ("k",))
                raise RuntimeError("boom")
        assert histogram_count(commits) == before + 1
    finally:
        await db.close()
