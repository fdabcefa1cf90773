"""Leaderboard answers: a page of the ranking, the weekly post, and the server's settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from fractions import Fraction

import discord
from babel.dates import format_date

from bot.domain.leaderboard import Board, Metric, Place
from bot.domain.server_settings import SERVER_LANGUAGES, ServerSettings, SettingChange
from bot.domain.weeks import WEEKDAYS, IsoWeek
from bot.i18n import Messages
from bot.render.benchmark import rate_text
from bot.render.common import embed, member_or_former, source_line
from bot.render.history import day_text, signed

SCORE_GUIDE = "000"
PER_PAGE = 10
# The weekly post names at most this many members per metric among its winners' lines.
WINNERS_SHOWN = 3
# Recognises Pulse's own weekly post in a channel, whatever the language (see bot/weekly.py).
POST_MARK = "Pulse · {week}"


def timestamp(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp: every reader sees it in their own time zone and language."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def week_span(msgs: Messages, week: IsoWeek) -> str:
    """`16–22 Nov 2026` as the reader writes dates."""
    first = format_date(week.monday, msgs("leaderboard.span_start_format"), locale=msgs.lang)
    return msgs("leaderboard.span", first=first, last=day_text(msgs, week.sunday))


def week_title(msgs: Messages, week: IsoWeek) -> str:
    return msgs("leaderboard.week", week=msgs.number(week.week), year=week.year, span=week_span(msgs, week))


def metric_name(msgs: Messages, metric: Metric) -> str:
    return msgs(f"leaderboard.metric.{metric}")


def value_text(msgs: Messages, metric: Metric, value: Fraction) -> str:
    """What ranks: `3,42×`, `+12,5%`, `5 weeks`, `+3,2%`."""
    if metric == "score":
        return msgs("leaderboard.times", value=msgs.number(value, 2))
    if metric == "streak":
        return msgs.count("leaderboard.weeks", int(value))
    return signed(msgs, value, 1) + "%"


def basis_text(msgs: Messages, place: Place, metric: Metric) -> str:
    """The figure behind the value."""
    standing = place.standing
    if metric == "score":
        return msgs.count("leaderboard.basis.score", standing.posts, rate=rate_text(msgs, standing.basis[0]))
    if metric == "improved":
        now, before = standing.basis
        return msgs("leaderboard.basis.improved", now=rate_text(msgs, now), before=rate_text(msgs, before))
    if metric == "growth":
        before, end = standing.basis
        return msgs("leaderboard.basis.growth", before=msgs.number(before), end=msgs.number(end))
    return msgs.count("leaderboard.basis.streak", standing.posts)


def member_text(msgs: Messages, place: Place) -> str:
    """A mention (shows the member's current name and never notifies from an embed), or who is not named."""
    if not place.standing.user_id:
        return msgs("leaderboard.deleted")
    if place.anonymous:
        return msgs("leaderboard.anonymous")
    return f"<@{place.standing.user_id}>"


def place_line(msgs: Messages, place: Place, metric: Metric, you: int | None = None) -> str:
    line = msgs(
        "leaderboard.line",
        rank=msgs.number(place.rank),
        member=member_text(msgs, place),
        value=value_text(msgs, metric, place.standing.value),
        basis=basis_text(msgs, place, metric),
    )
    return f"**{line}** ◀" if you is not None and place.standing.user_id == you else line


def board_embed(
    msgs: Messages,
    board: Board,
    page: int,
    you: int,
    archived: bool,
    notice: str | None = None,
) -> discord.Embed:
    """One page of a week's ranking, with the caller's own place below it when it is not on the page."""
    pages = max(1, -(-len(board.places) // PER_PAGE))
    shown = board.places[(page - 1) * PER_PAGE : page * PER_PAGE]
    key = "leaderboard.title_archived" if archived else "leaderboard.title"
    title = msgs(key, metric=metric_name(msgs, board.metric), week=week_title(msgs, board.week))
    if shown:
        description = "\n".join(place_line(msgs, p, board.metric, you) for p in shown)
    else:
        description = msgs("leaderboard.empty")
    answer = embed(title, description)
    position = board.position_of(you)
    if position is None:
        mine = msgs("leaderboard.you_unranked", minimum=msgs.number(board.min_posts))
    elif not (page - 1) * PER_PAGE <= position < page * PER_PAGE:
        mine = place_line(msgs, board.places[position], board.metric)
    else:
        mine = None
    if mine:
        answer.add_field(name=msgs("leaderboard.you"), value=mine, inline=False)
    answer.add_field(
        name=msgs("leaderboard.how"), value=msgs(f"leaderboard.explain.{board.metric}"), inline=False
    )
    if notice:
        answer.add_field(name=msgs("leaderboard.notice"), value=notice, inline=False)
    footer = msgs("leaderboard.page", page=msgs.number(page), pages=msgs.number(pages))
    answer.set_footer(text=f"{footer} · {source_line(msgs, SCORE_GUIDE)}")
    return answer


def _winners(msgs: Messages, board: Board) -> str:
    top = board.winners()
    if not top:
        return msgs("leaderboard.post.nobody")
    lines = [place_line(msgs, p, board.metric) for p in top[:WINNERS_SHOWN]]
    if len(top) > WINNERS_SHOWN:
        lines.append(msgs("leaderboard.post.more", n=msgs.number(len(top) - WINNERS_SHOWN)))
    return "\n".join(lines)


def weekly_post_embed(
    msgs: Messages, boards: Mapping[Metric, Board], next_due: datetime | None
) -> discord.Embed:
    """The weekly post: the top 10 on the score, the winners of the other metrics, the next post's time."""
    score = boards["score"]
    week = score.week
    lines = [place_line(msgs, p, "score") for p in score.places[:PER_PAGE]]
    description = "\n".join(lines) if lines else msgs("leaderboard.post.quiet")
    answer = embed(msgs("leaderboard.post.title", week=week_title(msgs, week)), description)
    answer.add_field(name=msgs("leaderboard.post.winner"), value=_winners(msgs, score), inline=False)
    others: tuple[tuple[Metric, str], ...] = (("improved", "most_improved"), ("streak", "longest_streak"))
    for metric, key in others:
        answer.add_field(
            name=msgs(f"leaderboard.post.{key}"), value=_winners(msgs, boards[metric]), inline=False
        )
    answer.add_field(name=msgs("leaderboard.how"), value=msgs("leaderboard.explain.score"), inline=False)
    if next_due is not None:
        when = f"{timestamp(next_due)} ({timestamp(next_due, 'R')})"
        answer.add_field(name=msgs("leaderboard.post.next"), value=when, inline=False)
    answer.set_footer(text=f"{POST_MARK.format(week=week)} · {source_line(msgs, SCORE_GUIDE)}")
    return answer


def is_weekly_post(message_embeds: Sequence[discord.Embed], week: IsoWeek) -> bool:
    """Whether a message's embeds are Pulse's weekly post about `week`."""
    mark = POST_MARK.format(week=week) + " ·"
    return any((e.footer.text or "").startswith(mark) for e in message_embeds)


# --- /settings ------------------------------------------------------------------------------------------


def problem_text(msgs: Messages, settings: ServerSettings) -> str | None:
    """Why Pulse turned the weekly post off, for the next admin who looks."""
    if settings.leaderboard_problem is None:
        return None
    when = (
        day_text(msgs, settings.leaderboard_problem_at, settings.tz)
        if settings.leaderboard_problem_at
        else "?"
    )
    channel = f"<#{settings.leaderboard_channel_id}>" if settings.leaderboard_channel_id else "?"
    return msgs(f"settings.problem.{settings.leaderboard_problem}", channel=channel, date=when)


def change_line(msgs: Messages, change: SettingChange) -> str:
    """`<@admin> · Time zone: Europe/Amsterdam → Europe/London · <t:…:R>`; Pulse's own changes say so."""
    who = "Pulse" if change.user_id == 0 else member_or_former(msgs, change.user_id)
    old = msgs("settings.none") if change.old_value is None else change.old_value
    new = msgs("settings.none") if change.new_value is None else change.new_value
    if change.setting in ("leaderboard_channel_id", "coaching_channel_id"):
        old, new = (v if v == msgs("settings.none") else f"<#{v}>" for v in (old, new))
    if change.setting == "coach_role_id":
        old, new = (v if v == msgs("settings.none") else f"<@&{v}>" for v in (old, new))
    if change.setting in ("leaderboard_weekday", "coaching_weekday"):
        old, new = (msgs(f"settings.weekday.{WEEKDAYS[int(v)]}") if v.isdigit() else v for v in (old, new))
    if change.setting in ("leaderboard_enabled", "coaching_reminders", "coaching_public_threads"):
        old, new = (msgs(f"settings.{v}") if v in ("on", "off") else v for v in (old, new))
    if change.setting == "language":
        old, new = (msgs(f"settings.language.{v}") if v in SERVER_LANGUAGES else v for v in (old, new))
    name = msgs(f"settings.field.{change.setting}")
    return f"{who} · {name}: {old} → {new} · {timestamp(change.changed_at, 'R')}"


def _defaulted(msgs: Messages, value: str, is_default: bool) -> str:
    """A setting's value, marked `(default)` when it was never changed."""
    return f"{value} {msgs('settings.default')}" if is_default else value


def _channel(msgs: Messages, channel_id: int | None) -> str:
    return f"<#{channel_id}>" if channel_id else msgs("settings.leaderboard.no_channel")


def _on_off(msgs: Messages, value: bool) -> str:
    return msgs("settings.on" if value else "settings.off")


def _day_and_hour(msgs: Messages, weekday: int, hour: int) -> tuple[str, str]:
    return msgs(f"settings.weekday.{WEEKDAYS[weekday]}"), msgs("settings.hour", hour=f"{hour:02d}")


def coaching_text(msgs: Messages, settings: ServerSettings, next_reminder: datetime | None) -> str:
    """The coaching settings as /settings show lists them."""
    fresh = ServerSettings(settings.guild_id)

    def shown(value: str, is_default: bool) -> str:
        return _defaulted(msgs, value, is_default)

    role = f"<@&{settings.coach_role_id}>" if settings.coach_role_id else msgs("settings.coaching.no_role")
    channel = _channel(msgs, settings.coaching_channel_id)
    day, hour = _day_and_hour(msgs, settings.coaching_weekday, settings.coaching_hour)
    reminders = _on_off(msgs, settings.coaching_reminders)
    public = _on_off(msgs, settings.coaching_public_threads)
    lines = [
        msgs("settings.coaching.role", role=role),
        msgs("settings.coaching.channel", channel=channel),
        msgs(
            "settings.coaching.when",
            day=shown(day, settings.coaching_weekday == fresh.coaching_weekday),
            hour=shown(hour, settings.coaching_hour == fresh.coaching_hour),
            zone=settings.timezone,
        ),
        msgs("settings.coaching.reminders", state=shown(reminders, settings.coaching_reminders)),
        msgs("settings.coaching.public_threads", state=shown(public, not settings.coaching_public_threads)),
    ]
    if next_reminder is not None:
        lines.append(
            msgs(
                "settings.coaching.next", when=f"{timestamp(next_reminder)} ({timestamp(next_reminder, 'R')})"
            )
        )
    elif not settings.coaching_channel_id:
        lines.append(msgs("settings.coaching.how_to_start"))
    return "\n".join(lines)


def settings_embed(
    msgs: Messages,
    settings: ServerSettings,
    next_due: datetime | None,
    note: str | None = None,
    changes: Sequence[SettingChange] = (),
    next_reminder: datetime | None = None,
) -> discord.Embed:
    """Every setting with its value, `(default)` where it was never changed."""
    fresh = ServerSettings(settings.guild_id)

    def shown(value: str, is_default: bool) -> str:
        return _defaulted(msgs, value, is_default)

    language = msgs(f"settings.language.{settings.language}")
    channel = _channel(msgs, settings.leaderboard_channel_id)
    day, hour = _day_and_hour(msgs, settings.leaderboard_weekday, settings.leaderboard_hour)
    state = _on_off(msgs, settings.leaderboard_enabled)
    answer = embed(msgs("settings.title"), note)
    answer.add_field(
        name=msgs("settings.timezone.name"),
        value=shown(settings.timezone, settings.timezone == fresh.timezone),
        inline=True,
    )
    answer.add_field(
        name=msgs("settings.language.name"),
        value=shown(language, settings.language == fresh.language),
        inline=True,
    )
    lines = [
        msgs("settings.leaderboard.channel", channel=channel),
        msgs(
            "settings.leaderboard.when",
            day=shown(day, settings.leaderboard_weekday == fresh.leaderboard_weekday),
            hour=shown(hour, settings.leaderboard_hour == fresh.leaderboard_hour),
            zone=settings.timezone,
        ),
        msgs("settings.leaderboard.enabled", state=shown(state, settings.leaderboard_enabled)),
        msgs(
            "settings.leaderboard.min_posts",
            n=shown(
                msgs.number(settings.leaderboard_min_posts),
                settings.leaderboard_min_posts == fresh.leaderboard_min_posts,
            ),
        ),
    ]
    if next_due is not None:
        lines.append(
            msgs("settings.leaderboard.next", when=f"{timestamp(next_due)} ({timestamp(next_due, 'R')})")
        )
    elif not settings.leaderboard_channel_id:
        lines.append(msgs("settings.leaderboard.how_to_start"))
    answer.add_field(name=msgs("settings.leaderboard.name"), value="\n".join(lines), inline=False)
    answer.add_field(
        name=msgs("settings.coaching.name"), value=coaching_text(msgs, settings, next_reminder), inline=False
    )
    if problem := problem_text(msgs, settings):
        answer.add_field(name=msgs("leaderboard.notice"), value=problem, inline=False)
    if changes:
        changed = "\n".join(change_line(msgs, c) for c in changes)
        answer.add_field(name=msgs("settings.changes"), value=changed[:1024], inline=False)
    answer.set_footer(text=msgs("settings.footer"))
    return answer
