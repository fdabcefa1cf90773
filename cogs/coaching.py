"""/tips, /ask, /monetize and /mediakit: the guides' advice, for anyone and for a member's own numbers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Pulse
from bot.context import messages
from bot.domain.coaching import MAX_CHOICES, diagnose, rotating_tip, tips, topic_choices
from bot.domain.monetization import check_programmes, media_kit, monetization, sponsored_price
from bot.domain.search import MAX_QUESTION, ask, index
from bot.errors import UserError
from bot.i18n import command_description, describe_options
from bot.limits import heavy
from bot.options import AtLeastOne, Count
from bot.render.coaching import (
    ask_embed,
    daily_tip_embed,
    diagnosis_embed,
    mediakit_embed,
    monetize_embed,
    topic_embed,
)
from bot.storage.history import HistoryRepository

Question = app_commands.Range[str, 1, MAX_QUESTION]
# Autocomplete values are topic keys; Discord caps a choice's value at 100 characters, and so do we.
TopicText = app_commands.Range[str, 1, 100]


class Coaching(commands.Cog):
    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @property
    def repo(self) -> HistoryRepository:
        return HistoryRepository(self.bot.db)

    async def cog_load(self) -> None:
        # Build the /ask index at start-up (a fraction of a second), not in a member's first question.
        index()

    # --- /tips --------------------------------------------------------------------------------------

    @app_commands.command(name="tips", description=command_description("tips"))
    @describe_options("tips")
    async def tips_command(self, interaction: discord.Interaction, topic: TopicText | None = None) -> None:
        msgs = messages(interaction)
        knowledge = tips()
        if topic is not None:
            found = knowledge.find_topic(topic, msgs.lang)
            if found is None:
                raise UserError(
                    "coaching.tips.unknown_topic", topic=discord.utils.escape_markdown(topic[:100])
                )
            await interaction.response.send_message(embed=topic_embed(msgs, found))
            return
        today_tip = rotating_tip(knowledge, self.bot.clock.now().date(), seed=interaction.user.id)
        if interaction.guild_id is None:
            answer = daily_tip_embed(msgs, today_tip, msgs("coaching.tips.no_server"))
            await interaction.response.send_message(embed=answer, ephemeral=True)
            return
        settings = knowledge.diagnosis
        posts = await self.repo.posts(interaction.guild_id, interaction.user.id, limit=settings.window)
        diagnosis = diagnose(knowledge, posts)
        if diagnosis is None:
            needed = settings.recent_posts + settings.min_baseline_posts
            note = msgs(
                "coaching.tips.no_history", needed=msgs.number(needed), logged=msgs.number(len(posts))
            )
            answer = daily_tip_embed(msgs, today_tip, note)
        else:
            answer = diagnosis_embed(msgs, diagnosis, today_tip)
        await interaction.response.send_message(embed=answer, ephemeral=True)

    @tips_command.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        lang = messages(interaction).lang
        return [
            app_commands.Choice(name=choice.name, value=choice.key)
            for choice in topic_choices(tips(), current, lang, MAX_CHOICES)
        ]

    # --- /ask ---------------------------------------------------------------------------------------

    @app_commands.command(name="ask", description=command_description("ask"))
    @describe_options("ask")
    async def ask_command(self, interaction: discord.Interaction, question: Question) -> None:
        msgs = messages(interaction)
        with heavy(interaction, "ask"):
            hits = ask(question)
        if not hits:
            await interaction.response.send_message(msgs("coaching.ask.nothing"), ephemeral=True)
            return
        await interaction.response.send_message(embed=ask_embed(msgs, question, hits))

    # --- /monetize ----------------------------------------------------------------------------------

    @app_commands.command(name="monetize", description=command_description("monetize"))
    @describe_options("monetize")
    async def monetize(
        self,
        interaction: discord.Interaction,
        followers: AtLeastOne,
        views_30d: Count | None = None,
        adult: bool | None = None,
    ) -> None:
        checks = check_programmes(monetization(), followers, views_30d, adult)
        price = sponsored_price(followers)
        # Private: the answer can tell others a member's age.
        answer = monetize_embed(messages(interaction), followers, checks, price)
        await interaction.response.send_message(embed=answer, ephemeral=True)

    # --- /mediakit ----------------------------------------------------------------------------------

    @app_commands.command(name="mediakit", description=command_description("mediakit"))
    async def mediakit(self, interaction: discord.Interaction) -> None:
        msgs = messages(interaction)
        if interaction.guild_id is None:
            await interaction.response.send_message(msgs("coaching.mediakit.no_server"), ephemeral=True)
            return
        window = tips().diagnosis.window
        posts = await self.repo.posts(interaction.guild_id, interaction.user.id, limit=window)
        latest = await self.repo.latest_followers(interaction.guild_id, interaction.user.id)
        kit = media_kit(posts, window, followers=latest[1] if latest else None)
        if kit is None:
            await interaction.response.send_message(msgs("coaching.mediakit.nothing_logged"), ephemeral=True)
            return
        to_add = [item.text(msgs.lang) for item in monetization().media_kit.items if not item.filled]
        await interaction.response.send_message(embed=mediakit_embed(msgs, kit, to_add), ephemeral=True)


async def setup(bot: Pulse) -> None:
    await bot.add_cog(Coaching(bot))
