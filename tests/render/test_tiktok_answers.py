"""The answers to a TikTok import and to /besttime: what they say, in both languages, within Discord's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import discord
import pytest

from bot.domain.best_time import best_time
from bot.domain.csv_import import MAX_PROBLEMS, RowProblem
from bot.domain.history import TikTokImportOutcome
from bot.domain.knowledge import guides
from bot.domain.tiktok_export import PlannedPosts, TikTokExport
from bot.i18n import Lang, messages_for
from bot.render.besttime import best_time_embed, general_timing_embed
from bot.render.history import import_problems_embed, problem_line, tiktok_saved_embed
from tests.render.test_history_embeds import within_limits


def description(answer: discord.Embed) -> str:
    assert answer.description is not None
    return answer.description


AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Monday 16 November 2026, 00:00 UTC: a week in winter time (UTC+1).
MONDAY = datetime(2026, 11, 16, tzinfo=UTC)


def week_with_peak(weekday: int, utc_hour: int, peak: int = 500) -> list[tuple[datetime, int]]:
    hours = []
    for i in range(7 * 24):
        moment = MONDAY + timedelta(hours=i)
        busy = moment.weekday() == weekday and moment.hour == utc_hour
        hours.append((moment, peak if busy else 10 + moment.hour))
    return hours


def test_best_time_names_the_peak_and_the_hour_before_it_in_the_servers_zone() -> None:
    best = best_time(week_with_peak(2, 19), AMSTERDAM)
    assert best is not None
    english = best_time_embed(messages_for("en"), best, "Europe/Amsterdam")
    text = description(english).replace("\u202f", " ")
    assert "most active on **Wednesday around 8:00 PM**: on average 500 of them" in text
    assert "*Engagement on TikTok* advises posting about an hour before that peak" in text
    assert "**Wednesday around 7:00 PM**" in text
    assert "Based on 168 hours of follower activity, 16 Nov 2026 – 23 Nov 2026" in text
    assert "as UTC and shows them in this server's time zone, Europe/Amsterdam" in text
    assert english.footer.text == "Source: Engagement on TikTok"
    dutch = description(best_time_embed(messages_for("nl"), best, "Europe/Amsterdam"))
    assert "het actiefst op **woensdag rond 20:00**: gemiddeld waren er in dat uur 500 online" in dutch
    assert "**woensdag rond 19:00**" in dutch and "168 uur volgersactiviteit" in dutch


def test_a_peak_just_after_midnight_is_posted_for_the_evening_before() -> None:
    # Monday 23:00 UTC is Tuesday 00:00 in Amsterdam: post on Monday at 23:00.
    best = best_time(week_with_peak(0, 23), AMSTERDAM)
    assert best is not None
    text = description(best_time_embed(messages_for("nl"), best, "Europe/Amsterdam"))
    assert "**dinsdag rond 00:00**" in text and "**maandag rond 23:00**" in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_general_advice_is_labelled_general_and_names_each_guide(lang: Lang) -> None:
    msgs = messages_for(lang)
    answer = general_timing_embed(msgs)
    within_limits(answer)
    body = description(answer)
    assert body.startswith(msgs("besttime.general.intro"))
    # The three timing tips of guides 000, 001 and 004, each with its guide's title.
    assert body.count("• ") == 3
    for guide_id in ("000", "001", "004"):
        assert f"*({guides().by_id(guide_id).title(lang)})*" in body
    assert answer.fields[0].value == msgs("besttime.general.how")
    no_peak = general_timing_embed(msgs, "besttime.answer.no_peak")
    assert description(no_peak).startswith(msgs("besttime.answer.no_peak"))


def test_problems_in_a_tiktok_file_name_the_file_its_header_and_tiktoks_date_forms() -> None:
    msgs = messages_for("en")
    date_problem = RowProblem(4, "Post time", "date", file="Content.csv")
    assert problem_line(msgs, date_problem) == (
        "Content.csv, row 4, column “Post time”: not a date Pulse can read "
        "(TikTok writes dates such as August 9, 9 augustus or 2025-08-09)"
    )
    likes = RowProblem(1_234, "Total likes", "min", {"minimum": 0}, file="Content.csv")
    assert problem_line(messages_for("nl"), likes) == (
        "Content.csv, rij 1.234, kolom “Total likes”: moet minstens 0 zijn"
    )
    many = TikTokExport(
        files=("Content.csv",),
        problems=tuple(RowProblem(i, "Video link", "link", file="Content.csv") for i in range(MAX_PROBLEMS)),
        problem_count=5_000,
    )
    answer = import_problems_embed(msgs, "x" * 300 + ".zip", many)
    within_limits(answer)
    assert answer.fields[0].value == msgs("history.import.tiktok_format")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_saved_answer_counts_in_singular_and_plural(lang: Lang) -> None:
    msgs = messages_for(lang)
    export = TikTokExport(files=("Content.csv",), handle="lisa.maakt", incomplete=1)
    one = tiktok_saved_embed(
        msgs, "export.zip", export, PlannedPosts((), 1), TikTokImportOutcome(1, 0, 0, 0, 0, 0)
    )
    many = tiktok_saved_embed(
        msgs,
        "export.zip",
        TikTokExport(files=("Content.csv",), handle="lisa.maakt", incomplete=3),
        PlannedPosts((), 2),
        TikTokImportOutcome(1, 0, 0, 0, 0, 0),
    )
    assert msgs.count("history.import.tiktok_incomplete", 1) in description(one)
    assert msgs.count("history.import.tiktok_other_day", 1) in description(one)
    assert msgs.count("history.import.tiktok_incomplete", 3) in description(many)
    assert msgs.count("history.import.tiktok_other_day", 2) in description(many)
    assert "1 videos" not in description(one) and "1 posts" not in description(one)


def test_nothing_changed_is_said_plainly() -> None:
    msgs = messages_for("en")
    export = TikTokExport(files=("FollowerHistory.csv",), handle=None)
    answer = tiktok_saved_embed(
        msgs, "f.csv", export, PlannedPosts((), 0), TikTokImportOutcome(0, 0, 0, 0, 0, 12)
    )
    assert "Files read: FollowerHistory.csv" in description(answer)
    assert msgs("history.import.tiktok_nothing_new") in description(answer)
    assert "New posts" not in description(answer)
