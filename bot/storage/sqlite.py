"""SQLite through aiosqlite: one writer connection, one reader, the version in `PRAGMA user_version`."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.database import Database, Migration, Row, migrations, too_new

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
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())


class SQLiteDatabase(Database):
    """One file. Writes go one at a time (`BEGIN IMMEDIATE`); reads use their own connection."""

    backend = "SQLite"
    dialect = "sqlite"

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @property
    def where(self) -> str:
        return str(self.path)

    @classmethod
    async def open(cls, path: Path) -> SQLiteDatabase:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(path)
        reader = await _connect(path)
        await reader.execute("PRAGMA query_only = ON")
        return cls(path, writer, reader)

    async def close(self) -> None:
        await self._reader.close()
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
                except sqlite3.Error:
                    if self._writer.in_transaction:
                        await self._writer.rollback()
                    raise
                log.info("applied migration %s", migration.name)
                applied.append(migration.version)
        return applied

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SQLiteTransaction]:
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteTransaction(self._writer)
            except BaseException:
                await self._writer.rollback()
                raise
            await self._writer.commit()

    async def forget_deleted(self) -> None:
        """Move the log into the database file and empty it, so rows just deleted are gone from the disk too.

        Best effort: a reader in the middle of a query keeps part of the log until the next checkpoint.
        """
        async with self._write_lock:
            await self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

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
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in _PRAGMAS:
        await conn.execute(pragma)
    return conn
