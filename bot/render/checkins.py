"""Coaching answers: the week a check-in posts, reminders, the coaches' roster and notes, and /privacy show."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.checkins import Checkin, CoachNote, HeavyUse, RosterEntry, WeekSummary
from bot.domain.coaching import Diagnosis, TipRef
from bot.domain.progress import GoalProgress
from bot.i18n import Messages
from bot.render.benchmark import BULLET, rate_text
from bot.render.coaching import lagging_text, tip_line
from bot.render.common import (
    DESCRIPTION_LIMIT,
    FIELD_LIMIT,
    clip,
    embed,
    guide_titles,
    member_or_former,
    own_choice,
    source_line,
)
from bot.render.history import goal_progress_line, signed
from bot.render.leaderboard import timestamp

# Recognises Pulse's own reminder in a thread, whatever the language (see bot/checkins.py).
REMINDER_MARK = "Pulse · check-in {week}"
WELLBEING_GUIDE = "002"
# Tips shown for the lagging signal in a check-in; /tips shows them all.
CHECKIN_TIPS = 2


def quoted(text: str) -> str:
    """A member's own words as a quote block; markdown is shown as typed, never as formatting or mentions."""
    safe = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return "\n".join(f"> {line}" for line in safe.splitlines() or [""])


def week_line(msgs: Messages, summary: WeekSummary) -> str:
    """Posts this week and their rate against the four weeks before."""
    posts = msgs.count("checkin.posts", summary.posts)
    if summary.rate is None:
        return f"{posts} {msgs('checkin.no_rate')}"
    rate = rate_text(msgs, summary.rate)
    if summary.usual_rate is None or summary.change is None:
        return f"{posts} {msgs('checkin.rate_alone', rate=rate)}"
    # The four-week comparison is Pulse's own way of following a member, so the line says so.
    return own_choice(
        msgs,
        f"{posts} "
        + msgs(
            "checkin.rate_against",
            rate=rate,
            usual=rate_text(msgs, summary.usual_rate),
            change=signed(msgs, summary.change, 1) + "%",
        ),
    )


def streak_line(msgs: Messages, summary: WeekSummary) -> str:
    streak = summary.streak
    if streak.current == 0:
        return msgs("checkin.streak_none")
    line = msgs.count("checkin.streak", streak.current)
    if not streak.posted_this_week:
        line += " " + msgs("checkin.streak_at_risk")
    return line


def checkin_embed(
    msgs: Messages,
    summary: WeekSummary,
    diagnosis: Diagnosis | None,
    goals: Sequence[GoalProgress],
    earlier: Checkin | None,
    wellbeing: HeavyUse | None,
    name: str,
) -> discord.Embed:
    """The member's week as their check-in thread shows it."""
    lines = [week_line(msgs, summary)]
    if earlier is not None and earlier.focus:
        lines.append(msgs("checkin.earlier_focus", week=str(earlier.week)) + "\n" + quoted(earlier.focus))
    answer = embed(
        msgs("checkin.title", name=name, week=str(summary.week)), clip("\n\n".join(lines), DESCRIPTION_LIMIT)
    )
    guide_ids: list[str] = []
    if diagnosis is not None and diagnosis.lagging is not None and diagnosis.topic is not None:
        topic = diagnosis.topic
        shown = [f"{BULLET} {tip_line(msgs, TipRef(topic, tip))}" for tip in topic.tips[:CHECKIN_TIPS]]
        value = "\n".join([lagging_text(msgs, diagnosis, diagnosis.lagging), *shown])
        answer.add_field(name=msgs("checkin.lagging_field"), value=clip(value, FIELD_LIMIT), inline=False)
        guide_ids += topic.guides
    elif diagnosis is None:
        answer.add_field(
            name=msgs("checkin.lagging_field"), value=msgs("checkin.lagging_unknown"), inline=False
        )
    else:
        answer.add_field(name=msgs("checkin.lagging_field"), value=msgs("checkin.nothing_lags"), inline=False)
    goal_text = "\n".join(f"{BULLET} {goal_progress_line(msgs, g)}" for g in goals) or msgs(
        "checkin.no_goals"
    )
    answer.add_field(name=msgs("checkin.goals_field"), value=clip(goal_text, FIELD_LIMIT), inline=False)
    answer.add_field(name=msgs("checkin.streak_field"), value=streak_line(msgs, summary), inline=False)
    if wellbeing is not None:
        answer.add_field(
            name=msgs("checkin.wellbeing_field"),
            value=msgs(f"checkin.wellbeing.{wellbeing}", guide=guide_titles(msgs, WELLBEING_GUIDE)),
            inline=False,
        )
        guide_ids.append(WELLBEING_GUIDE)
    answer.add_field(name=msgs("checkin.focus_field"), value=msgs("checkin.focus_ask"), inline=False)
    if guide_ids:
        answer.set_footer(text=source_line(msgs, *guide_ids))
    return answer


def focus_saved(msgs: Messages, week: str, focus: str) -> str:
    return msgs("checkin.focus_saved", week=week) + "\n" + quoted(focus)


# --- reminders ------------------------------------------------------------------------------------------


def reminder_embed(msgs: Messages, week: object) -> discord.Embed:
    answer = embed(msgs("checkin.reminder_title"), msgs("checkin.reminder_text"))
    answer.set_footer(text=REMINDER_MARK.format(week=week))
    return answer


def is_reminder(message_embeds: Sequence[discord.Embed], week: object) -> bool:
    mark = REMINDER_MARK.format(week=week)
    return any((e.footer.text or "") == mark for e in message_embeds)


# --- /coach -------------------------------------------------------------------------------------------------


def roster_line(msgs: Messages, entry: RosterEntry) -> str:
    parts = []
    change = entry.summary.change
    parts.append(
        msgs("checkin.roster.trend", change=signed(msgs, change, 1) + "%")
        if change is not None
        else msgs("checkin.roster.no_trend")
    )
    parts.append(
        msgs("checkin.roster.last_checkin", when=timestamp(entry.last_checkin, "R"))
        if entry.last_checkin is not None
        else msgs("checkin.roster.never_checked_in")
    )
    if entry.goals:
        on_pace = sum(1 for g in entry.goals if g.reached or g.on_pace)
        parts.append(
            msgs("checkin.roster.goals", on_pace=msgs.number(on_pace), total=msgs.number(len(entry.goals)))
        )
    else:
        parts.append(msgs("checkin.roster.no_goals"))
    parts.append(msgs.count("checkin.roster.streak", entry.summary.streak.current))
    head = f"<@{entry.user_id}>"
    if entry.stalled:
        head = msgs("checkin.roster.stalled", member=head)
    return f"{head}\n{BULLET} " + " · ".join(parts)


def roster_embed(
    msgs: Messages, entries: Sequence[RosterEntry], page: int, pages: int, total: int, weeks: int
) -> discord.Embed:
    if not entries:
        return embed(msgs("checkin.roster.title"), msgs.count("checkin.roster.empty", weeks))
    answer = embed(
        msgs("checkin.roster.title"),
        clip("\n\n".join(roster_line(msgs, e) for e in entries), DESCRIPTION_LIMIT),
    )
    answer.set_footer(
        text=msgs.count(
            "checkin.roster.footer",
            total,
            page=msgs.number(page),
            pages=msgs.number(pages),
            weeks=msgs.number(weeks),
        )
    )
    return answer


def notes_embed(msgs: Messages, member_id: int, notes: Sequence[CoachNote], total: int) -> discord.Embed:
    if not notes:
        return embed(msgs("checkin.notes.title"), msgs("checkin.notes.none", member=f"<@{member_id}>"))
    lines = [
        msgs(
            "checkin.notes.line",
            author=member_or_former(msgs, n.author_id),
            when=timestamp(n.created_at, "f"),
        )
        + "\n"
        + quoted(n.text)
        for n in notes
    ]
    head = msgs("checkin.notes.head", member=f"<@{member_id}>")
    answer = embed(msgs("checkin.notes.title"), clip("\n\n".join([head, *lines]), DESCRIPTION_LIMIT))
    if total > len(notes):
        answer.set_footer(
            text=msgs("checkin.notes.more", shown=msgs.number(len(notes)), total=msgs.number(total))
        )
    return answer
