"""Benchmark: member history through the real bot and the stand-in Discord, against a bare command.

Run from the repository root:  uv run python -m bench.bench_history [--requests 400] [--workers 16]

Prints, for a bare discord.py command (bench/bare_cog.py, loaded into the same bot) and for
`/engagement post` without and with `log:True`: throughput and p50/p99 time to first response; then the time of
`/progress weeks:104` for a member with two years of daily posts. A benchmark, not a test: it asserts nothing.
Targets (issue 4): logging >= 0.5x the bare command's throughput; /progress with its chart under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.e2e.bot_process import BotProcess
from tests.e2e.stand_in import Reply, StandIn, User

GUIDE_POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000}
DAYS = 730


@dataclass
class Run:
    name: str
    requests: int
    seconds: float
    first_response_ms: list[float]
    bot_cpu_seconds: float

    @property
    def cpu_ms_per_request(self) -> float:
        """CPU time the bot process spent per interaction: its cost, apart from the stand-in's and ours."""
        return self.bot_cpu_seconds * 1000 / self.requests

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.first_response_ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def first_response_ms(stand_in: StandIn, reply: Reply, started: float) -> float:
    """From sending the interaction to the bot's interaction callback reaching the stand-in."""
    interaction = reply.interaction
    path = rf"/interactions/{interaction['id']}/{interaction['token']}/callback"
    callbacks = stand_in.requests_to("POST", path)
    return (callbacks[0].at - started) * 1000


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(name: str, bot: BotProcess, call: Callable[[int], Reply], requests: int, workers: int) -> Run:
    def one(number: int) -> float:
        started = time.monotonic()
        reply = call(number)
        return first_response_ms(bot.stand_in, reply, started)

    cpu_before = cpu_seconds(bot.pid)
    began = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        latencies = list(pool.map(one, range(requests)))
    elapsed = time.monotonic() - began
    return Run(name, requests, elapsed, latencies, cpu_seconds(bot.pid) - cpu_before)


def _median_run(name: str, runs: list[Run]) -> Run:
    """The round with the median throughput."""
    return sorted(runs, key=lambda run: run.throughput)[len(runs) // 2]


def two_years_csv(now: datetime) -> bytes:
    lines = ["date,likes,comments,shares,saves,followers"]
    for day in range(DAYS, 0, -1):
        moment = (now - timedelta(days=day)).date().isoformat()
        followers = 12_000 - 5 * day
        lines.append(
            f"{moment},{200 + (day * 37) % 150},{20 + day % 7},{10 + day % 5},{5 + day % 3},{followers}"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="interactions per throughput run")
    parser.add_argument("--workers", type=int, default=16, help="interactions in flight at once")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--progress-runs", type=int, default=7)
    args = parser.parse_args()

    # Without the OpenAPI checks of every request (they are for tests): on a small machine the stand-in
    # shares the CPU with the bot, and the bot is what is measured here.
    with tempfile.TemporaryDirectory() as tmp, StandIn(spec=False) as stand_in:
        bot = BotProcess(
            stand_in,
            database=Path(tmp) / "bench.db",
            log_path=Path(tmp) / "bot.log",
            # One member asks /progress over and over here: the per-member limit would answer instead.
            env={"EXTRA_EXTENSIONS": "bench.bare_cog", "LOG_LEVEL": "WARNING", "COOLDOWN_SCALE": "0"},
        )
        bot.start().wait_ready()
        try:
            members = [User(name=f"bench{n}") for n in range(args.workers)]

            def bare(number: int) -> Reply:
                return bot.invoke("bare", user=members[number % len(members)])

            def post(number: int) -> Reply:
                options = {**GUIDE_POST, "likes": number}
                return bot.invoke("engagement post", options, user=members[number % len(members)])

            def log_post(number: int) -> Reply:
                options = {**GUIDE_POST, "likes": number, "log": True}
                return bot.invoke("engagement post", options, user=members[number % len(members)])

            commands = {
                "bare command": bare,
                "/engagement post": post,
                "/engagement post log:True": log_post,
            }
            # Warm every path (imports, first queries, first embeds) before measuring.
            for call in commands.values():
                measure("warm-up", bot, call, 20, 4)
            # Interleaved rounds, so that a noisy neighbour on the machine hits every command alike.
            rounds: dict[str, list[Run]] = {name: [] for name in commands}
            for _ in range(args.rounds):
                for name, call in commands.items():
                    rounds[name].append(measure(name, bot, call, args.requests, args.workers))
            runs = [_median_run(name, found) for name, found in rounds.items()]

            creator = User(name="two-years")
            upload = stand_in.attachment("two_years.csv", two_years_csv(datetime.now(UTC)), "text/csv")
            imported = bot.invoke("log import", {"file": upload}, user=creator, timeout=60)
            assert "730" in imported.text, imported.text
            progress_ms: list[float] = []
            progress_first_ms: list[float] = []
            for _ in range(args.progress_runs):
                started = time.monotonic()
                reply = bot.invoke("progress", {"weeks": 104}, user=creator, settle=0.0, timeout=30)
                progress_ms.append((time.monotonic() - started) * 1000)
                progress_first_ms.append(first_response_ms(stand_in, reply, started))
                assert "progress.png" in reply.files, reply.text
        finally:
            bot.stop()

    baseline = runs[0]
    print(
        f"\nPulse history benchmark: {args.requests} interactions per run, {args.workers} in flight, "
        f"median of {args.rounds} interleaved rounds\n"
    )
    print(
        f"{'':28} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'x bare':>7} {'x bare':>7}"
        f" {'bot CPU':>8} {'bot req/s':>10} {'x bare':>7}"
    )
    print(f"{'':28} {'':>7} {'':>7} {'':>7} {'req/s':>7} {'p50':>7} {'ms/req':>8} {'at 1 core':>10} {'':>7}")
    for run in runs:
        capacity = 1000 / run.cpu_ms_per_request
        print(
            f"{run.name:28} {run.throughput:7.1f} {run.percentile(0.5):7.1f} {run.percentile(0.99):7.1f}"
            f" {run.throughput / baseline.throughput:7.2f} {run.percentile(0.5) / baseline.percentile(0.5):7.2f}"
            f" {run.cpu_ms_per_request:8.2f} {capacity:10.0f}"
            f" {baseline.cpu_ms_per_request / run.cpu_ms_per_request:7.2f}"
        )
    median = statistics.median(progress_ms)
    print(
        f"\n/progress weeks:104, {DAYS} daily posts, chart included ({args.progress_runs} runs):"
        f"\n  first response (defer) p50 {statistics.median(progress_first_ms):.1f} ms"
        f"\n  complete answer with chart: p50 {median:.0f} ms, max {max(progress_ms):.0f} ms"
        f" = {median / baseline.percentile(0.5):.1f}x the bare command's p50 first response"
    )
    logging, plain = runs[-1], runs[1]
    print(
        "\nreq/s is what the whole rig managed (stand-in, client threads and bot share this machine's cores);"
        "\n'bot req/s at 1 core' is 1 / the bot process's own CPU per interaction: what the bot can serve."
        f"\nLogging vs bare: {logging.throughput / baseline.throughput:.2f}x measured, "
        f"{baseline.cpu_ms_per_request / logging.cpu_ms_per_request:.2f}x by bot CPU; "
        f"vs /engagement post without log: {logging.throughput / plain.throughput:.2f}x measured, "
        f"{plain.cpu_ms_per_request / logging.cpu_ms_per_request:.2f}x by bot CPU."
        f"\nTarget /progress under 500 ms: {median:.0f} ms."
    )


if __name__ == "__main__":
    main()
