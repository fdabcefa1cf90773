"""/privacy: what Pulse keeps about a member, who looked at it, and taking or deleting it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.domain.checkins import DataView
from bot.domain.leaderboard import Visibility
from bot.domain.privacy import RETENTION, DataCounts, Scope
from bot.i18n import Messages
from bot.render.common import FIELD_LIMIT, clip, embed, member_or_former
from bot.render.leaderboard import timestamp

_COUNTED = ("posts", "follower_counts", "goals", "checkins")


def counts_text(msgs: Messages, counts: DataCounts) -> str:
    """`12 posts · 3 follower counts · 1 goal · no check-ins`, and TikTok activity hours when imported."""
    parts = [msgs.count(f"privacy.counts.{name}", getattr(counts, name)) for name in _COUNTED]
    if counts.activity_hours:
        parts.append(msgs.count("privacy.counts.activity_hours", counts.activity_hours))
    return " · ".join(parts)


def view_line(msgs: Messages, view: DataView) -> str:
    return msgs(
        "privacy.show.view_line",
        viewer=member_or_former(msgs, view.viewer_id),
        what=msgs(f"privacy.show.what.{view.what}"),
        when=timestamp(view.viewed_at, "f"),
    )


def notes_text(msgs: Messages, notes: int) -> str:
    return msgs.count("privacy.show.notes", notes) if notes else msgs("privacy.show.no_notes")


def privacy_embed(
    msgs: Messages,
    visibility: Visibility,
    counts: DataCounts,
    views: Sequence[DataView],
) -> discord.Embed:
    answer = embed(msgs("privacy.show.title"), msgs(f"privacy.show.visibility.{visibility}"))
    answer.add_field(name=msgs("privacy.show.kept_field"), value=counts_text(msgs, counts), inline=False)
    if views:
        value = "\n".join(view_line(msgs, v) for v in views)
        if counts.views > len(views):
            value += "\n" + msgs("privacy.show.more_views", total=msgs.number(counts.views))
    else:
        value = msgs("privacy.show.no_views")
    answer.add_field(name=msgs("privacy.show.views_field"), value=clip(value, FIELD_LIMIT), inline=False)
    answer.add_field(
        name=msgs("privacy.show.notes_field"), value=notes_text(msgs, counts.notes_about), inline=False
    )
    answer.add_field(
        name=msgs("privacy.show.rights_field"),
        value=msgs("privacy.show.rights", days=msgs.number(RETENTION.days)),
        inline=False,
    )
    return answer


def delete_question(msgs: Messages, scope: Scope, counts: DataCounts, expires: datetime) -> discord.Embed:
    lines = [
        msgs(f"privacy.delete.question.{scope}"),
        counts_text(msgs, counts),
        notes_text(msgs, counts.notes_about),
    ]
    if counts.places:
        lines.append(msgs.count("privacy.delete.places", counts.places))
    lines += [msgs("privacy.delete.final"), msgs("privacy.delete.expires", when=timestamp(expires, "R"))]
    return embed(msgs("privacy.delete.title"), "\n\n".join(lines))


def deleted_embed(msgs: Messages, scope: Scope, counts: DataCounts) -> discord.Embed:
    lines = [msgs(f"privacy.delete.done.{scope}"), counts_text(msgs, counts)]
    if counts.places:
        lines.append(msgs.count("privacy.delete.places_done", counts.places))
    if counts.threads:
        lines.append(msgs("privacy.delete.threads"))
    return embed(msgs("privacy.delete.done_title"), "\n\n".join(lines))
