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
    assert followers in text
    assert ("Betrokkenheid op TikTok" if lang == "nl" else "Engagement on TikTok") in (
        embed.footer.text or ""
    )
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
    ("lang", "needed", "total"),
    [
        ("en", "at least **34 interactions**", "**100 interactions** in total"),
        ("nl", "minstens **34 interacties**", "**100 interacties** in totaal"),
    ],
)
def test_target(lang: Lang, needed: str, total: str) -> None:
    result = interactions_for_target(1_000, 3.33, posts=3)
    embed = target_embed(result, band_for(1_000), tier_for(1_000), messages_for(lang))
    assert needed in (embed.description or "")
    assert total in (embed.description or "")
    assert ("**Above average**" if lang == "en" else "**Bovengemiddeld**") in (embed.description or "")


@pytest.mark.parametrize(
    ("lang", "singular"),
    [
        (
            "en",
            [
                "with 1 follower,",
                "**1 interaction** (likes",
                "Over 1 post that is at least **1 interaction**",
            ],
        ),
        (
            "nl",
            ["met 1 volger heeft", "**1 interactie** nodig", "Over 1 post is dat minstens **1 interactie**"],
        ),
    ],
)
def test_one_of_a_thing_is_named_in_the_singular(lang: Lang, singular: list[str]) -> None:
    result = interactions_for_target(1, 1, posts=1)
    description = target_embed(result, band_for(1), tier_for(1), messages_for(lang)).description or ""
    for text in singular:
        assert text in description
    calculation = text_of(
        post_embed(post_engagement(1, 0, 0, 0, 1, 1), band_for(1), tier_for(1), messages_for(lang))
    )
    assert ("1 interaction / 1 follower" if lang == "en" else "1 interactie / 1 volger") in calculation
    assert ("of 1 view" if lang == "en" else "van 1 weergave") in calculation


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
    assert "Typical" not in tiers
    assert "Micro-Influencers" not in tiers


# --- what each figure says, and whose it is ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("followers", [5_000, 80_000, 2_000_000, 20_000_000])
def test_engagement_answers_show_no_tier_rate_beside_the_band_table(lang: Lang, followers: int) -> None:
    # Guide 000's "nano accounts can see well above 10%" and guide 004's 18% for micro-influencers are not
    # typical rates: beside a band table that rates 2,67% above average they would contradict it.
    msgs = messages_for(lang)
    text = text_of(post(lang, followers=followers))
    for figure in ("10%", "18%", "2.88%", "2,88%", "1–4%"):
        assert figure not in text, figure
    assert "Typical engagement" not in text and "Gebruikelijke betrokkenheid" not in text
    tier = field(post(lang, followers=followers), msgs("benchmark.tier_field"))
    assert "\n" not in tier


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "en",
            [
                "*Engagement on TikTok*: accounts in this tier can see rates well above 10%.",
                "*Micro-influencers* reports 18% on TikTok for this tier.",
                "*Engagement on TikTok* puts accounts over 1,000,000 followers (it calls them all mega-influencers)"
                " at ~1–4% on average.",
                "*Micro-influencers* reports ~2.88% on TikTok for this tier.",
                "*Micro-influencers*: $50–$800 per TikTok post.",
            ],
        ),
        (
            "nl",
            [
                "*Betrokkenheid op TikTok*: accounts in dit niveau kunnen ruim boven 10% uitkomen.",
                "*Micro-influencers* meldt 18% op TikTok voor dit niveau.",
            ],
        ),
    ],
)
def test_tiers_report_each_figure_as_its_guide_puts_it(lang: Lang, lines: list[str]) -> None:
    answer = tiers_embed(messages_for(lang))
    text = text_of(answer)
    for line in lines:
        assert line in text, line
    # The tier below 1 000 is Pulse's own name and cites no guide.
    starter = answer.fields[0]
    assert starter.value == messages_for(lang)("benchmark.tiers.named_by_pulse")


def test_niche_rates_are_often_measured_among_micro_influencers_without_a_range() -> None:
    caveat = field(niches_embed(messages_for("en")), "Keep in mind")
    assert caveat.startswith("*Engagement on TikTok* notes that these high figures are often measured among")
    assert "10,000" not in caveat and "99,999" not in caveat


def test_other_figures_beside_the_band_table_say_they_are_measured_differently() -> None:
    msgs = messages_for("en")
    answer = benchmark_embed(20_000, Fraction(2), band_for(20_000), tier_for(20_000), msgs)
    context = field(answer, msgs("benchmark.context_field"))
    assert context.startswith(msgs("benchmark.context_note"))
    assert (
        "*Engagement on TikTok*: over all accounts, the average engagement rate on TikTok usually lies at 4–8%."
        in context
    )
    assert "*Micro-influencers*: accounts under 100,000 followers average ~7.5% on TikTok" in context


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pulses_own_rules_are_marked(lang: Lang) -> None:
    msgs = messages_for(lang)
    own = msgs("common.own_choice")
    viral = post(lang, followers=1_000, likes=5_000)
    assert (viral.description or "").endswith(msgs("engagement.above_hundred") + " " + own)
    by_views = field(post(lang, views=19_000), msgs("engagement.post.by_views_field"))
    assert by_views.endswith(msgs("engagement.post.which_measure") + " " + own)
    assert own not in text_of(post(lang))
    starter = field(post(lang, followers=500), msgs("benchmark.tier_field"))
    assert starter.endswith(own)
    assert "Engagement on TikTok and Micro-influencers" not in (post(lang, followers=500).footer.text or "")


@pytest.mark.parametrize(("lang", "wrong", "right"), [("en", "365.7%", "2.67%"), ("nl", "365,7%", "2,67%")])
def test_the_330_percent_mistake_is_the_one_the_guide_names(lang: Lang, wrong: str, right: str) -> None:
    result = account_engagement(257_000, 3_278, 14_000, posts=137, followers=75_000)
    answer = account_embed(result, band_for(75_000), tier_for(75_000), messages_for(lang))
    mistake = next(f for f in answer.fields if wrong in (f.name or "")).value or ""
    if lang == "en":
        assert mistake.startswith(
            '*Engagement on TikTok* warns about inflated results such as "330%": they come from doing the steps in'
            " the wrong order, or from dividing the totals by the number of posts without also dividing by your"
            " followers."
        )
    # The member's own wrong figure is shown as theirs; no number is pinned on the guide's mechanism.
    assert f"would give {wrong}; the right figure is {right}" in mistake or f"zouden {wrong} geven" in mistake
    assert "behind the guide" not in mistake and "achter de opgeblazen" not in mistake


def test_the_account_average_says_what_it_counts() -> None:
    msgs = messages_for("en")
    without = account_engagement(257_000, 3_278, 14_000, posts=137, followers=75_000)
    answer = account_embed(without, band_for(75_000), tier_for(75_000), msgs)
    definition = field(answer, msgs("engagement.definition.field"))
    assert definition.startswith(
        "You gave no saves, so this is *Engagement on TikTok*'s account formula exactly"
    )
    with_saves = account_engagement(257_000, 3_278, 14_000, posts=137, followers=75_000, saves=13_700)
    answer = account_embed(with_saves, band_for(75_000), tier_for(75_000), msgs)
    definition = field(answer, msgs("engagement.definition.field"))
    assert "(likes + comments + shares + saves) / followers × 100" in definition
    assert "That guide's own account formula leaves saves out" in definition
    assert "(likes + comments) / followers (*Micro-influencers*)" in definition
    assert definition.endswith(
        "Without saves, as *Engagement on TikTok* counts an account average: **2.67%**."
    )
    assert "**2.8%**" in (answer.description or "")
    # The definition names guide 004, so the footer does too, even where the tier cites no guide.
    small = account_engagement(10, 1, 1, posts=2, followers=500, saves=1)
    footer = account_embed(small, band_for(500), tier_for(500), msgs).footer.text or ""
    assert footer == "Source: Engagement on TikTok and Micro-influencers"
    plain = account_engagement(10, 1, 1, posts=2, followers=500)
    assert (
        account_embed(plain, band_for(500), tier_for(500), msgs).footer.text == "Source: Engagement on TikTok"
    )


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
            for target_posts in (None, 1, MAX_COUNT):
                needed = interactions_for_target(followers, target, target_posts)
                answers.append(
                    (f"target {target} {target_posts} {followers}", target_embed(needed, match, tier, msgs))
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


@pytest.mark.parametrize(("lang", "shown"), [("en", "To reach **0.001%**"), ("nl", "Om **0,001%** te halen")])
def test_a_tiny_target_is_not_rounded_to_nothing(lang: Lang, shown: str) -> None:
    result = interactions_for_target(1_000, 0.001)
    assert shown in (
        target_embed(result, band_for(1_000), tier_for(1_000), messages_for(lang)).description or ""
    )
