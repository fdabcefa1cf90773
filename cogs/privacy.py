"""/privacy: what Pulse keeps about a member, who looked at it, and how they appear on leaderboards."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Pulse
from bot.context import messages
from bot.domain.leaderboard import VISIBILITIES, Visibility
from bot.i18n import choice_names, command_description, describe_options
from bot.render.checkins import privacy_embed
from bot.storage.checkins import CheckinRepository
from bot.storage.leaderboard import LeaderboardRepository

VIEWS_SHOWN = 10


class Privacy(commands.Cog):
    privacy = app_commands.Group(name="privacy", description=command_description("privacy"), guild_only=True)

    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @property
    def repo(self) -> LeaderboardRepository:
        return LeaderboardRepository(self.bot.db)

    @privacy.command(name="show", description=command_description("privacy show"))
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        guild_id, user_id = interaction.guild_id, interaction.user.id
        checkins = CheckinRepository(self.bot.db)
        answer = privacy_embed(
            messages(interaction),
            await self.repo.member_visibility(guild_id, user_id),
            await checkins.views(guild_id, user_id, VIEWS_SHOWN),
            await checkins.view_count(guild_id, user_id),
            await checkins.note_count(guild_id, user_id),
        )
        await interaction.response.send_message(embed=answer, ephemeral=True)

    @privacy.command(name="leaderboard", description=command_description("privacy leaderboard"))
    @describe_options("privacy leaderboard")
    @app_commands.choices(mode=choice_names("privacy leaderboard", "mode", VISIBILITIES))
    async def leaderboard(self, interaction: discord.Interaction, mode: app_commands.Choice[str]) -> None:
        assert interaction.guild_id is not None
        chosen: Visibility = next((v for v in VISIBILITIES if v == mode.value), "show")
        await self.repo.set_visibility(
            interaction.guild_id, interaction.user.id, chosen, self.bot.clock.now()
        )
        await interaction.response.send_message(
            messages(interaction)(f"privacy.leaderboard.{chosen}"), ephemeral=True
        )


async def setup(bot: Pulse) -> None:
    await bot.add_cog(Privacy(bot))
