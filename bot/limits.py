"""Where the heavy commands take their turn: a member on cooldown is told when to try again, privately; and
how an answer that waits on a write still reaches the member within Discord's 3 seconds."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import discord

from bot.context import messages
from bot.domain.limits import Cooldowns
from bot.errors import UserError
from bot.i18n import Messages, command_key
from bot.render.common import format_duration

if TYPE_CHECKING:
    from bot.client import Pulse

T = TypeVar("T")

# A write that has not finished by then gets the interaction acknowledged first: Discord drops a first response
# later than 3 s after the command, and the rest of the margin is for the acknowledgement's own trip.
SLOW_WRITE_SECONDS = 1.0


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


# What a member hears who starts a one-at-a-time command (bot/domain/limits.py) while their last run is under way.
STILL_RUNNING = {
    "log import": "errors.still_running.import",
    "progress": "errors.still_running.chart",
    "besttime": "errors.still_running.chart",
}


@contextmanager
def heavy(interaction: discord.Interaction, command: str) -> Iterator[Turn]:
    """Run a heavy command's work within the member's limit; a refusal of their input gives the turn back.

    The cooldown is checked first: within its window a member hears when to come back, which holds whether or
    not the last run is still under way. Past it, a run still under way refuses the next at once.
    """
    bot: Pulse = interaction.client  # type: ignore[assignment]  # discord.py types it as the base Client
    cooldowns, now, user_id = bot.cooldowns, bot.clock.now(), interaction.user.id
    wait = cooldowns.take(command, user_id, now)
    if wait:
        msgs = messages(interaction)
        parts = command.split()
        name = " ".join(msgs(command_key(" ".join(parts[: i + 1])) + ".name") for i in range(len(parts)))
        raise UserError("errors.cooldown", command=f"/{name}", wait=wait_text(msgs, wait))
    turn = Turn(cooldowns, command, user_id, now)
    if not cooldowns.begin(command, user_id):
        turn.give_back()
        raise UserError(STILL_RUNNING[command])
    try:
        yield turn
    except UserError:
        turn.give_back()
        raise
    finally:
        cooldowns.end(command, user_id)


async def write_then_answer(interaction: discord.Interaction, write: Awaitable[T], *, ephemeral: bool) -> T:
    """Run the write a command's answer reports on, deferring the answer first when it may be long in coming.

    When writes are queueing (`Database.busy`) the deferral goes out at once, beside the write; otherwise only a
    write still running after SLOW_WRITE_SECONDS is deferred, so the usual answer stays one response.
    Answer with `send_answer` afterwards: it follows up a deferral.
    """
    bot: Pulse = interaction.client  # type: ignore[assignment]
    if bot.db.busy:
        task = asyncio.ensure_future(write)
        try:
            await _defer(interaction, ephemeral)
        except asyncio.CancelledError:
            # The interaction was cancelled: its write goes with it, as when it was awaited directly.
            task.cancel()
            raise
        except discord.HTTPException:
            # Discord did not take the deferral: the write is still what the member asked for, only the answer
            # is lost.
            await task
            raise
        return await task
    # The usual write takes milliseconds: a timer, not a second task and asyncio.wait, watches for a slow one.
    deferral: asyncio.Future[None] | None = None

    def slow() -> None:
        nonlocal deferral
        deferral = asyncio.ensure_future(_defer(interaction, ephemeral))

    timer = asyncio.get_running_loop().call_later(SLOW_WRITE_SECONDS, slow)
    try:
        result = await write
    except BaseException:
        if deferral is not None:
            deferral.cancel()
        raise
    finally:
        timer.cancel()
    if deferral is not None:
        await deferral
    return result


async def send_answer(interaction: discord.Interaction, content: str | None = None, **kwargs: Any) -> None:
    """Send the first answer, or, after `write_then_answer` deferred, the followup that replaces "thinking"."""
    if interaction.response.is_done():
        # discord.py types content as str but takes None (no text), as send_message does.
        await interaction.followup.send(content, **kwargs)  # type: ignore[arg-type]
    else:
        await interaction.response.send_message(content, **kwargs)


async def _defer(interaction: discord.Interaction, ephemeral: bool) -> None:
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
