"""/settings: a server's time zone, language, weekly leaderboard post and coaching (Manage Server only)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import require_manage_server
from bot.checkins import PRIVATE_THREAD_PERMISSIONS, PUBLIC_THREAD_PERMISSIONS, missing_permissions
from bot.client import Pulse
from bot.context import messages
from bot.domain.leaderboard import MAX_MIN_POSTS
from bot.domain.server_settings import (
    SERVER_LANGUAGES,
    check_hour,
    check_language,
    check_min_posts,
    check_weekday,
)
from bot.domain.weeks import WEEKDAYS, time_zone, zone_names
from bot.errors import ChannelPermissionsMissing, UserError
from bot.i18n import Messages, choice_names, command_description, describe_options
from bot.render.leaderboard import settings_embed
from bot.weekly import missing_post_permissions

MAX_ZONE_CHOICES = 25
RECENT_CHANGES = 5
ZoneText = app_commands.Range[str, 1, 64]


def zone_choices(typed: str) -> list[str]:
    """Zones whose name contains what was typed, those starting with it first (Amsterdam finds Europe/Amsterdam)."""
    wanted = typed.strip().lower().replace(" ", "_")
    names = zone_names()
    if not wanted:
        return ["Europe/Amsterdam", "Europe/Brussels", "Europe/London", "UTC", *names][:MAX_ZONE_CHOICES]
    starts = [z for z in names if z.lower().startswith(wanted) or z.lower().split("/")[-1].startswith(wanted)]
    contains = [z for z in names if wanted in z.lower() and z not in starts]
    return (starts + contains)[:MAX_ZONE_CHOICES]


class Settings(commands.Cog):
    settings = app_commands.Group(
        name="settings",
        description=command_description("settings"),
        guild_only=True,
        # Hides the commands from members in Discord's menu; the check that counts is in each command.
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    async def _answer(
        self, interaction: discord.Interaction, msgs: Messages, note: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        current = self.bot.servers.get(interaction.guild_id)
        next_due = await self.bot.weekly.next_due(interaction.guild_id)
        next_reminder = await self.bot.checkin_reminders.next_due(interaction.guild_id)
        changes = await self.bot.servers.repo.changes(interaction.guild_id, limit=RECENT_CHANGES)
        answer = settings_embed(msgs, current, next_due, note, changes, next_reminder)
        await interaction.response.send_message(embed=answer, ephemeral=True)

    async def _save(self, interaction: discord.Interaction, **changes: Any) -> None:
        assert interaction.guild_id is not None
        await self.bot.servers.update(interaction.guild_id, interaction.user.id, **changes)

    @settings.command(name="show", description=command_description("settings show"))
    async def show(self, interaction: discord.Interaction) -> None:
        require_manage_server(interaction)
        await self._answer(interaction, messages(interaction))

    @settings.command(name="timezone", description=command_description("settings timezone"))
    @describe_options("settings timezone")
    async def timezone(self, interaction: discord.Interaction, zone: ZoneText) -> None:
        require_manage_server(interaction)
        name = str(time_zone(zone))
        await self._save(interaction, timezone=name)
        msgs = messages(interaction)
        await self._answer(interaction, msgs, msgs("settings.saved.timezone", zone=name))

    @timezone.autocomplete("zone")
    async def zone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_choices(current)]

    @settings.command(name="language", description=command_description("settings language"))
    @describe_options("settings language")
    @app_commands.choices(language=choice_names("settings language", "language", SERVER_LANGUAGES))
    async def language(self, interaction: discord.Interaction, language: app_commands.Choice[str]) -> None:
        require_manage_server(interaction)
        chosen = check_language(language.value)
        await self._save(interaction, language=chosen)
        # The answer already speaks the new language.
        msgs = messages(interaction)
        await self._answer(interaction, msgs, msgs(f"settings.saved.language_{chosen}"))

    @settings.command(name="leaderboard", description=command_description("settings leaderboard"))
    @describe_options("settings leaderboard")
    @app_commands.choices(day=choice_names("settings leaderboard", "day", WEEKDAYS))
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        day: app_commands.Choice[str] | None = None,
        hour: app_commands.Range[int, 0, 23] | None = None,
        enabled: bool | None = None,
        min_posts: app_commands.Range[int, 1, MAX_MIN_POSTS] | None = None,
    ) -> None:
        require_manage_server(interaction)
        assert interaction.guild is not None and interaction.guild_id is not None
        msgs = messages(interaction)
        current = self.bot.servers.get(interaction.guild_id)
        changes: dict[str, Any] = {}
        if channel is not None:
            await self._check_can_post(interaction.guild, channel)
            changes["leaderboard_channel_id"] = channel.id
            if enabled is None and current.leaderboard_problem is not None:
                enabled = True  # Pulse turned it off because of the old channel; a new one means "post again"
        if day is not None:
            changes["leaderboard_weekday"] = check_weekday(day.value)
        if hour is not None:
            changes["leaderboard_hour"] = check_hour(hour)
        if enabled is not None:
            changes["leaderboard_enabled"] = enabled
        if min_posts is not None:
            changes["leaderboard_min_posts"] = check_min_posts(min_posts)
        if not changes:
            await self._answer(interaction, msgs, msgs("settings.saved.nothing"))
            return
        if enabled and changes.get("leaderboard_channel_id", current.leaderboard_channel_id) is None:
            raise UserError("settings.leaderboard.needs_channel")
        await self._save(interaction, **changes)
        await self._answer(interaction, msgs, msgs("settings.saved.leaderboard"))

    @settings.command(name="coaching", description=command_description("settings coaching"))
    @describe_options("settings coaching")
    @app_commands.choices(day=choice_names("settings coaching", "day", WEEKDAYS))
    async def coaching(
        self,
        interaction: discord.Interaction,
        role: discord.Role | None = None,
        channel: discord.TextChannel | None = None,
        day: app_commands.Choice[str] | None = None,
        hour: app_commands.Range[int, 0, 23] | None = None,
        reminders: bool | None = None,
        public_threads: bool | None = None,
    ) -> None:
        require_manage_server(interaction)
        assert interaction.guild is not None and interaction.guild_id is not None
        msgs = messages(interaction)
        current = self.bot.servers.get(interaction.guild_id)
        changes: dict[str, Any] = {}
        if role is not None:
            if role.is_default() or role.managed:
                raise UserError("settings.coaching.bad_role", role=role.mention)
            changes["coach_role_id"] = role.id
        if public_threads is not None:
            changes["coaching_public_threads"] = public_threads
        if channel is not None:
            allow_public = changes.get("coaching_public_threads", current.coaching_public_threads)
            await self._check_can_thread(interaction.guild, channel, allow_public)
            changes["coaching_channel_id"] = channel.id
        if day is not None:
            changes["coaching_weekday"] = check_weekday(day.value)
        if hour is not None:
            changes["coaching_hour"] = check_hour(hour)
        if reminders is not None:
            changes["coaching_reminders"] = reminders
        if not changes:
            await self._answer(interaction, msgs, msgs("settings.saved.nothing"))
            return
        await self._save(interaction, **changes)
        await self._answer(interaction, msgs, msgs("settings.saved.coaching"))

    async def _me(self, guild: discord.Guild) -> discord.Member:
        return guild.me or await guild.fetch_member(self.bot.user.id if self.bot.user else 0)

    async def _check_can_post(self, guild: discord.Guild, channel: discord.TextChannel) -> None:
        """Refuse a channel where Pulse could not post the leaderboard, naming what it lacks there."""
        missing = missing_post_permissions(channel, await self._me(guild))
        if missing:
            raise ChannelPermissionsMissing("settings.leaderboard.cannot_post", channel.mention, missing)

    async def _check_can_thread(
        self, guild: discord.Guild, channel: discord.TextChannel, allow_public: bool
    ) -> None:
        """Refuse a coaching channel where Pulse could open no check-in thread, naming what it lacks there."""
        permissions = channel.permissions_for(await self._me(guild))
        missing = missing_permissions(permissions, PRIVATE_THREAD_PERMISSIONS)
        if missing and allow_public:
            missing = missing_permissions(permissions, PUBLIC_THREAD_PERMISSIONS)
        if missing:
            raise ChannelPermissionsMissing("settings.coaching.cannot_thread", channel.mention, missing)


async def setup(bot: Pulse) -> None:
    await bot.add_cog(Settings(bot))
