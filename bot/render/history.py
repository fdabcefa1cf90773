"""History answers: the entry list, import results, goals and the /progress report."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from fractions import Fraction

import discord
from babel.dates import format_date

from bot.domain.csv_import import MAX_PROBLEMS, ImportResult, RepeatedRow, RowProblem
from bot.domain.history import FollowerSnapshot, Goal, LoggedPost, TikTokImportOutcome
from bot.domain.progress import GoalProgress, ProgressReport, RatedAverage, post_rate
from bot.domain.text import clean_text
from bot.domain.tiktok_export import PlannedPosts, TikTokExport
from bot.i18n import Messages
from bot.render.benchmark import band_rate_text, rate_text, rating_name
from bot.render.common import clip, embed, own_choice, source_line
from bot.render.engagement import BRAND_GUIDE, average_definition

ENGAGEMENT_GUIDE = "000"
# Discord's limits for one select option's label and an embed field's value.
OPTION_LABEL_MAX = 100
FIELD_VALUE_MAX = 1024
TITLE_SHOWN_MAX = 80


def day_text(msgs: Messages, moment: datetime | date, tz: tzinfo | None = None) -> str:
    """A date as the reader writes it: 1 mrt 2025 / 1 Mar 2025."""
    day = moment.astimezone(tz).date() if isinstance(moment, datetime) else moment
    return format_date(day, msgs("history.date_format"), locale=msgs.lang)


def signed(msgs: Messages, value: int | Fraction, decimals: int = 0) -> str:
    """+200 / −50, with the reader's digit grouping."""
    text = msgs.number(-value if value < 0 else value, decimals)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


def shown_title(title: str) -> str:
    """A stored title on one line without invisible characters: titles stored before imports cleaned them
    may still hold NUL bytes or bidi overrides that would garble or reverse the line around them."""
    return " ".join(clean_text(title).split())


def safe_title(title: str) -> str:
    return discord.utils.escape_mentions(
        discord.utils.escape_markdown(clip(shown_title(title), TITLE_SHOWN_MAX))
    )


# --- /history ---------------------------------------------------------------------------------------


def entry_line(msgs: Messages, entry: LoggedPost | FollowerSnapshot, tz: tzinfo | None = None) -> str:
    if isinstance(entry, LoggedPost):
        line = msgs(
            "history.list.post",
            date=day_text(msgs, entry.posted_at, tz),
            rate=rate_text(msgs, post_rate(entry)),
            interactions=msgs.amount("interactions", entry.interactions),
            followers=msgs.amount("followers", entry.followers),
        )
        title = safe_title(entry.title) if entry.title else ""
        return f"{line} · {title}" if title else line
    return msgs(
        "history.list.followers",
        date=day_text(msgs, entry.taken_at, tz),
        followers=msgs.amount("followers", entry.followers),
    )


def entry_option_label(
    msgs: Messages, number: int, entry: LoggedPost | FollowerSnapshot, tz: tzinfo | None = None
) -> str:
    if isinstance(entry, LoggedPost):
        label = msgs(
            "history.list.option_post",
            number=number,
            date=day_text(msgs, entry.posted_at, tz),
            rate=rate_text(msgs, post_rate(entry)),
        )
        if entry.title and (title := shown_title(entry.title)):
            label = f"{label} · {title}"
    else:
        label = msgs(
            "history.list.option_followers",
            number=number,
            date=day_text(msgs, entry.taken_at, tz),
            followers=msgs.amount("followers", entry.followers),
        )
    return clip(label, OPTION_LABEL_MAX)


def history_embed(
    msgs: Messages,
    entries: tuple[LoggedPost | FollowerSnapshot, ...],
    page: int,
    pages: int,
    total: int,
    note: str | None = None,
    first_number: int = 1,
    tz: tzinfo | None = None,
) -> discord.Embed:
    if not entries:
        return embed(
            msgs("history.list.title"), "\n\n".join(filter(None, [note, msgs("history.list.empty")]))
        )
    lines = [f"`{first_number + i:>2}` {entry_line(msgs, e, tz)}" for i, e in enumerate(entries)]
    answer = embed(msgs("history.list.title"), "\n".join(filter(None, [note and f"{note}\n", *lines])))
    answer.set_footer(
        text=msgs.count(
            "history.list.footer",
            total,
            page=msgs.number(page),
            pages=msgs.number(pages),
            total=msgs.number(total),
        )
    )
    return answer


# --- /log import ------------------------------------------------------------------------------------


def problem_line(msgs: Messages, problem: RowProblem) -> str:
    values = {k: msgs.number(v) if isinstance(v, int) else v for k, v in problem.values.items()}
    # A date in a TikTok file is written TikTok's way, so the hint shows TikTok's forms.
    rule = "export_date" if problem.file is not None and problem.rule == "date" else problem.rule
    text = msgs(f"history.import.rules.{rule}", **values)
    if problem.file is not None:
        # A TikTok file: its own (English) header names the column, as the member sees it in the file.
        return msgs(
            "history.import.problem_in_file",
            file=_file(problem.file),
            row=msgs.number(problem.row),
            column=_file(problem.column),
            text=text,
        )
    return msgs(
        "history.import.problem",
        row=msgs.number(problem.row),
        column=msgs(f"history.import.columns.{problem.column}"),
        text=text,
    )


def import_problems_embed(
    msgs: Messages, filename: str, result: ImportResult | TikTokExport
) -> discord.Embed:
    lines = [msgs("history.import.problems_intro"), ""]
    lines += [f"• {problem_line(msgs, p)}" for p in result.problems]
    if result.problem_count > len(result.problems):
        lines.append(
            msgs("history.import.more", count=msgs.number(result.problem_count - len(result.problems)))
        )
    answer = embed(clip(msgs("history.import.problems_title", file=_file(filename)), 256), "\n".join(lines))
    format_key = (
        "history.import.tiktok_format" if isinstance(result, TikTokExport) else "history.import.format"
    )
    answer.add_field(name=msgs("history.import.format_field"), value=msgs(format_key), inline=False)
    return answer


def import_saved_embed(
    msgs: Messages,
    filename: str,
    posts: int,
    followers: int,
    skipped: int,
    repeated: tuple[RepeatedRow, ...] = (),
) -> discord.Embed:
    """`skipped`: rows already in the member's history; `repeated`: rows that repeat a row of the file."""
    lines = []
    if posts or followers:
        lines.append(msgs("history.import.saved", posts=msgs.number(posts), followers=msgs.number(followers)))
    else:
        lines.append(msgs("history.import.nothing_new"))
    if skipped and (posts or followers):
        lines.append(msgs.count("history.import.skipped", skipped, skipped=msgs.number(skipped)))
    if repeated:
        lines.append(repeated_line(msgs, repeated))
    lines.append(msgs("history.import.next_step"))
    return embed(clip(msgs("history.import.title", file=_file(filename)), 256), "\n\n".join(lines))


def repeated_line(msgs: Messages, repeated: tuple[RepeatedRow, ...]) -> str:
    """Which rows repeat an earlier row of the file, the first MAX_PROBLEMS by number."""
    if len(repeated) == 1:
        only = repeated[0]
        return msgs("history.import.repeated_one", row=msgs.number(only.row), first=msgs.number(only.same_as))
    shown = [
        msgs("history.import.repeated_row", row=msgs.number(r.row), first=msgs.number(r.same_as))
        for r in repeated[:MAX_PROBLEMS]
    ]
    if len(repeated) > MAX_PROBLEMS:
        shown.append(msgs("history.import.repeated_more", more=msgs.number(len(repeated) - MAX_PROBLEMS)))
    return msgs.count("history.import.repeated", len(repeated), rows=", ".join(shown))


def tiktok_saved_embed(
    msgs: Messages, filename: str, export: TikTokExport, planned: PlannedPosts, outcome: TikTokImportOutcome
) -> discord.Embed:
    files = ", ".join(_file(name) for name in export.files)
    lines = [
        msgs("history.import.tiktok_account", handle=_file(export.handle), files=files)
        if export.handle
        else msgs("history.import.tiktok_files", files=files)
    ]
    if outcome.posts_added or outcome.posts_updated or outcome.followers_added or outcome.followers_updated:
        lines.append(
            msgs(
                "history.import.tiktok_saved",
                posts=msgs.number(outcome.posts_added),
                updated=msgs.number(outcome.posts_updated),
                followers=msgs.number(outcome.followers_added),
                followers_updated=msgs.number(outcome.followers_updated),
            )
        )
    if outcome.activity_hours:
        lines.append(
            msgs.count(
                "history.import.tiktok_activity",
                outcome.activity_hours,
                hours=msgs.number(outcome.activity_hours),
            )
        )
    if not outcome.changed:
        lines.append(msgs("history.import.tiktok_nothing_new"))
    elif outcome.unchanged:
        lines.append(msgs("history.import.tiktok_unchanged", unchanged=msgs.number(outcome.unchanged)))
    notes = []
    if export.posts:
        notes.append(msgs("history.import.tiktok_no_saves"))
    if planned.from_other_day:
        notes.append(msgs.count("history.import.tiktok_other_day", planned.from_other_day))
    if export.incomplete:
        notes.append(msgs.count("history.import.tiktok_incomplete", export.incomplete))
    if export.posts or export.followers:
        notes.append(msgs("history.import.tiktok_not_final"))
    if notes:
        lines.append(" ".join(notes))
    lines.append(msgs("history.import.next_step"))
    return embed(clip(msgs("history.import.tiktok_title", file=_file(filename)), 256), "\n\n".join(lines))


def other_account_embed(msgs: Messages, known: str, new: str) -> discord.Embed:
    return embed(
        msgs("history.import.other_account_title"),
        msgs("history.import.other_account", known=_file(known), new=_file(new)),
    )


def _file(filename: str) -> str:
    return discord.utils.escape_markdown(clip(filename, 100))


# --- /goal ------------------------------------------------------------------------------------------


def metric_name(msgs: Messages, metric: str) -> str:
    return msgs(f"history.goal.metric.{metric}")


def metric_value(msgs: Messages, metric: str, value: Fraction) -> str:
    return rate_text(msgs, value) if metric == "engagement_rate" else msgs.number(value)


def goal_line(msgs: Messages, goal: Goal) -> str:
    return msgs(
        "history.goal.line",
        metric=metric_name(msgs, goal.metric),
        target=metric_value(msgs, goal.metric, goal.target),
        by=day_text(msgs, goal.by),
    )


def goals_embed(msgs: Messages, goals: list[GoalProgress]) -> discord.Embed:
    if not goals:
        return embed(msgs("history.goal.shown_title"), msgs("history.goal.none"))
    return embed(
        msgs("history.goal.shown_title"), "\n".join(f"• {goal_progress_line(msgs, g)}" for g in goals)
    )


# --- /progress --------------------------------------------------------------------------------------


def _rated(msgs: Messages, key: str, average: RatedAverage) -> str:
    return msgs.count(
        key,
        average.posts,
        rate=band_rate_text(msgs, average.rate, average.band),
        rating=rating_name(msgs, average.rating),
        band=average.band.label,
    )


def goal_progress_line(msgs: Messages, state: GoalProgress) -> str:
    goal = state.goal
    common = {
        "metric": metric_name(msgs, goal.metric),
        "target": metric_value(msgs, goal.metric, goal.target),
        "by": day_text(msgs, goal.by),
    }
    if state.current is None or state.done is None:
        return msgs("progress.goals.unknown", **common)
    line = msgs("progress.goals.line", current=metric_value(msgs, goal.metric, state.current), **common)
    shares = {
        "done": msgs.percent(max(Fraction(0), state.done) * 100, 0),
        "expected": msgs.percent(state.expected * 100, 0),
    }
    if state.reached:
        status = msgs("progress.goals.reached")
    elif state.overdue:
        status = msgs("progress.goals.overdue", **shares)
    else:
        status = msgs("progress.goals.on_pace" if state.on_pace else "progress.goals.behind", **shares)
        if state.days_left == 0:
            status += f"; {msgs('progress.goals.last_day')}"
        else:
            status += f"; {msgs.count('progress.goals.days_left', state.days_left)}"
    return f"{line}: {status}"


def progress_embed(
    msgs: Messages,
    report: ProgressReport,
    name: str | None,
    tz: tzinfo | None = None,
    wins: int | None = None,
) -> discord.Embed:
    """The report beside the chart; `name` is set when it is about someone else, `wins` the weekly posts won."""
    title = msgs("progress.title_other", name=clip(name, 200)) if name else msgs("progress.title")
    weeks = msgs.number(report.weeks)
    summary = msgs.count("progress.summary", report.posts_in_window, weeks=weeks)
    answer = embed(clip(title, 256), summary)

    if report.followers_now is not None:
        change = report.followers_change or 0
        answer.add_field(
            name=msgs("progress.followers.name"),
            value=msgs(
                "progress.followers.value",
                now=msgs.number(report.followers_now),
                change=signed(msgs, change) if change else msgs("progress.followers.no_change"),
                weeks=weeks,
            ),
            inline=False,
        )

    lines = [_rated(msgs, "progress.engagement.recent", report.recent)] if report.recent else []
    if not report.recent:
        lines.append(msgs("progress.engagement.no_recent"))
    if report.previous:
        lines.append(_rated(msgs, "progress.engagement.previous", report.previous))
        if report.recent:
            difference = report.recent.rate - report.previous.rate
            lines.append(msgs("progress.engagement.change", change=signed(msgs, difference, 2)))
    else:
        lines.append(msgs("progress.engagement.no_previous"))
    lines.append(own_choice(msgs, msgs("progress.engagement.spans")))
    answer.add_field(name=msgs("progress.engagement.name"), value="\n".join(lines), inline=False)
    answer.add_field(name=msgs("engagement.definition.field"), value=average_definition(msgs), inline=False)

    best = report.best_post
    if best is not None and report.best_rate is not None:
        rate = rate_text(msgs, report.best_rate)
        when = day_text(msgs, best.posted_at, tz)
        title = safe_title(best.title) if best.title else ""
        value = (
            msgs("progress.best.titled", rate=rate, date=when, title=title)
            if title
            else msgs(
                "progress.best.value",
                rate=rate,
                date=when,
                interactions=msgs.amount("interactions", best.interactions),
                followers=msgs.amount("followers", best.followers),
            )
        )
        answer.add_field(name=msgs("progress.best.name"), value=value, inline=False)

    streak = report.streak
    if streak.current:
        value = msgs.count("progress.streak.value", streak.current, longest=msgs.number(streak.longest))
        if not streak.posted_this_week:
            value += "\n" + msgs("progress.streak.at_risk")
    else:
        value = msgs("progress.streak.none")
    answer.add_field(name=msgs("progress.streak.name"), value=value, inline=False)

    if wins is not None:
        answer.add_field(
            name=msgs("progress.wins.name"), value=msgs.count("progress.wins.value", wins), inline=False
        )

    if report.goals:
        value = "\n".join(f"• {goal_progress_line(msgs, g)}" for g in report.goals)
        answer.add_field(name=msgs("progress.goals.name"), value=clip(value, FIELD_VALUE_MAX), inline=False)

    answer.set_footer(text=source_line(msgs, ENGAGEMENT_GUIDE, BRAND_GUIDE))
    return answer


def no_history_embed(msgs: Messages, name: str | None) -> discord.Embed:
    text = msgs("progress.no_history_other", name=clip(name, 200)) if name else msgs("progress.no_history")
    return embed(msgs("progress.no_history_title"), text)
