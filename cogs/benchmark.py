"""/benchmark: the guides' ratings for a follower count, industry averages and influencer tiers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Pulse
from bot.context import messages
from bot.domain.benchmarks import band_for, tier_for
from bot.domain.engagement import check_count, parse_percent
from bot.i18n import command_description, describe_options
from bot.options import AtLeastOne, Percent
from bot.render.benchmark import benchmark_embed, niches_embed, tiers_embed


class Benchmark(commands.Cog):
    # PRODUCT.md writes `/benchmark followers [rate]` beside `/benchmark niches`; Discord does not let a group be a
    # command too, so `followers` is a subcommand: `/benchmark followers followers:5000 rate:3.2`.
    benchmark = app_commands.Group(name="benchmark", description=command_description("benchmark"))

    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @benchmark.command(name="followers", description=command_description("benchmark followers"))
    @describe_options("benchmark followers")
    async def followers(
        self,
        interaction: discord.Interaction,
        followers: AtLeastOne,
        rate: Percent | None = None,
    ) -> None:
        check_count("followers", followers, minimum=1)
        exact_rate = None if rate is None else parse_percent("rate", rate)
        answer = benchmark_embed(
            followers, exact_rate, band_for(followers), tier_for(followers), messages(interaction)
        )
        await interaction.response.send_message(embed=answer)

    @benchmark.command(name="niches", description=command_description("benchmark niches"))
    async def niches(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=niches_embed(messages(interaction)))

    @benchmark.command(name="tiers", description=command_description("benchmark tiers"))
    async def tiers(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=tiers_embed(messages(interaction)))


async def setup(bot: Pulse) -> None:
    await bot.add_cog(Benchmark(bot))
