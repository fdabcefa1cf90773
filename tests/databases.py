"""A fresh database for a test, on SQLite or PostgreSQL.

The whole suite runs once per backend: `PULSE_TEST_DATABASE=postgresql uv run pytest` runs it on PostgreSQL
(`.ci/run` does both). Storage tests run on both backends in every run. Each PostgreSQL database is created for one
test and dropped after it; a missing PostgreSQL fails the test, it is never skipped.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.storage.database import Database, open_database

Backend = Literal["sqlite", "postgresql"]
# What each backend raises when a row breaks the schema's rules (a CHECK, a NOT NULL, a key).
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgresql")

T = TypeVar("T")


def suite_backend() -> Backend:
    """The backend the suite runs on: PULSE_TEST_DATABASE, SQLite unless it says postgresql."""
    chosen = os.environ.get("PULSE_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
    if chosen not in BACKENDS:
        raise ValueError(f"PULSE_TEST_DATABASE must be sqlite or postgresql (got {chosen!r})")
    return chosen


def admin_url() -> str:
    """A PostgreSQL database to create the tests' databases from (trust authentication on this machine)."""
    return os.environ.get("PULSE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def create_postgres_database() -> str:
    """A new, empty PostgreSQL database; its URL."""
    name = f"pulse_test_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(admin_url(), timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(admin_url(), name)


async def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    assert name.startswith("pulse_test_"), f"refusing to drop {name!r}: not a test database"
    conn = await asyncpg.connect(admin_url(), timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def new_database_url(backend: Backend, directory: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / f'pulse-{secrets.token_hex(3)}.db'}"
    return await create_postgres_database()


async def discard_database_url(url: str) -> None:
    if url.startswith("postgresql://"):
        await drop_postgres_database(url)


@asynccontextmanager
async def database_url(backend: Backend, directory: Path) -> AsyncIterator[str]:
    """The URL of a fresh database for one test, dropped afterwards."""
    url = await new_database_url(backend, directory)
    try:
        yield url
    finally:
        await discard_database_url(url)


@asynccontextmanager
async def migrated(backend: Backend, directory: Path) -> AsyncIterator[Database]:
    """A fresh, migrated database, open for one test."""
    async with database_url(backend, directory) as url:
        db = await open_database(url)
        try:
            await db.migrate()
            yield db
        finally:
            await db.close()


def run_sync(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to the end from synchronous code, even inside a running event loop (a thread of its own)."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(work()))  # type: ignore[arg-type]
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


@contextmanager
def sync_database_url(backend: Backend, directory: Path) -> Iterator[str]:
    """`database_url` for synchronous code (end-to-end tests, which drive a bot process)."""
    url = run_sync(lambda: new_database_url(backend, directory))
    try:
        yield url
    finally:
        run_sync(lambda: discard_database_url(url))


class SyncDatabase:
    """A test's synchronous look into a bot's database, in Pulse's own SQL dialect (`?` parameters)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _run(self, action: Callable[[Database], Awaitable[T]]) -> T:
        async def work() -> T:
            db = await open_database(self.url)
            try:
                return await action(db)
            finally:
                await db.close()

        return run_sync(work)

    def fetch_all(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._run(lambda db: db.fetch_all(sql, params))]

    def fetch_one(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> tuple[Any, ...] | None:
        row = self._run(lambda db: db.fetch_one(sql, params))
        return None if row is None else tuple(row)

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> int:
        async def action(db: Database) -> int:
            async with db.write() as conn:
                return await conn.execute(sql, params)

        return self._run(action)

    def execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        async def action(db: Database) -> int:
            async with db.write() as conn:
                return await conn.execute_many(sql, rows)

        return self._run(action)

    def tables(self) -> list[str]:
        return self._run(lambda db: db.tables())
