"""The weekly leaderboard post: planned per server, posted exactly once a week, kept in the archive.

Exactly once: the dispatcher claims the week's job before posting and marks it done after. The message carries a
nonce that Discord enforces (a repeat within minutes returns the first message instead of posting again), and a
job that a crashed process left claimed is only posted after the channel's recent messages show no post of that
week (the embed's footer names it).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

import discord

from bot.clock import Clock
from bot.domain.leaderboard import METRICS, Board, Metric, is_stale, next_post
from bot.domain.server_settings import LeaderboardProblem, ServerSettings
from bot.domain.weeks import IsoWeek
from bot.i18n import language_for, messages_for
from bot.render.leaderboard import is_weekly_post, weekly_post_embed
from bot.scheduler import Dispatcher, Outcome
from bot.series import WeeklySeries
from bot.servers import Servers
from bot.storage.database import Database
from bot.storage.jobs import Job, PlannedJob
from bot.storage.leaderboard import LeaderboardRepository
from bot.storage.settings import PULSE

log = logging.getLogger(__name__)

KIND = "leaderboard"
# How far back a restarted process looks for a post it may have sent before it died.
HISTORY_LOOKBACK = 50
# What the weekly post needs in its channel; the invite link asks for all of it.
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")


def post_nonce(guild_id: int, week: IsoWeek) -> str:
    """The same for every attempt at one server's post of one week (Discord allows 25 characters)."""
    return f"lb{week.year % 100:02d}{week.week:02d}{guild_id}"[:25]


def missing_post_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    permissions = channel.permissions_for(me)
    return [name for name in POST_PERMISSIONS if not getattr(permissions, name)]


class ChannelProblem(Exception):
    """The weekly post's channel cannot take it; `problem` says why."""

    def __init__(self, problem: LeaderboardProblem) -> None:
        super().__init__(problem)
        self.problem: LeaderboardProblem = problem


class PostChannel(Protocol):
    """Where a server's weekly post goes."""

    id: int
    locale: str

    async def send(self, post: discord.Embed, nonce: str) -> tuple[int, datetime]:
        """Post; the message's id and time. Raises ChannelProblem when the channel is gone or refuses."""
        ...

    async def find(self, week: IsoWeek) -> tuple[int, datetime] | None:
        """Pulse's post about `week` among the channel's recent messages, if it is there."""
        ...


class Channels(Protocol):
    def in_guild(self, guild_id: int) -> bool: ...

    def channel(self, guild_id: int, channel_id: int) -> PostChannel | None:
        """The channel, or None when it no longer exists."""
        ...


class DiscordChannel:
    """A text channel of a server Pulse is in."""

    def __init__(self, channel: discord.TextChannel, me: int) -> None:
        self._channel = channel
        self._me = me
        self.id = channel.id
        self.locale = str(channel.guild.preferred_locale)

    async def send(self, post: discord.Embed, nonce: str) -> tuple[int, datetime]:
        try:
            message = await self._channel.send(
                embed=post, nonce=nonce, allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.Forbidden:
            raise ChannelProblem("channel_forbidden") from None
        except discord.NotFound:
            raise ChannelProblem("channel_missing") from None
        return message.id, message.created_at

    async def find(self, week: IsoWeek) -> tuple[int, datetime] | None:
        try:
            async for message in self._channel.history(limit=HISTORY_LOOKBACK):
                if message.author.id == self._me and is_weekly_post(message.embeds, week):
                    return message.id, message.created_at
        except discord.HTTPException:
            log.warning("could not read the recent messages of channel %s", self.id)
        return None


class DiscordChannels:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def in_guild(self, guild_id: int) -> bool:
        return self.client.get_guild(guild_id) is not None

    def channel(self, guild_id: int, channel_id: int) -> PostChannel | None:
        guild = self.client.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None else None
        if not isinstance(channel, discord.TextChannel) or self.client.user is None:
            return None
        return DiscordChannel(channel, self.client.user.id)


class WeeklyLeaderboard(WeeklySeries):
    """Plans each server's next weekly post and posts it when the dispatcher says it is due."""

    kind = KIND
    schedule_fields = (
        "timezone",
        "leaderboard_channel_id",
        "leaderboard_weekday",
        "leaderboard_hour",
        "leaderboard_enabled",
        "leaderboard_active_since",
    )

    def __init__(
        self, db: Database, servers: Servers, dispatcher: Dispatcher, clock: Clock, channels: Channels
    ) -> None:
        self.repo = LeaderboardRepository(db)
        self.channels = channels
        super().__init__(servers, dispatcher, clock)

    def active(self, settings: ServerSettings) -> bool:
        return settings.posts_weekly

    def next_job(self, settings: ServerSettings, after: IsoWeek | None) -> PlannedJob:
        now = self.clock.now()
        week, due = next_post(settings.schedule, now, settings.leaderboard_active_since or now, after)
        return PlannedJob(KIND, settings.guild_id, str(week), due)

    async def last_done(self, guild_id: int) -> IsoWeek | None:
        return await self.repo.last_posted(guild_id)

    # --- posting --------------------------------------------------------------------------------------

    async def run(self, job: Job) -> Outcome:
        settings = self.servers.get(job.guild_id)
        week = IsoWeek.parse(job.key)
        now = self.clock.now()
        if not settings.posts_weekly:
            return Outcome("skipped", "the weekly post is off")
        if is_stale(week, settings.schedule, now):
            latest = self.next_job(settings, await self.last_done(job.guild_id))
            return Outcome("skipped", "stale: a later week is due", latest)
        if not self.channels.in_guild(job.guild_id):
            return Outcome("skipped", "Pulse is not in this server", self.next_job(settings, week))
        channel = self.channels.channel(job.guild_id, settings.leaderboard_channel_id or 0)
        if channel is None:
            return await self._turn_off(settings, "channel_missing")
        if job.abandoned_by or job.attempts > 1:
            # An earlier attempt may have posted before it died or lost Discord's answer: look before posting.
            found = await channel.find(week)
            if found is not None:
                await self._archive(settings, week, channel.id, *found)
                log.info(
                    "the leaderboard of %s for guild %s was already posted (message %s)",
                    week,
                    job.guild_id,
                    found[0],
                )
                return Outcome("done", f"found message {found[0]}", self.next_job(settings, week))
        boards = await self._boards(settings, week)
        following = self.next_job(settings, week)
        lang = language_for(channel.locale, settings.server_language)
        post = weekly_post_embed(messages_for(lang), boards, following.due_at)
        try:
            message_id, posted_at = await channel.send(post, post_nonce(job.guild_id, week))
        except ChannelProblem as exc:
            return await self._turn_off(settings, exc.problem)
        await self.repo.archive(job.guild_id, channel.id, message_id, posted_at, list(boards.values()))
        log.info("posted the leaderboard of %s for guild %s (message %s)", week, job.guild_id, message_id)
        return Outcome("done", f"message {message_id}", following)

    async def _boards(self, settings: ServerSettings, week: IsoWeek) -> dict[Metric, Board]:
        return {
            metric: await self.repo.board(
                settings.guild_id, week, settings.tz, metric, settings.leaderboard_min_posts
            )
            for metric in METRICS
        }

    async def _archive(
        self, settings: ServerSettings, week: IsoWeek, channel_id: int, message_id: int, at: datetime
    ) -> None:
        boards = await self._boards(settings, week)
        await self.repo.archive(settings.guild_id, channel_id, message_id, at, list(boards.values()))

    async def _turn_off(self, settings: ServerSettings, problem: LeaderboardProblem) -> Outcome:
        """The channel is gone or refuses Pulse: stop posting and keep why, for the next admin who looks."""
        log.warning("guild %s: weekly post turned off (%s)", settings.guild_id, problem)
        await self.servers.update(
            settings.guild_id,
            PULSE,
            leaderboard_enabled=False,
            leaderboard_problem=problem,
            leaderboard_problem_at=self.clock.now(),
        )
        return Outcome("failed", problem)
