"""PostgreSQL through an asyncpg pool: for several processes (shards) sharing one database.

The repositories' SQL is written once (`?` parameters, times as fixed-width UTC text); this backend numbers the
parameters and lets PostgreSQL hold times as `timestamptz` while Pulse reads and writes the same text as on SQLite.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlsplit

import asyncpg
import asyncpg.pool

from bot.metrics import DATABASE_COMMIT
from bot.storage.database import (
    Database,
    DatabaseUnavailable,
    Migration,
    Row,
    WriteFailed,
    migrations,
    to_text,
    too_new,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# Any fixed number works, as long as every Pulse process agrees on it: it names "Pulse is migrating this database".
MIGRATION_LOCK = 0x50_75_6C_73_65  # "Pulse"
VERSIONS_TABLE = "schema_migrations"

# The connection went away under a query: safe to try again only where nothing was written.
_CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    # The server ended the session (restart, failover, an administrator's pg_terminate_backend).
    asyncpg.exceptions.AdminShutdownError,
    # What asyncpg raises when the server's goodbye arrives while a query is being sent.
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
    OSError,
)
_READ_ATTEMPTS = 3

# SQLSTATEs that mean the server takes no writes, whatever the statement: read_only_sql_transaction (a standby,
# default_transaction_read_only), then the classes insufficient_resources (disk_full 53100 …) and system_error
# (io_error 58030 …). Nothing in the transaction was saved.
_READ_ONLY_STATE = "25006"
_WRITE_REFUSED_CLASSES = ("53", "58")

_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?")


@functools.lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """`?` parameters as PostgreSQL's `$1, $2 …` (a `?` inside a quoted string stays)."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(0) != "?":
            return match.group(0)
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def _time_text(value: str | datetime) -> str:
    return to_text(value) if isinstance(value, datetime) else value


def _stored_time(text: str) -> str:
    """PostgreSQL's text for a moment as the fixed-width form Pulse stores on SQLite.

    The session's zone is UTC, so PostgreSQL writes '2026-11-23 01:32:40.5+00' (no fraction when it is zero);
    rearranging that text is several times cheaper than parsing it, and this runs for every time of every row read.
    """
    if len(text) >= 22 and text.endswith("+00") and text[10] == " ":
        fraction = text[20:-3] if text[19] == "." else ""
        return f"{text[:10]}T{text[11:19]}.{fraction:0<6}Z"
    return to_text(datetime.fromisoformat(text))


# A connection of its own, or one lent by the pool.
Connection: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


async def _prepare_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "timestamptz", schema="pg_catalog", encoder=_time_text, decoder=_stored_time, format="text"
    )
    await conn.set_type_codec("date", schema="pg_catalog", encoder=str, decoder=str, format="text")


def _changed(status: str) -> int:
    # asyncpg answers with the command tag: "UPDATE 3", "INSERT 0 1", "DELETE 0".
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresTransaction:
    """A write transaction on one pooled connection (see `Transaction`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return _changed(await self.conn.execute(numbered(sql), *params))

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        # One statement per row rather than asyncpg's executemany, which does not say how many rows changed.
        statement = await self.conn.prepare(numbered(sql))
        changed = 0
        for row in rows:
            await statement.fetch(*row)
            changed += _changed(statement.get_statusmsg() or "")
        return changed

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(await self.conn.fetchval(numbered(sql) + " RETURNING id", *params))

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self.conn.fetchrow(numbered(sql), *params)

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self.conn.fetch(numbered(sql), *params))


class PostgresDatabase(Database):
    """A pool of connections; each write block is one transaction on one of them."""

    backend = "PostgreSQL"
    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, where: str) -> None:
        self.pool = pool
        self._where = where
        self._commit_time = DATABASE_COMMIT.labels(self.dialect)

    @property
    def where(self) -> str:
        return self._where

    @property
    def busy(self) -> bool:
        # Writers on PostgreSQL wait for a connection, not for each other: busy when the pool has none to give.
        return self.pool.get_idle_size() == 0 and self.pool.get_size() >= self.pool.get_max_size()

    @classmethod
    async def open(
        cls, url: str, *, pool_size: int = 10, statement_timeout: float = 30.0, connect_timeout: float = 30.0
    ) -> PostgresDatabase:
        where = describe(url)
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=min(2, pool_size),
                max_size=pool_size,
                timeout=connect_timeout,
                init=_prepare_connection,
                server_settings={
                    "TimeZone": "UTC",
                    "application_name": "pulse",
                    # A query stuck behind a lock or a runaway plan fails instead of holding an interaction.
                    "statement_timeout": str(int(statement_timeout * 1000)),
                },
            )
        except asyncpg.PostgresError as exc:
            raise DatabaseUnavailable(
                f"PostgreSQL at {where} refused Pulse ({type(exc).__name__}: {exc}). Check the user, password "
                "and database name in DATABASE_URL, and that the user may connect to that database."
            ) from exc
        except (OSError, TimeoutError, asyncpg.InterfaceError) as exc:
            raise DatabaseUnavailable(
                f"PostgreSQL at {where} cannot be reached: {exc}. Check DATABASE_URL and that the server runs."
            ) from exc
        assert pool is not None
        try:
            async with pool.acquire() as conn:
                read_only = await conn.fetchval("SHOW transaction_read_only")
        except BaseException:
            await pool.close()
            raise
        if read_only == "on":
            # Refused at start rather than in every member's command: each of their writes would fail.
            await pool.close()
            raise DatabaseUnavailable(
                f"PostgreSQL at {where} takes no writes (transaction_read_only is on: a standby server, or "
                "default_transaction_read_only is set for the database or user). Point DATABASE_URL at the "
                "primary server, or turn read-only off."
            )
        return cls(pool, where)

    async def close(self) -> None:
        await self.pool.close()

    async def _read(self, action: Callable[[Connection], Awaitable[T]]) -> T:
        """Run a read, trying again on a fresh connection when the connection broke: a read changes nothing."""
        for attempt in range(1, _READ_ATTEMPTS + 1):
            try:
                async with self.pool.acquire() as conn:
                    return await action(conn)
            except _CONNECTION_LOST:
                if attempt == _READ_ATTEMPTS:
                    raise
                log.warning("PostgreSQL connection lost during a read; trying again (%d)", attempt)
                await asyncio.sleep(0.1 * attempt)
        raise AssertionError("unreachable")

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        values = tuple(params)
        return list(await self._read(lambda conn: conn.fetch(numbered(sql), *values)))

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        values = tuple(params)
        return await self._read(lambda conn: conn.fetchrow(numbered(sql), *values))

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PostgresTransaction]:
        # Not retried: once the block has run, whether the commit reached the server is not known.
        try:
            async with self.pool.acquire() as conn:
                async with conn.transaction():
                    yield PostgresTransaction(conn)
                    # Leaving the block without an error is the commit: timed from here to just after it.
                    committing = time.perf_counter()
                self._commit_time.observe(time.perf_counter() - committing)
        except asyncpg.PostgresError as exc:
            if refuses_writes(exc):
                raise WriteFailed(self.where, exc) from exc
            raise

    async def forget_deleted(self) -> None:
        # PostgreSQL has no request for this: deleted row versions stay in the table files until autovacuum
        # reclaims their space, which it does on its own schedule (see the README's privacy section).
        return None

    async def schema_version(self) -> int:
        return await self._read(_version)

    async def migrate(
        self, available: Sequence[Migration] | None = None, target: int | None = None
    ) -> list[int]:
        try:
            return await self._migrate(available, target)
        except asyncpg.InsufficientPrivilegeError as exc:
            raise DatabaseUnavailable(
                f"PostgreSQL at {self.where} does not let Pulse change its tables ({exc}). Make the user in "
                "DATABASE_URL the owner of the database, or grant it CREATE on the schema."
            ) from exc
        except asyncpg.PostgresError as exc:
            if refuses_writes(exc):
                raise WriteFailed(self.where, exc) from exc
            raise

    async def _migrate(self, available: Sequence[Migration] | None, target: int | None) -> list[int]:
        available = migrations("postgresql") if available is None else available
        known = available[-1].version if available else 0
        applied: list[int] = []
        async with self.pool.acquire() as conn:
            # Two processes starting at once: the second waits here, then finds nothing left to do.
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} ("
                    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
                current = await _version(conn)
                if current > known:
                    raise too_new(self.where, current, known)
                for migration in available:
                    if migration.version <= current or (target is not None and migration.version > target):
                        continue
                    async with conn.transaction():
                        # A migration may rewrite a big table; the per-query limit is for members' requests.
                        await conn.execute("SET LOCAL statement_timeout = 0")
                        await conn.execute(migration.sql)
                        await conn.execute(
                            f"INSERT INTO {VERSIONS_TABLE} (version, name) VALUES ($1, $2)",
                            migration.version,
                            migration.name,
                        )
                    log.info("applied migration %s", migration.name)
                    applied.append(migration.version)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        return applied

    async def tables(self) -> list[str]:
        rows = await self.fetch_all(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            f" AND table_type = 'BASE TABLE' AND table_name != '{VERSIONS_TABLE}' ORDER BY table_name"
        )
        return [row[0] for row in rows]

    async def columns(self, table: str) -> list[tuple[str, bool]]:
        rows = await self.fetch_all(
            "SELECT column_name, is_nullable = 'NO' FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [(row[0], row[1]) for row in rows]

    async def stream(
        self, sql: str, params: Iterable[Any] = (), batch: int = 1000
    ) -> AsyncIterator[list[Row]]:
        values = tuple(params)
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            cursor = await conn.cursor(numbered(sql), *values)
            while rows := await cursor.fetch(batch):
                yield list(rows)


async def _version(conn: Connection) -> int:
    if await conn.fetchval("SELECT to_regclass($1)", VERSIONS_TABLE) is None:
        return 0
    return int(await conn.fetchval(f"SELECT coalesce(max(version), 0) FROM {VERSIONS_TABLE}"))


def refuses_writes(exc: asyncpg.PostgresError) -> bool:
    """Whether the server refused a write because it takes none now (read-only, disk full), not the statement."""
    state = getattr(exc, "sqlstate", None) or ""
    return state == _READ_ONLY_STATE or state[:2] in _WRITE_REFUSED_CLASSES


def describe(url: str) -> str:
    """host:port/database of a postgresql:// URL, without user or password (for logs and messages)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or 5432
    return f"{host}:{port}/{parts.path.lstrip('/') or '(default database)'}"
