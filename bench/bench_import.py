"""Benchmark: `/log import`'s transaction, against the row-by-row INSERT … WHERE NOT EXISTS it replaced.

Run from the repository root:
  uv run python -m bench.bench_import [--backend sqlite|postgresql|both] [--rows 5000] [--rounds 5]

Per backend, a fresh database (SQLite: a file in a temporary folder; PostgreSQL: a database made for the run and
dropped after it) holds a member's history of `--rows` posts. Each round imports a file of `--rows` posts, half of
them already stored, once the way imports used to run (one statement per row, each with its NOT EXISTS lookup;
the baseline, kept here) and once through `HistoryRepository.import_rows` (one read of what is stored, the
comparison in Python, multi-row INSERTs), in alternating order. While each import runs, another member logs a
follower count: its wait is what every other writer of the server paid. Prints medians and new / old ratios.
A benchmark, not a test: it asserts nothing beyond both ways storing the same rows.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.history import PostNumbers
from bot.storage.database import Database, to_text
from bot.storage.history import HistoryRepository
from tests.databases import Backend, migrated

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
GUILD, MEMBER, OTHER = 1, 2, 3
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# How imports were stored before: every row its own statement, the duplicate check a subquery per row.
OLD_INSERT = (
    "INSERT INTO logged_posts (batch_id, guild_id, user_id, posted_at, logged_at, likes, comments, "
    "shares, saves, views, followers, title) "
    "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM logged_posts "
    "WHERE guild_id = ? AND user_id = ? AND posted_at = ? AND likes = ? AND comments = ? "
    "AND shares = ? AND saves = ? AND views IS NOT DISTINCT FROM ? AND followers = ?)"
)


def posts(first: int, count: int) -> list[PostNumbers]:
    """Posts number `first` … `first + count - 1`: the same number is the same post in every call."""
    return [
        PostNumbers(NOW - timedelta(hours=n), 100 + n % 500, n % 40, n % 20, n % 9, None, 1_000 + n, None)
        for n in range(first, first + count)
    ]


async def old_import(db: Database, rows: list[PostNumbers]) -> int:
    async with db.write() as conn:
        batch_id = await conn.insert(
            "INSERT INTO history_batches (guild_id, user_id, kind, created_at) VALUES (?, ?, 'import', ?)",
            (GUILD, MEMBER, to_text(NOW)),
        )
        return await conn.execute_many(
            OLD_INSERT,
            [
                (
                    batch_id,
                    GUILD,
                    MEMBER,
                    to_text(p.posted_at),
                    to_text(NOW),
                    p.likes,
                    p.comments,
                    p.shares,
                    p.saves,
                    p.views,
                    p.followers,
                    p.title,
                    GUILD,
                    MEMBER,
                    to_text(p.posted_at),
                    p.likes,
                    p.comments,
                    p.shares,
                    p.saves,
                    p.views,
                    p.followers,
                )
                for p in rows
            ],
        )


async def new_import(db: Database, rows: list[PostNumbers]) -> int:
    return (await HistoryRepository(db).import_rows(GUILD, MEMBER, rows, [], NOW)).posts


async def timed(db: Database, way: str, rows: list[PostNumbers]) -> tuple[float, float, int]:
    """(seconds the import took, seconds another member's follower count waited, rows stored)."""
    run = old_import if way == "old" else new_import
    started = time.perf_counter()
    importing = asyncio.create_task(run(db, rows))
    await asyncio.sleep(0)  # the import takes the write lock first
    logged = time.perf_counter()
    await HistoryRepository(db).add_followers(GUILD, OTHER, 5_000, NOW)
    waited = time.perf_counter() - logged
    stored = await importing
    return time.perf_counter() - started, waited, stored


async def bench(backend: Backend, rows: int, rounds: int) -> dict[str, list[tuple[float, float, int]]]:
    with tempfile.TemporaryDirectory() as tmp:
        async with migrated(backend, Path(tmp)) as db:
            await new_import(db, posts(0, rows))
            results: dict[str, list[tuple[float, float, int]]] = {"old": [], "new": []}
            first = rows // 2
            for number in range(rounds):
                for way in ("old", "new") if number % 2 == 0 else ("new", "old"):
                    # Half of each file is stored already: the second half of the file before it.
                    results[way].append(await timed(db, way, posts(first, rows)))
                    first += rows // 2
            return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    backends: list[Backend] = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        f"Import of {args.rows} posts (half already stored) into a history of {args.rows}+, {args.rounds} rounds"
    )
    print(
        f"{'':12} {'old ms':>8} {'new ms':>8} {'new/old':>8} | {'other writer waited: old ms':>28} {'new ms':>8}"
    )
    for backend in backends:
        results = asyncio.run(bench(backend, args.rows, args.rounds))
        stored = {way: {r[2] for r in found} for way, found in results.items()}
        assert stored["old"] == stored["new"] == {args.rows // 2}, stored
        old, new = (statistics.median(r[0] for r in results[w]) * 1000 for w in ("old", "new"))
        old_wait, new_wait = (statistics.median(r[1] for r in results[w]) * 1000 for w in ("old", "new"))
        print(
            f"{NAMES[backend]:12} {old:8.0f} {new:8.0f} {new / old:8.2f} | {old_wait:28.0f} {new_wait:8.0f}"
        )


if __name__ == "__main__":
    main()
