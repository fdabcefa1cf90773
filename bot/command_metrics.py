"""Where slash commands meet the metrics: each command's outcome, and how long its first response took."""

from __future__ import annotations

import time
from typing import Any

import discord

from bot.metrics import FIRST_RESPONSE, CommandCounters

_APPLICATION_COMMAND = discord.InteractionType.application_command
# discord.py sets this slot of the response object right after Discord accepted a response of any kind (message,
# deferral, modal, update), and never before: the one place that sees every first response.
_RESPONSE_TYPE: Any = vars(discord.InteractionResponse)["_response_type"]
_counters: dict[object, CommandCounters] = {}


class TimedResponse(discord.InteractionResponse):
    """discord.py's interaction response, which notes the time from the command's arrival to the first response."""

    __slots__ = ("_received",)

    def __init__(self, parent: discord.Interaction, received: float) -> None:
        self._received = received
        super().__init__(parent)

    @property
    def _response_type(self) -> discord.InteractionResponseType | None:
        return _RESPONSE_TYPE.__get__(self)

    @_response_type.setter
    def _response_type(self, value: discord.InteractionResponseType | None) -> None:
        # The first assignment (in __init__) is None, before the slot holds anything to compare with.
        if value is not None and _RESPONSE_TYPE.__get__(self) is None:
            FIRST_RESPONSE.observe(time.perf_counter() - self._received)
        _RESPONSE_TYPE.__set__(self, value)


def stamp_arrival(interaction: discord.Interaction) -> None:
    """Start the clock for a slash command's first response; call as it arrives, before it waits for its turn."""
    if interaction.type is _APPLICATION_COMMAND:
        # `response` is a cached slot that discord.py fills on first use; filled first here, it is this one.
        interaction._cs_response = TimedResponse(interaction, time.perf_counter())  # type: ignore[attr-defined]


def count(interaction: discord.Interaction, outcome: str) -> None:
    """Count a slash command's outcome (one of bot.metrics.OUTCOMES); other interactions are not counted."""
    if interaction.type is not _APPLICATION_COMMAND:
        return
    command = interaction.command
    counters = _counters.get(command)
    if counters is None:
        # Only commands Pulse has become labels: a forged name would otherwise add a series per name.
        counters = _counters[command] = CommandCounters(command.qualified_name if command else "unknown")
    counters.count(outcome)
