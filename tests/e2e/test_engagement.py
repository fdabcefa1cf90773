"""/engagement through the stand-in Discord, in Dutch and English, with the guide's worked examples."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.bot_process import BotProcess
from tests.e2e.checks import assert_private_error_only
from tests.e2e.stand_in import Reply

GUIDE_POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000}
GUIDE_ACCOUNT = {"likes": 257_000, "comments": 3_278, "shares": 14_000, "posts": 137, "followers": 75_000}


def public_answer(reply: Reply) -> str:
    assert reply.type == 4
    assert not reply.ephemeral
    assert len(reply.embeds) == 1
    assert not reply.followups
    return reply.text


def marked_row(reply: Reply) -> str:
    rows = [line for line in reply.text.splitlines() if line.startswith("▶")]
    assert len(rows) == 1, reply.text
    return rows[0]


@pytest.mark.parametrize(
    ("locale", "rate", "rating", "followers", "tier"),
    [
        ("nl", "**7,6%**", "Hoog", "5.000 volgers", "Nano-influencer (1.000–9.999 volgers)"),
        ("en-US", "**7.6%**", "High", "5,000 followers", "Nano-influencer (1,000–9,999 followers)"),
    ],
)
def test_post_guide_example(
    pulse: BotProcess, locale: str, rate: str, rating: str, followers: str, tier: str
) -> None:
    reply = pulse.invoke("engagement post", GUIDE_POST, locale=locale)
    text = public_answer(reply)
    assert rate in text
    assert f"**{rating}**" in text
    assert followers in text
    assert "5k–10k" in text
    assert rating in marked_row(reply)
    assert tier in text
    assert ("Betrokkenheid op TikTok" if locale == "nl" else "Engagement on TikTok") in text


@pytest.mark.parametrize(
    ("locale", "by_views", "by_followers"),
    [
        ("nl", "**2%** van 19.000 weergaven", "7,6% van 5.000"),
        ("en-US", "**2%** of 19,000 views", "7.6% of 5,000"),
    ],
)
def test_post_with_views(pulse: BotProcess, locale: str, by_views: str, by_followers: str) -> None:
    text = public_answer(pulse.invoke("engagement post", {**GUIDE_POST, "views": 19_000}, locale=locale))
    assert by_views in text
    assert by_followers in text


@pytest.mark.parametrize(
    ("locale", "rate", "note"),
    [("nl", "**416%**", "dichtstbijzijnde groep, 1k–5k"), ("en-US", "**416%**", "nearest band, 1k–5k")],
)
def test_small_viral_post(pulse: BotProcess, locale: str, rate: str, note: str) -> None:
    options = {"likes": 2_000, "comments": 40, "shares": 25, "saves": 15, "followers": 500}
    text = public_answer(pulse.invoke("engagement post", options, locale=locale))
    assert rate in text
    assert note in text
    assert "viraal" in text if locale == "nl" else "viral" in text


@pytest.mark.parametrize(
    ("locale", "average", "rating", "wrong", "per_post"),
    [
        ("nl", "**2,67%**", "**Bovengemiddeld**", "365,7%", "2.002 interacties per post"),
        ("en-US", "**2.67%**", "**Above average**", "365.7%", "2,002 interactions per post"),
    ],
)
def test_account_guide_example(
    pulse: BotProcess, locale: str, average: str, rating: str, wrong: str, per_post: str
) -> None:
    reply = pulse.invoke("engagement account", GUIDE_ACCOUNT, locale=locale)
    text = public_answer(reply)
    assert average in text
    assert rating in text
    assert per_post in text
    assert wrong in text and "330%" in text
    assert "50k–100k" in text
    assert rating.strip("*") in marked_row(reply)


@pytest.mark.parametrize(
    ("locale", "needed", "total", "rating"),
    [
        ("nl", "minstens **34 interacties**", "minstens **100 interacties**", "**Bovengemiddeld**"),
        ("en-US", "at least **34 interactions**", "at least **100 interactions**", "**Above average**"),
    ],
)
def test_target(pulse: BotProcess, locale: str, needed: str, total: str, rating: str) -> None:
    reply = pulse.invoke("engagement target", {"followers": 1_000, "target": 3.33, "posts": 3}, locale=locale)
    text = public_answer(reply)
    assert needed in text
    assert total in text
    assert rating in text
    assert ("3,33%" if locale == "nl" else "3.33%") in text


@pytest.mark.parametrize(
    ("command", "options", "dutch", "english"),
    [
        (
            "engagement post",
            {**GUIDE_POST, "followers": 0},
            "Volgers moet minstens 1 zijn.",
            "Followers must be at least 1.",
        ),
        (
            "engagement post",
            {**GUIDE_POST, "likes": -3},
            "Likes moet minstens 0 zijn.",
            "Likes must be at least 0.",
        ),
        (
            "engagement post",
            {**GUIDE_POST, "views": 0},
            "Weergaven moet minstens 1 zijn.",
            "Views must be at least 1.",
        ),
        (
            "engagement post",
            {**GUIDE_POST, "saves": 10**12 + 1},
            "Keren opgeslagen mag hoogstens 1.000.000.000.000 zijn.",
            "Saves can be at most 1,000,000,000,000.",
        ),
        (
            "engagement account",
            {**GUIDE_ACCOUNT, "posts": 0},
            "Posts moet minstens 1 zijn.",
            "Posts must be at least 1.",
        ),
        (
            "engagement account",
            {**GUIDE_ACCOUNT, "comments": -1},
            "Reacties moet minstens 0 zijn.",
            "Comments must be at least 0.",
        ),
        (
            "engagement account",
            {**GUIDE_ACCOUNT, "followers": -75_000},
            "Volgers moet minstens 1 zijn.",
            "Followers must be at least 1.",
        ),
        (
            "engagement target",
            {"followers": 0, "target": 5.0},
            "Volgers moet minstens 1 zijn.",
            "Followers must be at least 1.",
        ),
        (
            "engagement target",
            {"followers": 1_000, "target": 0.0},
            "Doel moet meer dan 0 zijn.",
            "Target must be more than 0.",
        ),
        (
            "engagement target",
            {"followers": 1_000, "target": -2.5},
            "Doel moet meer dan 0 zijn.",
            "Target must be more than 0.",
        ),
    ],
)
@pytest.mark.parametrize("locale", ["nl", "en-US"])
def test_bad_input_gets_a_private_error_and_nothing_else(
    pulse: BotProcess, command: str, options: dict[str, Any], dutch: str, english: str, locale: str
) -> None:
    assert_private_error_only(pulse, command, options, locale, dutch if locale == "nl" else english)


def test_dutch_names_are_registered(pulse: BotProcess) -> None:
    command = pulse.stand_in.command("engagement")
    assert command is not None
    assert command["name_localizations"]["nl"] == "betrokkenheid"
    subcommands = {o["name"]: o for o in command["options"]}
    assert set(subcommands) == {"post", "account", "target"}
    post_options = {o["name"]: o["name_localizations"]["nl"] for o in subcommands["post"]["options"]}
    assert post_options == {
        "likes": "likes",
        "comments": "reacties",
        "shares": "delen",
        "saves": "opslaan",
        "followers": "volgers",
        "views": "weergaven",
        "log": "bewaar",
    }
    assert subcommands["target"]["name_localizations"]["nl"] == "doel"
