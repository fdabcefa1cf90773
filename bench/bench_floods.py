"""Benchmark: what one member's flood costs everyone else, through the real bot and the stand-in Discord.

Run from the repository root:
  uv run python -m bench.bench_floods [--backend sqlite|postgresql|both] [--imports 40] [--charts 100] [--rounds 3]

Per backend one bot (no cooldowns, so every flooded command reaches it), with a stand-in Discord and a fresh
database. Each round measures, for other members' `/engagement post log:True` and `/log followers` (4 of each, at
once): their time to first response and to the complete answer when the server is quiet (the baseline), then while
one member sends `--imports` concurrent `/log import`s of a 5 000-row file into a 5 000-row history. Then, for a
calm member's `/progress`, the same while one member sends `--charts` concurrent `/progress weeks:104` over two
years of daily posts. Discord drops a first response later than 3 s: the max column is the one to watch.
A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_history import GUIDE_POST, NAMES, Rig, first_response_ms, start_rig, two_years_csv
from tests.databases import Backend
from tests.e2e.stand_in import NoReply, User
from tests.history_files import many_posts_csv

ROWS = 5_000


@dataclass
class Timings:
    first_ms: list[float] = field(default_factory=list)
    done_ms: list[float] = field(default_factory=list)
    # Interactions the member never saw answered: no first response within Discord's 3 s (NoReply).
    missed: int = 0

    def run(self, rig: Rig, command: str, options: dict[str, object] | None, user: User) -> None:
        started = time.monotonic()
        try:
            reply = rig.bot.invoke(command, options, user=user, timeout=60)
        except NoReply:
            self.missed += 1
            return
        self.first_ms.append(first_response_ms(rig.stand_in, reply, started))
        self.done_ms.append((time.monotonic() - started) * 1000)

    def row(self, name: str, baseline: Timings | None = None) -> str:
        if not self.first_ms:
            return f"{name:56} {'-':>8} {'-':>8} {'':7} {'-':>9} {'-':>9} {self.missed:7}"
        first, done = statistics.median(self.first_ms), statistics.median(self.done_ms)
        ratio = (
            f"{first / statistics.median(baseline.first_ms):7.1f}" if baseline and baseline.first_ms else ""
        )
        return (
            f"{name:56} {first:8.1f} {max(self.first_ms):8.1f} {ratio:>7} {done:9.1f} {max(self.done_ms):9.1f}"
            f" {self.missed:7}"
        )


def others_round(rig: Rig, pool: ThreadPoolExecutor, members: list[User], timings: Timings, tag: int) -> None:
    """Four logged posts and four follower counts, from eight members at once."""

    def one(n: int) -> None:
        if n % 2:
            timings.run(
                rig, "engagement post", {**GUIDE_POST, "likes": tag * 10 + n, "log": True}, members[n]
            )
        else:
            timings.run(rig, "log followers", {"count": 5_000 + tag}, members[n])

    for future in [pool.submit(one, n) for n in range(len(members))]:
        future.result()


def measure(rig: Rig, imports: int, charts: int, rounds: int) -> dict[str, Timings]:
    stand_in = rig.stand_in
    flooder, charter, calm = User(name="flooder"), User(name="charter"), User(name="calm")
    members = [User(name=f"other{n}") for n in range(8)]
    seed = stand_in.attachment("seed.csv", many_posts_csv(0), "text/csv")
    rig.bot.invoke("log import", {"file": seed}, user=flooder, timeout=60)
    history = stand_in.attachment("two_years.csv", two_years_csv(datetime.now(UTC)), "text/csv")
    rig.bot.invoke("log import", {"file": history}, user=charter, timeout=60)
    rig.bot.invoke("engagement post", {**GUIDE_POST, "log": True}, user=calm)
    found = {name: Timings() for name in ("quiet", "import flood", "calm quiet", "chart flood")}
    with ThreadPoolExecutor(max(imports, charts) + 16) as pool:
        for number in range(rounds):
            others_round(rig, pool, members, found["quiet"], 2 * number)
            flood_file = many_posts_csv(ROWS * (number + 1))
            uploads = [stand_in.attachment("flood.csv", flood_file, "text/csv") for _ in range(imports)]
            flood = [
                pool.submit(rig.bot.invoke, "log import", {"file": f}, user=flooder, timeout=120)
                for f in uploads
            ]
            others_round(rig, pool, members, found["import flood"], 2 * number + 1)
            for future in flood:
                with contextlib.suppress(NoReply):
                    future.result()

            found["calm quiet"].run(rig, "progress", None, calm)
            flood = [
                pool.submit(rig.bot.invoke, "progress", {"weeks": 104}, user=charter, timeout=120)
                for _ in range(charts)
            ]
            found["chart flood"].run(rig, "progress", None, calm)
            for future in flood:
                with contextlib.suppress(NoReply):
                    future.result()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--imports", type=int, default=40)
    parser.add_argument("--charts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    backends: list[Backend] = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: dict[Backend, dict[str, Timings]] = {}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        for backend in backends:
            rig = start_rig(stack, backend, Path(tmp))
            rig.bot.wait_ready(synced=False)
            deadline = time.monotonic() + 30
            while not rig.stand_in.global_commands and time.monotonic() < deadline:
                time.sleep(0.05)
            results[backend] = measure(rig, args.imports, args.charts, args.rounds)
    head = f"{'':56} {'first ms':>8} {'max':>8} {'x quiet':>7} {'answer ms':>9} {'max':>9} {'missed':>7}"
    for backend, found in results.items():
        print(f"\n=== {NAMES[backend]}: medians and maxima over {args.rounds} rounds\n{head}")
        print(found["quiet"].row("others' log post / followers, quiet"))
        print(
            found["import flood"].row(f"  same, during {args.imports} imports by one member", found["quiet"])
        )
        print(found["calm quiet"].row("a calm member's /progress, quiet"))
        print(
            found["chart flood"].row(
                f"  same, during {args.charts} /progress weeks:104 by one member", found["calm quiet"]
            )
        )


if __name__ == "__main__":
    main()
