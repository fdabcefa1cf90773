"""`python -m bot`: read the settings, set up logging, run the bot until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from bot.domain.knowledge import KnowledgeError
from bot.i18n import CatalogueError
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.database import DatabaseUnavailable, SchemaTooNew, WriteFailed

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


async def run(settings: Settings) -> int:
    from bot.client import Pulse

    bot = Pulse(settings)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    closing: list[asyncio.Task[None]] = []

    def request_stop(signame: str) -> None:
        if not stopping.is_set():
            log.info("%s received; shutting down", signame)
            stopping.set()
            closing.append(loop.create_task(bot.close()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop, sig.name)

    try:
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())
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
