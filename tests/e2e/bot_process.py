"""The real bot (`python -m bot`) as a child process pointed at a stand-in Discord."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.client import SYNC_FINISHED
from tests.databases import Backend, SyncDatabase, suite_backend, sync_database_url
from tests.e2e.stand_in import Message, NoReply, Reply, StandIn

REPO_ROOT = Path(__file__).resolve().parents[2]
# Settings the bot reads; the tests set each one so nothing leaks in from the developer's shell.
BOT_SETTINGS = (
    "DISCORD_TOKEN",
    "DATABASE_URL",
    "LOG_LEVEL",
    "DEV_GUILD_ID",
    "COMMAND_SYNC",
    "EXTRA_EXTENSIONS",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "DISCORD_CONNECT_TIMEOUT",
    "CLOCK_START",
    "JOB_LEASE_SECONDS",
    "COOLDOWN_SCALE",
    "DATABASE_POOL_SIZE",
    "DATABASE_STATEMENT_TIMEOUT",
    "SHARD_COUNT",
    "SHARD_IDS",
    "METRICS_PORT",
    "METRICS_HOST",
    "PULSE_ON_CONFIG_ERROR",
)


class BotFailed(AssertionError):
    """The bot process did not do what the test waited for; the message ends with its log."""


def fake_token() -> str:
    return "stand-in." + secrets.token_urlsafe(24)


class BotProcess:
    """One run of `python -m bot` against a stand-in; stop() never hangs (SIGTERM, then SIGKILL)."""

    def __init__(
        self,
        stand_in: StandIn,
        *,
        database_url: str,
        log_path: Path,
        env: Mapping[str, str | None] | None = None,
        cwd: Path = REPO_ROOT,
        argv: Sequence[str] = (sys.executable, "-m", "bot"),
    ) -> None:
        self.stand_in = stand_in
        self.database_url = database_url
        self.log_path = log_path
        self.cwd = cwd
        self.argv = list(argv)
        self.token = fake_token()
        self.env = self._environment(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self._connections_before = 0

    def _environment(self, overrides: Mapping[str, str | None]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in BOT_SETTINGS}
        env.update(
            DISCORD_TOKEN=self.token,
            DATABASE_URL=self.database_url,
            LOG_LEVEL="INFO",
            DEV_GUILD_ID="",
            COMMAND_SYNC="auto",
            EXTRA_EXTENSIONS="",
            PYTHONUNBUFFERED="1",
            **self.stand_in.bot_env(),
        )
        # The repo must be importable even when a test runs the bot from another directory.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    @property
    def db(self) -> SyncDatabase:
        """The bot's database, to seed or inspect rows in Pulse's SQL dialect (runs on SQLite and PostgreSQL)."""
        return SyncDatabase(self.database_url)

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> BotProcess:
        self._connections_before = self.stand_in.connections
        self._syncs_before = self.log.count(SYNC_FINISHED)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, "the bot was not started"
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 30.0, *, synced: bool = True) -> BotProcess:
        """Wait until the bot has connected and received its server, and (`synced`) its command sync, which
        runs beside the connection, is over."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stand_in.wait_ready(self._connections_before, timeout=0.2) and (
                not synced or self.log.count(SYNC_FINISHED) > self._syncs_before
            ):
                return self
            if not self.running:
                raise BotFailed(
                    f"the bot exited with {self.returncode} before it was ready\n{self.log_tail()}"
                )
        raise BotFailed(f"the bot was not ready after {timeout} s\n{self.log_tail()}")

    def wait_exit(self, timeout: float = 10.0) -> int | None:
        """The exit code, or None if the bot still runs after `timeout` s."""
        assert self.process is not None, "the bot was not started"
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def send_signal(self, signum: int) -> None:
        if self.running:
            os.kill(self.pid, signum)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Send `signum` and wait; SIGKILL after `timeout` s. Returns the exit code (negative: killed)."""
        if self.process is None:
            raise RuntimeError("the bot was not started")
        self.send_signal(signum)
        code = self.wait_exit(timeout)
        if code is None:
            self.kill()
            code = self.process.wait()
        return code

    def kill(self) -> int:
        """kill -9: no chance to clean up (as a crash or an OOM kill)."""
        assert self.process is not None, "the bot was not started"
        self.send_signal(signal.SIGKILL)
        return self.process.wait()

    # --- output --------------------------------------------------------------------------------------

    @property
    def log(self) -> str:
        """Everything the bot wrote to stdout and stderr so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 80) -> str:
        tail = self.log.splitlines()[-lines:]
        return f"--- bot log {self.log_path} (last {len(tail)} lines) ---\n" + "\n".join(tail)

    def leaked_secrets(self) -> list[str]:
        """Secrets found in the log: the bot token or an interaction token (Discord treats both as passwords)."""
        log = self.log
        found = ["the bot token"] if self.token in log else []
        found += [f"interaction token {t[:8]}…" for t in self.stand_in.interaction_tokens if t in log]
        return found

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """Wait until the log matches the regular expression."""
        deadline = time.monotonic() + timeout
        compiled = re.compile(pattern)
        while time.monotonic() < deadline:
            if match := compiled.search(self.log):
                return match
            if not self.running:
                break
            time.sleep(0.05)
        if match := compiled.search(self.log):
            return match
        raise BotFailed(f"the log never matched {pattern!r}\n{self.log_tail()}")

    # --- driving (see StandIn for the parameters) -----------------------------------------------------

    def invoke(self, command: str, options: Mapping[str, Any] | None = None, **kwargs: Any) -> Reply:
        return self._alive(lambda: self.stand_in.invoke(command, options, **kwargs))

    def autocomplete(self, command: str, options: Mapping[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
        return self._alive(lambda: self.stand_in.autocomplete(command, options, **kwargs))

    def click(self, reply: Reply | Message, custom_id: str, **kwargs: Any) -> Reply:
        return self._alive(lambda: self.stand_in.click(reply, custom_id, **kwargs))

    def submit_modal(self, reply: Reply, values: Mapping[str, str], **kwargs: Any) -> Reply:
        return self._alive(lambda: self.stand_in.submit_modal(reply, values, **kwargs))

    def _alive(self, action: Any) -> Any:
        try:
            return action()
        except NoReply as exc:
            state = "still running" if self.running else f"exited with {self.returncode}"
            raise NoReply(f"{exc} (bot {state})\n{self.log_tail()}") from None


class Bots:
    """Starts bot processes against one stand-in and stops every one of them afterwards.

    Its bots share one database of the suite's backend (`suite_backend()`), made when first needed: for SQLite
    `directory/pulse.db`, for PostgreSQL a new database. `close()` stops the bots and drops the databases it made.
    """

    def __init__(self, stand_in: StandIn, directory: Path, backend: Backend | None = None) -> None:
        self.stand_in = stand_in
        self.directory = directory
        self.backend: Backend = backend or suite_backend()
        self.started: list[BotProcess] = []
        self._database_url: str | None = None
        self._databases = contextlib.ExitStack()

    @property
    def database_url(self) -> str:
        """The database every start uses unless told otherwise (made on first use)."""
        if self._database_url is None:
            if self.backend == "sqlite":
                self._database_url = f"sqlite:///{self.directory / 'pulse.db'}"
            else:
                self._database_url = self.new_database_url()
        return self._database_url

    def new_database_url(self, backend: Backend | None = None) -> str:
        """Another fresh, empty database (of the suite's backend unless told), discarded by `close()`."""
        return self._databases.enter_context(sync_database_url(backend or self.backend, self.directory))

    def start(
        self,
        *,
        env: Mapping[str, str | None] | None = None,
        database_url: str | None = None,
        wait: bool = True,
        cwd: Path = REPO_ROOT,
    ) -> BotProcess:
        """Start `python -m bot`; every start uses `self.database_url` unless told otherwise."""
        bot = BotProcess(
            self.stand_in,
            database_url=database_url or self.database_url,
            log_path=self.directory / f"bot-{len(self.started) + 1}.log",
            env=env,
            cwd=cwd,
        )
        self.started.append(bot.start())
        if wait:
            bot.wait_ready()
        return bot

    def stop_all(self) -> None:
        for bot in self.started:
            if bot.running:
                bot.stop()

    def close(self) -> None:
        """Stop every bot, then discard the databases made for them (PostgreSQL ones are dropped)."""
        try:
            self.stop_all()
        finally:
            self._databases.close()


def fail_on_violations(stand_in: StandIn) -> None:
    """Fail the running test with the Discord rules the bot broke since the last check."""
    violations = stand_in.take_violations()
    if violations:
        listing = "\n".join(f"  - {v}" for v in violations)
        pytest.fail(f"the bot broke Discord's rules ({len(violations)}):\n{listing}", pytrace=False)


@contextlib.contextmanager
def shared_bot(directory: Path, env: Mapping[str, str | None] | None = None) -> Iterator[BotProcess]:
    """A ready bot with a stand-in of its own, for module-scoped fixtures (see `pulse` in conftest.py)."""
    with StandIn() as stand_in:
        bots = Bots(stand_in, directory)
        try:
            yield bots.start(env=env)
        finally:
            bots.close()
    fail_on_violations(stand_in)
