"""/besttime: when the member's own followers are online, from their imported TikTok follower activity."""

from __future__ import annotations

import io
from datetime import datetime, tzinfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Pulse
from bot.context import messages
from bot.domain.best_time import best_time
from bot.errors import UserError
from bot.i18n import Messages, command_description
from bot.limits import heavy
from bot.render.besttime import best_time_embed, general_timing_embed
from bot.storage.history import HistoryRepository


def _answer(
    hours: list[tuple[datetime, int]], tz: tzinfo, msgs: Messages, zone: str
) -> tuple[discord.Embed, bytes | None]:
    """The advice and its heatmap, or the general advice when no hour had anyone online; runs in the work pool
    (bot/work.py) so the event loop keeps serving others."""
    from bot.render.charts import (
        activity_heatmap,  # matplotlib loads on the first chart (see cogs/history.py)
    )

    best = best_time(hours, tz)
    if best is None:
        return general_timing_embed(msgs, "besttime.answer.no_peak"), None
    return best_time_embed(msgs, best, zone), activity_heatmap(best, msgs, zone)


class BestTimeCog(commands.Cog, name="BestTime"):
    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @app_commands.command(name="besttime", description=command_description("besttime"))
    @app_commands.guild_only()
    async def besttime(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            raise UserError("history.log.guild_only")
        guild_id, user_id = interaction.guild_id, interaction.user.id
        msgs = messages(interaction)
        hours = await HistoryRepository(self.bot.db).follower_activity(guild_id, user_id)
        if not hours:
            await interaction.response.send_message(embed=general_timing_embed(msgs), ephemeral=True)
            return
        server = self.bot.servers.get(guild_id)
        with heavy(interaction, "besttime"):
            await interaction.response.defer(ephemeral=True, thinking=True)
            answer, png = await self.bot.work.run(user_id, _answer, hours, server.tz, msgs, server.timezone)
            if png is None:
                await interaction.followup.send(embed=answer, ephemeral=True)
                return
            filename = msgs("besttime.answer.chart_name")
            answer.set_image(url=f"attachment://{filename}")
            await interaction.followup.send(
                embed=answer, file=discord.File(io.BytesIO(png), filename=filename), ephemeral=True
            )


async def setup(bot: Pulse) -> None:
    await bot.add_cog(BestTimeCog(bot))
