"""Assertions several e2e modules make about what a member sees."""

from typing import Any

from tests.e2e.bot_process import BotProcess


def assert_private_error_only(
    pulse: BotProcess, command: str, options: dict[str, Any], locale: str, text: str
) -> None:
    """Bad input gets exactly one private message saying `text`, and nothing is posted in the channel."""
    posted_before = len(pulse.stand_in.channel_messages())
    # strict=False sends what Discord's client would refuse, as a modified client could.
    reply = pulse.invoke(command, options, locale=locale, strict=False)
    assert reply.type == 4
    assert reply.ephemeral
    assert reply.content == text
    assert reply.embeds == []
    assert not reply.followups
    assert len(pulse.stand_in.channel_messages()) == posted_before
