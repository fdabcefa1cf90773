"""Coaching answers: what a member reads in each language, and Discord's limits for every topic and input."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import discord
import pytest

from bot.domain.checkins import WeekSummary
from bot.domain.coaching import diagnose, post_signals, rotating_tip, tips
from bot.domain.engagement import MAX_COUNT
from bot.domain.history import LoggedPost
from bot.domain.monetization import check_programmes, media_kit, monetization, sponsored_price
from bot.domain.progress import Streak
from bot.domain.search import ask
from bot.domain.weeks import IsoWeek
from bot.i18n import Lang, messages_for
from bot.render.checkins import week_line
from bot.render.coaching import (
    ask_embed,
    daily_tip_embed,
    diagnosis_embed,
    dollars,
    mediakit_embed,
    monetize_embed,
    post_signals_line,
    price_lines,
    topic_embed,
)
from bot.render.common import source_line
from tests.domain.test_search import QUESTIONS
from tests.e2e.stand_in.limits import check_embeds

LANGS: tuple[Lang, ...] = ("nl", "en")
TIPS = tips()
START = datetime(2025, 3, 3, 18, tzinfo=UTC)


def within_limits(answer: discord.Embed) -> None:
    assert check_embeds([answer.to_dict()], "answer") == []


def text_of(answer: discord.Embed) -> str:
    data = answer.to_dict()
    parts = [data.get("title", ""), data.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in data.get("fields", [])]
    parts.append(data.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def logged(n: int, saves: int = 8) -> LoggedPost:
    at = START + timedelta(days=n)
    return LoggedPost(n, 1, 2, at, at, 100, 10, 5, saves, None, 5_000, None)


@pytest.mark.parametrize("lang", LANGS)
def test_every_topic_fits_and_names_its_guides(lang: Lang) -> None:
    msgs = messages_for(lang)
    for topic in TIPS.topics:
        answer = topic_embed(msgs, topic)
        within_limits(answer)
        assert answer.title and topic.name(lang) in answer.title
        for tip in topic.tips:
            assert tip.text(lang) in (answer.description or "")
        assert (answer.footer.text or "").startswith("Bron: " if lang == "nl" else "Source: ")


def test_hashtag_topic_in_both_languages() -> None:
    dutch = topic_embed(messages_for("nl"), TIPS.topic("hashtags"))
    english = topic_embed(messages_for("en"), TIPS.topic("hashtags"))
    assert "3 tot 5 hashtags" in (dutch.description or "")
    assert "3 to 5 hashtags" in (english.description or "")
    assert "*(Betrokkenheid op TikTok)*" in (dutch.description or "")
    # English answers name the guides by their English titles.
    assert "*(Engagement on TikTok)*" in (english.description or "")
    assert "Betrokkenheid" not in (english.description or "") + (english.footer.text or "")


@pytest.mark.parametrize("lang", LANGS)
def test_every_rotating_tip_fits(lang: Lang) -> None:
    msgs = messages_for(lang)
    for day in range(len(TIPS.all_tips())):
        ref = rotating_tip(TIPS, date(2025, 1, 1) + timedelta(days=day))
        answer = daily_tip_embed(msgs, ref, msgs("coaching.tips.no_history", needed="5", logged="2"))
        within_limits(answer)
        assert ref.tip.text(lang) in (answer.description or "")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", ["**2 keren opgeslagen** per 100 likes", "**8**", "75% onder", "Echtheid en waarde"]),
        ("en", ["**2 saves** per 100 likes", "**8**", "75% below", "Authenticity and value"]),
    ],
)
def test_diagnosis_names_the_lagging_signal_and_its_tips(lang: Lang, expected: list[str]) -> None:
    history = [logged(i) for i in range(9)] + [logged(9 + i, saves=2) for i in range(3)]
    diagnosis = diagnose(TIPS, history)
    assert diagnosis is not None
    answer = diagnosis_embed(messages_for(lang), diagnosis, rotating_tip(TIPS, date(2025, 1, 1)))
    within_limits(answer)
    for part in expected:
        assert part in text_of(answer)
    for tip in TIPS.topic("value").tips:
        assert tip.text(lang) in (answer.description or "")
    # The windows (3 posts against 12) and the per-100-likes ratios are Pulse's method: marked, and no guide is
    # cited for them (the footer names only the tips' guides).
    msgs = messages_for(lang)
    finding = (answer.description or "").split("\n\n")[0]
    assert finding.endswith(msgs("common.own_choice"))
    tip_guides = {g for tip in TIPS.topic("value").tips for g in tip.guides}
    assert answer.footer.text == source_line(msgs, *TIPS.topic("value").guides)
    assert tip_guides == set(TIPS.topic("value").guides)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "**4 dagen uit elkaar**, tegen **1 dag** normaal"),
        ("en", "**4 days apart**, against **1 day** usually"),
    ],
)
def test_diagnosis_of_a_slower_rhythm(lang: Lang, expected: str) -> None:
    history = [logged(i) for i in range(8)]
    last = history[-1].posted_at
    history += [
        LoggedPost(20 + i, 1, 2, last + timedelta(days=4 * (i + 1)), last, 100, 10, 5, 8, None, 5_000, None)
        for i in range(3)
    ]
    diagnosis = diagnose(TIPS, history)
    assert diagnosis is not None
    answer = diagnosis_embed(messages_for(lang), diagnosis, rotating_tip(TIPS, date(2025, 1, 1)))
    within_limits(answer)
    assert expected in (answer.description or "")


@pytest.mark.parametrize("lang", LANGS)
def test_diagnosis_with_nothing_lagging_offers_a_tip(lang: Lang) -> None:
    diagnosis = diagnose(TIPS, [logged(i) for i in range(10)])
    assert diagnosis is not None and diagnosis.lagging is None
    ref = rotating_tip(TIPS, date(2025, 1, 1))
    answer = diagnosis_embed(messages_for(lang), diagnosis, ref)
    within_limits(answer)
    assert ref.tip.text(lang) in (answer.description or "")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "Sterkste signaal: **likes** (79% van de interacties); zwakste: **keren opgeslagen** (4%)"),
        ("en", "Strongest signal: **likes** (79% of the interactions); weakest: **saves** (4%)"),
    ],
)
def test_engagement_line_for_the_guide_example(lang: Lang, expected: str) -> None:
    signals = post_signals(TIPS, 300, 40, 25, 15, 5_000)
    assert signals is not None
    line = post_signals_line(messages_for(lang), signals)
    assert line.startswith(expected)
    assert ("Echtheid en waarde" if lang == "nl" else "Authenticity and value") in line
    # Which signal is strongest and which tips help is Pulse's reading of the numbers, not a guide's.
    assert line.endswith(messages_for(lang)("common.own_choice"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_question_answer_fits(lang: Lang) -> None:
    for question, _ in QUESTIONS:
        answer = ask_embed(messages_for(lang), question, ask(question))
        within_limits(answer)
        assert answer.fields and (answer.footer.text or "")


def test_a_long_question_with_markdown_is_escaped_and_clipped() -> None:
    question = "**hashtags** " + "x" * 400
    answer = ask_embed(messages_for("en"), question, ask(question))
    within_limits(answer)
    assert answer.title and "\\*\\*hashtags\\*\\*" in answer.title and answer.title.endswith("…")


MONETIZE_INPUTS = [
    (1, None, None),
    (999, 0, False),
    (7_700, None, True),
    (10_000, 100_000, True),
    (99_999, 99_999, None),
    (1_000_000, 5_000_000, True),
    (MAX_COUNT, MAX_COUNT, True),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("followers", "views", "adult"), MONETIZE_INPUTS)
def test_monetize_fits_for_any_input(
    lang: Lang, followers: int, views: int | None, adult: bool | None
) -> None:
    checks = check_programmes(monetization(), followers, views, adult)
    answer = monetize_embed(messages_for(lang), followers, checks, sponsored_price(followers))
    within_limits(answer)
    assert len(answer.fields) == len(checks) + 1


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "nl",
            [
                "❌ Creator Rewards-programma",
                "Nog 2.300 volgers nodig (10.000 vereist)",
                "vul `weergaven_30d` in",
                "✅ LIVE-cadeaus en -abonnementen",
                "**$77–$154**",
                "$10–$20",
                "geen TikTok-prijs voor een Nano-influencer",
            ],
        ),
        (
            "en",
            [
                "❌ Creator Rewards Program",
                "2,300 more followers (10,000 needed)",
                "tell me with `views_30d`",
                "✅ LIVE gifts and subscriptions",
                "**$77–$154**",
                "$10–$20",
                "no TikTok price for a Nano-influencer",
            ],
        ),
    ],
)
def test_monetize_checklist_says_what_is_missing(lang: Lang, expected: list[str]) -> None:
    checks = check_programmes(monetization(), 7_700, None, True)
    answer = monetize_embed(messages_for(lang), 7_700, checks, sponsored_price(7_700))
    text = text_of(answer)
    for part in expected:
        assert part in text, part
    assert ("Geld verdienen op TikTok" if lang == "nl" else "Making money on TikTok") in (
        answer.footer.text or ""
    )
    assert "Micro-influencers" in (answer.footer.text or "")


def test_monetize_micro_tier_range() -> None:
    checks = check_programmes(monetization(), 25_000, 200_000, True)
    text = text_of(monetize_embed(messages_for("en"), 25_000, checks, sponsored_price(25_000)))
    assert "**$250–$500**" in text
    assert "What Micro-influencers ask for a TikTok post (*Micro-influencers*): $50–$800." in text
    # $250–$500 lies inside guide 004's TikTok range: the two figures agree and the answer says so.
    assert "here the rule's estimate lies within the TikTok range" in text
    assert "✅ Creator Rewards Program" in text


@pytest.mark.parametrize(
    ("amount", "lang", "expected"),
    [(Fraction(999, 100), "en", "$9.99"), (Fraction(77), "nl", "$77"), (Fraction(123_456), "nl", "$123.456")],
)
def test_dollars(amount: Fraction, lang: Lang, expected: str) -> None:
    assert dollars(messages_for(lang), amount) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "nl",
            [
                "Volgers: 5.000",
                "Gemiddelde betrokkenheid: 7,6% over de laatste 4 posts (Hoog bij 5k–10k volgers)",
                "Nano-influencer",
                "$50–$100",
            ],
        ),
        (
            "en",
            [
                "Followers: 5,000",
                "Average engagement rate: 7.6% over the last 4 posts (High for 5k–10k followers)",
                "Nano-influencer",
                "$50–$100",
            ],
        ),
    ],
)
def test_mediakit_block(lang: Lang, expected: list[str]) -> None:
    posts = [
        LoggedPost(i, 1, 2, START + timedelta(days=i), START, 300, 40, 25, 15, None, 5_000, None)
        for i in range(4)
    ]
    kit = media_kit(posts, window=15)
    assert kit is not None
    items = [i.text(lang) for i in monetization().media_kit.items if not i.filled]
    answer = mediakit_embed(messages_for(lang), kit, items)
    within_limits(answer)
    block = (answer.description or "").split("```")[1]
    for part in expected:
        assert part in block, part
    for item in items:
        assert item in text_of(answer)
    msgs = messages_for(lang)
    definition = next(f.value or "" for f in answer.fields if f.name == msgs("engagement.definition.field"))
    # One definition of the average, with guide 000's figure without saves beside it.
    assert definition.endswith("**7,3%**." if lang == "nl" else "**7.3%**.")
    assert (
        "Rate per sponsored post (industry rule): $50–$100" in block or "Tarief per gesponsorde post" in block
    )


@pytest.mark.parametrize("lang", LANGS)
def test_mediakit_fits_at_the_extremes(lang: Lang) -> None:
    for followers, likes in ((1, MAX_COUNT), (MAX_COUNT, 0), (500, 3)):
        posts = [LoggedPost(1, 1, 2, START, START, likes, 0, 0, 0, None, followers, None)]
        kit = media_kit(posts, window=15)
        assert kit is not None
        within_limits(mediakit_embed(messages_for(lang), kit, ["x"]))


@pytest.mark.parametrize(
    ("lang", "followers", "expected"),
    [
        # Prices are written as prices: whole dollars from $10, never "$65,4–$130,8".
        ("en", 6_038, "$60–$121"),
        ("nl", 6_038, "$60–$121"),
        ("en", 6_540, "$65–$131"),
        ("nl", 65_400, "$654–$1.308"),
        ("en", 25_000, "$250–$500"),
        # Below $10 cents still mean something, always two of them, on both ends.
        ("en", 450, "$4.50–$9.00"),
        ("nl", 450, "$4,50–$9,00"),
        ("en", 700, "$7.00–$14.00"),
    ],
)
def test_a_price_range_keeps_one_precision(lang: Lang, followers: int, expected: str) -> None:
    lines = price_lines(messages_for(lang), sponsored_price(followers))
    assert expected in lines[0]


@pytest.mark.parametrize(
    ("lang", "rule", "tier_range", "together"),
    [
        (
            "en",
            "**$800–$1,600**",
            "What Micro-influencers ask for a TikTok post (*Micro-influencers*): $50–$800.",
            "Both figures are from *Micro-influencers*, but they measure different things",
        ),
        (
            "nl",
            "**$800–$1.600**",
            "Wat een Micro-influencer vraagt voor een TikTok-post (*Micro-influencers*): $50–$800.",
            "Beide cijfers komen uit *Micro-influencers*, maar ze meten iets anders",
        ),
    ],
)
def test_prices_that_disagree_say_where_both_come_from(
    lang: Lang, rule: str, tier_range: str, together: str
) -> None:
    # 80 000 followers: the $10–20 per 1 000 rule gives $800–$1,600, above the $50–$800 micro-influencers ask on
    # TikTok. Both are guide 004's; the answer says so, how to read them together, and marks that reading as Pulse's.
    msgs = messages_for(lang)
    price = sponsored_price(80_000)
    assert price.against_range == "above"
    rule_line, range_line, reading = price_lines(msgs, price)
    assert rule in rule_line and "*Micro-influencers*" in rule_line
    assert range_line == tier_range
    assert reading.startswith(together)
    assert msgs("coaching.monetize.side_above") in reading
    assert reading.endswith(msgs("common.own_choice"))


def test_prices_below_the_guides_smallest_tier_are_marked_as_pulses() -> None:
    msgs = messages_for("en")
    price = sponsored_price(500)
    assert price.below_guides and price.tier.key == "starter"
    lines = price_lines(msgs, price)
    assert "**$5.00–$10.00**" in lines[0]
    assert lines[1] == (
        "The guides price no account under 1,000 followers; the estimate applies the same rule anyway. "
        + msgs("common.own_choice")
    )
    assert not sponsored_price(1_000).below_guides


@pytest.mark.parametrize("lang", LANGS)
def test_checkin_week_against_the_four_before_is_marked_as_pulses(lang: Lang) -> None:
    msgs = messages_for(lang)
    streak = Streak(current=2, longest=2, posted_this_week=True)
    week = IsoWeek(2026, 47)
    compared = week_line(msgs, WeekSummary(week, 2, Fraction(3), Fraction(2), 4, streak))
    assert ("+50%" in compared) and compared.endswith(msgs("common.own_choice"))
    alone = week_line(msgs, WeekSummary(week, 2, Fraction(3), None, 0, streak))
    assert msgs("common.own_choice") not in alone
