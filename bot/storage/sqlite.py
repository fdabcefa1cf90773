"""SQLite through aiosqlite: one writer connection, one reader, the version in `PRAGMA user_version`."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.metrics import DATABASE_COMMIT
from bot.storage.database import (
    Database,
    DatabaseUnavailable,
    InsertStep,
    Migration,
    Row,
    WriteFailed,
    migrations,
    too_new,
)

log = logging.getLogger(__name__)

# Members type their numbers in by hand: losing an acknowledged entry costs more than a millisecond per write.
_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    # Deleted rows are overwritten, not just unlinked: a member's deleted data must not linger in the file.
    "PRAGMA secure_delete = ON",
)

# SQLite's primary result codes (the low byte of an error's code) that mean the file or its disk takes no writes:
# nothing in the transaction was saved, and trying again will not help until an operator acts.
_WRITE_REFUSED = frozenset(
    {
        sqlite3.SQLITE_READONLY,  # the file, its directory or its file system is read-only
        sqlite3.SQLITE_IOERR,  # the system failed a read or write: EIO, EFBIG past a file size limit …
        sqlite3.SQLITE_FULL,  # no space left on the disk
        sqlite3.SQLITE_CANTOPEN,  # the WAL or shared-memory file could not be opened
    }
)


class SQLiteTransaction:
    """A write transaction on the writer connection (see `Transaction`)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self.conn.execute(sql, tuple(params))
        return max(cursor.rowcount, 0)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        cursor = await self.conn.executemany(sql, [tuple(row) for row in rows])
        return max(cursor.rowcount, 0)

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self.conn.execute(sql, tuple(params))
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        # One trip to the connection's thread, not three (execute, fetch, close): inside a write transaction
        # every trip holds the lock that every other write waits for.
        return list(await self.conn.execute_fetchall(sql, tuple(params)))


class SQLiteDatabase(Database):
    """One file. Writes go one at a time (`BEGIN IMMEDIATE`); reads use their own connection."""

    backend = "SQLite"
    dialect = "sqlite"

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._commit_time = DATABASE_COMMIT.labels(self.dialect)

    @property
    def where(self) -> str:
        return str(self.path)

    @property
    def busy(self) -> bool:
        # Writes queue up: one holds the lock and another already waits (asyncio.Lock keeps its waiters in
        # `_waiters`). A lone short write holding it (a group of logged posts) is no reason to defer the answer.
        return bool(getattr(self._write_lock, "_waiters", None))

    @classmethod
    async def open(cls, path: Path) -> SQLiteDatabase:
        """Open the file (made if missing) and prove it can be read and written, or raise DatabaseUnavailable."""
        opened: list[aiosqlite.Connection] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            opened.append(await _connect(path))
            opened.append(await _connect(path))
            writer, reader = opened
            await reader.execute("PRAGMA query_only = ON")
            await _prove_usable(writer, reader)
            return cls(path, writer, reader)
        except BaseException as exc:
            # Every aiosqlite connection runs a thread that is not a daemon: one left open keeps the process
            # alive after the start-up failure, and a supervisor waits for it forever.
            for conn in reversed(opened):
                await _close_quietly(conn)
            if isinstance(exc, sqlite3.Error | OSError):
                raise DatabaseUnavailable(unusable(path, exc)) from exc
            raise

    async def close(self) -> None:
        try:
            await self._reader.close()
        finally:
            await self._writer.close()

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(
        self, available: Sequence[Migration] | None = None, target: int | None = None
    ) -> list[int]:
        available = migrations("sqlite") if available is None else available
        known = available[-1].version if available else 0
        current = await self.schema_version()
        if current > known:
            raise too_new(str(self.path), current, known)
        applied = []
        async with self._write_lock:
            for migration in available:
                if migration.version <= current or (target is not None and migration.version > target):
                    continue
                # executescript commits any open transaction first, so the script carries its own BEGIN/COMMIT.
                script = (
                    f"BEGIN IMMEDIATE;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;"
                )
                try:
                    await self._writer.executescript(script)
                except sqlite3.Error as exc:
                    await self._roll_back()
                    if refuses_writes(exc):
                        raise WriteFailed(self.where, exc) from exc
                    raise
                log.info("applied migration %s", migration.name)
                applied.append(migration.version)
        return applied

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        """Hold the write lock; a write the database refuses (disk full, read-only) becomes WriteFailed."""
        async with self._write_lock:
            try:
                yield
            except sqlite3.Error as exc:
                if refuses_writes(exc):
                    raise WriteFailed(self.where, exc) from exc
                raise

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SQLiteTransaction]:
        async with self._writing():
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteTransaction(self._writer)
                started = time.perf_counter()
                await self._writer.commit()
                self._commit_time.observe(time.perf_counter() - started)
            except BaseException:
                await self._roll_back()
                raise

    async def insert_linked(self, steps: Sequence[InsertStep]) -> list[list[int]]:
        # The whole transaction in one trip to the writer's thread, not one per statement: every trip waits for
        # the event loop to come round, behind every other member's answer, while the write lock is held.
        def run(conn: sqlite3.Connection) -> list[list[int]]:
            returned: list[list[int]] = []
            conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in steps:
                    rows = conn.execute(
                        sql + " RETURNING id", tuple(params(returned[-1] if returned else []))
                    )
                    returned.append(sorted(row[0] for row in rows.fetchall()))
                started = time.perf_counter()
                conn.commit()
                self._commit_time.observe(time.perf_counter() - started)
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.rollback()
                    except sqlite3.Error:
                        log.exception("rolling back a failed write on %s failed too", self.where)
                raise
            return returned

        async with self._writing():
            # aiosqlite's own way to run a function on its thread with its connection (what each of its
            # methods does); tests/storage covers it on every version the lock file allows.
            return await self._writer._execute(run, self._writer._conn)

    async def _roll_back(self) -> None:
        # A failed COMMIT (disk full) may already have ended the transaction; one still open must not stay open,
        # or every later BEGIN on this connection fails.
        if not self._writer.in_transaction:
            return
        try:
            await self._writer.rollback()
        except sqlite3.Error:
            log.exception("rolling back a failed write on %s failed too", self.where)

    async def forget_deleted(self) -> None:
        """Move the log into the database file and empty it, so rows just deleted are gone from the disk too.

        Best effort: a reader in the middle of a query keeps part of the log until the next checkpoint.
        """
        async with self._write_lock:
            await self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def tables(self) -> list[str]:
        rows = await self.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        return [row[0] for row in rows]

    async def columns(self, table: str) -> list[tuple[str, bool]]:
        rows = await self.fetch_all(
            'SELECT name, "notnull", pk FROM pragma_table_info(?) ORDER BY cid', (table,)
        )
        # A key column is never NULL, whether or not it says NOT NULL.
        return [(row[0], bool(row[1] or row[2])) for row in rows]

    async def stream(
        self, sql: str, params: Iterable[Any] = (), batch: int = 1000
    ) -> AsyncIterator[list[Row]]:
        async with self._reader.execute(sql, tuple(params)) as cursor:
            while rows := list(await cursor.fetchmany(batch)):
                yield rows


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: transactions are begun explicitly, never implicitly by the sqlite3 module.
    conn = aiosqlite.connect(path, isolation_level=None)
    try:
        await conn
    except BaseException:
        # aiosqlite asks its thread to stop but does not wait: left running past the event loop's end, the thread
        # prints a traceback ("Event loop is closed") under the operator's one line.
        # Its stop is already queued and nothing is open, so waiting here blocks the loop for moments only.
        thread = getattr(conn, "_thread", None)
        if isinstance(thread, threading.Thread) and thread.is_alive():
            thread.join(timeout=5)
        raise
    conn.row_factory = sqlite3.Row
    try:
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
    except BaseException:
        await _close_quietly(conn)
        raise
    return conn


async def _close_quietly(conn: aiosqlite.Connection) -> None:
    try:
        await conn.close()
    except (sqlite3.Error, ValueError):
        log.debug("closing a connection that failed to open failed too", exc_info=True)


async def _prove_usable(writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
    """Fail now, not in a member's command, when the file is damaged or takes no writes.

    quick_check reads every page (about 25 ms for a 20 MB database whose pages are cached): a truncated or
    overwritten file is refused at start instead of failing the command that first touches the bad page.
    Setting user_version to the value it has is a real write (page 1 goes to the WAL and is synced), and SQLite
    lets BEGIN IMMEDIATE through on a file it opened read-only: only a committed write proves writes work.
    """
    async with reader.execute("PRAGMA quick_check(1)") as cursor:
        verdict = await cursor.fetchone()
    if verdict is None or verdict[0] != "ok":
        # The report spans lines ("*** in database main ***\nPage 7: …"); the operator gets one.
        detail = " ".join(
            str(verdict[0] if verdict else "no answer").replace("*** in database main ***", "").split()
        )
        raise _Damaged(f"database disk image is malformed: {detail}")
    async with writer.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    await writer.execute("BEGIN IMMEDIATE")
    try:
        await writer.execute(f"PRAGMA user_version = {version}")
        await writer.commit()
    except BaseException:
        if writer.in_transaction:
            await writer.rollback()
        raise


class _Damaged(sqlite3.DatabaseError):
    """quick_check found damage that reading the schema did not."""


def refuses_writes(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused a write because of the file or its disk, not because of the statement."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _WRITE_REFUSED


def unusable(path: Path, exc: BaseException) -> str:
    """One line for the operator: what is wrong with the database file DATABASE_URL names."""
    shown = path.absolute()
    if _is_dir(shown):
        return (
            f"DATABASE_URL names {shown}, which is a directory, not a database file. Name a file in it, "
            f"e.g. DATABASE_URL=sqlite:///{shown / 'pulse.db'}."
        )
    blocking = next((p for p in shown.parents if _exists(p) and not _is_dir(p)), None)
    if blocking is not None:
        return (
            f"the SQLite database {shown} cannot be made: {blocking} is a file, not a directory. "
            "Check DATABASE_URL."
        )
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or isinstance(exc, _Damaged):
        return (
            f"{shown} is not a SQLite database Pulse can read, or it is damaged ({exc}). Check that "
            "DATABASE_URL names Pulse's database file; if it does, restore the file from a backup."
        )
    if code == sqlite3.SQLITE_FULL:
        return (
            f"the SQLite database {shown} cannot be written ({exc}): free space on its disk, or set "
            "DATABASE_URL to a database on another disk."
        )
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) or isinstance(exc, PermissionError):
        return (
            f"the SQLite database {shown} cannot be written ({exc}): Pulse needs to write the file and its "
            f"directory {shown.parent} (SQLite keeps its -wal and -shm files there). Give Pulse's user write "
            "access, or set DATABASE_URL to a writable place."
        )
    return (
        f"the SQLite database {shown} cannot be opened ({exc}). Check DATABASE_URL, and that Pulse's user may "
        f"read and write the file and its directory {shown.parent}."
    )


# pathlib raises PermissionError for a path below a directory Pulse may not search; here that only means "not it".
def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False
