"""A database that cannot be used: refused at start in one line for the operator, or a write the disk refuses
reported as WriteFailed with nothing of it kept. Real files and a real PostgreSQL; nothing is faked."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.domain.history import PostNumbers
from bot.storage.database import Database, DatabaseUnavailable, WriteFailed, open_database
from bot.storage.history import HistoryRepository
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SQLiteDatabase
from tests.databases import Backend, admin_url, database_url

GUILD, MEMBER = 10, 20
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def post(n: int) -> PostNumbers:
    # Increasing times: each post is stored after the one before it, where a full page has no room left.
    return PostNumbers(NOW + timedelta(minutes=n), 300 + n, 40, 25, 15, None, 5000)


@contextmanager
def no_thread_left_behind() -> Iterator[None]:
    """The block must end every thread it starts: aiosqlite's are not daemons, and one left keeps `python -m bot`
    from exiting."""
    before = set(threading.enumerate())
    yield
    left = [thread for thread in threading.enumerate() if thread not in before]
    for thread in left:
        thread.join(timeout=5)
    assert [thread for thread in left if thread.is_alive()] == []


async def refused_at_start(url: str) -> str:
    with no_thread_left_behind(), pytest.raises(DatabaseUnavailable) as refused:
        await open_database(url)
    message = str(refused.value)
    assert "\n" not in message
    return message


async def a_pulse_database(path: Path, rows: int = 0) -> None:
    """A migrated database with `rows` follower counts in it, closed again."""
    db = await open_database(f"sqlite:///{path}")
    try:
        await db.migrate()
        async with db.write() as tx:
            await tx.execute_many(
                "INSERT INTO history_batches (id, guild_id, user_id, kind, created_at) VALUES (?, ?, ?, ?, ?)",
                [(n + 1, GUILD, MEMBER, "followers", "2026-11-23T09:00:00.000000Z") for n in range(rows)],
            )
            await tx.execute_many(
                "INSERT INTO follower_snapshots (batch_id, guild_id, user_id, taken_at, logged_at, followers) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        n + 1,
                        GUILD,
                        MEMBER,
                        f"2026-11-23T09:00:00.{n:06d}Z",
                        "2026-11-23T09:00:00.000000Z",
                        n + 1,
                    )
                    for n in range(rows)
                ],
            )
    finally:
        await db.close()


# --- start-up: SQLite --------------------------------------------------------------------------------------


async def test_a_file_of_random_bytes_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "pulse.db"
    path.write_bytes(secrets.token_bytes(64 * 1024))
    message = await refused_at_start(f"sqlite:///{path}")
    assert message == (
        f"{path} is not a SQLite database Pulse can read, or it is damaged (file is not a database). Check that "
        "DATABASE_URL names Pulse's database file; if it does, restore the file from a backup."
    )


async def test_a_truncated_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pulse.db"
    await a_pulse_database(path, rows=20_000)
    size = path.stat().st_size
    assert size > 400_000
    os.truncate(path, size // 2)
    message = await refused_at_start(f"sqlite:///{path}")
    assert message.startswith(
        f"{path} is not a SQLite database Pulse can read, or it is damaged (database disk"
    )
    assert "Check that DATABASE_URL names Pulse's database file" in message


async def test_a_page_damaged_deep_in_the_file_is_found_at_start(tmp_path: Path) -> None:
    """Reading the schema touches only the first page; quick_check finds what the first member's query would."""
    path = tmp_path / "pulse.db"
    await a_pulse_database(path, rows=20_000)
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with path.open("r+b") as file:
        file.seek((pages - 3) * page_size)
        file.write(b"\xff" * page_size)
    message = await refused_at_start(f"sqlite:///{path}")
    assert message.startswith(
        f"{path} is not a SQLite database Pulse can read, or it is damaged (database disk"
    )


async def test_a_directory_as_the_database_is_refused(tmp_path: Path) -> None:
    message = await refused_at_start(f"sqlite:///{tmp_path}")
    assert message == (
        f"DATABASE_URL names {tmp_path}, which is a directory, not a database file. Name a file in it, "
        f"e.g. DATABASE_URL=sqlite:///{tmp_path / 'pulse.db'}."
    )


@pytest.mark.parametrize("below", ["pulse.db", "data/pulse.db"])
async def test_a_database_below_a_file_is_refused(tmp_path: Path, below: str) -> None:
    (tmp_path / "notes.txt").write_text("not a directory")
    path = tmp_path / "notes.txt" / below
    message = await refused_at_start(f"sqlite:///{path}")
    assert message == (
        f"the SQLite database {path} cannot be made: {tmp_path / 'notes.txt'} is a file, not a directory. "
        "Check DATABASE_URL."
    )


async def test_a_relative_path_is_named_in_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pulse.db").write_bytes(b"SQLite format 2\x00" + secrets.token_bytes(4096))
    message = await refused_at_start("sqlite:///pulse.db")
    assert message.startswith(f"{tmp_path / 'pulse.db'} is not a SQLite database Pulse can read")


async def test_opening_a_good_database_commits_a_write(tmp_path: Path) -> None:
    """The start-up check writes for real (the first page goes to the log), so a read-only file cannot pass it."""
    path = tmp_path / "pulse.db"
    await a_pulse_database(path, rows=3)
    # data_version changes when another connection commits to the file.
    watcher = sqlite3.connect(path)
    try:
        version_before = watcher.execute("PRAGMA data_version").fetchone()[0]
        schema_before = watcher.execute("PRAGMA user_version").fetchone()[0]
        db = await open_database(f"sqlite:///{path}")
        await db.close()
        assert watcher.execute("PRAGMA data_version").fetchone()[0] != version_before
        assert watcher.execute("PRAGMA user_version").fetchone()[0] == schema_before
        assert watcher.execute("SELECT count(*) FROM follower_snapshots").fetchone() == (3,)
    finally:
        watcher.close()


# --- start-up: PostgreSQL ----------------------------------------------------------------------------------


def where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}{parts.path}"


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(admin_url(), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
async def pg_url(tmp_path: Path) -> AsyncIterator[str]:
    async with database_url("postgresql", tmp_path) as url:
        yield url


async def test_a_read_only_postgresql_database_is_refused(pg_url: str) -> None:
    name = urlsplit(pg_url).path.lstrip("/")
    await admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    message = await refused_at_start(pg_url)
    assert message == (
        f"PostgreSQL at {where(pg_url)} takes no writes (transaction_read_only is on: a standby server, or "
        "default_transaction_read_only is set for the database or user). Point DATABASE_URL at the primary "
        "server, or turn read-only off."
    )


async def test_a_postgresql_login_refused_names_the_database_not_the_password(pg_url: str) -> None:
    parts = urlsplit(pg_url)
    url = f"postgresql://no_such_pulse_user:hunter2@{parts.hostname}:{parts.port}{parts.path}"
    message = await refused_at_start(url)
    assert message.startswith(f"PostgreSQL at {where(pg_url)} refused Pulse (")
    assert message.endswith(
        "Check the user, password and database name in DATABASE_URL, and that the user may connect to that database."
    )
    assert "hunter2" not in message


async def test_a_postgresql_user_that_may_not_create_tables_is_refused(pg_url: str) -> None:
    role = f"pulse_test_{secrets.token_hex(4)}"
    await admin(f'CREATE ROLE "{role}" LOGIN')
    try:
        parts = urlsplit(pg_url)
        db = await open_database(f"postgresql://{role}@{parts.hostname}:{parts.port}{parts.path}")
        try:
            with pytest.raises(DatabaseUnavailable) as refused:
                await db.migrate()
        finally:
            await db.close()
        assert str(refused.value).startswith(
            f"PostgreSQL at {where(pg_url)} does not let Pulse change its tables"
        )
        assert str(refused.value).endswith(
            "Make the user in DATABASE_URL the owner of the database, or grant it CREATE on the schema."
        )
    finally:
        await admin(f'DROP ROLE "{role}"')


# --- while running: a write the disk refuses ---------------------------------------------------------------


async def stored(db: Database) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: [tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table} ORDER BY id")]
        for table in ("history_batches", "follower_snapshots", "logged_posts")
    }


@asynccontextmanager
async def full_disk(db: Database, repo: HistoryRepository, backend: Backend) -> AsyncIterator[int]:
    """Writes of new entries fail as on a full disk until the block ends; yields the next free post number."""
    if backend == "sqlite":
        assert isinstance(db, SQLiteDatabase)
        writer = db._writer
        # No free pages, and no more than there are: SQLite's own limit answers SQLITE_FULL as a full disk does.
        await writer.execute("VACUUM")
        async with writer.execute("PRAGMA page_count") as cursor:
            row = await cursor.fetchone()
            assert row is not None
            pages = row[0]
        await writer.execute(f"PRAGMA max_page_count = {pages}")
        # Then members log until the pages they write to have no room left either: each loop ends with the
        # write that found none.
        n = 0
        with pytest.raises(WriteFailed):
            while True:
                n += 1
                await repo.add_followers(GUILD, MEMBER, 1000 + n, NOW + timedelta(minutes=n))
        with pytest.raises(WriteFailed):
            while True:
                n += 1
                await repo.add_post(GUILD, MEMBER, post(n), NOW)
        try:
            yield n
        finally:
            await writer.execute("PRAGMA max_page_count = 1073741823")
    else:
        assert isinstance(db, PostgresDatabase)
        async with db.write() as tx:
            await tx.execute(
                "CREATE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS "
                "'BEGIN RAISE EXCEPTION ''could not extend file: No space left on device'' "
                "USING ERRCODE = ''disk_full''; END'"
            )
            for table in ("follower_snapshots", "logged_posts"):
                await tx.execute(
                    f"CREATE TRIGGER no_space BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION disk_is_full()"
                )
        try:
            yield 0
        finally:
            async with db.write() as tx:
                await tx.execute("DROP FUNCTION disk_is_full() CASCADE")


async def test_a_write_on_a_full_disk_fails_as_write_failed_and_keeps_nothing(
    db: Database, backend: Backend
) -> None:
    repo = HistoryRepository(db)
    async with full_disk(db, repo, backend) as n:
        before = await stored(db)
        with pytest.raises(WriteFailed) as failed:
            await repo.add_followers(GUILD, MEMBER, 4321, NOW + timedelta(days=30))
        assert str(failed.value).startswith(f"the database {db.where} refused a write (")
        assert "DATABASE_URL" in str(failed.value)
        with pytest.raises(WriteFailed):
            await repo.add_post(GUILD, MEMBER, post(n), NOW)
        # Posts logged together are committed together: each caller hears of the refusal, none is stored.
        together = await asyncio.gather(
            *(repo.add_post(GUILD, MEMBER, post(n + k), NOW) for k in range(1, 4)), return_exceptions=True
        )
        assert [type(outcome) for outcome in together] == [WriteFailed, WriteFailed, WriteFailed]
        assert await stored(db) == before
    # Space again: the connection was left ready for the next write, not inside the failed transaction.
    saved = await repo.add_followers(GUILD, MEMBER, 4321, NOW + timedelta(days=30))
    after = await stored(db)
    assert after["follower_snapshots"][:-1] == before["follower_snapshots"]
    assert after["follower_snapshots"][-1][0] == saved.id
    assert after["follower_snapshots"][-1][-1] == 4321


async def test_a_statement_that_breaks_a_rule_is_not_a_refused_write(db: Database) -> None:
    """Only the disk's refusals become WriteFailed; a bug stays a bug (and reaches the unexpected-error path)."""
    with pytest.raises(Exception) as failed:
        async with db.write() as tx:
            await tx.execute("INSERT INTO no_such_table VALUES (1)")
    assert not isinstance(failed.value, WriteFailed)
    assert isinstance(failed.value, sqlite3.OperationalError | asyncpg.UndefinedTableError)


async def test_a_postgresql_database_turned_read_only_while_running_refuses_writes(pg_url: str) -> None:
    name = urlsplit(pg_url).path.lstrip("/")
    db = await open_database(pg_url)
    try:
        await db.migrate()
        assert isinstance(db, PostgresDatabase)
        repo = HistoryRepository(db)
        await admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        await db.pool.expire_connections()
        with pytest.raises(WriteFailed, match="ReadOnlySQLTransactionError"):
            await repo.add_followers(GUILD, MEMBER, 1234, NOW)
        await admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        await db.pool.expire_connections()
        await repo.add_followers(GUILD, MEMBER, 1234, NOW)
        assert [tuple(r) for r in await db.fetch_all("SELECT followers FROM follower_snapshots")] == [(1234,)]
    finally:
        await db.close()


async def test_a_full_disk_during_a_migration_is_write_failed(tmp_path: Path) -> None:
    path = tmp_path / "pulse.db"
    db = await open_database(f"sqlite:///{path}")
    try:
        assert isinstance(db, SQLiteDatabase)
        async with db._writer.execute("PRAGMA page_count") as cursor:
            row = await cursor.fetchone()
            assert row is not None
            pages = row[0]
        await db._writer.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(WriteFailed):
            await db.migrate()
        assert await db.schema_version() == 0
        assert await db.tables() == []
    finally:
        await db.close()
