"""Commands that misbehave on purpose; loaded in e2e tests through EXTRA_EXTENSIONS=tests.e2e.faulty_cog."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

FAILURE = "the stand-in test asked for this failure"
SLOW_STARTED = "slow command started"
SLOW_SECONDS = 2.0
log = logging.getLogger(__name__)


class Faulty(commands.Cog):
    @app_commands.command(name="explode", description="Fails with an unexpected error (tests only)")
    async def explode(self, interaction: discord.Interaction) -> None:
        raise RuntimeError(FAILURE)

    @app_commands.command(name="explode-later", description="Defers publicly, then fails (tests only)")
    async def explode_later(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        raise RuntimeError(FAILURE)

    @app_commands.command(name="slow", description="Defers, works for two seconds, then answers (tests only)")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        log.info(SLOW_STARTED)
        await asyncio.sleep(SLOW_SECONDS)
        await interaction.followup.send("finished")

    @app_commands.command(
        name="oversized", description="Answers with embeds past Discord's limits (tests only)"
    )
    async def oversized(self, interaction: discord.Interaction) -> None:
        # Every part within its own limit, together 7,000 characters: over the 6,000 per message.
        embed = discord.Embed(title="t", description="d" * 4000)
        for number in range(3):
            embed.add_field(name=f"field {number}", value="v" * 1000)
        await interaction.response.send_message(embed=embed)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Faulty())
