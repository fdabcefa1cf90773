"""Benchmark: member history through the real bot and the stand-in Discord, on SQLite and on PostgreSQL.

Run from the repository root:
  uv run python -m bench.bench_history [--backend sqlite|postgresql|both] [--requests 400] [--workers 16]
                                       [--rounds 5] [--progress-runs 7]

Starts one bot per backend (both by default), each with a stand-in Discord and a fresh database of its own
(SQLite: a file in a temporary folder; PostgreSQL: a database created for the run and dropped at the end, also
after an error or Ctrl+C), both running for the whole benchmark. Prints, per backend, for a bare discord.py command
(bench/bare_cog.py, loaded into the same bot: that backend's baseline) and for `/engagement post` without and with
`log:True`: throughput (the median round's), p50/p99 time to first response (over every round's interactions) and
CPU per interaction (of the bot process, and on PostgreSQL of the database server's processes serving it); then
the time of `/progress weeks:104` for a member with two years of daily posts, imported through the bot's own
`/log import`. Rounds interleave commands and backends, so a noisy neighbour on the machine hits all alike. A final
table sets the backends side by side: each against its own bot's bare command, and PostgreSQL against SQLite.
A benchmark, not a test: it asserts nothing.
Targets (issue 4): logging >= 0.5x the bare command's throughput; /progress with its chart under 0.5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from tests.databases import Backend, admin_url, run_sync, sync_database_url
from tests.e2e.bot_process import BotProcess
from tests.e2e.stand_in import Reply, StandIn, User

GUIDE_POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000}
DAYS = 730
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
BARE, POST, LOG_POST = "bare command", "/engagement post", "/engagement post log:True"


@dataclass
class Run:
    name: str
    requests: int
    seconds: float
    first_response_ms: list[float]
    bot_cpu_seconds: float
    # CPU of the PostgreSQL server processes serving the bot's database; None on SQLite, whose work is the bot's.
    db_cpu_seconds: float | None = None

    @property
    def cpu_ms_per_request(self) -> float:
        """CPU time the bot process spent per interaction: its cost, apart from the stand-in's and ours."""
        return self.bot_cpu_seconds * 1000 / self.requests

    @property
    def db_cpu_ms_per_request(self) -> float:
        return (self.db_cpu_seconds or 0.0) * 1000 / self.requests

    @property
    def total_cpu_ms_per_request(self) -> float:
        """The bot's CPU and, on PostgreSQL, the database server's: what an interaction costs the machine."""
        return self.cpu_ms_per_request + self.db_cpu_ms_per_request

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.first_response_ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Rig:
    """One backend's bot, with its stand-in Discord and database, and what was measured on it."""

    backend: Backend
    url: str
    stand_in: StandIn
    bot: BotProcess
    rounds: dict[str, list[Run]] = field(default_factory=dict)
    import_ms: float = 0.0
    progress_ms: list[float] = field(default_factory=list)
    progress_first_ms: list[float] = field(default_factory=list)

    @property
    def name(self) -> str:
        return NAMES[self.backend]

    def run(self, command: str) -> Run:
        """All rounds of a command together: the median round's throughput; percentiles over every interaction
        (one slow moment in one round moves the p99 of 400 interactions, much less that of all rounds'); CPU
        over all of them."""
        found = self.rounds[command]
        requests = sum(run.requests for run in found)
        throughput = statistics.median(run.throughput for run in found)
        db_cpu = [run.db_cpu_seconds for run in found if run.db_cpu_seconds is not None]
        return Run(
            command,
            requests,
            requests / throughput,  # the time all of them would take at the median round's pace
            [ms for run in found for ms in run.first_response_ms],
            sum(run.bot_cpu_seconds for run in found),
            sum(db_cpu) if db_cpu else None,
        )


def first_response_ms(stand_in: StandIn, reply: Reply, started: float) -> float:
    """From sending the interaction to the bot's interaction callback reaching the stand-in."""
    interaction = reply.interaction
    path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    # Newest first: the callback is among the last requests, and scanning thousands of them for every interaction
    # would take CPU from the bot being measured.
    for request in reversed(stand_in.requests):
        if request.method == "POST" and request.path == path:
            return (request.at - started) * 1000
    raise AssertionError(f"no interaction callback for {interaction['id']}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu(url: str) -> dict[int, float]:
    """CPU so far of each PostgreSQL server process connected to the database of `url` (the bot's pool); {} for
    SQLite. The server runs on this machine, so /proc has its processes."""
    if not url.startswith("postgresql://"):
        return {}
    name = urlsplit(url).path.lstrip("/")

    async def pids() -> list[int]:
        conn = await asyncpg.connect(admin_url(), timeout=10)
        try:
            rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
            return [row[0] for row in rows]
        finally:
            await conn.close()

    found: dict[int, float] = {}
    for pid in run_sync(pids):
        with contextlib.suppress(OSError):
            found[pid] = cpu_seconds(pid)
    return found


def measure(name: str, rig: Rig, call: Callable[[int], Reply], requests: int, workers: int) -> Run:
    def one(number: int) -> float:
        started = time.monotonic()
        reply = call(number)
        return first_response_ms(rig.stand_in, reply, started)

    db_before = database_cpu(rig.url)
    cpu_before = cpu_seconds(rig.bot.pid)
    began = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        latencies = list(pool.map(one, range(requests)))
    elapsed = time.monotonic() - began
    bot_cpu = cpu_seconds(rig.bot.pid) - cpu_before
    db_cpu = None
    if rig.backend == "postgresql":
        # A connection the pool opened during the run counts from 0; one it closed is lost (pools keep theirs).
        db_cpu = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in database_cpu(rig.url).items())
    return Run(name, requests, elapsed, latencies, bot_cpu, db_cpu)


def two_years_csv(now: datetime) -> bytes:
    lines = ["date,likes,comments,shares,saves,followers"]
    for day in range(DAYS, 0, -1):
        moment = (now - timedelta(days=day)).date().isoformat()
        followers = 12_000 - 5 * day
        lines.append(
            f"{moment},{200 + (day * 37) % 150},{20 + day % 7},{10 + day % 5},{5 + day % 3},{followers}"
        )
    return ("\n".join(lines) + "\n").encode()


def commands(rig: Rig, workers: int) -> dict[str, Callable[[int], Reply]]:
    members = [User(name=f"bench{n}") for n in range(workers)]
    bot = rig.bot

    def bare(number: int) -> Reply:
        return bot.invoke("bare", user=members[number % len(members)])

    def post(number: int) -> Reply:
        options = {**GUIDE_POST, "likes": number}
        return bot.invoke("engagement post", options, user=members[number % len(members)])

    def log_post(number: int) -> Reply:
        options = {**GUIDE_POST, "likes": number, "log": True}
        return bot.invoke("engagement post", options, user=members[number % len(members)])

    return {BARE: bare, POST: post, LOG_POST: log_post}


def start_rig(stack: contextlib.ExitStack, backend: Backend, directory: Path) -> Rig:
    """A database, a stand-in and a started bot; `stack` stops the bot, then closes the stand-in and drops the
    database (in that order, also on Ctrl+C)."""
    url = stack.enter_context(sync_database_url(backend, directory))
    # Without the OpenAPI checks of every request (they are for tests): on a small machine the stand-in
    # shares the CPU with the bot, and the bot is what is measured here.
    stand_in = stack.enter_context(StandIn(spec=False))
    bot = BotProcess(
        stand_in,
        database_url=url,
        log_path=directory / f"bot-{backend}.log",
        # One member asks /progress over and over here: the per-member limit would answer instead.
        env={"EXTRA_EXTENSIONS": "bench.bare_cog", "LOG_LEVEL": "WARNING", "COOLDOWN_SCALE": "0"},
    )
    bot.start()
    stack.callback(bot.stop)
    return Rig(backend, url, stand_in, bot)


def measure_progress(rig: Rig, runs: int) -> None:
    creator = User(name="two-years")
    upload = rig.stand_in.attachment("two_years.csv", two_years_csv(datetime.now(UTC)), "text/csv")
    started = time.monotonic()
    imported = rig.bot.invoke("log import", {"file": upload}, user=creator, settle=0.0, timeout=60)
    rig.import_ms = (time.monotonic() - started) * 1000
    assert "730" in imported.text, imported.text
    for _ in range(runs):
        started = time.monotonic()
        reply = rig.bot.invoke("progress", {"weeks": 104}, user=creator, settle=0.0, timeout=30)
        rig.progress_ms.append((time.monotonic() - started) * 1000)
        rig.progress_first_ms.append(first_response_ms(rig.stand_in, reply, started))
        assert "progress.png" in reply.files, reply.text


def print_rig(rig: Rig, args: argparse.Namespace) -> None:
    baseline = rig.run(BARE)
    print(f"\n=== {rig.name} (each command against this bot's bare command)\n")
    print(
        f"{'':28} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'x bare':>7} {'x bare':>7}"
        f" {'bot CPU':>8} {'DB CPU':>8} {'bot req/s':>10} {'x bare':>7}"
    )
    print(
        f"{'':28} {'':>7} {'':>7} {'':>7} {'req/s':>7} {'p50':>7} {'ms/req':>8} {'ms/req':>8}"
        f" {'at 1 core':>10} {'':>7}"
    )
    for command in rig.rounds:
        run = rig.run(command)
        capacity = 1000 / run.cpu_ms_per_request
        db_cpu = "-" if run.db_cpu_seconds is None else f"{run.db_cpu_ms_per_request:.2f}"
        print(
            f"{run.name:28} {run.throughput:7.1f} {run.percentile(0.5):7.1f} {run.percentile(0.99):7.1f}"
            f" {run.throughput / baseline.throughput:7.2f} {run.percentile(0.5) / baseline.percentile(0.5):7.2f}"
            f" {run.cpu_ms_per_request:8.2f} {db_cpu:>8} {capacity:10.0f}"
            f" {baseline.cpu_ms_per_request / run.cpu_ms_per_request:7.2f}"
        )
    median = statistics.median(rig.progress_ms)
    print(
        f"\n/log import of {DAYS} daily posts: {rig.import_ms:.0f} ms."
        f"\n/progress weeks:104, {DAYS} daily posts, chart included ({args.progress_runs} runs):"
        f"\n  first response (defer) p50 {statistics.median(rig.progress_first_ms):.1f} ms"
        f"\n  complete answer with chart: p50 {median:.0f} ms, max {max(rig.progress_ms):.0f} ms"
        f" = {median / baseline.percentile(0.5):.1f}x the bare command's p50 first response"
    )
    logging, plain = rig.run(LOG_POST), rig.run(POST)
    print(
        f"Logging vs bare: {logging.throughput / baseline.throughput:.2f}x measured, "
        f"{baseline.cpu_ms_per_request / logging.cpu_ms_per_request:.2f}x by bot CPU; "
        f"vs /engagement post without log: {logging.throughput / plain.throughput:.2f}x measured, "
        f"{plain.cpu_ms_per_request / logging.cpu_ms_per_request:.2f}x by bot CPU."
        f"\nTarget /progress under 500 ms: {median:.0f} ms.",
        flush=True,
    )


def print_comparison(lite: Rig, pg: Rig) -> None:
    print(
        "\n=== SQLite and PostgreSQL side by side: each against its own bot's bare command (same rounds),"
        "\n    then PostgreSQL / SQLite. CPU = bot process + (PostgreSQL) database server, ms per interaction.\n"
    )
    head = f"{'req/s':>7} {'x bare':>6} {'p99 ms':>7} {'x bare':>6} {'CPU':>6}"
    print(f"{'':27} | {'SQLite':^36} | {'PostgreSQL':^36} | {'PG / SQLite':^23}")
    print(f"{'':27} | {head} | {head} | {'req/s':>7} {'p99':>7} {'CPU':>7}")
    lite_bare, pg_bare = lite.run(BARE), pg.run(BARE)

    def cells(run: Run, bare: Run) -> str:
        return (
            f"{run.throughput:7.1f} {run.throughput / bare.throughput:6.2f} {run.percentile(0.99):7.1f}"
            f" {run.percentile(0.99) / bare.percentile(0.99):6.2f} {run.total_cpu_ms_per_request:6.2f}"
        )

    for command in lite.rounds:
        a, b = lite.run(command), pg.run(command)
        print(
            f"{command:27} | {cells(a, lite_bare)} | {cells(b, pg_bare)} |"
            f" {b.throughput / a.throughput:7.2f} {b.percentile(0.99) / a.percentile(0.99):7.2f}"
            f" {b.total_cpu_ms_per_request / a.total_cpu_ms_per_request:7.2f}"
        )
    lite_progress, pg_progress = statistics.median(lite.progress_ms), statistics.median(pg.progress_ms)
    print(
        f"{'/progress weeks:104 p50 ms':27} | {lite_progress:36.0f} | {pg_progress:36.0f} |"
        f" {'':7} {pg_progress / lite_progress:7.2f}"
        f"\n{'/log import 730 posts ms':27} | {lite.import_ms:36.0f} | {pg.import_ms:36.0f} |"
        f" {'':7} {pg.import_ms / lite.import_ms:7.2f}"
    )


def main() -> None:
    try:
        benchmark()
    except KeyboardInterrupt:
        sys.exit("\ninterrupted (the bots are stopped and the benchmark's databases removed)")


def benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=400, help="interactions per throughput run")
    parser.add_argument("--workers", type=int, default=16, help="interactions in flight at once")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians are reported")
    parser.add_argument("--progress-runs", type=int, default=7)
    args = parser.parse_args()
    backends: list[Backend] = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    load_average = " ".join(f"{n:.2f}" for n in os.getloadavg())

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        rigs = [start_rig(stack, backend, Path(tmp)) for backend in backends]
        for rig in rigs:
            # Its "sync finished" line is INFO, below this bot's WARNING: wait for the commands themselves.
            rig.bot.wait_ready(synced=False)
            deadline = time.monotonic() + 30
            while not rig.stand_in.global_commands and time.monotonic() < deadline:
                time.sleep(0.05)
        calls = {rig.backend: commands(rig, args.workers) for rig in rigs}
        # Warm every path (imports, first queries, first embeds, the pool's connections) before measuring.
        for rig in rigs:
            for call in calls[rig.backend].values():
                measure("warm-up", rig, call, 20, 4)
        # Interleaved rounds, so that a noisy neighbour on the machine hits every command and backend alike.
        for rig in rigs:
            rig.rounds = {name: [] for name in calls[rig.backend]}
        for _ in range(args.rounds):
            for rig in rigs:
                for name, call in calls[rig.backend].items():
                    rig.rounds[name].append(measure(name, rig, call, args.requests, args.workers))
        for rig in rigs:
            measure_progress(rig, args.progress_runs)

    print(
        f"\nPulse history benchmark on {', '.join(rig.name for rig in rigs)}: {args.requests} interactions per run,"
        f" {args.workers} in flight, {args.rounds} interleaved rounds (req/s: the median round's; p50/p99 and CPU:"
        f" over all rounds);"
        f" load average at the start {load_average}, at the end"
        f" {' '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} cores"
    )
    for rig in rigs:
        print_rig(rig, args)
    print(
        "\nreq/s is what the whole rig managed (stand-in, client threads, bot and database share this machine's"
        "\ncores); 'bot req/s at 1 core' is 1 / the bot process's own CPU per interaction: what the bot can serve."
        "\nDB CPU is PostgreSQL's server processes for the bot's database (on SQLite that work is in the bot's CPU)."
    )
    if len(rigs) == 2:
        print_comparison(rigs[0], rigs[1])


if __name__ == "__main__":
    main()
