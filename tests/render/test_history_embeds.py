"""History and progress answers stay within Discord's limits for the longest input, in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import discord
import pytest

from bot.domain.csv_import import MAX_PROBLEMS, ImportResult, RepeatedRow, RowProblem
from bot.domain.history import MAX_TITLE_LENGTH, FollowerSnapshot, Goal, LoggedPost, TikTokImportOutcome
from bot.domain.progress import progress_report
from bot.domain.tiktok_export import PlannedPosts, TikTokExport
from bot.i18n import Lang, messages_for
from bot.render.common import guide_titles
from bot.render.history import (
    OPTION_LABEL_MAX,
    entry_line,
    entry_option_label,
    history_embed,
    import_problems_embed,
    import_saved_embed,
    problem_line,
    progress_embed,
    tiktok_saved_embed,
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
    assert msgs("common.own_choice") in (embed.fields[1].value or "")
    assert embed.fields[2].name == msgs("engagement.definition.field")
    assert embed.footer.text == msgs("common.source", guides=guide_titles(msgs, "000", "004"))
    assert "*Engagement on TikTok*" in (embed.fields[2].value or "") or "*Betrokkenheid op TikTok*" in (
        embed.fields[2].value or ""
    )


# --- import answers: rows already there, rows repeated in the file, counts of one ------------------------

SAVED_ANSWERS = {
    "en": (
        "Imported. Posts: **2**; follower counts: **1**.",
        "1 row was already in your history, so it was skipped. Importing the same file twice never counts "
        "anything twice.",
        "Row 5 repeats row 2 of this same file, so it was not stored twice.",
    ),
    "nl": (
        "Geïmporteerd. Posts: **2**; volgerstanden: **1**.",
        "1 rij stond al in je geschiedenis en is overgeslagen. Hetzelfde bestand twee keer importeren telt "
        "nooit iets dubbel.",
        "Rij 5 herhaalt rij 2 van ditzelfde bestand en is dus niet dubbel bewaard.",
    ),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_import_answer_tells_rows_in_the_history_from_rows_repeated_in_the_file(lang: Lang) -> None:
    msgs = messages_for(lang)
    embed = import_saved_embed(msgs, "posts.csv", 2, 1, 1, (RepeatedRow(5, 2),))
    saved, skipped, repeated = SAVED_ANSWERS[lang]
    assert embed.description == "\n\n".join([saved, skipped, repeated, msgs("history.import.next_step")])


@pytest.mark.parametrize(
    ("lang", "skipped", "repeated"),
    [
        (
            "en",
            "3 rows were already in your history, so they were skipped.",
            "2 rows repeat an earlier row of this same file, so they were not stored twice: "
            "row 4 (same as row 2), row 1,234 (same as row 3).",
        ),
        (
            "nl",
            "3 rijen stonden al in je geschiedenis en zijn overgeslagen.",
            "2 rijen herhalen een eerdere rij van ditzelfde bestand en zijn dus niet dubbel bewaard: "
            "rij 4 (gelijk aan rij 2), rij 1.234 (gelijk aan rij 3).",
        ),
    ],
)
def test_import_answer_in_the_plural(lang: Lang, skipped: str, repeated: str) -> None:
    embed = import_saved_embed(
        messages_for(lang), "posts.csv", 2, 0, 3, (RepeatedRow(4, 2), RepeatedRow(1_234, 3))
    )
    lines = (embed.description or "").split("\n\n")
    assert lines[1].startswith(skipped)
    assert lines[2] == repeated


@pytest.mark.parametrize(("lang", "more"), [("en", "and 5 more."), ("nl", "en nog 5.")])
def test_many_repeated_rows_are_named_up_to_the_problem_limit(lang: Lang, more: str) -> None:
    repeated = tuple(RepeatedRow(3 + n, 2) for n in range(MAX_PROBLEMS + 5))
    embed = import_saved_embed(messages_for(lang), "posts.csv", 1, 0, 0, repeated)
    line = (embed.description or "").split("\n\n")[1]
    assert line.startswith("15 ")
    assert line.count("2)") == MAX_PROBLEMS
    assert line.endswith(f"12 {'(same as row' if lang == 'en' else '(gelijk aan rij'} 2), {more}")
    within_limits(embed)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_nothing_new_still_names_rows_repeated_in_the_file(lang: Lang) -> None:
    msgs = messages_for(lang)
    embed = import_saved_embed(msgs, "posts.csv", 0, 0, 2, (RepeatedRow(5, 2),))
    assert embed.description == "\n\n".join(
        [
            msgs("history.import.nothing_new"),
            SAVED_ANSWERS[lang][2],
            msgs("history.import.next_step"),
        ]
    )


@pytest.mark.parametrize(
    ("lang", "one", "many"),
    [
        ("en", "Page 1 of 1 · 1 entry", "Page 1 of 1 · 2 entries, newest first"),
        ("nl", "Pagina 1 van 1 · 1 item", "Pagina 1 van 1 · 2 items, nieuwste eerst"),
    ],
)
def test_the_history_footer_counts_one_entry(lang: Lang, one: str, many: str) -> None:
    msgs = messages_for(lang)
    snapshot = FollowerSnapshot(1, 1, 2, NOW, 100)
    assert history_embed(msgs, (snapshot,), 1, 1, 1).footer.text == one
    assert history_embed(msgs, (snapshot, snapshot), 1, 1, 2).footer.text == many


@pytest.mark.parametrize(
    ("lang", "one", "many"),
    [
        ("en", "Follower activity: **1** hour.", "Follower activity: **24** hours."),
        ("nl", "Volgersactiviteit: **1** uur.", "Volgersactiviteit: **24** uur."),
    ],
)
def test_follower_activity_of_one_hour(lang: Lang, one: str, many: str) -> None:
    msgs = messages_for(lang)
    export = TikTokExport(files=("FollowerActivity.csv",))
    for hours, text in ((1, one), (24, many)):
        answer = tiktok_saved_embed(
            msgs, "export.zip", export, PlannedPosts((), 0), TikTokImportOutcome(0, 0, 0, 0, hours, 0)
        )
        assert text in (answer.description or "")
        assert "1 hours" not in (answer.description or "")


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "en",
            "Row 3, column “date”: “+24:00” is not a valid time zone offset (write one such as +01:00 or -05:30)",
        ),
        (
            "nl",
            "Rij 3, kolom “datum”: “+24:00” is geen geldig tijdzoneverschil (schrijf het bijvoorbeeld als +01:00 of -05:30)",
        ),
    ],
)
def test_a_bad_offset_is_told_with_its_value(lang: Lang, line: str) -> None:
    problem = RowProblem(3, "date", "offset", {"value": "+24:00"})
    assert problem_line(messages_for(lang), problem) == line


# --- titles stored before imports cleaned them ----------------------------------------------------------

DIRTY_TITLE = "Klei\x00 en\u202e glazuur\u2066\n2\u2069\u200f\x1b"


def dirty_post(title: str = DIRTY_TITLE) -> LoggedPost:
    return LoggedPost(1, 1, 2, NOW, NOW, 300, 40, 25, 15, None, 5000, title)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_stored_titles_are_shown_without_invisible_characters(lang: Lang) -> None:
    msgs = messages_for(lang)
    assert entry_line(msgs, dirty_post()).endswith(" · Klei en glazuur 2")
    assert entry_option_label(msgs, 1, dirty_post()).endswith(" · Klei en glazuur 2")
    report = progress_report([dirty_post()], [], NOW, weeks=12)
    best = progress_embed(msgs, report, name=None).fields[3].value or ""
    assert "Klei en glazuur 2" in best and "\u202e" not in best and "\x00" not in best
    # A title of nothing but invisible characters is no title at all.
    assert entry_line(msgs, dirty_post("\u202e\x00")) == entry_line(msgs, dirty_post(""))
    assert entry_option_label(msgs, 1, dirty_post("\u202e\x00")) == entry_option_label(
        msgs, 1, dirty_post("")
    )
