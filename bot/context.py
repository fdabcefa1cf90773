"""What a command needs to know about who is asking."""

from __future__ import annotations

import discord

from bot.i18n import Messages, language_for, messages_for


def messages(interaction: discord.Interaction) -> Messages:
    """The catalogue in the language this interaction should be answered in."""
    server_language = None
    servers = getattr(interaction.client, "servers", None)
    if interaction.guild_id is not None and servers is not None:
        server_language = servers.get(interaction.guild_id).server_language
    return messages_for(language_for(str(interaction.locale.value), server_language))
