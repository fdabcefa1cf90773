"""The SQLite database: one writer connection, one reader, numbered migrations."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.history import moment_text, require_utc

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

# Members type their numbers in by hand: losing an acknowledged entry costs more than a millisecond per write.
_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    # Deleted rows are overwritten, not just unlinked: a member's deleted data must not linger in the file.
    "PRAGMA secure_delete = ON",
)


def to_text(moment: datetime) -> str:
    """A UTC moment in the one fixed-width form stored, so text order is time order."""
    return moment_text(require_utc(moment))


def from_text(text: str) -> datetime:
    # fromisoformat reads the stored form (trailing Z included) several times faster than strptime.
    return datetime.fromisoformat(text)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer Pulse than this one."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files, in order; numbers must run 1, 2, 3 … without gaps."""
    found = []
    for file in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(file.name)
        if not match:
            raise ValueError(f"{file.name}: migration files are named NNN_name.sql")
        found.append(Migration(int(match.group(1)), file.stem, file.read_text(encoding="utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise ValueError(f"migration {expected:03d} is missing (found {migration.name})")
    return found


class Database:
    """SQLite through aiosqlite. Writes go one at a time through `write()`; reads use their own connection."""

    backend = "SQLite"

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
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
        """Apply the migrations the database lacks, each in its own transaction; return the versions applied."""
        available = migrations() if available is None else available
        known = available[-1].version if available else 0
        current = await self.schema_version()
        if current > known:
            raise SchemaTooNew(
                f"The database {self.path} has schema version {current}, but this Pulse knows only up to "
                f"{known}. Run a newer Pulse, or restore a backup made for this version."
            )
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
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
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

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: transactions are begun explicitly, never implicitly by the sqlite3 module.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in _PRAGMAS:
        await conn.execute(pragma)
    return conn
