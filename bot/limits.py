"""Where the heavy commands take their turn: a member on cooldown is told when to try again, privately."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.context import messages
from bot.domain.limits import Cooldowns
from bot.errors import UserError
from bot.i18n import Messages, command_key
from bot.render.common import format_duration

if TYPE_CHECKING:
    from bot.client import Pulse


def wait_text(msgs: Messages, seconds: float) -> str:
    """`14 seconds` under a minute, else whole minutes rounded up (`10 min`)."""
    if seconds < 60:
        return msgs.count("errors.wait_seconds", math.ceil(seconds))
    return format_duration(math.ceil(seconds / 60) * 60, msgs)


@dataclass(frozen=True, slots=True)
class Turn:
    """A member's use of a heavy command, counted against their limit until given back."""

    cooldowns: Cooldowns
    command: str
    user_id: int
    at: datetime

    def give_back(self) -> None:
        """The member's input was refused before the heavy work: the try does not count."""
        self.cooldowns.give_back(self.command, self.user_id, self.at)


@contextmanager
def heavy(interaction: discord.Interaction, command: str) -> Iterator[Turn]:
    """Run a heavy command's work within the member's limit; a refusal of their input gives the turn back."""
    bot: Pulse = interaction.client  # type: ignore[assignment]
    cooldowns, now = bot.cooldowns, bot.clock.now()
    wait = cooldowns.take(command, interaction.user.id, now)
    if wait:
        msgs = messages(interaction)
        parts = command.split()
        name = " ".join(msgs(command_key(" ".join(parts[: i + 1])) + ".name") for i in range(len(parts)))
        raise UserError("errors.cooldown", command=f"/{name}", wait=wait_text(msgs, wait))
    turn = Turn(cooldowns, command, interaction.user.id, now)
    try:
        yield turn
    except UserError:
        turn.give_back()
        raise
