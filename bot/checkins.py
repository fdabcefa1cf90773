"""Check-in threads and the weekly check-in reminders.

Each member has one thread in the server's coaching channel: private (the member, the coaches and Pulse), or public
where the channel cannot have private threads and an admin allowed that. Pulse has no member list, so coaches are
the members it saw holding the coach role; before adding one to a thread it asks Discord whether they still do.

Reminders are one scheduled job per server and week. Each member's reminder is recorded before it is sent and
after, so a retried or restarted job neither skips nor repeats anyone.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

import discord

from bot.clock import Clock
from bot.domain.checkins import CheckinThread, next_reminder, reminder_is_stale
from bot.domain.server_settings import ServerSettings
from bot.domain.weeks import IsoWeek
from bot.errors import ChannelPermissionsMissing, UserError
from bot.i18n import Messages, language_for, messages_for
from bot.render.checkins import is_reminder, reminder_embed
from bot.scheduler import Dispatcher, Outcome
from bot.series import WeeklySeries
from bot.servers import Servers
from bot.storage.checkins import CheckinRepository
from bot.storage.database import Database
from bot.storage.jobs import Job, PlannedJob

log = logging.getLogger(__name__)

KIND = "checkin_reminder"
# Threads stay open a week without messages: long enough to span the time between two check-ins.
AUTO_ARCHIVE_MINUTES: Final = 10080
# Coaches added to one thread at most (each costs a request to Discord).
MAX_COACHES = 25
HISTORY_LOOKBACK = 20
THREAD_NAME_LENGTH = 100
# Discord's answer when a channel cannot have private threads.
CANNOT_HAVE_THREAD_TYPE = 50024
PRIVATE_THREAD_PERMISSIONS = ("view_channel", "send_messages_in_threads", "create_private_threads")
PUBLIC_THREAD_PERMISSIONS = ("view_channel", "send_messages_in_threads", "create_public_threads")


def reminder_nonce(user_id: int, week: IsoWeek) -> str:
    """The same for every attempt at one member's reminder of one week (Discord allows 25 characters)."""
    return f"ci{week.year % 100:02d}{week.week:02d}{user_id}"[:25]


def missing_permissions(permissions: discord.Permissions, needed: tuple[str, ...]) -> list[str]:
    return [name for name in needed if not getattr(permissions, name)]


class CheckinThreads:
    """Opens (or finds again) a member's check-in thread and keeps the member and the coaches in it."""

    def __init__(self, repo: CheckinRepository, servers: Servers, clock: Clock) -> None:
        self.repo = repo
        self.servers = servers
        self.clock = clock

    async def find(self, guild: discord.Guild, user_id: int) -> tuple[discord.Thread, bool] | None:
        """The member's thread and whether it is private, if it still exists."""
        stored = await self.repo.thread(guild.id, user_id)
        if stored is None:
            return None
        thread = await _thread(guild, stored.thread_id)
        if thread is None:
            return None
        return thread, stored.private

    async def open(
        self, guild: discord.Guild, member: discord.abc.User, msgs: Messages
    ) -> tuple[discord.Thread, bool]:
        """The member's thread, created when they have none; raises UserError saying what an admin must change."""
        found = await self.find(guild, member.id)
        if found is not None:
            thread, private = found
            if thread.archived:
                # Members cannot be added to an archived thread; Pulse opened it, so it may reopen it.
                thread = await thread.edit(archived=False)
        else:
            thread, private = await self._create(guild, member, msgs)
            await self.repo.set_thread(
                guild.id, member.id, CheckinThread(thread.id, private), self.clock.now()
            )
        await thread.add_user(member)
        await self.add_coaches(guild, thread, exclude=member.id)
        return thread, private

    async def _create(
        self, guild: discord.Guild, member: discord.abc.User, msgs: Messages
    ) -> tuple[discord.Thread, bool]:
        settings = self.servers.get(guild.id)
        channel = guild.get_channel(settings.coaching_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            raise UserError("checkin.no_channel")
        permissions = channel.permissions_for(guild.me)
        name = msgs("checkin.thread_name", name=member.display_name)[:THREAD_NAME_LENGTH]
        missing_private = missing_permissions(permissions, PRIVATE_THREAD_PERMISSIONS)
        if not missing_private:
            try:
                thread = await channel.create_thread(
                    name=name,
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=AUTO_ARCHIVE_MINUTES,
                )
                return thread, True
            except discord.HTTPException as exc:
                if exc.code != CANNOT_HAVE_THREAD_TYPE:
                    raise
                log.info("guild %s: channel %s cannot have private threads", guild.id, channel.id)
        if not settings.coaching_public_threads:
            if missing_private:
                raise ChannelPermissionsMissing("checkin.cannot_thread", channel.mention, missing_private)
            raise UserError("checkin.no_private_threads", channel=channel.mention)
        missing_public = missing_permissions(permissions, PUBLIC_THREAD_PERMISSIONS)
        if missing_public:
            raise ChannelPermissionsMissing("checkin.cannot_thread", channel.mention, missing_public)
        thread = await channel.create_thread(
            name=name, type=discord.ChannelType.public_thread, auto_archive_duration=AUTO_ARCHIVE_MINUTES
        )
        return thread, False

    async def coaches(self, guild: discord.Guild) -> list[int]:
        """The coaches Pulse knows of who, as Discord confirms now, still hold the coach role."""
        role_id = self.servers.get(guild.id).coach_role_id
        if role_id is None:
            return []
        confirmed = []
        for user_id in (await self.repo.coaches(guild.id))[:MAX_COACHES]:
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:
                await self.repo.forget_coach(guild.id, user_id)
                continue
            if member.get_role(role_id) is None:
                await self.repo.forget_coach(guild.id, user_id)
                continue
            confirmed.append(user_id)
        return confirmed

    async def add_coaches(self, guild: discord.Guild, thread: discord.Thread, exclude: int) -> None:
        for user_id in await self.coaches(guild):
            if user_id == exclude:
                continue
            try:
                await thread.add_user(discord.Object(user_id))
            except discord.HTTPException:
                log.warning("could not add coach %s to thread %s", user_id, thread.id)


class CheckinReminders(WeeklySeries):
    """Plans each server's weekly reminder and, when due, reminds in their threads the members who are due."""

    kind = KIND
    schedule_fields = (
        "timezone",
        "coaching_channel_id",
        "coaching_weekday",
        "coaching_hour",
        "coaching_reminders",
        "coaching_active_since",
    )

    def __init__(
        self, db: Database, servers: Servers, dispatcher: Dispatcher, clock: Clock, client: discord.Client
    ) -> None:
        self.repo = CheckinRepository(db)
        self.client = client
        super().__init__(servers, dispatcher, clock)

    def active(self, settings: ServerSettings) -> bool:
        return settings.reminds_weekly

    def next_job(self, settings: ServerSettings, after: IsoWeek | None) -> PlannedJob:
        now = self.clock.now()
        week, due = next_reminder(
            settings.coaching_weekday,
            settings.coaching_hour,
            settings.tz,
            now,
            settings.coaching_active_since or now,
            after,
        )
        return PlannedJob(KIND, settings.guild_id, str(week), due)

    # --- reminding ------------------------------------------------------------------------------------

    async def run(self, job: Job) -> Outcome:
        settings = self.servers.get(job.guild_id)
        week = IsoWeek.parse(job.key)
        if not settings.reminds_weekly:
            return Outcome("skipped", "reminders are off")
        following = self.next_job(settings, week)
        if reminder_is_stale(week, settings.tz, self.clock.now()):
            return Outcome("skipped", "stale: the week ended", self.next_job(settings, None))
        guild = self.client.get_guild(job.guild_id)
        if guild is None:
            return Outcome("skipped", "Pulse is not in this server", following)
        lang = language_for(str(guild.preferred_locale), settings.server_language)
        msgs = messages_for(lang)
        sent = failed = 0
        for target in await self.repo.reminder_targets(job.guild_id, week):
            if await self._remind(guild, target.user_id, target.thread_id, target.unsure, week, msgs):
                sent += 1
            else:
                failed += 1
        log.info(
            "guild %s: reminded %d members of %s (%d could not be reached)", guild.id, sent, week, failed
        )
        return Outcome("done", f"{sent} reminded, {failed} unreachable", following)

    async def _remind(
        self, guild: discord.Guild, user_id: int, thread_id: int, unsure: bool, week: IsoWeek, msgs: Messages
    ) -> bool:
        now = self.clock.now()
        thread = await _thread(guild, thread_id)
        try:
            message_id = (
                None
                if thread is None
                else await self._deliver(thread, guild.me.id, user_id, unsure, week, msgs, now)
            )
        except (discord.NotFound, discord.Forbidden):
            message_id = None
        if message_id is None:
            # The thread is gone or closed to Pulse: the member checks in again to get a new one.
            await self.repo.mark_reminder(guild.id, user_id, week, "failed", now)
            log.info("guild %s: the check-in thread of %s is gone", guild.id, user_id)
            return False
        await self.repo.mark_reminder(guild.id, user_id, week, "sent", now, message_id)
        return True

    async def _deliver(
        self,
        thread: discord.Thread,
        me: int,
        user_id: int,
        unsure: bool,
        week: IsoWeek,
        msgs: Messages,
        now: datetime,
    ) -> int:
        """Send the reminder (or find the one an earlier attempt sent); its message id."""
        if unsure:
            async for message in thread.history(limit=HISTORY_LOOKBACK):
                if message.author.id == me and is_reminder(message.embeds, week):
                    return message.id
        await self.repo.mark_reminder(thread.guild.id, user_id, week, "sending", now)
        message = await thread.send(
            embed=reminder_embed(msgs, week),
            nonce=reminder_nonce(user_id, week),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return message.id


async def _thread(guild: discord.Guild, thread_id: int) -> discord.Thread | None:
    """The thread, from the cache or from Discord; None when it no longer exists or Pulse may not see it."""
    thread = guild.get_thread(thread_id)
    if thread is not None:
        return thread
    try:
        channel = await guild.fetch_channel(thread_id)
    except (discord.NotFound, discord.Forbidden):
        return None
    return channel if isinstance(channel, discord.Thread) else None
