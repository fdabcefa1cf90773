"""/about: what Pulse is and how it is doing."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.client import Pulse
from bot.context import messages
from bot.i18n import command_description
from bot.render.about import AboutFacts, about_embed


class About(commands.Cog):
    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @app_commands.command(name="about", description=command_description("about"))
    async def about(self, interaction: discord.Interaction) -> None:
        facts = AboutFacts(
            version=__version__,
            uptime_seconds=self.bot.uptime_seconds,
            latency_seconds=self.bot.latency,
            servers=len(self.bot.guilds),
            database=self.bot.db.backend,
        )
        await interaction.response.send_message(
            embed=about_embed(facts, messages(interaction)), ephemeral=True
        )


async def setup(bot: Pulse) -> None:
    await bot.add_cog(About(bot))
