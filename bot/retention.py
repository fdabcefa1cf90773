"""A server's data is deleted 30 days after Pulse was removed from it, unless Pulse is added back before then.

The deletion is a scheduled job (one row, run by the one dispatcher), so it survives restarts and downtime. A
removal noticed only at start-up (Pulse was removed while it was down) counts from when Pulse noticed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence

from bot.clock import Clock
from bot.domain.privacy import RETENTION, purge_due
from bot.domain.shards import ALL_SHARDS, Shards
from bot.scheduler import Dispatcher, Outcome
from bot.series import WeeklySeries
from bot.servers import Servers
from bot.storage.database import Database, to_text
from bot.storage.jobs import Job, PlannedJob
from bot.storage.privacy import PrivacyRepository

log = logging.getLogger(__name__)

KIND = "server_purge"


class ServerRetention:
    """Plans, cancels and runs the deletion of the data of servers Pulse is no longer in."""

    def __init__(
        self,
        db: Database,
        servers: Servers,
        dispatcher: Dispatcher,
        clock: Clock,
        is_member: Callable[[int], bool],
        series: Sequence[WeeklySeries],
        shards: Shards = ALL_SHARDS,
    ) -> None:
        self.repo = PrivacyRepository(db)
        self.shards = shards
        self.servers = servers
        self.dispatcher = dispatcher
        self.clock = clock
        self.is_member = is_member
        self.series = series
        dispatcher.register(KIND, self)

    async def purge_due(self, guild_id: int) -> Job | None:
        jobs = await self.dispatcher.store.open_jobs(KIND, guild_id)
        return jobs[0] if jobs else None

    async def removed(self, guild_id: int) -> None:
        """Pulse left the server: stop its weekly work and plan the deletion (an earlier plan keeps its date)."""
        for series in self.series:
            await self.dispatcher.cancel(series.kind, guild_id)
        if await self.purge_due(guild_id) is not None or not await self.repo.has_server_data(guild_id):
            return
        now = self.clock.now()
        await self.dispatcher.plan(PlannedJob(KIND, guild_id, to_text(now), purge_due(now)))
        log.info("Pulse was removed from guild %s; its data will be deleted at %s", guild_id, purge_due(now))

    async def returned(self, guild_id: int) -> None:
        """Pulse is in the server (again): nothing is deleted, and its weekly work resumes."""
        if await self.dispatcher.cancel(KIND, guild_id):
            log.info("Pulse was added back to guild %s; its data stays", guild_id)
        for series in self.series:
            await series.replan(guild_id)

    async def reconcile(self, present: Collection[int]) -> None:
        """At start-up: servers with data that Pulse is no longer in were left while it was down.

        Only this process's shards count: another process's servers are not "left" because they are not here.
        """
        for guild_id in await self.repo.servers_with_data():
            if not self.shards.owns(guild_id):
                continue
            if guild_id in present:
                await self.dispatcher.cancel(KIND, guild_id)
            else:
                await self.removed(guild_id)

    async def run(self, job: Job) -> Outcome:
        if self.is_member(job.guild_id):
            # Back without a join being noticed: resume what removed() stopped.
            for series in self.series:
                await series.replan(job.guild_id)
            return Outcome("skipped", "Pulse is in the server again")
        deleted = await self.repo.delete_server(job.guild_id, keep_job=job.id)
        self.servers.forget(job.guild_id)
        log.info(
            "deleted %d rows of guild %s, %d days after Pulse was removed",
            deleted,
            job.guild_id,
            RETENTION.days,
        )
        return Outcome("done", f"{deleted} rows deleted")

    async def following(self, job: Job) -> PlannedJob | None:
        return None
