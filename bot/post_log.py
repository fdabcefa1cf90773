"""Storing a post a member just measured: what `/engagement post log:True` shares with the history commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.domain.engagement import PostEngagement
from bot.domain.history import PostNumbers
from bot.errors import UserError, mark_saved
from bot.i18n import Messages
from bot.limits import write_then_answer
from bot.storage.history import HistoryRepository

if TYPE_CHECKING:
    from bot.client import Pulse


async def log_post(
    bot: Pulse, interaction: discord.Interaction, result: PostEngagement, msgs: Messages
) -> str:
    """Store a post /engagement post just measured (`log: True`); returns the line that says so.

    When the database is busy the public answer is deferred first: send it with `bot.limits.send_answer`.
    """
    if interaction.guild_id is None:
        raise UserError("history.log.guild_only")
    now = bot.clock.now()
    numbers = PostNumbers(
        posted_at=now,
        likes=result.likes,
        comments=result.comments,
        shares=result.shares,
        saves=result.saves,
        views=result.views,
        followers=result.followers,
    )

    async def store() -> None:
        post = await HistoryRepository(bot.db).add_post(
            interaction.guild_id or 0, interaction.user.id, numbers, now
        )
        mark_saved(interaction, f"post {post.id}")

    await write_then_answer(interaction, store(), ephemeral=False)
    return msgs("history.log.post_saved")
