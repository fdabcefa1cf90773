"""Coaching knowledge and logic: the tips file, topic lookup and autocomplete, the rotating tip, the diagnosis."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import pytest

from bot.domain import knowledge
from bot.domain.benchmarks import benchmarks
from bot.domain.coaching import (
    MAX_CHOICES,
    PostSignals,
    Signal,
    Tips,
    diagnose,
    post_signals,
    rotating_tip,
    tips,
    topic_choices,
)
from bot.domain.history import LoggedPost
from bot.domain.knowledge import KnowledgeError
from bot.domain.text import Lang, figures_in, fold

TIPS = tips()
START = datetime(2025, 3, 3, 18, 0, tzinfo=UTC)

# The topics the issue asks for, by key.
TOPICS = {
    "hook",
    "length",
    "posting",
    "hashtags",
    "trends",
    "community",
    "collaboration",
    "analytics",
    "cta",
    "value",
    "monetisation",
    "brand_deals",
    "wellbeing",
}


def tip(tip_id: str):
    return next(ref.tip for ref in TIPS.all_tips() if ref.tip.id == tip_id)


# --- the knowledge file ---------------------------------------------------------------------------


def test_every_topic_the_issue_names_is_there_with_three_to_seven_tips() -> None:
    assert {t.key for t in TIPS.topics} == TOPICS
    for topic in TIPS.topics:
        assert 3 <= len(topic.tips) <= 7, topic.key


def test_every_tip_names_a_guide_and_speaks_both_languages() -> None:
    guide_ids = {g.id for g in knowledge.guides().guides}
    for ref in TIPS.all_tips():
        assert ref.tip.guides and set(ref.tip.guides) <= guide_ids
        assert ref.tip.nl.strip() and ref.tip.en.strip()
        assert ref.tip.nl != ref.tip.en


GUIDES_DIR = Path(__file__).resolve().parents[3] / "shared" / "guides"
# Seven words in a row shared with a guide is copying, not a common phrase or a figure.
COPY_WORDS = 7


def runs(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", fold(text))
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not GUIDES_DIR.is_dir(), reason="the guides live outside the repository, in ../shared")
def test_no_tip_copies_a_guide() -> None:
    guide_runs: set[tuple[str, ...]] = set()
    for guide in knowledge.guides().guides:
        guide_runs |= runs((GUIDES_DIR / guide.file).read_text(encoding="utf-8"), COPY_WORDS)
    for ref in TIPS.all_tips():
        copied = runs(ref.tip.nl, COPY_WORDS) & guide_runs
        assert not copied, (ref.tip.id, [" ".join(r) for r in copied])


# The guides' figures, exactly as stated (the fixture is the guide, not the data file).
GUIDE_FACTS = {
    ("hook-three-seconds", "seconds"): 3,  # 000, 001: the first three seconds
    ("length-sweet-spot", "min_seconds"): 15,  # 000: sweet spot 15-30 s
    ("length-sweet-spot", "max_seconds"): 30,
    ("length-rewards-minute", "minutes"): 1,  # 001, 003: longer than one minute
    ("length-options", "max_minutes"): 10,  # 001: 15 s to 10 min
    ("posting-daily-start", "per_day"): 1,  # 000, 001: at least one a day
    ("posting-evening-window", "min_per_day"): 1,  # 004: 1-3 times a day between 6-10 PM
    ("posting-evening-window", "max_per_day"): 3,
    ("posting-evening-window", "from_hour"): 18,
    ("posting-evening-window", "to_hour"): 22,
    ("posting-hour-before-peak", "hours_before"): 1,  # 000: an hour before peak activity
    ("hashtags-how-many", "min"): 3,  # 000: 3-5 relevant tags per post
    ("hashtags-how-many", "max"): 5,
    ("community-live", "followers"): 1000,  # 001: LIVE from 1 000 followers
    ("analytics-average-posts", "min_posts"): 12,  # 000: last 12-15 posts
    ("analytics-average-posts", "max_posts"): 15,
    ("analytics-save-ratio", "completion_percent"): 70,  # 004: Stories watched to the end by more than 70%
    ("analytics-good-rate", "average_min"): 4,  # 000 FAQ: the TikTok average usually lies between 4% and 8%
    ("analytics-good-rate", "average_max"): 8,
    ("analytics-good-rate", "nano_followers"): 10000,  # 000 FAQ: nano (under 10k) can see well above 10%
    ("analytics-good-rate", "nano_rate"): 10,
    ("analytics-good-rate", "mega_min"): 1,  # 000 FAQ: mega (over 1M) closer to 1-4%
    ("analytics-good-rate", "mega_max"): 4,
    ("money-creator-fund", "minutes"): 1,  # 003 FAQ: especially for videos longer than one minute
    ("money-creator-rewards", "age"): 18,  # 001, 003
    ("money-creator-rewards", "followers"): 10000,
    ("money-creator-rewards", "views_30d"): 100000,
    ("money-live-gifts", "followers"): 1000,
    ("brand-engagement-beats-size", "big_rate"): Fraction(1, 2),  # 000: 500 000 at 0.5%
    ("wellbeing-tools", "minutes"): 60,  # 002: e.g. 60 minutes a day
}


@pytest.mark.parametrize(("key", "expected"), GUIDE_FACTS.items(), ids=lambda v: str(v))
def test_tip_facts_are_the_guide_figures(key: tuple[str, str], expected: Fraction) -> None:
    tip_id, fact = key
    assert tip(tip_id).fact(fact) == expected


def test_every_fact_appears_in_both_texts() -> None:
    for ref in TIPS.all_tips():
        for value in ref.tip.facts.values():
            digits = value.replace(".", "")
            assert digits in figures_in(ref.tip.nl), (ref.tip.id, value)
            assert digits in figures_in(ref.tip.en), (ref.tip.id, value)


def test_price_tips_agree_with_the_benchmark_data() -> None:
    data = benchmarks()
    rule = data.references.price_per_followers_usd
    per_thousand = tip("brand-rate-per-thousand")
    assert (per_thousand.fact("min"), per_thousand.fact("max")) == (rule.low, rule.high)
    assert per_thousand.fact("per_followers") == rule.per_followers
    ranges = tip("brand-tiktok-ranges")
    micro, macro = data.tier("micro").tiktok_price_usd, data.tier("macro").tiktok_price_usd
    assert micro is not None and macro is not None
    assert (ranges.fact("micro_min"), ranges.fact("micro_max")) == (micro.low, micro.high) == (50, 800)
    assert (ranges.fact("macro_min"), ranges.fact("macro_max")) == (macro.low, macro.high) == (3000, 15000)


def test_length_tips_say_which_goal_they_serve() -> None:
    assert tip("length-sweet-spot").goal == "engagement"
    assert tip("length-rewards-minute").goal == "rewards"


def test_diagnosis_window_is_guide_000s_recent_posts() -> None:
    window = tip("analytics-average-posts")
    assert window.fact("min_posts") <= TIPS.diagnosis.window <= window.fact("max_posts")


def test_every_signal_has_a_helping_topic() -> None:
    assert {s: TIPS.for_signal(s).key for s in Signal} == {
        Signal.LIKES: "hook",
        Signal.COMMENTS: "community",
        Signal.SHARES: "cta",
        Signal.SAVES: "value",
        Signal.FREQUENCY: "posting",
    }


def write_tips(tmp_path: Path, edit) -> Path:
    text = (knowledge.DATA_DIR / "tips.toml").read_text(encoding="utf-8")
    (tmp_path / "tips.toml").write_text(edit(text), encoding="utf-8")
    return tmp_path


def test_a_fact_missing_from_a_text_stops_the_load(tmp_path: Path) -> None:
    broken = write_tips(
        tmp_path, lambda t: t.replace('facts = { min = "3", max = "5" }', 'facts = { min = "4", max = "5" }')
    )
    with pytest.raises(KnowledgeError, match=r"tips\.toml.*hashtags-how-many.*min=4"):
        knowledge.load("tips.toml", Tips, broken)


def test_a_signal_pointing_at_an_unknown_topic_stops_the_load(tmp_path: Path) -> None:
    broken = write_tips(tmp_path, lambda t: t.replace('saves = "value"', 'saves = "valeu"'))
    with pytest.raises(KnowledgeError, match="valeu"):
        knowledge.load("tips.toml", Tips, broken)


def test_a_tip_without_a_guide_stops_the_load(tmp_path: Path) -> None:
    broken = write_tips(
        tmp_path,
        lambda t: t.replace(
            'guides = ["004"]\nfacts = { min_per_day', "guides = []\nfacts = { min_per_day", 1
        ),
    )
    with pytest.raises(KnowledgeError, match="guides"):
        knowledge.load("tips.toml", Tips, broken)


# --- topic lookup and autocomplete ----------------------------------------------------------------


def keys(choices) -> list[str]:
    return [c.key for c in choices]


def test_empty_input_lists_every_topic_within_discords_limit() -> None:
    for lang in ("nl", "en"):
        choices = topic_choices(TIPS, "", lang)
        assert keys(choices) == [t.key for t in TIPS.topics]
        assert len(choices) <= MAX_CHOICES
    assert topic_choices(TIPS, "", "nl")[0].name == "Hook en de eerste 3 seconden"
    assert topic_choices(TIPS, "", "en")[0].name == "Hook and the first 3 seconds"


@pytest.mark.parametrize(
    ("typed", "lang", "expected"),
    [
        ("hash", "nl", ["hashtags"]),
        ("Hash", "en", ["hashtags"]),
        ("video", "nl", ["length"]),
        ("video", "en", ["length"]),
        ("samen", "nl", ["collaboration"]),
        ("collab", "en", ["collaboration"]),
        ("duet", "nl", ["collaboration"]),
        ("geld", "nl", ["monetisation"]),
        ("monet", "en", ["monetisation"]),
        ("welzijn", "nl", ["wellbeing"]),
        ("wellbeing", "en", ["wellbeing"]),
        ("mediakit", "nl", ["brand_deals"]),
        ("media kit", "en", ["brand_deals"]),
        ("oproep", "nl", ["cta"]),
        ("calls", "en", ["cta"]),
        ("echth", "nl", ["value"]),
        ("seo", "nl", ["hashtags"]),
        ("geluid", "nl", ["trends"]),
        ("sounds", "en", ["trends"]),
    ],
)
def test_autocomplete_filters_by_what_is_typed(typed: str, lang: Lang, expected: list[str]) -> None:
    assert keys(topic_choices(TIPS, typed, lang)) == expected


def test_autocomplete_names_topics_in_the_members_language() -> None:
    assert [c.name for c in topic_choices(TIPS, "hash", "nl")] == ["Hashtags en TikTok-SEO"]
    assert [c.name for c in topic_choices(TIPS, "hash", "en")] == ["Hashtags and TikTok SEO"]


def test_autocomplete_falls_back_to_the_other_language_after_own_matches() -> None:
    # "posting" is the English name's start; a Dutch member typing it still finds the topic, named in Dutch.
    assert [(c.key, c.name) for c in topic_choices(TIPS, "posting", "nl")] == [
        ("posting", "Postfrequentie en timing")
    ]
    # "ge" starts Dutch words in several names; own-language matches come first, in file order.
    assert keys(topic_choices(TIPS, "ge", "nl"))[0] == "monetisation"


def test_autocomplete_ignores_accents_and_case() -> None:
    assert keys(topic_choices(TIPS, "ÉCHTHEID", "nl")) == ["value"]


def test_autocomplete_with_no_match_is_empty() -> None:
    assert topic_choices(TIPS, "xyzzy", "nl") == []
    assert topic_choices(TIPS, "xyzzy", "en") == []


def test_autocomplete_never_passes_the_limit() -> None:
    assert len(topic_choices(TIPS, "", "en", limit=100)) <= MAX_CHOICES
    assert len(topic_choices(TIPS, "", "en", limit=2)) == 2


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("hashtags", "nl", "hashtags"),
        ("Hashtags en TikTok-SEO", "nl", "hashtags"),
        ("hashtags and tiktok seo", "nl", "hashtags"),
        ("Digitaal welzijn", "en", "wellbeing"),
        ("duet", "en", "collaboration"),
        ("nonsense", "en", None),
        ("", "en", None),
        ("e", "en", None),  # matches many topics: ambiguous, not a guess
    ],
)
def test_find_topic_accepts_a_key_a_name_or_a_single_match(
    text: str, lang: Lang, expected: str | None
) -> None:
    found = TIPS.find_topic(text, lang)
    assert (found.key if found else None) == expected


# --- rotating tip ---------------------------------------------------------------------------------


def test_rotating_tip_cycles_through_every_tip() -> None:
    total = len(TIPS.all_tips())
    day = date(2025, 1, 1)
    seen = [rotating_tip(TIPS, day + timedelta(days=i)).tip.id for i in range(total)]
    assert sorted(seen) == sorted(ref.tip.id for ref in TIPS.all_tips())


def test_rotating_tip_changes_topic_from_day_to_day() -> None:
    day = date(2025, 6, 1)
    topics = [rotating_tip(TIPS, day + timedelta(days=i)).topic.key for i in range(30)]
    assert all(a != b for a, b in pairwise(topics))


def test_rotating_tip_is_stable_for_a_day_and_seed_and_shifts_with_the_seed() -> None:
    day = date(2025, 6, 1)
    assert rotating_tip(TIPS, day, seed=42) == rotating_tip(TIPS, day, seed=42)
    assert rotating_tip(TIPS, day, seed=1) != rotating_tip(TIPS, day, seed=2)


# --- personal diagnosis ---------------------------------------------------------------------------


def post(
    n: int,
    likes: int = 100,
    comments: int = 10,
    shares: int = 5,
    saves: int = 8,
    gap_days: float = 1,
    followers: int = 5000,
) -> LoggedPost:
    posted = START + timedelta(days=gap_days * n)
    return LoggedPost(
        id=n,
        guild_id=1,
        user_id=2,
        posted_at=posted,
        logged_at=posted + timedelta(hours=1),
        likes=likes,
        comments=comments,
        shares=shares,
        saves=saves,
        views=None,
        followers=followers,
        title=None,
    )


def steady(count: int) -> list[LoggedPost]:
    return [post(i) for i in range(count)]


def test_too_little_history_gives_no_diagnosis() -> None:
    need = TIPS.diagnosis.recent_posts + TIPS.diagnosis.min_baseline_posts
    assert need == 5
    assert diagnose(TIPS, steady(need - 1)) is None
    assert diagnose(TIPS, []) is None
    assert diagnose(TIPS, steady(need)) is not None


def test_a_steady_member_has_nothing_lagging() -> None:
    result = diagnose(TIPS, steady(10))
    assert result is not None
    assert result.lagging is None and result.topic is None
    assert {t.signal for t in result.trends} == {
        Signal.SAVES,
        Signal.SHARES,
        Signal.COMMENTS,
        Signal.FREQUENCY,
    }
    assert all(t.score == 1 for t in result.trends)


def test_falling_saves_are_found_and_point_to_the_value_topic() -> None:
    history = steady(9) + [post(9 + i, saves=2) for i in range(3)]
    result = diagnose(TIPS, history)
    assert result is not None and result.lagging is not None
    assert result.lagging.signal is Signal.SAVES
    # 8 saves per 100 likes usually, 2 per 100 lately: a quarter of the usual.
    assert (result.lagging.usual, result.lagging.recent, result.lagging.score) == (
        Fraction(8, 100),
        Fraction(2, 100),
        Fraction(1, 4),
    )
    assert result.topic is not None and result.topic.key == "value"
    assert (result.recent_posts, result.baseline_posts) == (3, 9)


def test_the_signal_that_lags_most_wins() -> None:
    # Shares fall to 40% of usual, comments to 70%: shares lag most.
    history = steady(8) + [post(8 + i, shares=2, comments=7) for i in range(3)]
    result = diagnose(TIPS, history)
    assert result is not None and result.lagging is not None
    assert result.lagging.signal is Signal.SHARES
    assert result.topic is not None and result.topic.key == "cta"
    assert [t.signal for t in result.trends][:2] == [Signal.SHARES, Signal.COMMENTS]


def test_comments_lagging_point_to_community() -> None:
    history = steady(8) + [post(8 + i, comments=3) for i in range(3)]
    result = diagnose(TIPS, history)
    assert result is not None and result.lagging is not None and result.topic is not None
    assert (result.lagging.signal, result.topic.key) == (Signal.COMMENTS, "community")


def test_signals_are_taken_per_like_so_reach_alone_does_not_lag() -> None:
    # The last posts reached twice as many people: every count doubles, but per like nothing changed.
    history = steady(8) + [post(8 + i, likes=200, comments=20, shares=10, saves=16) for i in range(3)]
    result = diagnose(TIPS, history)
    assert result is not None
    assert result.lagging is None


def test_posting_less_often_is_found() -> None:
    daily = [post(i) for i in range(8)]
    # Then three posts four days apart each.
    slower = [
        replace(post(8 + i), posted_at=daily[-1].posted_at + timedelta(days=4 * (i + 1))) for i in range(3)
    ]
    result = diagnose(TIPS, daily + slower)
    assert result is not None and result.lagging is not None and result.topic is not None
    assert result.lagging.signal is Signal.FREQUENCY
    assert (result.lagging.usual, result.lagging.recent, result.lagging.score) == (1, 4, Fraction(1, 4))
    assert result.topic.key == "posting"


def test_a_small_dip_below_the_lag_line_is_not_called_lagging() -> None:
    # 8 -> 7.5 saves per 100 likes is 93.75% of usual: above the 90% line.
    history = steady(8) + [post(8 + i, likes=200, comments=20, shares=10, saves=15) for i in range(3)]
    result = diagnose(TIPS, history)
    assert result is not None
    saves = next(t for t in result.trends if t.signal is Signal.SAVES)
    assert saves.score == Fraction(15, 16)
    assert result.lagging is None


def test_only_the_last_fifteen_posts_count() -> None:
    # Very old posts with huge saves must not make today's normal saves look weak.
    old = [post(i, saves=80) for i in range(20)]
    recent = [post(20 + i) for i in range(15)]
    result = diagnose(TIPS, old + recent)
    assert result is not None
    assert result.baseline_posts == 12
    assert result.lagging is None


def test_posts_are_read_in_time_order_whatever_order_they_come_in() -> None:
    history = steady(9) + [post(9 + i, saves=2) for i in range(3)]
    newest_first = list(reversed(history))
    assert diagnose(TIPS, newest_first) == diagnose(TIPS, history)


def test_posts_without_likes_do_not_break_the_ratios() -> None:
    history = [*steady(6), post(6, likes=0, comments=0, shares=0, saves=0), *steady(9)[7:]]
    result = diagnose(TIPS, history)
    assert result is not None
    assert {t.signal for t in result.trends} >= {Signal.SAVES, Signal.SHARES, Signal.COMMENTS}


def test_a_signal_never_used_before_cannot_lag() -> None:
    history = [post(i, saves=0) for i in range(8)]
    result = diagnose(TIPS, history)
    assert result is not None
    assert Signal.SAVES not in {t.signal for t in result.trends}


@dataclass(frozen=True)
class StandIn:
    """Anything with the attribute names of a logged post will do."""

    posted_at: datetime
    likes: int
    comments: int
    shares: int
    saves: int
    followers: int


def test_the_diagnosis_reads_any_object_with_the_right_attributes() -> None:
    history = [StandIn(START + timedelta(days=i), 100, 10, 5, 8 if i < 7 else 1, 1000) for i in range(10)]
    result = diagnose(TIPS, history)
    assert result is not None and result.lagging is not None
    assert result.lagging.signal is Signal.SAVES


# --- one post's strongest and weakest signal ------------------------------------------------------


def test_guide_example_post_without_history_describes_its_mix() -> None:
    # Guide 000: 300 likes, 40 comments, 25 shares, 15 saves at 5 000 followers.
    result = post_signals(TIPS, 300, 40, 25, 15, 5000)
    assert isinstance(result, PostSignals)
    assert result.basis == "mix"
    assert (result.strongest, result.weakest) == (Signal.LIKES, Signal.SAVES)
    assert result.values[Signal.SAVES] == Fraction(15, 380)
    assert result.topic.key == "value"


def test_a_post_without_interactions_has_no_signals() -> None:
    assert post_signals(TIPS, 0, 0, 0, 0, 5000) is None


def test_ties_go_to_the_deeper_signal() -> None:
    result = post_signals(TIPS, 10, 0, 0, 0, 100)
    assert result is not None
    assert (result.strongest, result.weakest) == (Signal.LIKES, Signal.SAVES)


def test_with_history_each_signal_is_compared_with_the_members_usual() -> None:
    history = steady(6)  # 100 likes, 10 comments, 5 shares, 8 saves at 5 000 followers
    # Likes and comments as usual, shares tripled, saves halved.
    result = post_signals(TIPS, 100, 10, 15, 4, 5000, history)
    assert result is not None
    assert result.basis == "history"
    assert result.values == {
        Signal.LIKES: 1,
        Signal.COMMENTS: 1,
        Signal.SHARES: 3,
        Signal.SAVES: Fraction(1, 2),
    }
    assert (result.strongest, result.weakest) == (Signal.SHARES, Signal.SAVES)
    assert result.topic.key == "value"


def test_too_little_history_falls_back_to_the_mix() -> None:
    result = post_signals(TIPS, 100, 10, 15, 4, 5000, steady(1))
    assert result is not None and result.basis == "mix"


def test_the_wording_the_guides_use() -> None:
    # Guide 001: a view counts once a video starts playing; there is no one-second threshold.
    views = tip("analytics-views-count")
    assert "1 second" not in views.en and "1 seconde" not in views.nl and not views.facts
    # Guide 004's 70% is about Stories watched to the end, not about videos.
    saves = tip("analytics-save-ratio")
    assert "Stories" in saves.en and "Stories" in saves.nl and "Guide 004" not in saves.en
    # Guide 001: research which sounds your audience *uses*; guide 002: loneliness and *anxiety*.
    assert "geluiden ze reageren" not in tip("value-niche").nl
    assert "met welke geluiden ze zelf video's maken" in tip("value-niche").nl
    assert (
        "angst" in tip("wellbeing-offline-balance").nl and "onrust" not in tip("wellbeing-offline-balance").nl
    )
    # The 50 000 at 10% against 500 000 at 0.5% example is guide 000's alone.
    assert tip("brand-engagement-beats-size").guides == ["000"]
    # The $10-20 per 1 000 followers rule is the industry's for any platform, not a TikTok figure.
    rule = tip("brand-rate-per-thousand")
    assert "any platform" in rule.en and "elk platform" in rule.nl
    # No tip names a guide by number: answers name guides by title.
    for ref in TIPS.all_tips():
        for text in (ref.tip.nl, ref.tip.en):
            assert not re.search(r"\b(?:gids|guide) 00\d", text, re.IGNORECASE), ref.tip.id
