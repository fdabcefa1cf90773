"""/engagement: a post's engagement rate, an account's average, the interactions a target needs."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Pulse
from bot.context import messages
from bot.domain.benchmarks import band_for, tier_for
from bot.domain.coaching import post_signals, tips
from bot.domain.engagement import (
    account_engagement,
    interactions_for_target,
    post_engagement,
)
from bot.i18n import command_description, describe_options
from bot.limits import send_answer
from bot.options import AtLeastOne, Count, PositivePercent
from bot.post_log import log_post
from bot.render.coaching import post_signals_line
from bot.render.engagement import account_embed, post_embed, target_embed


class Engagement(commands.Cog):
    engagement = app_commands.Group(name="engagement", description=command_description("engagement"))

    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @engagement.command(name="post", description=command_description("engagement post"))
    @describe_options("engagement post")
    async def post(
        self,
        interaction: discord.Interaction,
        likes: Count,
        comments: Count,
        shares: Count,
        saves: Count,
        followers: AtLeastOne,
        views: AtLeastOne | None = None,
        log: bool = False,
    ) -> None:
        result = post_engagement(likes, comments, shares, saves, followers, views)
        msgs = messages(interaction)
        answer = post_embed(result, band_for(followers), tier_for(followers), msgs)
        if signals := post_signals(tips(), likes, comments, shares, saves, followers):
            answer.description = f"{answer.description}\n\n{post_signals_line(msgs, signals)}"
        if log:
            # Stored (and committed) before the answer goes out, so "saved" is never said of a lost entry.
            # While other writes hold the database, log_post defers first: the answer then follows up.
            answer.description = (
                f"{answer.description}\n\n{await log_post(self.bot, interaction, result, msgs)}"
            )
        await send_answer(interaction, embed=answer)

    @engagement.command(name="account", description=command_description("engagement account"))
    @describe_options("engagement account")
    async def account(
        self,
        interaction: discord.Interaction,
        likes: Count,
        comments: Count,
        shares: Count,
        posts: AtLeastOne,
        followers: AtLeastOne,
        saves: Count | None = None,
    ) -> None:
        result = account_engagement(likes, comments, shares, posts, followers, saves)
        answer = account_embed(result, band_for(followers), tier_for(followers), messages(interaction))
        await interaction.response.send_message(embed=answer)

    @engagement.command(name="target", description=command_description("engagement target"))
    @describe_options("engagement target")
    async def target(
        self,
        interaction: discord.Interaction,
        followers: AtLeastOne,
        target: PositivePercent,
        posts: AtLeastOne | None = None,
    ) -> None:
        result = interactions_for_target(followers, target, posts)
        answer = target_embed(result, band_for(followers), tier_for(followers), messages(interaction))
        await interaction.response.send_message(embed=answer)


async def setup(bot: Pulse) -> None:
    await bot.add_cog(Engagement(bot))
