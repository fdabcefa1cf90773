"""Engagement and benchmark answers: the guide's figures in each language, and Discord's limits for any input."""

from fractions import Fraction
from typing import Any

import discord
import pytest

from bot.domain.benchmarks import band_for, tier_for
from bot.domain.engagement import (
    MAX_COUNT,
    MAX_PERCENT,
    account_engagement,
    interactions_for_target,
    post_engagement,
)
from bot.i18n import Lang, messages_for
from bot.render.benchmark import band_rate_text, benchmark_embed, niches_embed, tiers_embed
from bot.render.engagement import account_embed, post_embed, target_embed
from tests.e2e.stand_in.limits import check_embeds


def text_of(embed: discord.Embed) -> str:
    data = embed.to_dict()
    parts = [data.get("title", ""), data.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in data.get("fields", [])]
    parts.append(data.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def field(embed: discord.Embed, name_part: str) -> str:
    return next(f.value or "" for f in embed.fields if name_part in (f.name or ""))


def post(lang: Lang, followers: int = 5_000, views: int | None = None, likes: int = 300) -> discord.Embed:
    result = post_engagement(likes, 40, 25, 15, followers, views)
    return post_embed(result, band_for(followers), tier_for(followers), messages_for(lang))


@pytest.mark.parametrize(
    ("lang", "rate", "rating", "followers"),
    [("nl", "**7,6%**", "**Hoog**", "5.000"), ("en", "**7.6%**", "**High**", "5,000")],
)
def test_guide_post_example(lang: Lang, rate: str, rating: str, followers: str) -> None:
    embed = post(lang)
    text = text_of(embed)
    assert rate in (embed.description or "")
    assert rating in (embed.description or "")
    assert f"380 / {followers}" in text
    assert "Betrokkenheid op TikTok" in (embed.footer.text or "")
    marked = [line for line in field(embed, "5k–10k").splitlines() if line.startswith("▶")]
    assert len(marked) == 1
    assert rating.strip("*") in marked[0]


def test_band_table_lists_the_five_ratings_in_dutch() -> None:
    table = field(post("nl"), "5k–10k")
    assert table.splitlines()[1:] == [
        "• Bovengemiddeld: 1,37–3,6%",
        "• Gemiddeld: 1,08–1,37%",
        "• Ondergemiddeld: 0,43–1,08%",
        "• Laag: < 0,43%",
    ]


def test_tier_is_named() -> None:
    assert "Nano-influencer (1,000–9,999 followers)" in text_of(post("en"))
    assert "Micro-influencer (10.000–99.999 volgers)" in text_of(post("nl", followers=12_000))


def test_views_shown_beside_followers_only_when_given() -> None:
    with_views = post("en", views=19_000)
    assert "**2%** of 19,000 views" in field(with_views, "By views")
    assert "benchmarks" in field(with_views, "By views")  # the line on which measure to use when
    assert not any("views" in (f.name or "") for f in post("en").fields)


def test_over_one_hundred_percent_is_explained_not_refused() -> None:
    viral = post("en", followers=1_000, likes=5_000)
    assert "**508%**" in (viral.description or "")
    assert "viral" in (viral.description or "")
    assert "viral" not in (post("en").description or "")


@pytest.mark.parametrize(
    ("lang", "note"), [("en", "nearest band, 1k–5k"), ("nl", "dichtstbijzijnde groep, 1k–5k")]
)
def test_under_one_thousand_says_it_uses_the_nearest_band(lang: Lang, note: str) -> None:
    assert note in (post(lang, followers=999).description or "")
    assert note not in (post(lang, followers=1_000).description or "")


@pytest.mark.parametrize(
    ("lang", "average", "wrong", "rating"),
    [("nl", "**2,67%**", "365,7%", "**Bovengemiddeld**"), ("en", "**2.67%**", "365.7%", "**Above average**")],
)
def test_guide_account_example_with_its_mistake(lang: Lang, average: str, wrong: str, rating: str) -> None:
    result = account_engagement(257_000, 3_278, 14_000, posts=137, followers=75_000)
    embed = account_embed(result, band_for(75_000), tier_for(75_000), messages_for(lang))
    assert average in (embed.description or "")
    assert rating in (embed.description or "")
    mistake = next(f for f in embed.fields if wrong in (f.name or ""))
    assert "330%" in (mistake.value or "")


def test_account_without_the_mistake_has_no_warning() -> None:
    result = account_engagement(300, 40, 25, posts=12, followers=5_000)
    embed = account_embed(result, band_for(5_000), tier_for(5_000), messages_for("en"))
    assert "330%" not in text_of(embed)


@pytest.mark.parametrize(
    ("lang", "needed", "total"), [("en", "**34**", "**100**"), ("nl", "**34**", "**100**")]
)
def test_target(lang: Lang, needed: str, total: str) -> None:
    result = interactions_for_target(1_000, 3.33, posts=3)
    embed = target_embed(result, band_for(1_000), tier_for(1_000), messages_for(lang))
    assert needed in (embed.description or "")
    assert total in (embed.description or "")
    assert ("**Above average**" if lang == "en" else "**Bovengemiddeld**") in (embed.description or "")


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (Fraction(9, 4), "2,25%"),
        (Fraction(22496, 10_000), "2,2496%"),  # two decimals would show the boundary it is below
        (Fraction(44501, 10_000), "4,4501%"),
        (Fraction(1, 3), "0,33%"),
        (Fraction(76, 10), "7,6%"),
        (Fraction(1, 10**5), "0,00001%"),
        (Fraction(0), "0%"),
    ],
)
def test_rates_are_never_rounded_onto_a_boundary(rate: Fraction, shown: str) -> None:
    assert band_rate_text(messages_for("nl"), rate, band_for(2_000).band) == shown


def test_benchmark_followers_places_the_rate() -> None:
    match = band_for(2_000_000)
    embed = benchmark_embed(2_000_000, Fraction(1, 2), match, tier_for(2_000_000), messages_for("nl"))
    assert "**Ondergemiddeld**" in (embed.description or "")
    assert "▶ **Ondergemiddeld: 0,5–1%**" in field(embed, "> 1M")
    assert "4–8%" in text_of(embed)


def test_niches_and_tiers() -> None:
    niches = text_of(niches_embed(messages_for("nl")))
    assert "Mode: **17,5%**" in niches
    assert "Eten & drinken: **~7–8%**" in niches
    assert "Micro-influencer" in niches
    tiers = text_of(tiers_embed(messages_for("en")))
    assert "$50–$800" in tiers
    assert "$3,000–$15,000" in tiers
    assert "~2.88%" in tiers
    assert "Micro-Influencers" not in tiers


# --- Discord's limits for any input --------------------------------------------------------------------------

EXTREMES: list[tuple[int, int | None]] = [
    (1, 1),
    (1, None),
    (MAX_COUNT, MAX_COUNT),
    (999, 1),
    (1_000_000, None),
]


def every_answer(lang: Lang) -> list[tuple[str, discord.Embed]]:
    msgs = messages_for(lang)
    answers: list[tuple[str, discord.Embed]] = []
    for followers, views in EXTREMES:
        match, tier = band_for(followers), tier_for(followers)
        for count in (0, 1, MAX_COUNT):
            result = post_engagement(count, count, count, count, followers, views)
            answers.append((f"post {count} {followers} {views}", post_embed(result, match, tier, msgs)))
            for posts in (1, 7, MAX_COUNT):
                saves = None if views is None else count
                account = account_engagement(count, count, count, posts, followers, saves)
                answers.append(
                    (f"account {count} {posts} {followers}", account_embed(account, match, tier, msgs))
                )
        for target in (Fraction(1, 10**6), Fraction(1, 3), MAX_PERCENT):
            for posts in (None, 1, MAX_COUNT):
                needed = interactions_for_target(followers, target, posts)
                answers.append(
                    (f"target {target} {posts} {followers}", target_embed(needed, match, tier, msgs))
                )
        for rate in (None, Fraction(0), Fraction(1, 10**9), Fraction(MAX_PERCENT)):
            answers.append(
                (f"benchmark {followers} {rate}", benchmark_embed(followers, rate, match, tier, msgs))
            )
    answers += [("niches", niches_embed(msgs)), ("tiers", tiers_embed(msgs))]
    return answers


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_answer_fits_discord_limits(lang: Lang) -> None:
    for where, embed in every_answer(lang):
        data: dict[str, Any] = embed.to_dict()  # type: ignore[assignment]
        assert check_embeds([data], where) == []
        assert "{" not in text_of(embed), where  # no placeholder left unfilled


def test_largest_post_shows_every_digit() -> None:
    result = post_engagement(MAX_COUNT, MAX_COUNT, MAX_COUNT, MAX_COUNT, 1, 1)
    embed = post_embed(result, band_for(1), tier_for(1), messages_for("en"))
    assert "**400,000,000,000,000%**" in (embed.description or "")
