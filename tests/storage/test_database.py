import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import Database, Migration, SchemaTooNew, migrations
from bot.storage.state import BotState


def schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall())


async def open_db(path: Path) -> Database:
    return await Database.open(path)


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "pulse.db")
    try:
        applied = await db.migrate()
        assert applied == [m.version for m in migrations()]
        assert await db.schema_version() == migrations()[-1].version
        assert await db.migrate() == []
    finally:
        await db.close()


async def test_connection_settings(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "pulse.db")
    try:
        async with db.write() as conn:
            pragmas = {}
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "secure_delete"):
                async with conn.execute(f"PRAGMA {name}") as cursor:
                    pragmas[name] = (await cursor.fetchone())[0]
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


async def test_failed_migration_leaves_no_trace(tmp_path: Path) -> None:
    steps = [
        Migration(1, "001_a", "CREATE TABLE a (x INTEGER);"),
        Migration(2, "002_b", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"),
    ]
    db = await open_db(tmp_path / "pulse.db")
    try:
        with pytest.raises(sqlite3.OperationalError):
            await db.migrate(steps)
        assert await db.schema_version() == 1
        tables = {r[0] for r in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"a"}
    finally:
        await db.close()


def test_migration_files_are_numbered_without_gaps(tmp_path: Path) -> None:
    (tmp_path / "001_first.sql").write_text("SELECT 1;")
    (tmp_path / "003_third.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError, match="002 is missing"):
        migrations(tmp_path)


async def test_write_rolls_back_on_error(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "pulse.db")
    await db.migrate()
    state = BotState(db)
    try:
        await state.set("k", "one")
        with pytest.raises(RuntimeError):
            async with db.write() as conn:
                await conn.execute("UPDATE bot_state SET value = 'two' WHERE key = 'k'")
                raise RuntimeError("boom")
        assert await state.get("k") == "one"
        await state.set("k", "three")
        assert await state.get("k") == "three"
        assert await state.get("absent") is None
    finally:
        await db.close()


async def test_committed_writes_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "pulse.db"
    db = await open_db(path)
    await db.migrate()
    await BotState(db).set("command_hash:global", "abc")
    await db.close()
    db = await open_db(path)
    try:
        assert await BotState(db).get("command_hash:global") == "abc"
    finally:
        await db.close()


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
