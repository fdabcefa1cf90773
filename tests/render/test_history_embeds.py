"""History and progress answers stay within Discord's limits for the longest input, in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import discord
import pytest

from bot.domain.csv_import import MAX_PROBLEMS, ImportResult, RowProblem
from bot.domain.history import MAX_TITLE_LENGTH, FollowerSnapshot, Goal, LoggedPost
from bot.domain.progress import progress_report
from bot.i18n import Lang, messages_for
from bot.render.common import guide_titles
from bot.render.history import (
    OPTION_LABEL_MAX,
    entry_option_label,
    history_embed,
    import_problems_embed,
    progress_embed,
)

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
LONG_TITLE = "*" * MAX_TITLE_LENGTH  # markdown characters double when escaped


def within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    assert len(data.get("fields", [])) <= 25
    for field in data.get("fields", []):
        assert 1 <= len(field["name"]) <= 256 and 1 <= len(field["value"]) <= 1024
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert len(embed) <= 6000


def biggest_post(day: int) -> LoggedPost:
    big = 10**12
    return LoggedPost(day, 1, 2, NOW - timedelta(days=day), NOW, big, big, big, big, big, 1, LONG_TITLE)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_full_history_page(lang: Lang) -> None:
    msgs = messages_for(lang)
    entries = tuple(biggest_post(d) if d % 2 else FollowerSnapshot(d, 1, 2, NOW, 10**12) for d in range(10))
    embed = history_embed(
        msgs, entries, 9999, 9999, 99_990, note=msgs("history.list.undo_stale"), first_number=1
    )
    within_limits(embed)
    assert "\\*" in (embed.description or "")  # titles cannot format the list
    for number, entry in enumerate(entries, start=99_981):
        assert len(entry_option_label(msgs, number, entry)) <= OPTION_LABEL_MAX


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_import_problems(lang: Lang) -> None:
    problems = tuple(RowProblem(4_999 + n, "likes", "max", {"maximum": 10**12}) for n in range(MAX_PROBLEMS))
    result = ImportResult(problems=problems, problem_count=40_000)
    embed = import_problems_embed(messages_for(lang), "x" * 300 + ".csv", result)
    within_limits(embed)
    assert ("39.990" if lang == "nl" else "39,990") in (embed.description or "")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_full_progress_report(lang: Lang) -> None:
    posts = [biggest_post(d) for d in range(1, 60)]
    goals = [
        Goal(
            1, 2, "engagement_rate", Fraction(10**5), date(2026, 1, 1), NOW - timedelta(days=3), Fraction(1)
        ),
        Goal(1, 2, "followers", Fraction(10**12), date(2026, 1, 1), NOW - timedelta(days=3), None),
    ]
    report = progress_report(posts, [], NOW, weeks=12, goals=goals)
    embed = progress_embed(messages_for(lang), report, name="n" * 32)
    within_limits(embed)
    assert len(embed.fields) == 6
    msgs = messages_for(lang)
    # The 4-week comparison is Pulse's own, and the average is defined once, saves and all.
    assert msgs("common.own_choice") in embed.fields[1].value
    assert embed.fields[2].name == msgs("engagement.definition.field")
    assert embed.footer.text == msgs("common.source", guides=guide_titles(msgs, "000", "004"))
    assert (
        "*Engagement on TikTok*" in embed.fields[2].value
        or "*Betrokkenheid op TikTok*" in embed.fields[2].value
    )
