"""The one rule for who may do what with a server's data: every command that needs it asks here."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.domain import access
from bot.errors import UserError


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


def viewer(interaction: discord.Interaction) -> access.Viewer:
    user = interaction.user
    roles = frozenset(r.id for r in user.roles) if isinstance(user, discord.Member) else frozenset()
    return access.Viewer(user.id, interaction.guild_id, roles, manages_server(interaction))


def _coach_role(interaction: discord.Interaction) -> int | None:
    servers = getattr(interaction.client, "servers", None)
    if interaction.guild_id is None or servers is None:
        return None
    return servers.get(interaction.guild_id).coach_role_id


def is_coach(interaction: discord.Interaction) -> bool:
    """Holds the server's coach role."""
    # Asked on every command (cogs/checkin.py): most servers have no coach role, so skip reading the member.
    role = _coach_role(interaction)
    return role is not None and access.is_coach(viewer(interaction), role)


def require_coach(interaction: discord.Interaction) -> None:
    """Refuse, privately, anyone who is neither a coach nor an admin of this server."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not access.may_coach(viewer(interaction), _coach_role(interaction)):
        raise UserError("checkin.not_coach")


def may_view_member(interaction: discord.Interaction, member_id: int) -> bool:
    """A member sees their own numbers; a coach or an admin of this server sees anyone's here."""
    if interaction.guild_id is None:
        return False
    return access.may_view(viewer(interaction), interaction.guild_id, member_id, _coach_role(interaction))
