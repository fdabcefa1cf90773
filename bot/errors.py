"""The one error path: every failure of a slash command ends here and reaches the member as a private message."""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal
from fractions import Fraction
from typing import Any

import discord
from discord import app_commands

from bot.context import messages
from bot.domain.errors import InvalidInput
from bot.i18n import Messages
from bot.options import has_text, overlong_options

log = logging.getLogger(__name__)


class UserError(Exception):
    """An expected refusal; `key` is the catalogue message the member sees, `values` fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class ChannelPermissionsMissing(UserError):
    """Pulse lacks `permissions` in `channel` (a mention); `key`'s message names them in the reader's language."""

    def __init__(self, key: str, channel: str, permissions: list[str]) -> None:
        super().__init__(key, channel=channel)
        self.permissions = permissions


def new_error_id() -> str:
    """A short code a member can quote and an operator can find in the log."""
    return secrets.token_hex(4).upper()


def _permission_names(msgs: Messages, permissions: list[str]) -> str:
    names = [
        msgs(f"errors.permissions.{p}")
        if msgs.has(f"errors.permissions.{p}")
        else p.replace("_", " ").title()
        for p in permissions
    ]
    return ", ".join(names)


def describe(error: BaseException, msgs: Messages) -> str | None:
    """The member-facing text for an expected error, or None when the error is unexpected."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        error = error.__cause__
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, ChannelPermissionsMissing):
        return msgs(error.key, permissions=_permission_names(msgs, error.permissions), **error.values)
    if isinstance(error, UserError):
        return msgs(error.key, **error.values)
    if isinstance(error, InvalidInput):
        field = msgs(f"fields.{error.field}") if msgs.has(f"fields.{error.field}") else error.field
        limits = {
            k: msgs.number(v, 2) if isinstance(v, int | Decimal | Fraction) else v
            for k, v in error.limits.items()
        }
        return msgs(f"errors.invalid.{error.rule}", field=field, **limits)
    if isinstance(error, app_commands.TransformerError):
        return msgs("errors.bad_value", value=discord.utils.escape_markdown(str(error.value))[:100])
    if isinstance(error, app_commands.MissingPermissions):
        return msgs(
            "errors.missing_permissions", permissions=_permission_names(msgs, error.missing_permissions)
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        return msgs(
            "errors.bot_missing_permissions", permissions=_permission_names(msgs, error.missing_permissions)
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return msgs("errors.guild_only")
    if isinstance(error, app_commands.CheckFailure):
        return msgs("errors.not_allowed")
    return None


async def reply_privately(interaction: discord.Interaction, text: str) -> None:
    """Answer ephemerally, whether or not the interaction was already answered or deferred."""
    try:
        if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            # The first followup after a public deferral replaces the "thinking" message and stays public.
            await interaction.delete_original_response()
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)


class PulseCommandTree(app_commands.CommandTree):
    """The command tree with Pulse's single error handler."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        options = (interaction.data or {}).get("options", [])
        # Looking the command up costs a little on every answer; only text needs its limits.
        if not has_text(options):
            return True
        command = interaction.command
        if not isinstance(command, app_commands.Command):
            return True
        for name, maximum in overlong_options(command, options):
            if interaction.type is discord.InteractionType.autocomplete:
                await interaction.response.autocomplete([])
            else:
                await answer_error(interaction, InvalidInput(name, "too_long", maximum=maximum))
            return False
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await answer_error(interaction, error)


async def answer_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the member privately what went wrong: the expected reason, or an id to quote for the unexpected."""
    msgs = messages(interaction)
    text = describe(error, msgs)
    if text is None:
        error_id = new_error_id()
        command = interaction.command.qualified_name if interaction.command else "?"
        custom_id = (interaction.data or {}).get("custom_id", "")
        log.error(
            "error %s in /%s %s (guild %s, user %s)",
            error_id,
            command,
            custom_id,
            interaction.guild_id,
            interaction.user.id,
            exc_info=error,
        )
        text = msgs("errors.unexpected", error_id=error_id)
    await reply_privately(interaction, text)
