"""What every database backend offers the repositories: transactions, reads, numbered migrations.

The repositories write one SQL dialect: `?` parameters, standard SQL that SQLite and PostgreSQL both run, times as
the fixed-width UTC text of `to_text`. A backend maps that onto its database (bot/storage/sqlite.py,
bot/storage/postgres.py); nothing above bot/storage knows which one runs.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from bot.domain.history import moment_text, require_utc
from bot.settings import is_postgres_url, sqlite_path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

Dialect = Literal["sqlite", "postgresql"]
# A result row: read by column name (`row["id"]`) or position (`row[0]`), or unpacked as a tuple.
Row = Any


def to_text(moment: datetime) -> str:
    """A UTC moment in the one fixed-width form stored, so text order is time order."""
    return moment_text(require_utc(moment))


def from_text(text: str) -> datetime:
    # fromisoformat reads the stored form (trailing Z included) several times faster than strptime.
    return datetime.fromisoformat(text)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer Pulse than this one."""


class DatabaseUnavailable(RuntimeError):
    """The database named by DATABASE_URL cannot be reached or opened; the message is meant for the operator."""


class WriteFailed(RuntimeError):
    """The database refused a write (disk full, read-only, I/O error); it was rolled back, nothing was saved.

    Raised by `Database.write()` in place of the backend's error, so a member hears "nothing was saved" rather
    than the generic error; the message is meant for the operator's log.
    """

    def __init__(self, where: str, cause: BaseException) -> None:
        super().__init__(
            f"the database {where} refused a write ({type(cause).__name__}: {cause}); nothing was saved. "
            "Check that its disk has free space and that Pulse may write to it (DATABASE_URL names it)."
        )


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(dialect: Dialect | Path = "sqlite") -> list[Migration]:
    """The migration files of a dialect (or a folder), in order; numbers must run 1, 2, 3 … without gaps."""
    directory = MIGRATIONS_DIR / dialect if isinstance(dialect, str) else dialect
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


def too_new(where: str, current: int, known: int) -> SchemaTooNew:
    return SchemaTooNew(
        f"The database {where} has schema version {current}, but this Pulse knows only up to {known}. "
        "Run a newer Pulse, or restore a backup made for this version."
    )


class Transaction(Protocol):
    """One open write transaction, as `Database.write()` hands it out."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; how many rows it changed."""

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement per row; how many rows they changed together."""

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one single-row INSERT into a table with an `id` key; the new row's id."""

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


# One INSERT … VALUES of a linked write (see `Database.insert_linked`): its SQL without RETURNING, and its
# parameters made from the ids the step before it returned (none for the first step).
InsertStep = tuple[str, Callable[[list[int]], Sequence[Any]]]


class Database(ABC):
    """A database Pulse keeps its data in. Writes go through `write()`; reads see what is committed."""

    backend: str
    dialect: Dialect

    @property
    @abstractmethod
    def where(self) -> str:
        """The database, named for an operator's log without secrets (a file path, host/database)."""

    @property
    def busy(self) -> bool:
        """Whether writes are queueing, so one started now would wait behind others: answer the member first."""
        return False

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def migrate(
        self, available: Sequence[Migration] | None = None, target: int | None = None
    ) -> list[int]:
        """Apply the migrations the database lacks, each in its own transaction; the versions applied."""

    @abstractmethod
    def write(self) -> AbstractAsyncContextManager[Transaction]:
        """One write transaction: committed when the block ends, rolled back if it raises."""

    async def insert_linked(self, steps: Sequence[InsertStep]) -> list[list[int]]:
        """Run multi-row INSERTs in one transaction, each step's rows made from the ids the step before it
        returned; every step's new ids, in the order of its VALUES rows (ids are handed out in that order)."""
        returned: list[list[int]] = []
        async with self.write() as conn:
            for sql, params in steps:
                rows = await conn.fetch_all(sql + " RETURNING id", params(returned[-1] if returned else []))
                returned.append(sorted(row[0] for row in rows))
        return returned

    @abstractmethod
    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]: ...

    @abstractmethod
    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None: ...

    @abstractmethod
    async def forget_deleted(self) -> None:
        """Make rows just deleted unreadable from the database's files too, where the backend can."""

    @abstractmethod
    async def tables(self) -> list[str]:
        """Pulse's tables, by name."""

    @abstractmethod
    async def columns(self, table: str) -> list[tuple[str, bool]]:
        """A table's columns in order, each with whether it refuses NULL."""

    @abstractmethod
    def stream(self, sql: str, params: Iterable[Any] = (), batch: int = 1000) -> AsyncIterator[list[Row]]:
        """The rows of a large query, `batch` at a time (for copying a whole table)."""


async def open_database(
    url: str, *, pool_size: int = 10, statement_timeout: float = 30.0, connect_timeout: float = 30.0
) -> Database:
    """Open the database DATABASE_URL names: `sqlite:///file` or `postgresql://user@host/name`."""
    if is_postgres_url(url):
        from bot.storage.postgres import PostgresDatabase

        return await PostgresDatabase.open(
            url, pool_size=pool_size, statement_timeout=statement_timeout, connect_timeout=connect_timeout
        )
    from bot.storage.sqlite import SQLiteDatabase

    return await SQLiteDatabase.open(sqlite_path(url))
