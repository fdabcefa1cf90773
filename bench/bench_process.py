"""Benchmark: the Pulse process against a bare discord.py bot, both real processes behind a stand-in Discord.

Run from the repository root:
  uv run python -m bench.bench_process [--backend sqlite|postgresql] [--requests 400] [--workers 16]
                                       [--rounds 7] [--rate 200] [--steady-seconds 10] [--steady-rounds 3]
                                       [--starts 5] [--interactions 20000]

The baseline is bench/bare_bot.py: plain discord.py answering one trivial slash command, started and measured in
the same run as Pulse, each with a stand-in of its own. Measured:
- start to ready: from starting the process to its gateway session having its servers (the stand-in answers at
  once, so this is the bot's own time), the median of `--starts` restarts on an existing database, after one
  start that writes the bytecode caches as any installation does on its first run; RSS at ready;
- bursts: `--requests` interactions, `--workers` in flight, rounds alternating the bare bot, the same bare command
  loaded into Pulse (what Pulse costs every command), `/engagement post`, `/engagement post log:True` and `/ask`;
  per round the bot process's CPU per interaction (the kernel's per-thread counters) and the throughput, and the
  median of the rounds' ratios against the bare bot's round beside it; the stand-ins' and simulated members' CPU
  beside them, since they share the machine;
- a steady `--rate` interactions per second of `/engagement post log:True` for `--steady-seconds`, `--steady-rounds`
  times alternated with the bare bot: the median run's p99 of the first response (a burst measures queueing, this
  measures an answer when the load is ordinary);
- RSS after `--interactions` interactions in all.
Prints each goal beside its figure. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_history import GUIDE_POST, first_response_ms
from tests.databases import Backend, sync_database_url
from tests.domain.test_search import QUESTIONS
from tests.e2e.bot_process import BotProcess
from tests.e2e.stand_in import Reply, StandIn, User

BARE_ARGV = [sys.executable, "-m", "bench.bare_bot"]
PULSE_ARGV = [sys.executable, "-m", "bot"]


def cpu_seconds(pid: int) -> float:
    """CPU time of a process's threads so far, in nanoseconds' precision (Linux schedstat; /proc/<pid>/stat counts
    in 10 ms ticks, too coarse for a round of a few hundred interactions of well under a millisecond each).
    The bots' threads live as long as they do, so none of their time is lost with an ended thread."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


@dataclass
class Round:
    requests: int
    seconds: float
    cpu_seconds: float
    first_ms: list[float]
    # The stand-in's and the simulated members' CPU (this process): the bots share the machine with it.
    driver_cpu_seconds: float = 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / self.requests

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Rig:
    """One bot process with its own stand-in."""

    name: str
    stand_in: StandIn
    bot: BotProcess
    interactions: int = 0
    starts: list[float] = field(default_factory=list)
    rss_at_ready: list[float] = field(default_factory=list)

    def start(self) -> float:
        began = time.monotonic()
        self.bot.start()
        self.bot.wait_ready(synced=False)
        took = time.monotonic() - began
        self.rss_at_ready.append(rss_mb(self.bot.pid))
        deadline = time.monotonic() + 30
        while not self.stand_in.global_commands and time.monotonic() < deadline:
            time.sleep(0.02)
        return took

    def restart(self) -> None:
        self.bot.stop()
        self.starts.append(self.start())

    def burst(self, call: Callable[[int], Reply], requests: int, workers: int) -> Round:
        def one(number: int) -> float:
            started = time.monotonic()
            return first_response_ms(self.stand_in, call(number), started)

        cpu_before, driver_before = cpu_seconds(self.bot.pid), time.process_time()
        began = time.monotonic()
        with ThreadPoolExecutor(workers) as pool:
            latencies = list(pool.map(one, range(requests)))
        took = time.monotonic() - began
        self.interactions += requests
        cpu = cpu_seconds(self.bot.pid) - cpu_before
        return Round(requests, took, cpu, latencies, time.process_time() - driver_before)

    def steady(self, call: Callable[[int], Reply], rate: float, seconds: float) -> Round:
        """Interactions sent on a fixed schedule, whatever the answers' pace (an open loop)."""
        count = round(rate * seconds)
        latencies: list[float] = []
        lock = threading.Lock()
        began = time.monotonic()

        def one(number: int) -> None:
            delay = began + number / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            started = time.monotonic()
            ms = first_response_ms(self.stand_in, call(number), started)
            with lock:
                latencies.append(ms)

        cpu_before = cpu_seconds(self.bot.pid)
        # Enough threads that a slow answer never holds up the next one's sending.
        with ThreadPoolExecutor(64) as pool:
            list(pool.map(one, range(count)))
        took = time.monotonic() - began
        self.interactions += count
        return Round(count, took, cpu_seconds(self.bot.pid) - cpu_before, latencies)


def start_rig(
    stack: contextlib.ExitStack, name: str, argv: list[str], url: str, directory: Path, env: dict[str, str]
) -> Rig:
    # The OpenAPI checks of every request are for the tests; here the stand-in shares the CPU with the bots.
    stand_in = stack.enter_context(StandIn(spec=False))
    bot = BotProcess(stand_in, database_url=url, log_path=directory / f"{name}.log", env=env, argv=argv)
    rig = Rig(name, stand_in, bot)
    rig.start()
    stack.callback(bot.stop)
    return rig


def calls(rig: Rig, workers: int) -> dict[str, Callable[[int], Reply]]:
    members = [User(name=f"bench{n}") for n in range(workers)]

    def member(number: int) -> User:
        return members[number % len(members)]

    def bare(number: int) -> Reply:
        return rig.bot.invoke("bare", user=member(number))

    def post(number: int) -> Reply:
        return rig.bot.invoke("engagement post", {**GUIDE_POST, "likes": 100 + number}, user=member(number))

    def log_post(number: int) -> Reply:
        options = {**GUIDE_POST, "likes": 100 + number, "log": True}
        return rig.bot.invoke("engagement post", options, user=member(number))

    def ask(number: int) -> Reply:
        question, _ = QUESTIONS[number % len(QUESTIONS)]
        return rig.bot.invoke("ask", {"question": question}, user=member(number))

    return {"bare": bare, "post": post, "log": log_post, "ask": ask}


def goal(text: str, figure: str, met: bool) -> str:
    return f"  {'met    ' if met else 'NOT MET'}  {text:58} {figure}"


def benchmark(args: argparse.Namespace) -> None:
    backend: Backend = args.backend
    # The stand-ins and the simulated members live in this process and keep every request and message: a full
    # collection of all that stalls every member at once, and the stall would be counted against the bots.
    gc.disable()
    # The bare command inside Pulse too: the difference to the bare bot is what Pulse costs every command.
    env = {"LOG_LEVEL": "WARNING", "COOLDOWN_SCALE": "0", "EXTRA_EXTENSIONS": "bench.bare_cog"}
    # An installed Pulse runs from bytecode caches (the Docker image compiles them at build time); a shell that
    # forbids writing them would time the compiler instead of the start.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    load_average = " ".join(f"{n:.2f}" for n in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        directory = Path(tmp)
        url = stack.enter_context(sync_database_url(backend, directory))
        bare = start_rig(stack, "bare", BARE_ARGV, f"sqlite:///{directory / 'unused.db'}", directory, {})
        pulse = start_rig(stack, "pulse", PULSE_ARGV, url, directory, env)
        for _ in range(args.starts):
            for rig in (bare, pulse):
                rig.restart()

        bare_call = calls(bare, args.workers)["bare"]
        pulse_calls = calls(pulse, args.workers)
        for rig, call in ((bare, bare_call), *((pulse, call) for call in pulse_calls.values())):
            rig.burst(call, 100, 8)

        rounds: dict[str, list[Round]] = {"bare": [], "pulse bare": [], "post": [], "log": [], "ask": []}
        for _ in range(args.rounds):
            rounds["bare"].append(bare.burst(bare_call, args.requests, args.workers))
            rounds["pulse bare"].append(pulse.burst(pulse_calls["bare"], args.requests, args.workers))
            rounds["post"].append(pulse.burst(pulse_calls["post"], args.requests, args.workers))
            rounds["log"].append(pulse.burst(pulse_calls["log"], args.requests, args.workers))
            rounds["ask"].append(pulse.burst(pulse_calls["ask"], args.requests, args.workers))

        # Alternated too: one hiccup of a shared machine lasting a tenth of a second delays 20 answers at this rate,
        # the whole 1% of one run; the median run's p99 is the figure.
        steady_bare: list[Round] = []
        steady_log: list[Round] = []
        for _ in range(args.steady_rounds):
            steady_bare.append(bare.steady(bare_call, args.rate, args.steady_seconds))
            steady_log.append(pulse.steady(pulse_calls["log"], args.rate, args.steady_seconds))

        remaining = args.interactions - pulse.interactions
        while remaining > 0:
            batch = min(remaining, 2000)
            pulse.burst(pulse_calls["post" if remaining % 4000 else "log"], batch, args.workers)
            remaining -= batch
        rss_after = rss_mb(pulse.bot.pid)

    def ratio(command: str, of: Callable[[Round, Round], float]) -> float:
        return statistics.median(of(b, p) for b, p in zip(rounds["bare"], rounds[command], strict=True))

    def cpu_efficiency(command: str) -> float:
        return ratio(command, lambda b, p: b.cpu_ms / p.cpu_ms)

    def wall(command: str) -> float:
        return ratio(command, lambda b, p: p.throughput / b.throughput)

    def median_of(command: str, of: Callable[[Round], float]) -> float:
        return statistics.median(of(r) for r in rounds[command])

    print(
        f"\nPulse ({backend}) against a bare discord.py bot: {args.rounds} alternated rounds of {args.requests}"
        f" interactions, {args.workers} in flight; load average {load_average} at the start,"
        f" {' '.join(f'{n:.2f}' for n in os.getloadavg())} at the end, {os.cpu_count()} cores\n"
    )
    print(
        f"{'':28} {'CPU ms/req':>10} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'CPU eff.':>9} {'wall':>6}"
        f" {'driver CPU ms/req':>18}"
    )
    for command, label in (
        ("bare", "bare bot"),
        ("pulse bare", "bare command in Pulse"),
        ("post", "/engagement post"),
        ("log", "  log:True"),
        ("ask", "/ask (the guides searched)"),
    ):
        first = [ms for r in rounds[command] for ms in r.first_ms]
        print(
            f"{label:28} {median_of(command, lambda r: r.cpu_ms):10.3f}"
            f" {median_of(command, lambda r: r.throughput):8.1f}"
            f" {percentile(first, 0.5):7.1f} {percentile(first, 0.99):7.1f}"
            f" {cpu_efficiency(command):8.2f}x {wall(command):5.2f}x"
            f" {median_of(command, lambda r: r.driver_cpu_seconds * 1000 / r.requests):18.3f}"
        )

    def steady_median(runs: list[Round], share: float) -> float:
        return statistics.median(percentile(run.first_ms, share) for run in runs)

    steady_p99 = steady_median(steady_log, 0.99)
    print(
        f"\nsteady {args.rate:g}/s, {args.steady_rounds} alternated runs of {args.steady_seconds:g} s (the median"
        f" run's figures): bare p50 {steady_median(steady_bare, 0.5):.1f} p99 {steady_median(steady_bare, 0.99):.1f}"
        f" ms; log:True p50 {steady_median(steady_log, 0.5):.1f} p99 {steady_p99:.1f} ms (each run's p99:"
        f" {', '.join(f'{percentile(run.first_ms, 0.99):.1f}' for run in steady_log)};"
        f" {statistics.median(run.cpu_ms for run in steady_log):.3f} CPU ms/req)"
    )
    print(
        f"start to ready (median of {args.starts}): bare {statistics.median(bare.starts):.2f} s,"
        f" Pulse {statistics.median(pulse.starts):.2f} s; RSS at ready: bare"
        f" {statistics.median(bare.rss_at_ready):.0f} MB, Pulse {statistics.median(pulse.rss_at_ready):.0f} MB;"
        f" Pulse after {pulse.interactions} interactions: {rss_after:.0f} MB"
    )
    start = statistics.median(pulse.starts)
    ready_rss = statistics.median(pulse.rss_at_ready)
    print("\nGoals (issue 13):")
    print(
        goal(
            "/engagement post: CPU efficiency >= 0.9x the bare bot",
            f"{cpu_efficiency('post'):.2f}x",
            cpu_efficiency("post") >= 0.9,
        )
    )
    print(goal("log:True: wall throughput >= 0.7x the bare bot", f"{wall('log'):.2f}x", wall("log") >= 0.7))
    print(
        goal(
            f"log:True: first response p99 < 50 ms at a steady {args.rate:g}/s",
            f"{steady_p99:.1f} ms",
            steady_p99 < 50,
        )
    )
    print(goal("start to ready < 1.5 s", f"{start:.2f} s", start < 1.5))
    print(goal("RSS at ready < 90 MB", f"{ready_rss:.0f} MB", ready_rss < 90))
    print(
        goal(f"RSS after {args.interactions} interactions < 150 MB", f"{rss_after:.0f} MB", rss_after < 150)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=400, help="interactions per burst round")
    parser.add_argument("--workers", type=int, default=16, help="interactions in flight in a burst")
    parser.add_argument("--rounds", type=int, default=7, help="alternated rounds; ratios are their median")
    parser.add_argument("--rate", type=float, default=200.0, help="interactions per second, steady phase")
    parser.add_argument("--steady-seconds", type=float, default=10.0)
    parser.add_argument(
        "--steady-rounds", type=int, default=3, help="steady runs; the median run's p99 counts"
    )
    parser.add_argument("--starts", type=int, default=5, help="restarts timed for start to ready")
    parser.add_argument("--interactions", type=int, default=20_000, help="in all, before the last RSS")
    try:
        benchmark(parser.parse_args())
    except KeyboardInterrupt:
        sys.exit("\ninterrupted (the bots are stopped and the benchmark's database removed)")


if __name__ == "__main__":
    main()
