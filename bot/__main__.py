"""`python -m bot`: read the settings, set up logging, run the bot until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from bot.domain.knowledge import KnowledgeError
from bot.i18n import CatalogueError
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.database import DatabaseUnavailable, SchemaTooNew, WriteFailed

if TYPE_CHECKING:
    from bot.client import Pulse

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1


def exit_for_config_error() -> int:
    """EXIT_CONFIG; with PULSE_ON_CONFIG_ERROR=wait (the Docker image), only after a stop signal.

    A supervisor that restarts whatever exits (Docker's `restart: unless-stopped`) would otherwise print the same
    error every minute forever; waiting keeps the one line in the log and the container marked unhealthy.
    """
    if os.environ.get("PULSE_ON_CONFIG_ERROR", "").strip().lower() == "wait":
        print("PULSE_ON_CONFIG_ERROR=wait: waiting to be stopped; fix that, then restart.", file=sys.stderr)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        # In steps: a signal that lands on another thread is only handled once this thread runs again.
        while not stop.wait(1.0):
            pass
    return EXIT_CONFIG


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)-8s %(name)s: %(message)s", stream=sys.stderr
    )
    # These loggers print request routes and payloads at DEBUG, and routes carry interaction tokens.
    for name in ("discord.http", "discord.gateway", "discord.webhook.async_"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))


def point_at_discord(settings: Settings) -> None:
    """Use another Discord endpoint (a proxy or a stand-in) when the settings name one."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def startup_problem(exc: BaseException) -> BaseException | None:
    """The operator's problem (bad data file, newer database, full disk) behind a start-up failure, if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(
            seen, SchemaTooNew | DatabaseUnavailable | WriteFailed | KnowledgeError | CatalogueError
        ):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class NoAnswer(Exception):
    """Discord took the connection but did not let Pulse in within DISCORD_CONNECT_TIMEOUT."""


class FirstConnection:
    """The wait for Discord from the start to the first READY, which may take `limit` seconds in all.

    Pulse's own work between logging in and connecting (opening and migrating the database, loading the
    commands) does not count: a long migration is not a silent Discord, and ending it would only make the next
    start run it again. After the first READY, discord.py's own reconnecting takes over, unbounded.
    """

    def __init__(self, bot: Pulse, limit: float) -> None:
        self.limit = limit
        self.logged_in = False
        self.connected = asyncio.Event()
        self._waited = 0.0
        self._since: float | None = time.monotonic()

        async def on_connect() -> None:
            self.connected.set()

        bot.add_listener(on_connect, "on_connect")
        own_work = bot.setup_hook

        # discord.py runs setup_hook after the login's requests and before it opens the gateway.
        async def setup_hook() -> None:
            self.logged_in = True
            self._pause()
            try:
                await own_work()
            finally:
                self._since = time.monotonic()

        bot.setup_hook = setup_hook  # type: ignore[method-assign]

    def _pause(self) -> None:
        if self._since is not None:
            self._waited += time.monotonic() - self._since
            self._since = None

    def waited(self) -> float:
        """Seconds spent waiting for Discord so far."""
        return self._waited + (time.monotonic() - self._since if self._since is not None else 0.0)

    async def wait(self, starting: asyncio.Task[None], stopping: asyncio.Event) -> None:
        """Return once connected, stopping or `starting` ended; NoAnswer once Discord used up the limit."""
        connected = asyncio.ensure_future(self.connected.wait())
        stopped = asyncio.ensure_future(stopping.wait())
        try:
            while not (self.connected.is_set() or stopping.is_set() or starting.done()):
                remaining = self.limit - self.waited()
                if remaining <= 0:
                    raise NoAnswer(self.problem())
                # While setup_hook runs the clock stands still, and `remaining` with it, however small.
                await asyncio.wait(
                    {starting, connected, stopped},
                    timeout=max(remaining, 0.1),
                    return_when=asyncio.FIRST_COMPLETED,
                )
        finally:
            connected.cancel()
            stopped.cancel()

    def problem(self) -> str:
        """One line for the operator: where Pulse was left waiting, and what to check."""
        if self.logged_in:
            where = "while connecting to its gateway (logging in worked)"
            check = "that the network, firewall or proxy between Pulse and Discord lets websockets through"
        else:
            where = f"while logging in ({discord.http.Route.BASE})"
            check = "the network, firewall or proxy between Pulse and Discord"
        return (
            f"Pulse got no answer from Discord within {self.limit:g} s {where}. Check {check}, and "
            "https://discordstatus.com; DISCORD_CONNECT_TIMEOUT gives Discord longer."
        )


async def cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def run(settings: Settings) -> int:
    from bot.client import Pulse

    bot = Pulse(settings)
    first = FirstConnection(bot, settings.discord_connect_timeout)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    closing: list[asyncio.Task[None]] = []

    def request_stop(signame: str) -> None:
        if stopping.is_set():
            return
        log.info("%s received; shutting down", signame)
        stopping.set()
        # Before the first READY no interaction can be under way: the login or connection is cancelled where
        # it stands instead (closing the HTTP session under it would end it as a network error).
        if first.connected.is_set():
            closing.append(loop.create_task(bot.close()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop, sig.name)

    try:
        async with bot:
            starting = loop.create_task(bot.start(settings.discord_token.get_secret_value()))
            try:
                await first.wait(starting, stopping)
            except NoAnswer:
                await cancel(starting)
                raise
            if stopping.is_set() and not closing:
                await cancel(starting)
            else:
                await starting
    except NoAnswer as exc:
        # Like an unreachable Discord: one line, and a non-zero exit so a supervisor tries again later.
        print(exc, file=sys.stderr)
        return EXIT_UNREACHABLE
    except discord.LoginFailure:
        print(
            "Discord rejected DISCORD_TOKEN. Copy a fresh token from https://discord.com/developers/applications "
            "(Bot > Reset Token) into DISCORD_TOKEN.",
            file=sys.stderr,
        )
        return exit_for_config_error()
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        # A network fault, not a bug: one line, and a non-zero exit so a supervisor tries again later.
        print(f"Pulse cannot reach Discord ({discord.http.Route.BASE}): {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except Exception as exc:
        problem = startup_problem(exc)
        if problem is None:
            raise
        print(f"Pulse cannot start: {problem}", file=sys.stderr)
        if isinstance(problem, DatabaseUnavailable | WriteFailed):
            # The database may still be starting (after a reboot Docker starts containers in no particular
            # order), a full disk may be freed: exit, so that a restart policy tries again.
            return EXIT_CONFIG
        return exit_for_config_error()
    # bot.start() returns as soon as the gateway is closed, before Pulse.close() has closed the database;
    # asyncio.run would cancel that, and aiosqlite's worker thread would then keep the process alive.
    await asyncio.gather(*closing)
    log.info("stopped")
    return 0


def main() -> int:
    if sys.argv[1:2] == ["migrate-db"]:
        from bot.migrate_db import main as migrate_db

        return migrate_db(sys.argv[2:])
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return exit_for_config_error()
    configure_logging(settings.log_level)
    point_at_discord(settings)
    return asyncio.run(run(settings))


if __name__ == "__main__":
    sys.exit(main())
