"""Coaching answers: what a member reads in each language, and Discord's limits for every topic and input."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import discord
import pytest

from bot.domain.coaching import diagnose, post_signals, rotating_tip, tips
from bot.domain.engagement import MAX_COUNT
from bot.domain.history import LoggedPost
from bot.domain.monetization import check_programmes, media_kit, monetization, sponsored_price
from bot.domain.search import ask
from bot.i18n import Lang, messages_for
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
    assert "*(Betrokkenheid op TikTok)*" in (english.description or "")


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
                "geen gebruikelijke TikTok-prijs voor een Nano-influencer",
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
                "no typical TikTok price for a Nano-influencer",
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
    assert "Geld verdienen op TikTok" in (answer.footer.text or "")
    assert "Micro-influencers" in (answer.footer.text or "")


def test_monetize_micro_tier_range() -> None:
    checks = check_programmes(monetization(), 25_000, 200_000, True)
    text = text_of(monetize_embed(messages_for("en"), 25_000, checks, sponsored_price(25_000)))
    assert "**$250–$500**" in text
    assert "Micro-influencers usually ask $50–$800 for a TikTok post." in text
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


@pytest.mark.parametrize("lang", LANGS)
def test_mediakit_fits_at_the_extremes(lang: Lang) -> None:
    for followers, likes in ((1, MAX_COUNT), (MAX_COUNT, 0), (500, 3)):
        posts = [LoggedPost(1, 1, 2, START, START, likes, 0, 0, 0, None, followers, None)]
        kit = media_kit(posts, window=15)
        assert kit is not None
        within_limits(mediakit_embed(messages_for(lang), kit, ["x"]))


@pytest.mark.parametrize(
    ("lang", "followers", "expected"),
    [("en", 6_038, "$60.38–$120.76"), ("nl", 6_038, "$60,38–$120,76"), ("en", 25_000, "$250–$500")],
)
def test_a_price_range_keeps_one_precision(lang: Lang, followers: int, expected: str) -> None:
    lines = price_lines(messages_for(lang), sponsored_price(followers))
    assert expected in lines[0]
