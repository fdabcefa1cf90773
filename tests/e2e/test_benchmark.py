"""/benchmark through the stand-in Discord, in Dutch and English."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.bot_process import BotProcess
from tests.e2e.checks import assert_private_error_only
from tests.e2e.stand_in import Reply


def public_answer(reply: Reply) -> str:
    assert reply.type == 4
    assert not reply.ephemeral
    assert len(reply.embeds) == 1
    assert not reply.followups
    return reply.text


def marked_rows(reply: Reply) -> list[str]:
    return [line for line in reply.text.splitlines() if line.startswith("▶")]


@pytest.mark.parametrize(
    ("locale", "rate", "falls", "row", "intro"),
    [
        (
            "nl",
            3.2,
            "Met 3,2% zit je op **Bovengemiddeld**",
            "▶ **Bovengemiddeld: 1,37–3,6%**",
            "Met 5.000 volgers zit je in de groep 5k–10k.",
        ),
        (
            "en-US",
            3.2,
            "At 3.2% you are **Above average**",
            "▶ **Above average: 1.37–3.6%**",
            "With 5,000 followers you are in the 5k–10k band.",
        ),
    ],
)
def test_followers_with_rate(
    pulse: BotProcess, locale: str, rate: float, falls: str, row: str, intro: str
) -> None:
    reply = pulse.invoke("benchmark followers", {"followers": 5_000, "rate": rate}, locale=locale)
    text = public_answer(reply)
    assert intro in text
    assert falls in text
    assert marked_rows(reply) == [row + (" ← jij" if locale == "nl" else " ← you")]
    assert ("Betrokkenheid op TikTok" if locale == "nl" else "Engagement on TikTok") in text


@pytest.mark.parametrize(
    ("locale", "rate", "rating"),
    [
        ("nl", 0.78, "Gemiddeld"),  # exactly on the boundary: the higher rating
        ("nl", 0.77, "Ondergemiddeld"),
        ("en-US", 3.58, "Above average"),  # Hoog only strictly above
        ("en-US", 3.59, "High"),
    ],
)
def test_followers_boundaries(pulse: BotProcess, locale: str, rate: float, rating: str) -> None:
    reply = pulse.invoke("benchmark followers", {"followers": 10_000, "rate": rate}, locale=locale)
    public_answer(reply)
    rows = marked_rows(reply)
    assert len(rows) == 1 and rows[0].startswith(f"▶ **{rating}:"), rows


@pytest.mark.parametrize(
    ("locale", "rate", "rating", "strong"),
    [
        (
            "nl",
            0.5,
            "Ondergemiddeld",
            "*Betrokkenheid op TikTok*: vanaf 1.000.000 volgers geldt 4–6% als heel sterk.",
        ),
        (
            "en-US",
            0.49,
            "Low",
            "*Engagement on TikTok*: from 1,000,000 followers up, 4–6% counts as very strong.",
        ),
    ],
)
def test_followers_over_one_million(
    pulse: BotProcess, locale: str, rate: float, rating: str, strong: str
) -> None:
    reply = pulse.invoke("benchmark followers", {"followers": 2_500_000, "rate": rate}, locale=locale)
    text = public_answer(reply)
    assert f"**{rating}**" in text
    assert strong in text
    assert "> 1M" in text


@pytest.mark.parametrize(
    ("locale", "note", "small"),
    [
        ("nl", "dichtstbijzijnde groep, 1k–5k", "~7,5% op TikTok, tegenover 3,65% op Instagram"),
        ("en-US", "nearest band, 1k–5k", "~7.5% on TikTok, against 3.65% on Instagram"),
    ],
)
def test_followers_without_rate_below_one_thousand(
    pulse: BotProcess, locale: str, note: str, small: str
) -> None:
    reply = pulse.invoke("benchmark followers", {"followers": 250}, locale=locale)
    text = public_answer(reply)
    assert note in text
    assert small in text
    assert marked_rows(reply) == []
    assert ("Hoog: > 4,45%" if locale == "nl" else "High: > 4.45%") in text


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            [
                "Mode: **17,5%**",
                "Hoger onderwijs: **9,23%**",
                "Eten & drinken: **~7–8%**",
                "Sportteams: **4,2%**",
            ],
        ),
        (
            "en-US",
            [
                "Fashion: **17.5%**",
                "Higher education: **9.23%**",
                "Food & drink: **~7–8%**",
                "Sports teams: **4.2%**",
            ],
        ),
    ],
)
def test_niches(pulse: BotProcess, locale: str, expected: list[str]) -> None:
    text = public_answer(pulse.invoke("benchmark niches", locale=locale))
    for line in expected:
        assert line in text
    assert "Micro-influencer" in text  # often measured among micro-influencers


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            [
                "Nano-influencer (1.000–9.999 volgers)",
                "Micro-influencer (10.000–99.999 volgers)",
                "Middelgrote influencer (100.000–999.999 volgers)",
                "Mega-influencer (10.000.000 volgers of meer)",
                "$50–$800",
                "$3.000–$15.000",
                "~2,88%",
                "$10–$20 per 1.000 volgers",
            ],
        ),
        (
            "en-US",
            [
                "Starter (under 1,000 followers)",
                "Macro-influencer (1,000,000–9,999,999 followers)",
                "*Micro-influencers* reports 18% on TikTok for this tier.",
                "$3,000–$15,000",
                "~2.88%",
                "$10–$20 for every 1,000 followers",
            ],
        ),
    ],
)
def test_tiers(pulse: BotProcess, locale: str, expected: list[str]) -> None:
    text = public_answer(pulse.invoke("benchmark tiers", locale=locale))
    for line in expected:
        assert line in text
    assert "Micro-influencers" in text
    assert ("Betrokkenheid op TikTok" if locale == "nl" else "Engagement on TikTok") in text


@pytest.mark.parametrize(
    ("options", "dutch", "english"),
    [
        ({"followers": 0}, "Volgers moet minstens 1 zijn.", "Followers must be at least 1."),
        ({"followers": -10, "rate": 2.0}, "Volgers moet minstens 1 zijn.", "Followers must be at least 1."),
        ({"followers": 5_000, "rate": -0.5}, "Percentage moet minstens 0 zijn.", "Rate must be at least 0."),
    ],
)
@pytest.mark.parametrize("locale", ["nl", "en-US"])
def test_bad_input_gets_a_private_error_and_nothing_else(
    pulse: BotProcess, options: dict[str, Any], dutch: str, english: str, locale: str
) -> None:
    assert_private_error_only(
        pulse, "benchmark followers", options, locale, dutch if locale == "nl" else english
    )


def test_dutch_names_are_registered(pulse: BotProcess) -> None:
    command = pulse.stand_in.command("benchmark")
    assert command is not None
    names = {o["name"]: o["name_localizations"]["nl"] for o in command["options"]}
    assert names == {"followers": "volgers", "niches": "niches", "tiers": "niveaus"}
    followers = next(o for o in command["options"] if o["name"] == "followers")
    assert {o["name"]: o["name_localizations"]["nl"] for o in followers["options"]} == {
        "followers": "volgers",
        "rate": "percentage",
    }
