"""The one error path: every failure of a slash command ends here and reaches the member as a private message."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import discord
from discord import app_commands

from bot import command_metrics
from bot.context import messages
from bot.domain.errors import InvalidInput
from bot.i18n import Messages, command_key
from bot.options import focused_text, has_text, mistyped_options, overlong_options
from bot.storage.database import WriteFailed

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
        value = error.value
        if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
            # A member Discord did not resolve, or nothing at all: there is no value worth quoting back.
            return msgs("errors.bad_value_unnamed")
        return msgs("errors.bad_value", value=discord.utils.escape_markdown(str(value))[:100])
    if isinstance(error, app_commands.MissingPermissions):
        return msgs(
            "errors.missing_permissions", permissions=_permission_names(msgs, error.missing_permissions)
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        return msgs(
            "errors.bot_missing_permissions", permissions=_permission_names(msgs, error.missing_permissions)
        )
    if isinstance(error, app_commands.CommandNotFound):
        return msgs("errors.unknown_command")
    if isinstance(error, WriteFailed):
        return msgs("errors.not_saved")
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
        saved = interaction.extras.get("saved")
        log.warning(
            "could not deliver a message for interaction %s%s",
            interaction.id,
            f"; it had stored {', '.join(saved)}" if saved else "",
        )


def _options(interaction: discord.Interaction) -> list[Mapping[str, Any]]:
    """The options Discord sent with the interaction (none for components and modals)."""
    options = interaction.data.get("options") if interaction.data else None
    return options if isinstance(options, list) else []


class PulseCommandTree(app_commands.CommandTree):
    """The command tree with Pulse's single error handler."""

    def _from_interaction(self, interaction: discord.Interaction) -> None:
        command_metrics.stamp_arrival(interaction)
        super()._from_interaction(interaction)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if await refused_while_stopping(interaction):
            return False
        options = _options(interaction)
        command = interaction.command
        if not isinstance(command, app_commands.Command):
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            typed = focused_text(options)
            if not isinstance(typed, str) or any(mistyped_options(command, options)):
                await interaction.response.autocomplete([])
                return False
        else:
            for name, kind in mistyped_options(command, options):
                label = option_label(messages(interaction), command, name)
                await answer_error(interaction, InvalidInput(label, f"type_{kind.name}"))
                return False
        # Only text needs its limits looked up.
        if not has_text(options):
            return True
        for name, maximum in overlong_options(command, options):
            if interaction.type is discord.InteractionType.autocomplete:
                await interaction.response.autocomplete([])
            else:
                await answer_error(interaction, InvalidInput(name, "too_long", maximum=maximum))
            return False
        return True

    async def _call(self, interaction: discord.Interaction) -> None:
        # discord.py lets an exception raised before the command runs (reading a forged option, say) escape
        # its error handler, and the member would get no answer at all.
        try:
            await super()._call(interaction)
        except app_commands.AppCommandError:
            raise
        except Exception as error:
            if interaction.type is discord.InteractionType.autocomplete:
                log.warning("autocomplete for interaction %s failed", interaction.id, exc_info=error)
                if not interaction.response.is_done():
                    await interaction.response.autocomplete([])
                return
            await answer_error(interaction, error)
        else:
            # Every path that refused or failed the command set this, and counted it there.
            if not interaction.command_failed:
                command_metrics.count(interaction, "answered")

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await answer_error(interaction, error)


def option_label(msgs: Messages, command: app_commands.Command[Any, ..., Any], name: str) -> str:
    """How an option is named in a message: its field name, else the option as the member sees it."""
    if msgs.has(f"fields.{name}"):
        return msgs(f"fields.{name}")
    key = f"{command_key(command.qualified_name)}.options.{name}.name"
    return f"`{msgs(key) if msgs.has(key) else name}`"


def mark_saved(interaction: discord.Interaction, what: str) -> None:
    """Note that `what` (e.g. "post 12") is stored: from here on, no failure may be told as "not saved"."""
    interaction.extras.setdefault("saved", []).append(what)


async def refused_while_stopping(interaction: discord.Interaction) -> bool:
    """Once Pulse is shutting down it starts nothing new; the member hears to try again shortly."""
    if not getattr(interaction.client, "stopping", False):
        return False
    log.info("interaction %s arrived while stopping; asked to try again", interaction.id)
    command_metrics.count(interaction, "stopping")
    if interaction.type is discord.InteractionType.autocomplete:
        await interaction.response.autocomplete([])
    else:
        await reply_privately(interaction, messages(interaction)("errors.restarting"))
    return True


async def answer_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the member privately what went wrong: the expected reason, or an id to quote for the unexpected.

    Once something was stored for them, they hear that it was, never that it failed.
    """
    msgs = messages(interaction)
    saved = interaction.extras.get("saved")
    text = describe(error, msgs)
    command_metrics.count(interaction, "failed" if text is None else "refused")
    if isinstance(getattr(error, "original", error), WriteFailed):
        log.error("interaction %s stored nothing: %s", interaction.id, error, exc_info=error)
    if saved and _undelivered(error):
        log.warning(
            "the answer to interaction %s could not be delivered (%s); it had stored %s",
            interaction.id,
            error,
            ", ".join(saved),
        )
        text = msgs("errors.saved_answer_lost")
    elif text is None:
        error_id = new_error_id()
        command = interaction.command.qualified_name if interaction.command else "?"
        custom_id = interaction.data.get("custom_id", "") if interaction.data else ""
        log.error(
            "error %s in /%s %s (guild %s, user %s%s)",
            error_id,
            command,
            custom_id,
            interaction.guild_id,
            interaction.user.id,
            f"; it had stored {', '.join(saved)}" if saved else "",
            exc_info=error,
        )
        text = msgs("errors.unexpected_after_save" if saved else "errors.unexpected", error_id=error_id)
    await reply_privately(interaction, text)


def _undelivered(error: BaseException) -> bool:
    """Whether the failure was Discord not taking a request (after discord.py's own retries)."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return isinstance(error, discord.HTTPException)
