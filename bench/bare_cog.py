"""The baseline for bench/bench_history.py: a bare discord.py slash command that answers at once."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


class Bare(commands.Cog):
    @app_commands.command(name="bare", description="Answers at once (benchmark baseline)")
    async def bare(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Bare())
