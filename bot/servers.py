"""Every server's settings, kept in memory for the hot path and written through to the database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.clock import Clock
from bot.domain.server_settings import ServerSettings
from bot.storage.database import Database
from bot.storage.settings import PULSE, SettingsRepository

Listener = Callable[[ServerSettings, ServerSettings], Awaitable[None]]


class Servers:
    """Reads come from memory (every answer needs the server's language); changes go to the database first."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.repo = SettingsRepository(db)
        self.clock = clock
        self._cache: dict[int, ServerSettings] = {}
        self._listeners: list[Listener] = []

    async def load(self) -> None:
        self._cache = {s.guild_id: s for s in await self.repo.all()}

    def get(self, guild_id: int) -> ServerSettings:
        return self._cache.get(guild_id) or ServerSettings(guild_id)

    def configured(self) -> list[ServerSettings]:
        """The servers that changed any setting."""
        return list(self._cache.values())

    def forget(self, guild_id: int) -> None:
        """The server's rows were deleted: it has the defaults again."""
        self._cache.pop(guild_id, None)

    def listen(self, listener: Listener) -> None:
        """Call `listener(before, after)` after every change is stored."""
        self._listeners.append(listener)

    async def update(
        self, guild_id: int, user_id: int, **changes: Any
    ) -> tuple[ServerSettings, ServerSettings]:
        """Apply `changes` as `user_id`; the weekly work's own bookkeeping follows from what changed."""
        before = self.get(guild_id)
        after = before.changed(**changes)
        now = self.clock.now()
        if after.posts_weekly and not before.posts_weekly:
            # Weeks that came due while nothing was to be posted are not owed now.
            after = after.changed(leaderboard_active_since=now)
        if after.reminds_weekly and not before.reminds_weekly:
            after = after.changed(coaching_active_since=now)
        if user_id != PULSE and {"leaderboard_enabled", "leaderboard_channel_id"} & changes.keys():
            # An admin who turns the post back on or picks a channel has dealt with what turned it off.
            after = after.changed(leaderboard_problem=None, leaderboard_problem_at=None)
        await self.repo.save(before, after, user_id, now)
        self._cache[guild_id] = after
        for listener in self._listeners:
            await listener(before, after)
        return before, after
