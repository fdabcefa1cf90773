"""Benchmark: the weekly leaderboard of one big server, on SQLite and on PostgreSQL.

Run from the repository root:
  uv run python -m bench.bench_leaderboard [--backend sqlite|postgresql|both] [--members 10000] [--weeks 52]
                                           [--runs 7] [--budget 8]

On each backend (both by default, in the same run) builds a database (schema from Database.migrate(), opened with
open_database() like the bot) of one server whose members each logged one post a week, with follower counts for a
fifth of them (the same rows on both), and times: a trivial query (SELECT 1 through Database.fetch_one) as that
backend's baseline; LeaderboardRepository.board() for the latest week on every metric; the score board of a week
in which only 100 members posted; the score board's read of the week's rows, taken apart; and every board again
after the history has doubled. Every timing runs on one backend right after the other, so that load from elsewhere
on the machine hits both alike. Each backend's timings are printed as multiples of its own SELECT 1, then a final
table sets the two backends side by side.

Bulk loading is not what is measured, so it takes the fastest way in: plain sqlite3 in one transaction on SQLite;
asyncpg's COPY (copy_records_to_table, binary, real timestamptz values) on a plain connection on PostgreSQL.
SQLite never runs ANALYZE, neither in production nor here: the query planner sees the tables as a live bot's does
(without sqlite_stat1, the planner's choice comes from the indexes alone). PostgreSQL is different: its autovacuum
daemon ANALYZEs a table on its own once enough of it changed, so a live bot's tables always have statistics there;
a table just filled by COPY has none yet (autovacuum would get to it within a minute), so this runs ANALYZE after
every load on PostgreSQL, which is the state a live server's tables are in.
The PostgreSQL database is created for the run (from PULSE_TEST_POSTGRES, default
postgresql://postgres@127.0.0.1:5432/test, as the tests do) and dropped at the end, also after an error or Ctrl+C.
A benchmark, not a test: it asserts nothing.
Target (issue 8): the score board of a 10 000-member week under 100 ms, its cost following that week's posters
and not all rows ever logged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bot.domain.leaderboard import METRICS, Metric
from bot.domain.weeks import IsoWeek
from bot.settings import sqlite_path
from bot.storage.database import Database, open_database, to_text
from bot.storage.leaderboard import _WEEK_POSTS as WEEK_POSTS
from bot.storage.leaderboard import LeaderboardRepository
from bot.storage.postgres import numbered
from tests.databases import Backend, create_postgres_database, drop_postgres_database

GUILD = 1
TZ = ZoneInfo("Europe/Amsterdam")
LATEST = IsoWeek(2026, 10)  # the week the boards are for: the last full week of history
FEW_WEEK = LATEST.next()  # a week in which only a few members posted
FEW_POSTERS = 100
LOGGED = datetime(2026, 3, 20, tzinfo=UTC)
GOAL_MS = 100.0
SEED = 8
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
BASELINE = "SELECT 1 via Database.fetch_one"

POST_COLUMNS = (
    "batch_id",
    "guild_id",
    "user_id",
    "posted_at",
    "logged_at",
    "likes",
    "comments",
    "shares",
    "saves",
    "views",
    "followers",
)
COUNT_COLUMNS = ("batch_id", "guild_id", "user_id", "taken_at", "logged_at", "followers")
BATCH_COLUMNS = ("id", "guild_id", "user_id", "kind", "created_at")
# Rows as generated: times are aware UTC datetimes, written as Pulse's text on SQLite and as timestamptz on PG.
Rows = list[tuple[Any, ...]]
TIME_POSITIONS = {"history_batches": (4,), "logged_posts": (3, 4), "follower_snapshots": (3, 4)}


@dataclass
class Timing:
    name: str
    samples_ms: list[float]
    places: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)


@dataclass
class Outcome:
    """One backend's run: its timings by name, the first being its SELECT 1 baseline."""

    backend: Backend
    timings: list[Timing] = field(default_factory=list)
    load_seconds: list[float] = field(default_factory=list)

    @property
    def baseline(self) -> Timing:
        return self.timings[0]

    def get(self, name: str) -> Timing:
        return next(t for t in self.timings if t.name == name)


async def timed(
    name: str, call: Callable[[], Awaitable[int]], runs: int, budget_s: float | None = None
) -> Timing:
    """`runs` timed runs after a warm-up; with a budget, no warm-up and no further run once it is spent
    (at least one run), so that a board taking seconds does not stretch the benchmark to many minutes."""
    places = 0 if budget_s is not None else await call()  # warm-up: statement preparation, page cache
    samples: list[float] = []
    while len(samples) < runs and (budget_s is None or not samples or sum(samples) < budget_s * 1000):
        started = time.perf_counter()
        places = await call()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(name, samples, places)


def week_rows(
    rng: random.Random, weeks: list[IsoWeek], members: range, followers: dict[int, int], first_id: int
) -> tuple[Rows, Rows]:
    """One post per member per week at a varied moment and with varied numbers; a weekly follower count for a
    fifth of the members. Followers drift from week to week, so that accounts change bands now and then."""
    posts: Rows = []
    counts: Rows = []
    for week in weeks:
        start = week.start(TZ)
        for user in members:
            count = followers[user] = max(
                1, followers[user] + rng.randint(-followers[user] // 50, followers[user] // 25)
            )
            at = start + timedelta(seconds=rng.randrange(7 * 24 * 3600 - 3600))
            rate = rng.uniform(0.2, 9.0)  # percent
            interactions = max(0, int(count * rate / 100))
            likes = interactions * 8 // 10
            comments, shares = interactions // 20, interactions // 25
            saves = max(0, interactions - likes - comments - shares)
            posts.append(
                (first_id + user, GUILD, user, at, LOGGED, likes, comments, shares, saves, None, count)
            )
            if user % 5 == 0:
                taken = start + timedelta(days=6, hours=20)
                counts.append(
                    (first_id + user, GUILD, user, taken, LOGGED, count + rng.randint(0, count // 100 + 1))
                )
    return posts, counts


def batches_for(members: range, first_id: int) -> Rows:
    return [(first_id + user, GUILD, user, "import", LOGGED) for user in members]


def as_text(rows: Rows, positions: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    """The rows with their times as the fixed-width UTC text Pulse stores in SQLite."""
    for row in rows:
        values = list(row)
        for position in positions:
            values[position] = to_text(values[position])
        yield tuple(values)


def insert_sqlite(url: str, tables: dict[str, Rows]) -> None:
    conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
    columns = {
        "history_batches": BATCH_COLUMNS,
        "logged_posts": POST_COLUMNS,
        "follower_snapshots": COUNT_COLUMNS,
    }
    try:
        conn.execute("BEGIN")
        for table, rows in tables.items():
            names = columns[table]
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                as_text(rows, TIME_POSITIONS[table]),
            )
        conn.execute("COMMIT")
    finally:
        conn.close()


async def insert_postgres(url: str, tables: dict[str, Rows]) -> None:
    """COPY in binary on a plain asyncpg connection (no Pulse text codec: timestamptz gets aware datetimes),
    then ANALYZE (see the module's docstring)."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            columns = {
                "history_batches": BATCH_COLUMNS,
                "logged_posts": POST_COLUMNS,
                "follower_snapshots": COUNT_COLUMNS,
            }
            for table, rows in tables.items():
                await conn.copy_records_to_table(table, records=rows, columns=list(columns[table]))
            # The batches came with their ids; move the identity on past them, as copying a database does.
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence('history_batches', 'id'), max(id)) FROM history_batches"
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def load(backend: Backend, url: str, tables: dict[str, Rows]) -> None:
    if backend == "sqlite":
        insert_sqlite(url, tables)
    else:
        await insert_postgres(url, tables)


class BareDriver:
    """The score board's one query through the driver alone: sqlite3 called in this thread, or a plain asyncpg
    connection without Pulse's text codec (times arrive as datetimes, decoded from binary in C)."""

    def __init__(self, backend: Backend, url: str) -> None:
        self.backend = backend
        self.url = url
        self.sqlite: sqlite3.Connection | None = None
        self.postgres: asyncpg.Connection | None = None

    async def __aenter__(self) -> BareDriver:
        if self.backend == "sqlite":
            self.sqlite = sqlite3.connect(sqlite_path(self.url))
        else:
            self.postgres = await asyncpg.connect(self.url, server_settings={"TimeZone": "UTC"})
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.sqlite is not None:
            self.sqlite.close()
        if self.postgres is not None:
            await self.postgres.close()

    async def week_rows(self, start: datetime, end: datetime) -> int:
        if self.sqlite is not None:
            return len(self.sqlite.execute(WEEK_POSTS, (GUILD, to_text(start), to_text(end))).fetchall())
        assert self.postgres is not None
        return len(await self.postgres.fetch(numbered(WEEK_POSTS), GUILD, start, end))


@dataclass
class Side:
    """One backend's database, open for a round of timings."""

    backend: Backend
    db: Database
    bare: BareDriver
    repo: LeaderboardRepository


Make = Callable[[Side], Callable[[], Awaitable[int]]]


async def on_each(
    sides: list[Side],
    outcomes: dict[Backend, Outcome],
    name: str,
    make: Make,
    runs: int,
    budget_s: float | None = None,
) -> None:
    """The same timing on every backend, one right after the other (so that load from elsewhere on the machine
    hits both alike)."""
    for side in sides:
        outcomes[side.backend].timings.append(await timed(name, make(side), runs, budget_s))


async def measure_baselines(sides: list[Side], outcomes: dict[Backend, Outcome], runs: int) -> None:
    """SELECT 1 through Database.fetch_one on each backend, in four interleaved slices."""
    samples: dict[Backend, list[float]] = {side.backend: [] for side in sides}
    for _ in range(4):
        for side in sides:
            samples[side.backend] += (
                await timed(BASELINE, _select_one(side.db), max(1, runs // 4))
            ).samples_ms
    for side in sides:
        outcomes[side.backend].timings.append(Timing(BASELINE, samples[side.backend], 0))


async def measure_boards(
    urls: dict[Backend, str], outcomes: dict[Backend, Outcome], label: str, args: argparse.Namespace
) -> None:
    """Every metric's board for the latest week, then the score board of the week with few posters, then the
    score board's read of the week's rows, taken apart: through the repository (rows to WeekPost objects), through
    Database.fetch_all (Pulse's backend layer), through the bare driver. Each on every backend in turn.

    The score boards (the goal) get a warm-up and `runs` runs; the other boards, after the score board's
    warm-up, up to `runs` runs within `budget_s` seconds each."""
    runs = args.runs
    start, end = LATEST.start(TZ), LATEST.end(TZ)

    def board(week: IsoWeek, metric: Metric) -> Make:
        def make(side: Side) -> Callable[[], Awaitable[int]]:
            async def call() -> int:
                return len((await side.repo.board(GUILD, week, TZ, metric, 1)).places)

            return call

        return make

    def read_only(side: Side) -> Callable[[], Awaitable[int]]:
        async def call() -> int:
            return len(await side.repo.week_posts(GUILD, start, end))

        return call

    def fetch_all(side: Side) -> Callable[[], Awaitable[int]]:
        async def call() -> int:
            return len(await side.db.fetch_all(WEEK_POSTS, (GUILD, to_text(start), to_text(end))))

        return call

    def driver(side: Side) -> Callable[[], Awaitable[int]]:
        async def call() -> int:
            return await side.bare.week_rows(start, end)

        return call

    async with contextlib.AsyncExitStack() as stack:
        sides = []
        for backend, url in urls.items():
            db = await open_database(url)
            stack.push_async_callback(db.close)
            bare = await stack.enter_async_context(BareDriver(backend, url))
            sides.append(Side(backend, db, bare, LeaderboardRepository(db)))
        if not outcomes[sides[0].backend].timings:
            await measure_baselines(sides, outcomes, args.baseline_runs)
        for metric in METRICS:
            budget = None if metric == "score" else args.budget
            await on_each(sides, outcomes, f"{metric} board, {label}", board(LATEST, metric), runs, budget)
        name = f"score board, {FEW_POSTERS} posters, {label}"
        await on_each(sides, outcomes, name, board(FEW_WEEK, "score"), runs)
        # What the score board costs apart from its arithmetic and sorting in Python, and where that goes.
        await on_each(sides, outcomes, f"  of which week_posts() read, {label}", read_only, runs)
        await on_each(sides, outcomes, f"    its Database.fetch_all, {label}", fetch_all, runs)
        await on_each(sides, outcomes, f"    its query on the bare driver, {label}", driver, runs)


async def load_everywhere(
    urls: dict[Backend, str], outcomes: dict[Backend, Outcome], tables: dict[str, Rows]
) -> str:
    """The rows into every backend's database; how long each took, for printing."""
    took = []
    for backend, url in urls.items():
        began = time.perf_counter()
        await load(backend, url, tables)
        outcomes[backend].load_seconds.append(time.perf_counter() - began)
        analyze = " with ANALYZE" if backend == "postgresql" else ""
        took.append(f"{NAMES[backend]} {outcomes[backend].load_seconds[-1]:.1f} s{analyze}")
    return ", ".join(took)


def print_backend(outcome: Outcome, args: argparse.Namespace) -> None:
    base = outcome.baseline.median
    print(f"\n=== {NAMES[outcome.backend]} (x SELECT 1: against this backend's own SELECT 1)\n")
    print(f"{'':44} {'places':>7} {'runs':>5} {'p50 ms':>9} {'min ms':>9} {'max ms':>9} {'x SELECT 1':>11}")
    for timing in outcome.timings:
        print(
            f"{timing.name:44} {timing.places:7} {len(timing.samples_ms):5} {timing.median:9.2f}"
            f" {min(timing.samples_ms):9.2f}"
            f" {max(timing.samples_ms):9.2f} {timing.median / base:11.0f}"
        )
    score = outcome.get(f"score board, {args.weeks} weeks")
    few = outcome.get(f"score board, {FEW_POSTERS} posters, {args.weeks} weeks")
    doubled = outcome.get(f"score board, {2 * args.weeks} weeks")
    few_doubled = outcome.get(f"score board, {FEW_POSTERS} posters, {2 * args.weeks} weeks")
    print(
        f"\nScore board, {args.members} posters: {score.median:.1f} ms;"
        f" {'under' if score.median < GOAL_MS else 'OVER'} the {GOAL_MS:.0f} ms goal."
        f"\nCost follows the week's posters: {FEW_POSTERS} posters {few.median:.2f} ms ="
        f" {few.median / score.median:.3f}x the {args.members}-poster week"
        f" (posters ratio {FEW_POSTERS / args.members:.3f})."
        f"\nNot all rows ever logged: with the history doubled the score board is {doubled.median:.1f} ms ="
        f" {doubled.median / score.median:.2f}x, the {FEW_POSTERS}-poster week {few_doubled.median:.2f} ms ="
        f" {few_doubled.median / few.median:.2f}x."
    )
    read = outcome.get(f"  of which week_posts() read, {args.weeks} weeks")
    streak = outcome.get(f"streak board, {args.weeks} weeks")
    streak_doubled = outcome.get(f"streak board, {2 * args.weeks} weeks")
    print(
        f"Of the score board's {score.median:.1f} ms, reading the week's rows is {read.median:.1f} ms;"
        f" the rest ({score.median - read.median:.1f} ms) is computing, sorting and ranking the standings"
        " (and one small query, the members' visibility)."
        f"\nStreak board: every member posts every week, so doubling the history doubles each streak;"
        f" it took {streak_doubled.median / streak.median:.2f}x as long (2x would follow the streaks' length).",
        flush=True,
    )


def print_comparison(sqlite: Outcome, postgres: Outcome) -> None:
    """Per board: each backend's median, PG/SQLite, and each as a multiple of its own SELECT 1."""
    print(
        "\n=== SQLite and PostgreSQL side by side (medians; 'x SELECT 1' against each backend's own SELECT 1)\n"
    )
    print(
        f"{'':44} {'SQLite ms':>10} {'PG ms':>10} {'PG/SQLite':>10} {'SQLite':>11} {'PG':>11}"
        f"\n{'':44} {'':>10} {'':>10} {'':>10} {'x SELECT 1':>11} {'x SELECT 1':>11}"
    )
    lite_base, pg_base = sqlite.baseline.median, postgres.baseline.median
    for lite in sqlite.timings:
        pg = postgres.get(lite.name)
        print(
            f"{lite.name:44} {lite.median:10.2f} {pg.median:10.2f} {pg.median / lite.median:10.2f}"
            f" {lite.median / lite_base:11.0f} {pg.median / pg_base:11.0f}"
        )
    print(
        f"\nLoading (sqlite3 executemany in one transaction; COPY in one transaction, then ANALYZE):"
        f" SQLite {sqlite.load_seconds[0]:.1f} s + {sqlite.load_seconds[1]:.1f} s,"
        f" PostgreSQL {postgres.load_seconds[0]:.1f} s + {postgres.load_seconds[1]:.1f} s."
        f"\nOne query's round trip: SELECT 1 takes {lite_base * 1000:.0f} us on SQLite (a call into a thread of"
        f" this process) and {pg_base * 1000:.0f} us on PostgreSQL (a pool checkout and a message over a"
        f" socket to another process): {pg_base / lite_base:.1f}x."
    )


async def run(args: argparse.Namespace) -> None:
    backends: list[Backend] = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    load_average = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(
        f"Pulse leaderboard benchmark on {', '.join(NAMES[b] for b in backends)}; load average {load_average}"
        f" on {os.cpu_count()} cores",
        flush=True,
    )
    outcomes = {backend: Outcome(backend) for backend in backends}
    async with contextlib.AsyncExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        urls: dict[Backend, str] = {}
        for backend in backends:
            if backend == "sqlite":
                urls[backend] = f"sqlite:///{tmp / 'bench.db'}"
            else:
                urls[backend] = await create_postgres_database()
                # Dropped also after an error or Ctrl+C (asyncio.run cancels this task; the drop still runs).
                stack.push_async_callback(drop_postgres_database, urls[backend])
            db = await open_database(urls[backend])
            try:
                await db.migrate()
            finally:
                await db.close()

        rng = random.Random(SEED)
        members = range(1, args.members + 1)
        followers = {user: int(10 ** rng.uniform(2.5, 6.5)) for user in members}  # ~300 to ~3M
        recent = [LATEST.shifted(-n) for n in range(args.weeks - 1, -1, -1)]
        older = [LATEST.shifted(-n) for n in range(2 * args.weeks - 1, args.weeks - 1, -1)]

        began = time.perf_counter()
        posts, counts = week_rows(rng, recent, members, followers, 0)
        few_members = range(1, args.members + 1, max(1, args.members // FEW_POSTERS))[:FEW_POSTERS]
        few_posts, few_counts = week_rows(rng, [FEW_WEEK], few_members, followers, 0)
        tables = {
            "history_batches": batches_for(members, 0),
            "logged_posts": posts + few_posts,
            "follower_snapshots": counts + few_counts,
        }
        built = time.perf_counter() - began
        loaded = await load_everywhere(urls, outcomes, tables)
        rows, count_rows = len(tables["logged_posts"]), len(tables["follower_snapshots"])
        # The rows built here are in the databases now; kept in memory they would make every garbage collection
        # during the timings scan a million objects the bot never has.
        del posts, counts, few_posts, few_counts, tables
        gc.collect()
        print(
            f"\n1 server, {args.members} members x {args.weeks} weeks ({rows:,} posts, {count_rows:,} follower"
            f" counts; built in {built:.1f} s, loaded: {loaded}), median of up to {args.runs} runs"
            f" (improved, streak, growth: no warm-up, up to {args.budget:.0f} s each), each timing on"
            f" {' then '.join(NAMES[b] for b in backends)}",
            flush=True,
        )
        await measure_boards(urls, outcomes, f"{args.weeks} weeks", args)

        # Double the history: the same members, the same number of weeks again, before the first.
        began = time.perf_counter()
        older_followers = {user: int(10 ** rng.uniform(2.5, 6.5)) for user in members}
        old_posts, old_counts = week_rows(rng, older, members, older_followers, args.members)
        tables = {
            "history_batches": batches_for(members, args.members),
            "logged_posts": old_posts,
            "follower_snapshots": old_counts,
        }
        built = time.perf_counter() - began
        loaded = await load_everywhere(urls, outcomes, tables)
        rows += len(old_posts)
        del old_posts, old_counts, tables
        gc.collect()
        print(
            f"history doubled to {2 * args.weeks} weeks ({rows:,} posts; built in {built:.1f} s, loaded: {loaded})",
            flush=True,
        )
        await measure_boards(urls, outcomes, f"{2 * args.weeks} weeks", args)

    for outcome in outcomes.values():
        print_backend(outcome, args)
    if len(outcomes) == 2:
        print_comparison(outcomes["sqlite"], outcomes["postgresql"])
    load_average = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(
        f"\nload average at the end {load_average} on {os.cpu_count()} cores"
        " (the benchmark and its database keep about one busy; more is other work sharing the machine)"
    )


def _select_one(db: Database) -> Callable[[], Awaitable[int]]:
    async def call() -> int:
        row = await db.fetch_one("SELECT 1")
        assert row is not None
        return 0

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per board; the median is reported")
    parser.add_argument(
        "--budget", type=float, default=8.0, help="seconds of runs for each improved, streak, growth board"
    )
    parser.add_argument("--baseline-runs", type=int, default=200)
    try:
        asyncio.run(run(parser.parse_args()))
    except KeyboardInterrupt:
        sys.exit("\ninterrupted (the benchmark's databases are removed)")


if __name__ == "__main__":
    main()
