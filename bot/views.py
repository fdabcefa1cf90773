"""Buttons under an answer that only the member who asked may use, and modals; both fail through the one error path."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Self

import discord

from bot.context import messages
from bot.errors import answer_error, refused_while_stopping

# Discord lets an interaction's token be used for 15 minutes; buttons stop a little before that.
VIEW_TIMEOUT = 14 * 60


class OwnedView(discord.ui.View):
    """A view whose controls answer its owner only; anyone else gets `refusal` (a catalogue key), privately."""

    def __init__(self, owner_id: int, refusal: str) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.owner_id = owner_id
        self.refusal = refusal

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if await refused_while_stopping(interaction):
            return False
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(messages(interaction)(self.refusal), ephemeral=True)
        return False

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: Any) -> None:
        await answer_error(interaction, error)


class PulseButton:
    """Mixed into a `DynamicItem` button (its state is in its custom id, so it works after a restart): built
    again from the id's match, and its refusals and failures reach the member like a command's."""

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls.from_match(match, label or "")

    async def pressed(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction) -> None:
        if await refused_while_stopping(interaction):
            return
        try:
            await self.pressed(interaction)
        except Exception as error:
            await answer_error(interaction, error)


class ActionButton(discord.ui.Button[discord.ui.View]):
    """A button that runs `action` when pressed, for views that build their controls as they go."""

    def __init__(
        self,
        action: Callable[[discord.Interaction], Awaitable[None]],
        *,
        label: str,
        custom_id: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
        row: int | None = None,
    ) -> None:
        super().__init__(label=label, custom_id=custom_id, style=style, disabled=disabled, row=row)
        self.action = action

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.action(interaction)


DynamicButton = discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]]


class PulseModal(discord.ui.Modal):
    """A modal whose refusals and failures reach the member like a command's."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return not await refused_while_stopping(interaction)

    # Modal drops the `item` of BaseView.on_error; taking it as optional fits both signatures.
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any] | None = None
    ) -> None:
        await answer_error(interaction, error)
