"""The Pulse bot: start-up, command sync and shutdown."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import pkgutil
import time
from datetime import timedelta

import discord
from discord.ext import commands

import cogs
from bot.checkins import CheckinReminders, CheckinThreads
from bot.clock import Clock, StartedClock, SystemClock
from bot.domain import knowledge
from bot.domain.limits import COOLDOWNS, Cooldowns, scaled
from bot.errors import PulseCommandTree
from bot.i18n import CommandTranslator
from bot.monitoring import Monitoring
from bot.retention import ServerRetention
from bot.scheduler import Dispatcher
from bot.servers import Servers
from bot.settings import Settings
from bot.storage.checkins import CheckinRepository
from bot.storage.database import Database, open_database
from bot.storage.jobs import JobStore
from bot.storage.state import BotState
from bot.weekly import DiscordChannels, WeeklyLeaderboard
from bot.work import FairPool

log = logging.getLogger(__name__)

# The names discord.py gives the tasks that answer an interaction: a command, a component on a view, a button
# that outlives restarts, a modal.
_INTERACTION_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
    "discord-ui-modal-dispatch-",
)
# Within Docker's 10 s between SIGTERM and SIGKILL, with time left to close the database.
DRAIN_SECONDS = 8.0
SYNC_FINISHED = "command sync finished"


def interactions_in_flight() -> set[asyncio.Task[object]]:
    """The tasks still answering an interaction (the caller's own excluded)."""
    current = asyncio.current_task()
    return {
        task
        for task in asyncio.all_tasks()
        if task is not current and not task.done() and task.get_name().startswith(_INTERACTION_TASKS)
    }


def cog_modules() -> list[str]:
    """Every feature module in cogs/."""
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.name.startswith("_"))


class Pulse(commands.AutoShardedBot):
    """The bot: slash commands only, no privileged intents, nobody pinged unless a command says so."""

    db: Database
    servers: Servers
    dispatcher: Dispatcher
    weekly: WeeklyLeaderboard
    checkin_threads: CheckinThreads
    checkin_reminders: CheckinReminders
    retention: ServerRetention

    def __init__(self, settings: Settings) -> None:
        # Pulse never joins voice; without this, every start warns that its voice libraries are missing.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            # Pulse has slash commands only; a mention prefix keeps commands.Bot content without message intents.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            chunk_guilds_at_startup=False,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=PulseCommandTree,
            # Unset: one process runs every shard Discord asks for. Set: this process runs only its SHARD_IDS.
            shard_count=settings.shards.count,
            # discord.py documents shard_ids as optional (None: every shard) but types it as list[int].
            shard_ids=list(settings.shards.ids) if settings.shards.count is not None else None,  # type: ignore[arg-type]
        )
        self.settings = settings
        self.started_at = time.monotonic()
        self.clock: Clock = StartedClock(settings.clock_start) if settings.clock_start else SystemClock()
        self._schedules: asyncio.Task[None] | None = None
        self._sync: asyncio.Task[None] | None = None
        # Set on SIGTERM: interactions that arrive from then on are asked to come back, not started.
        self.stopping = False
        self.cooldowns = Cooldowns(scaled(COOLDOWNS, settings.cooldown_scale))
        self.work = FairPool()
        self.monitoring: Monitoring | None = None

    async def setup_hook(self) -> None:
        if self.settings.metrics_port is not None:
            # Before anything slow (migrations, loading), so /health answers "starting" instead of refusing.
            self.monitoring = Monitoring(self, self.settings.metrics_host, self.settings.metrics_port)
            await self.monitoring.start()
        self.db = await open_database(
            self.settings.database_url,
            pool_size=self.settings.database_pool_size,
            statement_timeout=self.settings.database_statement_timeout,
        )
        applied = await self.db.migrate()
        if applied:
            log.info("database %s (%s) migrated to version %s", self.db.where, self.db.backend, applied[-1])
        shards = self.settings.shards
        log.info("running %s on %s %s", shards.describe(), self.db.backend, self.db.where)
        self.servers = Servers(self.db, self.clock)
        await self.servers.load()
        self.dispatcher = Dispatcher(
            JobStore(self.db, timedelta(seconds=self.settings.job_lease_seconds), shards), self.clock
        )
        self.weekly = WeeklyLeaderboard(
            self.db, self.servers, self.dispatcher, self.clock, DiscordChannels(self)
        )
        self.checkin_threads = CheckinThreads(CheckinRepository(self.db), self.servers, self.clock)
        self.checkin_reminders = CheckinReminders(self.db, self.servers, self.dispatcher, self.clock, self)
        self.retention = ServerRetention(
            self.db,
            self.servers,
            self.dispatcher,
            self.clock,
            lambda guild_id: self.get_guild(guild_id) is not None,
            (self.weekly, self.checkin_reminders),
            shards,
        )
        for module in [*cog_modules(), *self.settings.extensions]:
            await self.load_extension(module)
        knowledge.load_all()
        await self.tree.set_translator(CommandTranslator())
        # Discord retries a failing sync for half a minute; the gateway and members' commands must not wait.
        self._sync = asyncio.create_task(self._sync_in_background(), name="command-sync")
        self._schedules = asyncio.create_task(self._start_schedules(), name="schedules")

    async def _start_schedules(self) -> None:
        """Once the servers are known: plan every server's scheduled work, then run it."""
        await self.wait_until_ready()
        # What start-up built (modules, the guides, the command tree, the servers' state) lives as long as the
        # process: out of the collector's reach, every full collection would scan it all again.
        gc.freeze()
        present = {guild.id for guild in self.guilds}
        await self.retention.reconcile(present)
        await self.weekly.replan_all(present)
        await self.checkin_reminders.replan_all(present)
        self.dispatcher.start()

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.retention.removed(guild.id)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.retention.returned(guild.id)

    async def command_payload(self, guild: discord.abc.Snowflake | None = None) -> list[dict]:
        """What a sync would send Discord, translations included."""
        translator = self.tree.translator
        assert translator is not None
        return [
            await command.get_translated_payload(self.tree, translator)
            for command in self.tree._get_all_commands(guild=guild)
        ]

    async def _sync_in_background(self) -> None:
        try:
            await self.sync_commands()
        except Exception:
            log.exception("syncing commands failed; members keep the previous definitions")
        log.info("%s", SYNC_FINISHED)

    async def sync_commands(self) -> None:
        """Sync the commands as COMMAND_SYNC says; under `auto`, only when their definition changed."""
        mode = self.settings.command_sync
        if mode == "never":
            return
        if not self.settings.shards.leads:
            # Commands belong to the application, not to a shard: the process running shard 0 syncs them.
            log.info("commands are synced by the process running shard 0; not syncing here")
            return
        targets: list[discord.Object | None] = [None]
        if self.settings.dev_guild_id:
            dev_guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=dev_guild)
            targets.append(dev_guild)
        state = BotState(self.db)
        for guild in targets:
            # Per application: one database reused by another application (test, then production) still syncs.
            key = f"command_hash:{self.application_id}:{guild.id if guild else 'global'}"
            payload = await self.command_payload(guild)
            digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            if mode == "auto" and await state.get(key) == digest:
                log.info("commands unchanged since the last sync (%s); not syncing", key)
                continue
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException:
                log.exception("syncing commands (%s) failed; members keep the previous definitions", key)
                continue
            await state.set(key, digest)
            log.info("synced %d commands (%s)", len(synced), key)

    async def close(self) -> None:
        """Stop taking interactions, let the ones under way answer, then stop scheduled work and disconnect."""
        self.stopping = True
        if in_flight := interactions_in_flight():
            log.info("finishing %d interaction(s) under way", len(in_flight))
            _, unfinished = await asyncio.wait(in_flight, timeout=DRAIN_SECONDS)
            if unfinished:
                log.warning(
                    "%d interaction(s) still running after %.0f s; stopping anyway",
                    len(unfinished),
                    DRAIN_SECONDS,
                )
        for task in (self._sync, self._schedules):
            if task is not None:
                task.cancel()
        try:
            if hasattr(self, "dispatcher"):
                await self.dispatcher.stop()
            await super().close()
        finally:
            # Whatever failed above, the database's threads must end, or they keep the process alive.
            self.work.close()
            if hasattr(self, "db"):
                await self.db.close()
            if self.monitoring is not None:
                await self.monitoring.stop()

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_at
