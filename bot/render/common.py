"""Pieces every embed shares."""

from __future__ import annotations

import discord

from bot.domain.knowledge import guides
from bot.i18n import Messages

PULSE_COLOUR = discord.Colour(0xFE2C55)


def embed(title: str, description: str | None = None) -> discord.Embed:
    return discord.Embed(title=title, description=description, colour=PULSE_COLOUR)


# Discord's limits on an embed's description and on one field's value.
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in … when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def member_or_former(msgs: Messages, user_id: int | None) -> str:
    """A mention (never notifies in an embed), or who a member was once they deleted their data."""
    return msgs("common.former_member") if user_id is None else f"<@{user_id}>"


def guide_titles(msgs: Messages, *guide_ids: str) -> str:
    """`Engagement on TikTok and Micro-influencers`: the guides' titles in the reader's language."""
    return msgs.once(("guide_titles", guide_ids), lambda: _guide_titles(msgs, guide_ids))


def _guide_titles(msgs: Messages, guide_ids: tuple[str, ...]) -> str:
    titles = [guides().by_id(g).title(msgs.lang) for g in dict.fromkeys(guide_ids)]
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} {msgs('common.and')} {titles[-1]}"


def own_choice(msgs: Messages, text: str) -> str:
    """`text` marked as Pulse's own rule or reading, so nobody quotes it as a guide's."""
    return f"{text} {msgs('common.own_choice')}"


def source_line(msgs: Messages, *guide_ids: str) -> str:
    """`Source: Engagement on TikTok and Micro-influencers` in the reader's language."""
    return msgs.once(
        ("source_line", guide_ids), lambda: msgs("common.source", guides=guide_titles(msgs, *guide_ids))
    )


def format_duration(seconds: float, msgs: Messages) -> str:
    """3 d 4 h 5 min, with the units of the reader's language."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(msgs("common.duration.days", n=msgs.number(days)))
    if days or hours:
        parts.append(msgs("common.duration.hours", n=hours))
    parts.append(msgs("common.duration.minutes", n=mins))
    return " ".join(parts)
