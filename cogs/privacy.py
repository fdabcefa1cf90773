"""/privacy: what Pulse keeps about a member, a copy of it, deleting it, and how they appear on leaderboards."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Pulse
from bot.context import messages
from bot.domain.leaderboard import VISIBILITIES, Visibility
from bot.domain.privacy import (
    SCOPES,
    Scope,
    confirmation_expired,
    confirmation_expires,
    export_files,
)
from bot.errors import UserError
from bot.i18n import choice_names, command_description, describe_options
from bot.limits import heavy
from bot.render.common import embed
from bot.render.privacy import delete_question, deleted_embed, privacy_embed
from bot.storage.checkins import CheckinRepository
from bot.storage.leaderboard import LeaderboardRepository
from bot.storage.privacy import PrivacyRepository
from bot.views import DynamicButton, PulseButton

VIEWS_SHOWN = 10
ScopeChoice = app_commands.Choice[str]


def _scope(choice: ScopeChoice | None) -> Scope:
    return "all" if choice is not None and choice.value == "all" else "server"


def _pulse(interaction: discord.Interaction) -> Pulse:
    bot = interaction.client
    assert isinstance(bot, Pulse)
    return bot


class DeleteButton(
    PulseButton,
    DynamicButton,
    template=r"privacy:delete:(?P<user>\d+):(?P<scope>server|all):(?P<expires>\d+)",
):
    """Confirms /privacy delete: only the member who asked, only until it expires, also after a restart."""

    def __init__(self, user_id: int, scope: Scope, expires: int, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.danger,
                custom_id=f"privacy:delete:{user_id}:{scope}:{expires}",
            )
        )
        self.user_id = user_id
        self.scope: Scope = scope
        self.expires = expires

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> DeleteButton:
        scope: Scope = "all" if match["scope"] == "all" else "server"
        return cls(int(match["user"]), scope, int(match["expires"]), label)

    async def pressed(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            raise UserError("privacy.delete.not_yours")
        bot = _pulse(interaction)
        msgs = messages(interaction)
        if confirmation_expired(self.expires, bot.clock.now()):
            await interaction.response.edit_message(
                embed=embed(msgs("privacy.delete.title"), msgs("privacy.delete.expired")), view=None
            )
            return
        if self.scope == "server" and interaction.guild_id is None:
            # Never let "this server" widen to every server.
            raise app_commands.NoPrivateMessage()
        guild_id = None if self.scope == "all" else interaction.guild_id
        # A long history takes a moment to delete: acknowledge the press first.
        await interaction.response.defer()
        deleted = await PrivacyRepository(bot.db).delete_member(self.user_id, guild_id)
        bot.dispatch("member_data_deleted", self.user_id, guild_id)
        await interaction.edit_original_response(embed=deleted_embed(msgs, self.scope, deleted), view=None)


class KeepButton(PulseButton, DynamicButton, template=r"privacy:keep:(?P<user>\d+)"):
    """Cancels /privacy delete."""

    def __init__(self, user_id: int, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"privacy:keep:{user_id}"
            )
        )
        self.user_id = user_id

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> KeepButton:
        return cls(int(match["user"]), label)

    async def pressed(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            raise UserError("privacy.delete.not_yours")
        msgs = messages(interaction)
        await interaction.response.edit_message(
            embed=embed(msgs("privacy.delete.title"), msgs("privacy.delete.kept")), view=None
        )


class Privacy(commands.Cog):
    privacy = app_commands.Group(name="privacy", description=command_description("privacy"), guild_only=True)

    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @property
    def repo(self) -> PrivacyRepository:
        return PrivacyRepository(self.bot.db)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DeleteButton, KeepButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(DeleteButton, KeepButton)

    async def _held(
        self, interaction: discord.Interaction, chosen: Scope, action: str
    ) -> tuple[Scope, int | None] | None:
        """The scope and the server it keeps to (None: every server); None once told there is nothing held."""
        assert interaction.guild_id is not None
        guilds = await self.repo.guilds_of(interaction.user.id)
        if guilds and (chosen == "all" or interaction.guild_id in guilds):
            return chosen, None if chosen == "all" else interaction.guild_id
        text = messages(interaction)(f"privacy.{action}.nothing.{chosen}")
        await interaction.response.send_message(text, ephemeral=True)
        return None

    @privacy.command(name="show", description=command_description("privacy show"))
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        guild_id, user_id = interaction.guild_id, interaction.user.id
        answer = privacy_embed(
            messages(interaction),
            await LeaderboardRepository(self.bot.db).member_visibility(guild_id, user_id),
            await self.repo.counts(user_id, guild_id),
            await CheckinRepository(self.bot.db).views(guild_id, user_id, VIEWS_SHOWN),
        )
        await interaction.response.send_message(embed=answer, ephemeral=True)

    @privacy.command(name="export", description=command_description("privacy export"))
    @describe_options("privacy export")
    @app_commands.choices(scope=choice_names("privacy export", "scope", SCOPES))
    async def export(self, interaction: discord.Interaction, scope: ScopeChoice | None = None) -> None:
        asked = await self._held(interaction, _scope(scope), "export")
        if asked is None:
            return
        chosen, guild_id = asked
        msgs = messages(interaction)
        with heavy(interaction, "privacy export"):
            await interaction.response.defer(ephemeral=True, thinking=True)
            now = self.bot.clock.now()
            held = await self.repo.export(interaction.user.id, guild_id)
            files = await asyncio.to_thread(export_files, held, chosen, now)
        text = msgs(f"privacy.export.done.{chosen}", servers=msgs.number(len(held.servers)))
        if files[0].name.endswith(".zip"):
            text += "\n" + msgs("privacy.export.zipped")
        await interaction.followup.send(
            text,
            files=[discord.File(io.BytesIO(f.data), filename=f.name) for f in files],
            ephemeral=True,
        )

    @privacy.command(name="delete", description=command_description("privacy delete"))
    @describe_options("privacy delete")
    @app_commands.choices(scope=choice_names("privacy delete", "scope", SCOPES))
    async def delete(self, interaction: discord.Interaction, scope: ScopeChoice | None = None) -> None:
        asked = await self._held(interaction, _scope(scope), "delete")
        if asked is None:
            return
        chosen, guild_id = asked
        msgs = messages(interaction)
        user_id = interaction.user.id
        counts = await self.repo.counts(user_id, guild_id)
        expires = confirmation_expires(self.bot.clock.now())
        view = discord.ui.View(timeout=None)
        view.add_item(DeleteButton(user_id, chosen, expires, msgs(f"privacy.delete.confirm.{chosen}")))
        view.add_item(KeepButton(user_id, msgs("privacy.delete.keep")))
        question = delete_question(msgs, chosen, counts, datetime.fromtimestamp(expires, UTC))
        await interaction.response.send_message(embed=question, view=view, ephemeral=True)

    @privacy.command(name="leaderboard", description=command_description("privacy leaderboard"))
    @describe_options("privacy leaderboard")
    @app_commands.choices(mode=choice_names("privacy leaderboard", "mode", VISIBILITIES))
    async def leaderboard(self, interaction: discord.Interaction, mode: app_commands.Choice[str]) -> None:
        assert interaction.guild_id is not None
        chosen: Visibility = next((v for v in VISIBILITIES if v == mode.value), "show")
        await LeaderboardRepository(self.bot.db).set_visibility(
            interaction.guild_id, interaction.user.id, chosen, self.bot.clock.now()
        )
        await interaction.response.send_message(
            messages(interaction)(f"privacy.leaderboard.{chosen}"), ephemeral=True
        )


async def setup(bot: Pulse) -> None:
    await bot.add_cog(Privacy(bot))
