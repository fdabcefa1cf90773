"""`python -m bot migrate-db --to postgresql://…`: copy a SQLite database into an empty PostgreSQL database.

What it does, in order:

1. Checks the target: it must be PostgreSQL and empty (no Pulse schema version, no tables). Anything else is
   refused before anything is read or written, so an existing database is never mixed with a copy.
2. Takes a snapshot of the SQLite file with SQLite's online backup API into a temporary file (TMPDIR; it needs as
   much room as the database). The backup reads the whole file inside one read transaction, so the snapshot is one
   consistent state even if a process still writes to the file (in WAL mode a reader sees a stable snapshot only
   inside a transaction; copying table by table through autocommit reads would not). The operator is still asked
   to stop the bot first: whatever it writes after the snapshot is not copied.
3. Brings the snapshot, not the file, up to the newest schema: a database from an older Pulse is copied as this
   Pulse would have migrated it, while the original file stays byte for byte as it was, a backup an older Pulse
   can still open.
4. Creates Pulse's tables on the target (`migrate()`), then copies every table in foreign-key order, streamed in
   batches with explicit column lists, in ONE transaction that also locks the tables against writers, checks they
   are still empty and moves the id sequences past the copied ids. A failure rolls all rows back.
5. Verifies each table by reading it back through both backends: row counts, and a checksum that does not depend
   on row order (the sum of the sha256 of each row's `repr`, modulo 2**256; both backends hand out the same Python
   values: ints, the fixed-width UTC time text, 'YYYY-MM-DD' dates, None).

Exit codes: 0 copied and verified; 1 the copy failed or did not verify; 2 bad usage or a refused source/target.
Passwords are never printed: URLs are shown masked, and every line is scrubbed of the password as a safety net.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.history import moment_text
from bot.settings import Settings, SettingsError, is_postgres_url, sqlite_path
from bot.storage.database import Database, DatabaseUnavailable, SchemaTooNew, Transaction, open_database

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

BATCH = 1000
# PostgreSQL's wire protocol carries at most 32767 parameters per statement.
_MAX_PARAMETERS = 32767
_CHECKSUM_MODULUS = 2**256


RETRY = "Keep running Pulse on the SQLite file meanwhile."
AGAIN = (
    "Drop the target database, create it again (DROP DATABASE …; CREATE DATABASE …), and run migrate-db again. "
    + RETRY
)


class Refused(Exception):
    """Bad usage, or a source or target this command will not touch; the message is for the operator."""


class CopyFailed(Exception):
    """The copy could not be made; the message is for the operator."""


@dataclass(frozen=True)
class TableCheck:
    """One table's verification: rows and checksum on each side."""

    table: str
    source_rows: int
    source_checksum: int
    target_rows: int
    target_checksum: int
    # Source values in another text form than PostgreSQL's (the same moment), per column.
    reformed: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum


# --- URLs and output --------------------------------------------------------------------------------------------


def mask_url(url: str) -> str:
    """The URL with its password (in the user part or a `password=` query parameter) replaced by ***."""
    parts = urlsplit(url)
    if not secrets_of(url):
        return url  # nothing to hide; unsplitting would also rewrite sqlite:///x.db as sqlite:/x.db
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        name, sep, _password = user.partition(":")
        netloc = f"{name}{':***' if sep else ''}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() == "password" for key, _ in pairs):
            query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def secrets_of(url: str) -> list[str]:
    """Every form of the password a URL carries, to scrub from anything printed."""
    parts = urlsplit(url)
    found = []
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() == "password"]
    if "@" in parts.netloc:
        raw = parts.netloc.rpartition("@")[0].partition(":")[2]
        if raw:
            found.append(raw)
    return sorted({s for s in found if s}, key=len, reverse=True)


class Output:
    """Lines for the operator: progress and results on `out`, problems on `err`, passwords scrubbed from both."""

    def __init__(self, out: TextIO, err: TextIO, secrets: Iterable[str] = ()) -> None:
        self.out = out
        self.err = err
        self.secrets = list(secrets)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def say(self, text: str = "") -> None:
        print(self._clean(text), file=self.out, flush=True)

    def problem(self, text: str) -> None:
        print(self._clean(text), file=self.err, flush=True)


# --- order, checksums, verification -----------------------------------------------------------------------------


def copy_order(tables: Iterable[str], references: dict[str, set[str]]) -> list[str]:
    """The tables ordered so that every table comes after the tables its foreign keys point at (by name otherwise)."""
    remaining = sorted(set(tables))
    placed: list[str] = []
    while remaining:
        ready = [t for t in remaining if not (references.get(t, set()) - {t}) - set(placed)]
        if not ready:
            raise CopyFailed(
                f"The foreign keys between {', '.join(remaining)} form a cycle; cannot order the copy."
            )
        placed += ready
        remaining = [t for t in remaining if t not in ready]
    return placed


async def sqlite_references(db: Database, tables: Iterable[str]) -> dict[str, set[str]]:
    """For each table of a SQLite database, the tables its foreign keys point at."""
    found: dict[str, set[str]] = {}
    for table in tables:
        rows = await db.fetch_all('SELECT "table" FROM pragma_foreign_key_list(?)', (table,))
        found[table] = {row[0] for row in rows}
    return found


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def select_all(table: str, columns: Sequence[str]) -> str:
    return f"SELECT {', '.join(quoted(c) for c in columns)} FROM {quoted(table)}"


def row_digest(values: Iterable[Any]) -> int:
    return int.from_bytes(hashlib.sha256(repr(tuple(values)).encode("utf-8")).digest(), "big")


Form = Callable[[Any], Any]


def canonical_time(value: Any) -> Any:
    """A stored time text as PostgreSQL hands the same moment back: Pulse's fixed-width UTC form.

    Every repository writes that form already, except for texts written before it or elsewhere (bot_state's
    `updated_at` is an isoformat with +00:00); PostgreSQL keeps the moment, not the text. A text without an offset
    is UTC, as the PostgreSQL session reads it.
    """
    if not isinstance(value, str):
        return value
    moment = datetime.fromisoformat(value)
    return moment_text(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


def canonical_date(value: Any) -> Any:
    return date.fromisoformat(value).isoformat() if isinstance(value, str) else value


_FORMS: dict[str, Form] = {"timestamp with time zone": canonical_time, "date": canonical_date}


async def postgres_forms(target: Database, table: str) -> dict[str, Form]:
    """For the target table's time and date columns, how a SQLite value reads back from PostgreSQL."""
    rows = await target.fetch_all(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    return {row[0]: _FORMS[row[1]] for row in rows if row[1] in _FORMS}


@dataclass(frozen=True)
class Checksum:
    rows: int
    value: int
    # Values read in another text form than PostgreSQL gives back (see `canonical_time`), per column.
    reformed: dict[str, int] = field(default_factory=dict)


async def table_checksum(
    db: Database,
    table: str,
    columns: Sequence[str],
    batch: int = BATCH,
    forms: dict[str, Form] | None = None,
) -> Checksum:
    """Rows and order-independent checksum of a table, read through the backend's `stream`.

    `forms` turns a column's values into the form the other backend gives back before they are summed.
    """
    rows = 0
    total = 0
    reformed: dict[str, int] = {}
    shape = [(i, name, forms[name]) for i, name in enumerate(columns) if forms and name in forms]
    async for chunk in db.stream(select_all(table, columns), (), batch):
        for row in chunk:
            values = tuple(row)
            if shape:
                changed = list(values)
                for i, name, form in shape:
                    changed[i] = form(values[i])
                    if changed[i] != values[i]:
                        reformed[name] = reformed.get(name, 0) + 1
                values = tuple(changed)
            total += row_digest(values)
            rows += 1
    return Checksum(rows, total % _CHECKSUM_MODULUS, reformed)


async def column_names(db: Database, table: str) -> list[str]:
    return [name for name, _ in await db.columns(table)]


async def verify(
    source: Database, target: Database, tables: Sequence[str], batch: int = BATCH
) -> list[TableCheck]:
    """Count and checksum every table on both sides, reading the columns the source has."""
    checks = []
    for table in tables:
        columns = await column_names(source, table)
        here = await table_checksum(source, table, columns, batch, await postgres_forms(target, table))
        there = await table_checksum(target, table, columns, batch)
        checks.append(TableCheck(table, here.rows, here.value, there.rows, there.value, here.reformed))
    return checks


def short(checksum: int) -> str:
    return f"{checksum:064x}"[:12]


def report_checks(checks: Sequence[TableCheck], output: Output) -> None:
    """The verification as a table: name, rows, short checksum, OK or MISMATCH."""
    width = max([len("table"), *(len(c.table) for c in checks)])
    output.say(f"  {'table':<{width}}  {'rows':>10}  {'checksum':<12}  result")
    for c in checks:
        line = f"  {c.table:<{width}}  {c.source_rows:>10,}  {short(c.source_checksum):<12}  "
        if c.ok:
            output.say(line + "OK")
        else:
            output.say(
                line + f"MISMATCH (PostgreSQL: {c.target_rows:,} rows, checksum {short(c.target_checksum)})"
            )
    for c in checks:
        for column, count in sorted(c.reformed.items()):
            output.say(
                f"  note: {count:,} value(s) of {c.table}.{column} were stored in SQLite in another time text "
                "form than Pulse's fixed-width UTC one; they are compared as the moments PostgreSQL keeps."
            )


# --- the target ------------------------------------------------------------------------------------------------


async def target_contents(db: Database) -> tuple[int, dict[str, int]]:
    """The target's schema version and its tables with their row counts."""
    version = await db.schema_version()
    counts = {}
    for table in await db.tables():
        row = await db.fetch_one(f"SELECT count(*) FROM {quoted(table)}")
        counts[table] = int(row[0]) if row else 0
    return version, counts


async def refuse_non_empty(db: Database, shown: str) -> None:
    version, counts = await target_contents(db)
    if not version and not counts:
        return
    found = []
    if version:
        found.append(f"Pulse schema version {version}")
    filled = [f"{table} ({rows:,})" for table, rows in counts.items() if rows]
    if filled:
        found.append("rows in " + ", ".join(filled))
    elif counts and not version:
        found.append("tables " + ", ".join(counts))
    raise Refused(
        f"The target {shown} is not empty ({'; '.join(found)}). migrate-db copies only into an empty database, "
        "so that nothing already there is mixed with the copy: create a new database (CREATE DATABASE …) "
        "and run migrate-db again with --to naming it."
    )


async def copy_tables(
    source: Database, target: Database, order: Sequence[str], output: Output, batch: int = BATCH
) -> dict[str, int]:
    """Copy every table in one target transaction; the rows copied per table."""
    copied: dict[str, int] = {}
    width = max(len(t) for t in order)
    async with target.write() as tx:
        # Nobody else writes these tables until the copy is committed or rolled back; reads may go on.
        await tx.execute(f"LOCK TABLE {', '.join(quoted(t) for t in order)} IN EXCLUSIVE MODE")
        for table in order:
            row = await tx.fetch_one(f"SELECT EXISTS (SELECT 1 FROM {quoted(table)})")
            if row is not None and row[0]:
                raise Refused(
                    f"Table {table} on the target got rows while migrate-db ran: another process (a Pulse "
                    "started on the new DATABASE_URL?) is using the target. Stop it, drop and recreate the target "
                    "database, and run migrate-db again."
                )
        for table in order:
            columns = await column_names(source, table)
            total_row = await source.fetch_one(f"SELECT count(*) FROM {quoted(table)}")
            total = int(total_row[0]) if total_row else 0
            copied[table] = await copy_table(tx, source, table, columns, total, output, batch)
            output.say(f"  {table:<{width}}  {copied[table]:>10,} {'row' if copied[table] == 1 else 'rows'}")
        moved = await move_sequences(tx, target, order, copied)
        output.say(f"Moved {moved} id sequence(s) past the copied ids; committing.")
    return copied


async def copy_table(
    tx: Transaction,
    source: Database,
    table: str,
    columns: Sequence[str],
    total: int,
    output: Output,
    batch: int = BATCH,
) -> int:
    per_statement = max(1, min(batch, _MAX_PARAMETERS // len(columns)))
    placeholders = "(" + ", ".join("?" for _ in columns) + ")"
    insert = f"INSERT INTO {quoted(table)} ({', '.join(quoted(c) for c in columns)}) VALUES "
    copied = 0
    next_report = 50 * batch
    async for chunk in source.stream(select_all(table, columns), (), batch):
        for start in range(0, len(chunk), per_statement):
            rows = chunk[start : start + per_statement]
            params = [value for row in rows for value in tuple(row)]
            await tx.execute(insert + ", ".join(placeholders for _ in rows), params)
            copied += len(rows)
        if copied >= next_report:
            output.say(f"  {table}: {copied:,} of {total:,} rows …")
            next_report += 50 * batch
    return copied


async def move_sequences(
    tx: Transaction, target: Database, tables: Sequence[str], copied: dict[str, int]
) -> int:
    """Set each identity sequence to the highest copied id, so that new rows get ids above the copied ones."""
    moved = 0
    for table in tables:
        if not copied.get(table) or "id" not in await column_names(target, table):
            continue
        row = await tx.fetch_one("SELECT pg_get_serial_sequence(?, 'id')", (quoted(table),))
        if row is None or row[0] is None:
            continue
        await tx.fetch_one(f"SELECT setval(?::regclass, (SELECT max(id) FROM {quoted(table)}))", (row[0],))
        moved += 1
    return moved


# --- the source ------------------------------------------------------------------------------------------------


def take_snapshot(source: Path, copy: Path) -> None:
    """Copy a SQLite file with the online backup API: one consistent state, even while another process writes."""
    # mode=rw: never create a file that is not there; nothing is written to the source.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)  # all pages in one step, inside one read transaction
        finally:
            dst.close()
    finally:
        src.close()


# --- the command -----------------------------------------------------------------------------------------------


async def migrate_db(
    source_url: str,
    target_url: str,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    batch: int = BATCH,
    work_dir: Path | None = None,
) -> int:
    """Copy the SQLite database `source_url` into the empty PostgreSQL database `target_url`; the exit code."""
    output = Output(out or sys.stdout, err or sys.stderr, secrets_of(target_url) + secrets_of(source_url))
    try:
        return await _migrate(source_url, target_url, output, batch, work_dir)
    except Refused as exc:
        output.problem(f"migrate-db: {exc}")
        return EXIT_USAGE
    except CopyFailed as exc:
        output.problem(f"migrate-db: {exc}")
        return EXIT_FAILED
    except DatabaseUnavailable as exc:
        output.problem(f"migrate-db: {exc}")
        return EXIT_FAILED
    except Exception as exc:
        output.problem(
            f"migrate-db failed ({type(exc).__name__}: {exc}). {RETRY} If the target got Pulse's tables, drop it "
            "and create it again first."
        )
        return EXIT_FAILED


def check_urls(source_url: str, target_url: str) -> Path:
    if not source_url.startswith("sqlite://"):
        raise Refused(
            f"the source must be a SQLite database (sqlite:///pulse.db), not {mask_url(source_url)}: "
            "migrate-db copies SQLite into PostgreSQL."
        )
    try:
        path = sqlite_path(source_url)
    except SettingsError as exc:
        raise Refused(f"--from: {exc}") from None
    if not is_postgres_url(target_url):
        raise Refused(
            f"the target must be a PostgreSQL database (postgresql://user@host/name), not {mask_url(target_url)}."
        )
    return path


async def _migrate(
    source_url: str, target_url: str, output: Output, batch: int, work_dir: Path | None
) -> int:
    path = check_urls(source_url, target_url)
    shown = mask_url(target_url)
    if not path.is_file():
        raise Refused(f"there is no SQLite database at {path} (from {source_url}).")

    output.say(f"Copying Pulse's SQLite database {path} into PostgreSQL {shown}.")
    output.say(
        f"Stop every Pulse process that uses {path} before this copy: the copy is a snapshot, and whatever they "
        "write after it is not copied."
    )

    try:
        target = await open_database(target_url, pool_size=2, statement_timeout=3600)
    except DatabaseUnavailable:
        raise
    except Exception as exc:  # a malformed URL: asyncpg says what is wrong with it
        raise Refused(f"cannot open {shown}: {type(exc).__name__}: {exc}") from None
    try:
        await refuse_non_empty(target, shown)
        output.say("The target is empty.")
        with tempfile.TemporaryDirectory(prefix="pulse-migrate-", dir=work_dir) as scratch:
            snapshot = Path(scratch) / "snapshot.db"
            output.say(f"Taking a snapshot of {path} ({path.stat().st_size / 1e6:,.1f} MB) in {scratch} …")
            try:
                take_snapshot(path, snapshot)
            except sqlite3.DatabaseError as exc:
                raise Refused(f"{path} cannot be read as a SQLite database: {exc}.") from None
            output.say(
                "The snapshot is one consistent state of the file (SQLite's online backup); the file itself is "
                "not changed."
            )
            source = await open_database(f"sqlite:///{snapshot}")
            try:
                return await _copy(source, target, path, shown, output, batch)
            finally:
                await source.close()
    finally:
        await target.close()


async def _copy(
    source: Database, target: Database, path: Path, shown: str, output: Output, batch: int
) -> int:
    version = await source.schema_version()
    if version == 0:
        raise Refused(f"{path} is not a Pulse database (it has no schema version); nothing to copy.")
    try:
        applied = await source.migrate()
    except SchemaTooNew as exc:
        raise Refused(str(exc)) from None
    newest = await source.schema_version()
    if applied:
        output.say(
            f"The source has schema version {version}, from an older Pulse: the snapshot is brought up to "
            f"version {newest} before copying ({path} itself stays at version {version})."
        )
    else:
        output.say(f"The source has the newest schema (version {newest}).")

    await target.migrate()
    output.say(f"Created Pulse's tables on the target (schema version {await target.schema_version()}).")

    tables = await source.tables()
    target_tables = await target.tables()
    if set(tables) != set(target_tables):
        only_source = sorted(set(tables) - set(target_tables))
        only_target = sorted(set(target_tables) - set(tables))
        raise CopyFailed(
            "the two schemas have different tables "
            f"(only in SQLite: {', '.join(only_source) or '-'}; only in PostgreSQL: {', '.join(only_target) or '-'})."
        )
    for table in tables:
        here, there = await column_names(source, table), await column_names(target, table)
        if here != there:
            raise CopyFailed(f"table {table} has columns {here} in SQLite but {there} in PostgreSQL.")
    order = copy_order(tables, await sqlite_references(source, tables))

    output.say(f"Copying {len(order)} tables in one transaction:")
    try:
        copied = await copy_tables(source, target, order, output, batch)
    except (Refused, CopyFailed):
        raise
    except Exception as exc:
        raise CopyFailed(
            f"the copy failed ({type(exc).__name__}: {exc}). It was rolled back: the target has Pulse's tables "
            f"but no rows. {AGAIN}"
        ) from exc
    output.say(f"Committed {sum(copied.values()):,} rows.")

    output.say("")
    output.say("Verifying: row counts and checksums, read back from both databases:")
    try:
        checks = await verify(source, target, order, batch)
    except Exception as exc:
        raise CopyFailed(
            f"the verification could not finish ({type(exc).__name__}: {exc}); the copy is committed but not "
            f"verified. {AGAIN}"
        ) from exc
    report_checks(checks, output)
    bad = [c.table for c in checks if not c.ok]
    if bad:
        output.problem(
            f"migrate-db: verification FAILED for {', '.join(bad)}. Do not use the target. {AGAIN}"
        )
        return EXIT_FAILED
    output.say(f"All {len(checks)} tables match.")
    output.say("")
    output.say("Next steps:")
    output.say(
        f"  1. Set DATABASE_URL={shown} for every Pulse process (environment or .env) and start Pulse."
    )
    output.say(
        f"  2. Keep {path} as a backup; Pulse no longer reads or writes it. Do not start a Pulse on it again: "
        "what it writes would not reach PostgreSQL."
    )
    output.say(
        "  3. Shards can now be split over processes: give every process the same SHARD_COUNT and its own "
        "SHARD_IDS (e.g. SHARD_COUNT=2 with SHARD_IDS=0 in one and SHARD_IDS=1 in the other)."
    )
    return EXIT_OK


class _SourceSetting(BaseSettings):
    """DATABASE_URL from the environment or .env, the way the bot reads it, without the bot's other settings."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Where the bot keeps its data when DATABASE_URL is unset: the file a newcomer's Pulse has been using.
    database_url: str = Settings.model_fields["database_url"].default


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="python -m bot migrate-db",
        description=(
            "Copy Pulse's SQLite database into an empty PostgreSQL database and verify the copy. Stop every "
            "Pulse process using the SQLite file first. To keep the password out of the process list, leave it "
            "out of --to and set PGPASSWORD instead."
        ),
    )
    parse.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="the empty PostgreSQL database: postgresql://…",
    )
    parse.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="the SQLite database: sqlite:///pulse.db (default: DATABASE_URL from the environment or .env)",
    )
    parse.add_argument(
        "--work-dir",
        type=Path,
        metavar="DIR",
        help="where the snapshot of the SQLite file is kept while copying (default: the temporary directory)",
    )
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.work_dir is not None and not args.work_dir.is_dir():
        print(f"migrate-db: --work-dir {args.work_dir} is not a directory.", file=sys.stderr)
        return EXIT_USAGE
    source = args.source
    if not source:
        try:
            source = _SourceSetting().database_url
        except Exception as exc:  # a malformed .env: say so instead of a traceback
            print(f"migrate-db: cannot read DATABASE_URL: {exc}", file=sys.stderr)
            return EXIT_USAGE
    return asyncio.run(migrate_db(source, args.target, work_dir=args.work_dir))
