"""Benchmark: the weekly leaderboard on a real SQLite database of one big server.

Run from the repository root:  uv run python -m bench.bench_leaderboard [--members 10000] [--weeks 52] [--runs 7] [--budget 8]

Builds a database (schema from Database.migrate(), rows inserted with plain sqlite3 in one transaction) of one
server whose members each logged one post a week, with follower counts for a fifth of them, and times in the
same run: a trivial query through Database.fetch_one as the baseline; LeaderboardRepository.board() for the
latest week on every metric; the score board of a week in which only 100 members posted; and every board again
after the history has doubled. Production never runs ANALYZE, so neither does this: the query planner sees the
tables as a live bot's does. A benchmark, not a test: it asserts nothing.
Target (issue 8): the score board of a 10 000-member week under 100 ms, its cost following that week's posters
and not all rows ever logged.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.leaderboard import METRICS, Metric
from bot.domain.weeks import IsoWeek
from bot.storage.database import Database, to_text
from bot.storage.leaderboard import LeaderboardRepository

GUILD = 1
TZ = ZoneInfo("Europe/Amsterdam")
LATEST = IsoWeek(2026, 10)  # the week the boards are for: the last full week of history
FEW_WEEK = LATEST.next()  # a week in which only a few members posted
FEW_POSTERS = 100
LOGGED = datetime(2026, 3, 20, tzinfo=UTC)
GOAL_MS = 100.0


@dataclass
class Timing:
    name: str
    samples_ms: list[float]
    places: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)


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
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """One post per member per week at a varied moment and with varied numbers; a weekly follower count for a
    fifth of the members. Followers drift from week to week, so that accounts change bands now and then."""
    posts: list[tuple[object, ...]] = []
    counts: list[tuple[object, ...]] = []
    logged = to_text(LOGGED)
    for week in weeks:
        start = week.start(TZ)
        for user in members:
            count = followers[user] = max(
                1, followers[user] + rng.randint(-followers[user] // 50, followers[user] // 25)
            )
            at = to_text(start + timedelta(seconds=rng.randrange(7 * 24 * 3600 - 3600)))
            rate = rng.uniform(0.2, 9.0)  # percent
            interactions = max(0, int(count * rate / 100))
            likes = interactions * 8 // 10
            comments, shares = interactions // 20, interactions // 25
            saves = max(0, interactions - likes - comments - shares)
            posts.append(
                (first_id + user, GUILD, user, at, logged, likes, comments, shares, saves, None, count)
            )
            if user % 5 == 0:
                taken = to_text(start + timedelta(days=6, hours=20))
                counts.append(
                    (first_id + user, GUILD, user, taken, logged, count + rng.randint(0, count // 100 + 1))
                )
    return posts, counts


def insert(
    path: Path,
    batches: list[tuple[object, ...]],
    posts: list[tuple[object, ...]],
    counts: list[tuple[object, ...]],
) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO history_batches (id, guild_id, user_id, kind, created_at) VALUES (?, ?, ?, ?, ?)",
            batches,
        )
        conn.executemany(
            "INSERT INTO logged_posts (batch_id, guild_id, user_id, posted_at, logged_at, likes, comments, shares,"
            " saves, views, followers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            posts,
        )
        conn.executemany(
            "INSERT INTO follower_snapshots (batch_id, guild_id, user_id, taken_at, logged_at, followers)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            counts,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def batches_for(members: range, first_id: int) -> list[tuple[object, ...]]:
    return [(first_id + user, GUILD, user, "import", to_text(LOGGED)) for user in members]


async def measure_boards(db: Database, label: str, runs: int, budget_s: float) -> list[Timing]:
    """Every metric's board for the latest week, then the score board of the week with few posters.

    The score boards (the goal) get a warm-up and `runs` runs; the other boards, after the score board's
    warm-up, up to `runs` runs within `budget_s` seconds each."""
    repo = LeaderboardRepository(db)

    def board(week: IsoWeek, metric: Metric) -> Callable[[], Awaitable[int]]:
        async def call() -> int:
            return len((await repo.board(GUILD, week, TZ, metric, 1)).places)

        return call

    found = [
        await timed(
            f"{metric} board, {label}",
            board(LATEST, metric),
            runs,
            None if metric == "score" else budget_s,
        )
        for metric in METRICS
    ]
    found.append(await timed(f"score board, {FEW_POSTERS} posters, {label}", board(FEW_WEEK, "score"), runs))

    async def read_only() -> int:
        return len(await repo.week_posts(GUILD, LATEST.start(TZ), LATEST.end(TZ)))

    # What the score board costs apart from its arithmetic and sorting in Python.
    found.append(await timed(f"  of which week_posts() read, {label}", read_only, runs))
    return found


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(8)
    members = range(1, args.members + 1)
    followers = {user: int(10 ** rng.uniform(2.5, 6.5)) for user in members}  # ~300 to ~3M
    recent = [LATEST.shifted(-n) for n in range(args.weeks - 1, -1, -1)]
    older = [LATEST.shifted(-n) for n in range(2 * args.weeks - 1, args.weeks - 1, -1)]
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = await Database.open(path)
        await db.migrate()
        await db.close()

        began = time.perf_counter()
        posts, counts = week_rows(rng, recent, members, followers, 0)
        few_members = range(1, args.members + 1, args.members // FEW_POSTERS)[:FEW_POSTERS]
        few_posts, few_counts = week_rows(rng, [FEW_WEEK], few_members, followers, 0)
        insert(path, batches_for(members, 0), posts + few_posts, counts + few_counts)
        rows, count_rows = len(posts) + len(few_posts), len(counts) + len(few_counts)
        # The rows built here are in the database now; kept in memory they would make every garbage collection
        # during the timings scan a million objects the bot never has.
        del posts, counts, few_posts, few_counts
        gc.collect()
        print(
            f"\nPulse leaderboard benchmark: 1 server, {args.members} members x {args.weeks} weeks"
            f" ({rows:,} posts, {count_rows:,} follower counts; built in"
            f" {time.perf_counter() - began:.1f} s), median of up to {args.runs} runs"
            f" (improved, streak, growth: no warm-up, up to {args.budget:.0f} s each)\n"
        )

        db = await Database.open(path)
        try:
            baseline = await timed("SELECT 1 via Database.fetch_one", _select_one(db), args.baseline_runs)
            timings.append(baseline)
            timings += await measure_boards(db, f"{args.weeks} weeks", args.runs, args.budget)
        finally:
            await db.close()

        # Double the history: the same members, the same number of weeks again, before the first.
        began = time.perf_counter()
        older_followers = {user: int(10 ** rng.uniform(2.5, 6.5)) for user in members}
        old_posts, old_counts = week_rows(rng, older, members, older_followers, args.members)
        insert(path, batches_for(members, args.members), old_posts, old_counts)
        rows += len(old_posts)
        del old_posts, old_counts
        gc.collect()
        print(
            f"history doubled to {2 * args.weeks} weeks ({rows:,} posts) in {time.perf_counter() - began:.1f} s\n"
        )
        db = await Database.open(path)
        try:
            timings += await measure_boards(db, f"{2 * args.weeks} weeks", args.runs, args.budget)
        finally:
            await db.close()

    base = baseline.median
    print(f"{'':44} {'places':>7} {'runs':>5} {'p50 ms':>9} {'min ms':>9} {'max ms':>9} {'x SELECT 1':>11}")
    for timing in timings:
        print(
            f"{timing.name:44} {timing.places:7} {len(timing.samples_ms):5} {timing.median:9.2f}"
            f" {min(timing.samples_ms):9.2f}"
            f" {max(timing.samples_ms):9.2f} {timing.median / base:11.0f}"
        )
    by_name = {t.name: t for t in timings}
    score = by_name[f"score board, {args.weeks} weeks"]
    few = by_name[f"score board, {FEW_POSTERS} posters, {args.weeks} weeks"]
    doubled = by_name[f"score board, {2 * args.weeks} weeks"]
    few_doubled = by_name[f"score board, {FEW_POSTERS} posters, {2 * args.weeks} weeks"]
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
    read = by_name[f"  of which week_posts() read, {args.weeks} weeks"]
    streak = by_name[f"streak board, {args.weeks} weeks"]
    streak_doubled = by_name[f"streak board, {2 * args.weeks} weeks"]
    print(
        f"Of the score board's {score.median:.1f} ms, reading the week's rows is {read.median:.1f} ms;"
        f" the rest ({score.median - read.median:.1f} ms) is computing, sorting and ranking the standings."
        f"\nStreak board: every member posts every week, so doubling the history doubles each streak;"
        f" it took {streak_doubled.median / streak.median:.2f}x as long (2x would follow the streaks' length)."
    )


def _select_one(db: Database) -> Callable[[], Awaitable[int]]:
    async def call() -> int:
        row = await db.fetch_one("SELECT 1")
        assert row is not None
        return 0

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per board; the median is reported")
    parser.add_argument(
        "--budget", type=float, default=8.0, help="seconds of runs for each improved, streak, growth board"
    )
    parser.add_argument("--baseline-runs", type=int, default=200)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
