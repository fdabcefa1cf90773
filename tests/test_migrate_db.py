"""`python -m bot migrate-db`: a real SQLite file copied into a real, fresh PostgreSQL database, and verified."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

import bot.migrate_db as migrate_db_module
from bot.domain.checkins import CheckinThread
from bot.domain.history import FollowerCount, Goal, PostNumbers
from bot.domain.leaderboard import Board, Place, Standing
from bot.domain.server_settings import ServerSettings
from bot.domain.tiktok_export import ActivityHour
from bot.domain.weeks import IsoWeek
from bot.migrate_db import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CopyFailed,
    Output,
    copy_order,
    mask_url,
    migrate_db,
    report_checks,
    secrets_of,
    sqlite_references,
    verify,
)
from bot.storage.checkins import CheckinRepository
from bot.storage.database import Database, open_database
from bot.storage.history import HistoryRepository
from bot.storage.jobs import JobStore, PlannedJob
from bot.storage.leaderboard import LeaderboardRepository
from bot.storage.settings import SettingsRepository
from bot.storage.state import BotState
from tests.databases import create_postgres_database, drop_postgres_database, migrated

REPO = Path(__file__).resolve().parent.parent
# Trust authentication ignores the password; it is there to be kept out of the output (and has URL-escaped parts).
PASSWORD = "S3cret p@ss/word"
BIG = 1_300_000_000_000_000_000  # Discord-sized ids
GUILD, MEMBER, OTHER, COACH, GONE = BIG + 1, BIG + 2, BIG + 3, BIG + 4, BIG + 5
T0 = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=UTC)
DAY = timedelta(days=1)
TITLE = 'Mijn "eerste" video — it\'s ✨ 日本語 \\ ok'
ID_TABLES = (
    "coach_notes",
    "data_views",
    "follower_snapshots",
    "history_batches",
    "logged_posts",
    "scheduled_jobs",
    "settings_changes",
)


# --- fixtures -----------------------------------------------------------------------------------------------


def with_password(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(
        parts._replace(netloc=f"{parts.username or 'postgres'}:{quote(PASSWORD, safe='')}@{host}{port}")
    )


@pytest.fixture
async def target_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database, named with a password."""
    url = await create_postgres_database()
    try:
        yield with_password(url)
    finally:
        await drop_postgres_database(url)


@pytest.fixture
async def source_url(tmp_path: Path) -> str:
    """A SQLite file with rows in every table, NULLs, 64-bit ids, microsecond times and unicode."""
    url = f"sqlite:///{tmp_path / 'pulse.db'}"
    db = await open_database(url)
    try:
        await db.migrate()
        await fill(db)
    finally:
        await db.close()
    return url


async def fill(db: Database) -> None:
    history = HistoryRepository(db)
    await history.add_post(GUILD, MEMBER, PostNumbers(T0, 300, 40, 25, 15, None, 5000, None), T0)
    await history.add_post(
        GUILD,
        MEMBER,
        PostNumbers(T0 + DAY, 1, 0, 0, 0, 12_345, 5001, TITLE),
        T0 + DAY + timedelta(microseconds=1),
    )
    await history.add_followers(GUILD, MEMBER, 5100, taken_at=T0 - DAY, logged_at=T0)
    await history.import_rows(
        GUILD,
        OTHER,
        [PostNumbers(T0 - 3 * DAY, 10, 2, 1, 0, 999, 1000, "geïmporteerd 'één'")],
        [FollowerCount(T0 - 4 * DAY, 990)],
        T0,
    )
    await history.import_tiktok(
        GUILD,
        OTHER,
        [("7301234567890123456", PostNumbers(T0 - 2 * DAY, 50, 5, 2, 0, 800, 990, "van TikTok ✨"))],
        [FollowerCount(T0 - 2 * DAY, 995)],
        [ActivityHour(T0 + timedelta(hours=hour), 10 * hour) for hour in range(3)],
        "lisa.maakt",
        T0,
    )
    await history.set_goal(
        Goal(GUILD, MEMBER, "followers", Fraction(10_000), date(2026, 6, 30), T0, baseline=Fraction(5000))
    )
    await history.set_goal(Goal(GUILD, MEMBER, "engagement_rate", Fraction(123, 10), date(2026, 12, 31), T0))

    settings = SettingsRepository(db)
    before = ServerSettings(GUILD)
    after = replace(
        before,
        timezone="Europe/Amsterdam",
        language="nl",
        leaderboard_channel_id=BIG + 10,
        leaderboard_active_since=T0,
        coach_role_id=BIG + 11,
        coaching_channel_id=BIG + 12,
        coaching_public_threads=True,
    )
    await settings.save(before, after, MEMBER, T0)
    await settings.save(after, replace(after, leaderboard_min_posts=3), GONE, T0 + DAY)
    await settings.save(ServerSettings(GUILD + 1), ServerSettings(GUILD + 1, language="en"), 0, T0)

    jobs = JobStore(db)
    await jobs.plan(PlannedJob("leaderboard_post", GUILD, "2026-W10", T0))
    await jobs.plan(PlannedJob("checkin_reminder", GUILD, "2026-W11", T0 + 7 * DAY))
    (claimed,) = await jobs.claim_due(T0 + timedelta(minutes=1), "shard-0 ✓")
    await jobs.finish(claimed, "shard-0 ✓", "done", "posted “week 10”", T0 + timedelta(minutes=2))

    boards = LeaderboardRepository(db)
    week10 = Board(
        IsoWeek(2026, 10),
        "score",
        (
            Place(1, Standing(MEMBER, Fraction(3, 2), 2, T0, (Fraction(1, 3),))),
            Place(2, Standing(OTHER, Fraction(1), 1, None), anonymous=True),
            Place(3, Standing(GONE, Fraction(1, 2), 1, T0 + DAY)),
        ),
        1,
    )
    await boards.archive(GUILD, BIG + 10, BIG + 20, T0 + 7 * DAY, [week10])
    await boards.archive(GUILD, BIG + 10, None, T0 + 14 * DAY, [Board(IsoWeek(2026, 11), "growth", (), 2)])
    await boards.set_visibility(GUILD, OTHER, "anonymous", T0)
    await boards.set_visibility(GUILD, MEMBER, "hide", T0 + DAY)

    checkins = CheckinRepository(db)
    await checkins.note_coach(GUILD, COACH, T0)
    await checkins.set_thread(GUILD, MEMBER, CheckinThread(BIG + 30, True), T0)
    await checkins.set_thread(GUILD, OTHER, CheckinThread(BIG + 31, False), T0)
    await checkins.record_checkin(GUILD, MEMBER, IsoWeek(2026, 10), T0)
    await checkins.set_focus(
        GUILD, MEMBER, IsoWeek(2026, 11), "Meer 'hooks' — in de \"eerste\" 3 s 🎯", T0 + 7 * DAY
    )
    await checkins.mark_reminder(GUILD, MEMBER, IsoWeek(2026, 12), "sent", T0 + 14 * DAY, BIG + 40)
    await checkins.mark_reminder(GUILD, OTHER, IsoWeek(2026, 12), "sending", T0 + 14 * DAY)
    await checkins.add_note(GUILD, MEMBER, COACH, 'Goed bezig, "echt"', T0)
    await checkins.add_note(GUILD, MEMBER, GONE, "Let op de hooks", T0 + DAY)
    await checkins.record_views(GUILD, COACH, [MEMBER, OTHER], "progress", T0)
    await checkins.record_views(GUILD, GONE, [MEMBER], "roster", T0 + DAY)

    await BotState(db).set("command_tree", "hash ✓")
    await BotState(db).set("empty", "")

    # A member who deleted their data leaves NULL where their id was.
    async with db.write() as conn:
        for sql in (
            "UPDATE settings_changes SET user_id = NULL WHERE user_id = ?",
            "UPDATE leaderboard_archive SET user_id = NULL WHERE user_id = ?",
            "UPDATE coach_notes SET author_id = NULL WHERE author_id = ?",
            "UPDATE data_views SET viewer_id = NULL WHERE viewer_id = ?",
        ):
            assert await conn.execute(sql, (GONE,)) > 0


# --- helpers ------------------------------------------------------------------------------------------------


async def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, read through the backend the URL names, as a sorted list."""
    db = await open_database(url)
    try:
        found = {}
        for table in await db.tables():
            columns = ", ".join(f'"{name}"' for name, _ in await db.columns(table))
            rows = [tuple(row) for row in await db.fetch_all(f'SELECT {columns} FROM "{table}"')]
            found[table] = sorted(rows, key=repr)
        return found
    finally:
        await db.close()


def as_moments(rows: list[tuple[Any, ...]], column: int) -> list[tuple[Any, ...]]:
    return sorted(
        ((*row[:column], datetime.fromisoformat(row[column]), *row[column + 1 :]) for row in rows), key=repr
    )


async def run(source: str, target: str, **kw: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await migrate_db(source, target, out=out, err=err, **kw)
    return code, out.getvalue(), err.getvalue()


def cli(*args: str, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DISCORD_TOKEN")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate-db", *args],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_no_password(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert quote(PASSWORD, safe="") not in text
        assert "S3cret" not in text


def file_digest(url: str) -> str:
    return hashlib.sha256(Path(url.removeprefix("sqlite:///")).read_bytes()).hexdigest()


# --- the copy -----------------------------------------------------------------------------------------------


async def test_every_row_is_copied_verified_and_the_target_then_refused(
    source_url: str, target_url: str
) -> None:
    source_before = await contents(source_url)
    assert all(source_before.values()), "the source should have rows in every table"
    file_before = file_digest(source_url)

    code, out, err = await run(source_url, target_url)
    assert (code, err) == (EXIT_OK, "")

    copied = await contents(target_url)
    assert set(copied) == set(source_before)
    for table, rows in source_before.items():
        if table == "bot_state":
            # BotState writes `isoformat()` text (+00:00); PostgreSQL keeps the moment and gives Pulse's form back.
            assert as_moments(copied[table], 2) == as_moments(rows, 2)
            assert all(len(row[2]) == 27 and row[2].endswith("Z") for row in copied[table])
        else:
            assert copied[table] == rows, table
    # The values survived with their types: 64-bit ids, microseconds, NULLs, unicode with quotes.
    posts = {row[12]: row for row in copied["logged_posts"]}  # by title
    assert posts[TITLE][2:5] == (GUILD, MEMBER, "2026-03-03T09:15:30.123456Z")
    assert posts[None][10] is None  # views
    assert ("2026-06-30" in {row[4] for row in copied["goals"]}) and None in {
        row[6] for row in copied["goals"]
    }

    # The operator sees each table's rows, the verification, and what to do next; never the password.
    for table, rows in source_before.items():
        assert any(line.split()[:2] == [table, f"{len(rows):,}"] for line in out.splitlines()), table
        assert any(
            line.split()[:2] == [table, f"{len(rows):,}"] and line.endswith("OK") for line in out.splitlines()
        )
    assert f"All {len(source_before)} tables match." in out
    assert "Stop every Pulse process" in out
    assert f"DATABASE_URL={mask_url(target_url)}" in out and ":***@" in out
    assert "SHARD_COUNT" in out and "SHARD_IDS" in out and "backup" in out
    assert_no_password(out, err)
    # The SQLite file was read, never written.
    assert file_digest(source_url) == file_before
    assert await contents(source_url) == source_before

    # The identity sequences moved past the copied ids: new rows get the next ids, not a clash.
    highest = {t: max(row[0] for row in copied[t]) for t in ID_TABLES}
    db = await open_database(target_url)
    try:
        history = HistoryRepository(db)
        post = await history.add_post(
            GUILD, MEMBER, PostNumbers(T0 + 30 * DAY, 1, 1, 1, 1, None, 10, None), T0
        )
        snapshot = await history.add_followers(GUILD, MEMBER, 6000, taken_at=T0 + 30 * DAY)
        note = await CheckinRepository(db).add_note(GUILD, OTHER, COACH, "nieuw", T0 + 30 * DAY)
        await CheckinRepository(db).record_views(GUILD, COACH, [OTHER], "history", T0 + 30 * DAY)
        await SettingsRepository(db).save(
            ServerSettings(GUILD + 2), ServerSettings(GUILD + 2, language="en"), 1, T0
        )
        await JobStore(db).plan(PlannedJob("leaderboard_post", GUILD + 2, "2026-W20", T0))
    finally:
        await db.close()
    assert post.id == highest["logged_posts"] + 1
    assert snapshot.id == highest["follower_snapshots"] + 1
    assert note == highest["coach_notes"] + 1
    after = await contents(target_url)
    for table in ID_TABLES:
        new = {row[0] for row in after[table]} - {row[0] for row in copied[table]}
        assert new and min(new) > highest[table], table

    # A second run meets a target that is no longer empty: refused, and nothing changes.
    code, out, err = await run(source_url, target_url)
    assert code == EXIT_USAGE
    assert (
        "is not empty" in err
        and "schema version 6" in err
        and f"logged_posts ({len(after['logged_posts'])})" in err
    )
    assert_no_password(out, err)
    assert await contents(target_url) == after


async def test_the_command_line(source_url: str, target_url: str, tmp_path: Path) -> None:
    total = sum(len(rows) for rows in (await contents(source_url)).values())
    done = cli("--from", source_url, "--to", target_url)
    assert done.returncode == EXIT_OK, done.stderr
    assert "All 19 tables match." in done.stdout
    assert "logged_posts" in done.stdout and f"Committed {total} rows." in done.stdout
    assert_no_password(done.stdout, done.stderr)

    again = cli("--to", target_url, DATABASE_URL=source_url)  # --from defaults to DATABASE_URL
    assert again.returncode == EXIT_USAGE
    assert "is not empty" in again.stderr
    assert "Traceback" not in again.stderr
    assert_no_password(again.stdout, again.stderr)


async def test_the_source_defaults_to_database_url_from_env_file(
    source_url: str, target_url: str, tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / ".env").write_text(f"DATABASE_URL={source_url}\n", encoding="utf-8")  # no DISCORD_TOKEN needed
    done = cli("--to", target_url, cwd=workdir)
    assert done.returncode == EXIT_OK, done.stderr
    assert f"Copying Pulse's SQLite database {source_url.removeprefix('sqlite:///')}" in done.stdout


def test_usage_problems_exit_2(tmp_path: Path) -> None:
    # No --from, no DATABASE_URL: the bot's own default, pulse.db here, which does not exist.
    nothing = cli("--to", "postgresql://postgres@127.0.0.1/x", cwd=tmp_path)
    assert nothing.returncode == EXIT_USAGE
    assert "pulse.db" in nothing.stderr, nothing.stderr
    no_target = cli("--from", "sqlite:///pulse.db", cwd=tmp_path)
    assert no_target.returncode == EXIT_USAGE and "--to" in no_target.stderr


async def test_an_older_database_is_copied_as_migrated_and_the_file_left_at_its_version(
    tmp_path: Path, target_url: str
) -> None:
    path = tmp_path / "old.db"
    db = await open_database(f"sqlite:///{path}")
    try:
        await db.migrate(target=4)  # an older Pulse: server_settings still had updated_by
        await HistoryRepository(db).add_followers(GUILD, MEMBER, 1234, taken_at=T0)
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO server_settings (guild_id, timezone, language, leaderboard_weekday, leaderboard_hour,"
                " leaderboard_enabled, leaderboard_min_posts, updated_at, updated_by)"
                " VALUES (?, 'UTC', 'en', 0, 9, 1, 1, ?, ?)",
                (GUILD, "2026-03-02T09:15:30.123456Z", MEMBER),
            )
            await conn.execute(
                "INSERT INTO coach_notes (guild_id, member_id, author_id, text, created_at) VALUES (?, ?, ?, ?, ?)",
                (GUILD, MEMBER, COACH, "oud", "2026-03-02T09:15:30.123456Z"),
            )
    finally:
        await db.close()

    code, out, err = await run(f"sqlite:///{path}", target_url)
    assert (code, err) == (EXIT_OK, "")
    assert "schema version 4, from an older Pulse" in out and "up to version 6" in out
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        assert "updated_by" in {row[1] for row in conn.execute("PRAGMA table_info(server_settings)")}
    copied = await contents(target_url)
    assert copied["follower_snapshots"][0][-1] == 1234
    assert copied["server_settings"][0][:3] == (GUILD, "UTC", "en")
    assert copied["coach_notes"] == [(1, GUILD, MEMBER, COACH, "oud", "2026-03-02T09:15:30.123456Z")]


# --- refusals -----------------------------------------------------------------------------------------------


async def test_wrong_kinds_of_source_and_target_are_refused(
    source_url: str, target_url: str, tmp_path: Path
) -> None:
    code, _, err = await run(target_url, target_url)
    assert code == EXIT_USAGE and "the source must be a SQLite database" in err
    assert_no_password(err)
    code, _, err = await run(source_url, f"sqlite:///{tmp_path / 'other.db'}")
    assert code == EXIT_USAGE and "the target must be a PostgreSQL database" in err
    assert not (tmp_path / "other.db").exists()

    code, _, err = await run(source_url, "postgresql://postgres:S3cret@127.0.0.1:port/x")
    assert code == EXIT_USAGE and "cannot open postgresql://postgres:***@127.0.0.1:port/x" in err
    assert_no_password(err)

    code, _, err = await run(f"sqlite:///{tmp_path / 'missing.db'}", target_url)
    assert code == EXIT_USAGE and "there is no SQLite database" in err
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "notes.txt").write_text("not a database at all, just some text" * 100)
    code, _, err = await run(f"sqlite:///{tmp_path / 'notes.txt'}", target_url)
    assert code == EXIT_USAGE and "cannot be read as a SQLite database" in err
    sqlite3.connect(tmp_path / "blank.db").close()
    code, _, err = await run(f"sqlite:///{tmp_path / 'blank.db'}", target_url)
    assert code == EXIT_USAGE and "not a Pulse database" in err

    # A refused source leaves the target as it was: still empty, so the next try may use it.
    db = await open_database(target_url)
    try:
        assert (await db.schema_version(), await db.tables()) == (0, [])
    finally:
        await db.close()
    code, _, err = await run(source_url, target_url)
    assert code == EXIT_OK, err


async def test_a_target_with_a_schema_or_other_tables_is_refused(source_url: str, target_url: str) -> None:
    db = await open_database(target_url)
    try:
        await db.migrate()  # Pulse's tables, all empty: a Pulse has been started on it
    finally:
        await db.close()
    code, _, err = await run(source_url, target_url)
    assert code == EXIT_USAGE and "Pulse schema version 6" in err
    assert all(not rows for rows in (await contents(target_url)).values())


async def test_a_target_with_foreign_tables_is_refused(source_url: str, target_url: str) -> None:
    db = await open_database(target_url)
    try:
        async with db.write() as conn:
            await conn.execute("CREATE TABLE invoices (id BIGINT PRIMARY KEY)")
    finally:
        await db.close()
    code, _, err = await run(source_url, target_url)
    assert code == EXIT_USAGE and "tables invoices" in err


async def test_a_failed_copy_leaves_no_rows_behind(source_url: str, target_url: str) -> None:
    db = await open_database(source_url)
    try:
        async with db.write() as conn:
            # SQLite keeps a NUL in text; PostgreSQL refuses it, halfway through the copy.
            await conn.execute("UPDATE logged_posts SET title = ? WHERE title IS NULL", ("nul \x00 byte",))
    finally:
        await db.close()
    code, out, err = await run(source_url, target_url)
    assert code == EXIT_FAILED
    assert "the copy failed" in err and "rolled back" in err and "Drop the target database" in err
    assert "bot_state" in out  # tables before the failing one had been copied …
    assert all(not rows for rows in (await contents(target_url)).values())  # … and were rolled back
    assert_no_password(out, err)


# --- order, verification and masking ------------------------------------------------------------------------


async def test_copy_order_follows_foreign_keys_and_covers_every_table(tmp_path: Path) -> None:
    async with migrated("sqlite", tmp_path) as sqlite, migrated("postgresql", tmp_path) as postgres:
        tables = await sqlite.tables()
        assert tables == await postgres.tables()
        order = copy_order(tables, await sqlite_references(sqlite, tables))
    assert sorted(order) == sorted(tables) and len(order) == 19
    for parent, child in (
        ("history_batches", "logged_posts"),
        ("history_batches", "follower_snapshots"),
        ("leaderboard_posts", "leaderboard_archive"),
    ):
        assert order.index(parent) < order.index(child)
    assert copy_order(["b", "a", "c"], {"a": {"c"}, "c": {"c"}}) == ["b", "c", "a"]
    with pytest.raises(CopyFailed, match="cycle"):
        copy_order(["a", "b"], {"a": {"b"}, "b": {"a"}})


async def test_verification_finds_a_tampered_target(source_url: str, target_url: str) -> None:
    assert (await run(source_url, target_url))[0] == EXIT_OK
    source, target = await open_database(source_url), await open_database(target_url)
    try:
        tables = await source.tables()
        assert all(check.ok for check in await verify(source, target, tables))
        async with target.write() as conn:
            # Same row count and the same values per column, only swapped between two rows.
            await conn.execute(
                "UPDATE follower_snapshots SET followers = CASE followers WHEN 5100 THEN 990 ELSE 5100 END"
                " WHERE followers IN (5100, 990)"
            )
            await conn.execute("DELETE FROM coaches")
        checks = await verify(source, target, tables)
        bad = {check.table: check for check in checks if not check.ok}
        assert set(bad) == {"follower_snapshots", "coaches"}
        assert bad["follower_snapshots"].source_rows == bad["follower_snapshots"].target_rows == 3
        assert (bad["coaches"].source_rows, bad["coaches"].target_rows) == (1, 0)
        out = io.StringIO()
        report_checks(checks, Output(out, io.StringIO()))
        lines = out.getvalue().splitlines()
        assert sum(line.endswith("OK") for line in lines) == 17
        assert [line.split()[0] for line in lines if "MISMATCH" in line] == ["coaches", "follower_snapshots"]
    finally:
        await source.close()
        await target.close()


async def test_a_mismatch_after_the_copy_exits_1(
    source_url: str, target_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_verify = migrate_db_module.verify

    async def tampered(source: Database, target: Database, tables: list[str], batch: int = 1000) -> Any:
        async with target.write() as conn:
            await conn.execute("UPDATE goals SET target = '1' WHERE metric = 'followers'")
        return await real_verify(source, target, tables, batch)

    monkeypatch.setattr(migrate_db_module, "verify", tampered)
    code, out, err = await run(source_url, target_url)
    assert code == EXIT_FAILED
    assert [line.split()[0] for line in out.splitlines() if "MISMATCH" in line] == ["goals"]
    assert "verification FAILED for goals" in err and "Drop the target database" in err
    assert "Next steps" not in out and "All 19 tables match" not in out


def test_passwords_are_masked() -> None:
    assert mask_url("postgresql://pulse:hunter2@db:5432/pulse") == "postgresql://pulse:***@db:5432/pulse"
    assert mask_url("postgresql://pulse@db/pulse") == "postgresql://pulse@db/pulse"
    assert mask_url("sqlite:///data/pulse.db") == "sqlite:///data/pulse.db"
    assert (
        mask_url("postgresql://db/pulse?user=p&password=hunter2")
        == "postgresql://db/pulse?user=p&password=***"
    )
    assert set(secrets_of("postgresql://u:a%40b@h/d?password=x1")) == {"a%40b", "a@b", "x1"}
    out = io.StringIO()
    Output(out, out, ["hunter2"]).say("failed for hunter2 at db")
    assert out.getvalue() == "failed for *** at db\n"
