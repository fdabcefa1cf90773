"""A weekly series of scheduled jobs per server (the leaderboard post, the check-in reminder).

One open job per server and kind, planned from the server's settings: replanned when a setting it depends on changes,
and followed by the next week's job when it finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime
from typing import ClassVar

from bot.clock import Clock
from bot.domain.server_settings import ServerSettings
from bot.domain.weeks import IsoWeek
from bot.scheduler import Dispatcher, Outcome
from bot.servers import Servers
from bot.storage.jobs import Job, PlannedJob

log = logging.getLogger(__name__)


class WeeklySeries:
    """Plans each server's next job of `kind`; subclasses say when one is due and run it."""

    kind: ClassVar[str]
    # The settings whose change moves the next job.
    schedule_fields: ClassVar[tuple[str, ...]]

    def __init__(self, servers: Servers, dispatcher: Dispatcher, clock: Clock) -> None:
        self.servers = servers
        self.dispatcher = dispatcher
        self.clock = clock
        servers.listen(self._settings_changed)
        dispatcher.register(self.kind, self)

    def active(self, settings: ServerSettings) -> bool:
        """Whether the server wants this series at all."""
        raise NotImplementedError

    def next_job(self, settings: ServerSettings, after: IsoWeek | None) -> PlannedJob:
        """The job to plan now, for a week after `after` (None: whatever is owed)."""
        raise NotImplementedError

    async def last_done(self, guild_id: int) -> IsoWeek | None:
        """The last week this series did for the server, when its own records know better than the job table."""
        return None

    async def replan(self, guild_id: int) -> datetime | None:
        """Plan the server's next job from its settings; returns when it is due (None: nothing planned)."""
        settings = self.servers.get(guild_id)
        if not self.active(settings):
            await self.dispatcher.cancel(self.kind, guild_id)
            return None
        job = self.next_job(settings, await self.last_done(guild_id))
        if not await self.dispatcher.plan(job):
            # That week's job already ran (and did not do it: skipped, or it failed): plan the one after.
            job = self.next_job(settings, IsoWeek.parse(job.key))
            await self.dispatcher.plan(job)
        return job.due_at

    async def replan_all(self, present: Collection[int]) -> None:
        """Plan the next job of every configured server Pulse is in."""
        for settings in self.servers.configured():
            if settings.guild_id not in present:
                continue
            try:
                await self.replan(settings.guild_id)
            except Exception:
                log.exception("planning %s jobs of guild %s failed", self.kind, settings.guild_id)

    async def next_due(self, guild_id: int) -> datetime | None:
        jobs = await self.dispatcher.store.open_jobs(self.kind, guild_id)
        return jobs[0].due_at if jobs else None

    async def run(self, job: Job) -> Outcome:
        """Do one week's job (the dispatcher calls this when it is due)."""
        raise NotImplementedError

    async def following(self, job: Job) -> PlannedJob | None:
        settings = self.servers.get(job.guild_id)
        return self.next_job(settings, IsoWeek.parse(job.key)) if self.active(settings) else None

    async def _settings_changed(self, before: ServerSettings, after: ServerSettings) -> None:
        if any(getattr(before, f) != getattr(after, f) for f in self.schedule_fields):
            await self.replan(after.guild_id)
