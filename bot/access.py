"""The one rule for who may do what with a server's data: every command that needs it asks here."""

from __future__ import annotations

import discord
from discord import app_commands


def manages_server(interaction: discord.Interaction) -> bool:
    """Manage Server (or Administrator, which implies it) in the server where the interaction happens."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


def require_manage_server(interaction: discord.Interaction) -> None:
    """Refuse (privately, through the error path) anyone without Manage Server; Discord's default is a hint only."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not manages_server(interaction):
        raise app_commands.MissingPermissions(["manage_guild"])


def may_view_member(interaction: discord.Interaction, member_id: int) -> bool:
    """A member sees their own numbers; someone else's need Manage Server in the same server."""
    return member_id == interaction.user.id or manages_server(interaction)
