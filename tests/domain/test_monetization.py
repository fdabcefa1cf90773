"""Monetisation: the programmes and their requirements as the guides state them, checklists, prices, media kit."""

import re
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from bot.domain import knowledge
from bot.domain.benchmarks import Rating
from bot.domain.errors import InvalidInput
from bot.domain.history import LoggedPost
from bot.domain.knowledge import KnowledgeError
from bot.domain.monetization import (
    FILENAME,
    Monetization,
    ProgrammeCheck,
    Status,
    check_programmes,
    load_monetization,
    media_kit,
    monetization,
    sponsored_price,
)
from bot.domain.text import fold

MONEY = monetization()


def checklist(
    followers: int, views_30d: int | None = None, adult: bool | None = None
) -> dict[str, ProgrammeCheck]:
    return {c.programme.key: c for c in check_programmes(MONEY, followers, views_30d, adult)}


def threshold(check: ProgrammeCheck, kind: str):
    return next(t for t in check.thresholds if t.threshold.kind == kind)


# --- the knowledge file ---------------------------------------------------------------------------


def test_the_programmes_the_issue_names_are_there() -> None:
    assert [p.key for p in MONEY.programmes] == [
        "creator_rewards",
        "live_gifts",
        "video_gifts",
        "series",
        "affiliate",
        "tiktok_shop",
        "brand_partnerships",
        "own_products",
    ]


def test_creator_rewards_requirements_are_the_guides() -> None:
    # Guides 001 and 003: at least 18, at least 10 000 followers, at least 100 000 views in the last 30 days.
    rewards = MONEY.programme("creator_rewards")
    assert {t.kind: t.value for t in rewards.thresholds} == {
        "min_age": 18,
        "min_followers": 10_000,
        "min_views_30d": 100_000,
    }
    assert all(set(t.guides) == {"001", "003"} for t in rewards.thresholds)
    # Guide 003: most monetisation features are off by default; Creator Rewards and Video Gifts are switched on
    # in the Creator settings.
    assert {c.key for c in rewards.conditions} == {
        "original_content",
        "available_in_country",
        "enabled_in_settings",
    }
    assert "enabled_in_settings" in {c.key for c in MONEY.programme("video_gifts").conditions}


def test_live_needs_a_thousand_followers() -> None:
    # Guide 001: LIVE for users with at least 1 000 followers; guide 003: "often around 1 000".
    live = MONEY.programme("live_gifts")
    assert {t.kind: t.value for t in live.thresholds} == {"min_followers": 1_000}
    # Guide 003 gives LIVE subscriptions "a certain number of followers", no figure: said as such.
    assert "subscriptions_followers" in {c.key for c in live.conditions}
    assert "1.000" in live.summary_nl and "geen getal" in live.summary_nl


def test_settings_and_shop_conditions_belong_where_the_guides_put_them() -> None:
    # Guide 003 ties switching on in the settings to Creator Rewards and Video Gifts, not to Series, and names
    # no requirement for Series at all.
    series = MONEY.programme("series")
    assert [c.key for c in series.conditions] == ["requirements_not_given"]
    # "No direct requirement" is affiliate marketing's (guide 003); TikTok Shop needs products to sell (guide 001).
    assert MONEY.programme("affiliate").conditions == []
    shop = MONEY.programme("tiktok_shop")
    assert [(c.key, c.guides) for c in shop.conditions] == [("products_to_sell", ["001"])]
    assert shop.comparison is None


def test_programmes_without_figures_in_the_guides_have_no_thresholds() -> None:
    for key in ("video_gifts", "series", "affiliate", "tiktok_shop", "brand_partnerships", "own_products"):
        assert MONEY.programme(key).thresholds == [], key


def test_the_comparison_table_is_guide_003s() -> None:
    table = {
        p.key: (p.comparison.income, p.comparison.potential, p.comparison.effort)
        for p in MONEY.programmes
        if p.comparison
    }
    assert table == {
        "creator_rewards": ("variable_rpm", "medium_high", "medium"),
        "live_gifts": ("direct_tips", "low_medium", "low_medium"),
        "video_gifts": ("direct_tips", "low_medium", "low_medium"),
        "affiliate": ("commission", "medium", "medium"),
        "brand_partnerships": ("fixed_or_variable", "high", "high"),
        "own_products": ("direct_sales", "very_high", "very_high"),
    }
    assert all(p.comparison.guides == ["003"] for p in MONEY.programmes if p.comparison)


def test_media_kit_items_follow_guide_003() -> None:
    assert [i.key for i in MONEY.media_kit.items] == [
        "about",
        "niche",
        "stats",
        "audience",
        "rates",
        "examples",
    ]
    assert {i.key for i in MONEY.media_kit.items if i.filled} == {"stats", "rates"}


def write(tmp_path: Path, old: str, new: str) -> Path:
    text = (knowledge.DATA_DIR / FILENAME).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / FILENAME).write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


def test_a_threshold_the_summary_does_not_state_stops_the_load(tmp_path: Path) -> None:
    broken = write(tmp_path, "value = 10000", "value = 12000")
    with pytest.raises(KnowledgeError, match=r"monetization\.toml.*creator_rewards.*min_followers=12000"):
        knowledge.load(FILENAME, Monetization, broken)


def test_an_unknown_comparison_level_stops_the_load(tmp_path: Path) -> None:
    broken = write(tmp_path, 'potential = "medium_high"', 'potential = "huge"')
    with pytest.raises(KnowledgeError, match="potential"):
        knowledge.load(FILENAME, Monetization, broken)


def test_pricing_text_out_of_step_with_the_benchmarks_stops_the_load(tmp_path: Path) -> None:
    broken = write(tmp_path, "$3.000 tot $15.000", "$3.000 tot $16.000")
    with pytest.raises(
        KnowledgeError, match=r"monetization\.toml: field pricing: macro\.high=15000 not in the nl"
    ):
        load_monetization(broken)


def test_pricing_text_states_the_benchmark_prices() -> None:
    for text in (MONEY.pricing.summary_nl, MONEY.pricing.summary_en):
        digits = {re.sub(r"\D", "", n) for n in re.findall(r"\d+(?:[.,]\d+)*", text)}
        assert {"10", "20", "1000", "50", "800", "3000", "15000"} <= digits


GUIDES_DIR = Path(__file__).resolve().parents[3] / "shared" / "guides"


@pytest.mark.skipif(not GUIDES_DIR.is_dir(), reason="the guides live outside the repository, in ../shared")
def test_no_summary_copies_a_guide() -> None:
    def runs(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", fold(text))
        return {tuple(words[i : i + 7]) for i in range(len(words) - 6)}

    guide_runs: set[tuple[str, ...]] = set()
    for guide in knowledge.guides().guides:
        guide_runs |= runs((GUIDES_DIR / guide.file).read_text(encoding="utf-8"))
    texts = [p.summary_nl for p in MONEY.programmes]
    texts += [MONEY.pricing.summary_nl, MONEY.media_kit.summary_nl, MONEY.comparison.summary_nl]
    for text in texts:
        assert not runs(text) & guide_runs, text


# --- checklists at and around every threshold -----------------------------------------------------


@pytest.mark.parametrize(
    ("followers", "status", "missing"),
    [
        (9_999, Status.NOT_MET, 1),
        (10_000, Status.MET, None),
        (10_001, Status.MET, None),
        (7_700, Status.NOT_MET, 2_300),
    ],
)
def test_creator_rewards_followers(followers: int, status: Status, missing: int | None) -> None:
    check = threshold(checklist(followers, 500_000, True)["creator_rewards"], "min_followers")
    assert (check.status, check.missing) == (status, missing)


@pytest.mark.parametrize(
    ("views", "status", "missing"),
    [
        (99_999, Status.NOT_MET, 1),
        (100_000, Status.MET, None),
        (100_001, Status.MET, None),
        (0, Status.NOT_MET, 100_000),
    ],
)
def test_creator_rewards_views_in_30_days(views: int, status: Status, missing: int | None) -> None:
    check = threshold(checklist(20_000, views, True)["creator_rewards"], "min_views_30d")
    assert (check.status, check.missing) == (status, missing)


@pytest.mark.parametrize(
    ("adult", "status"), [(True, Status.MET), (False, Status.NOT_MET), (None, Status.UNKNOWN)]
)
def test_creator_rewards_age(adult: bool | None, status: Status) -> None:
    check = threshold(checklist(20_000, 200_000, adult)["creator_rewards"], "min_age")
    assert (check.status, check.missing) == (status, None)


def test_creator_rewards_met_only_when_every_figure_is_met() -> None:
    assert checklist(10_000, 100_000, True)["creator_rewards"].status is Status.MET
    assert checklist(9_999, 100_000, True)["creator_rewards"].status is Status.NOT_MET
    assert checklist(10_000, 99_999, True)["creator_rewards"].status is Status.NOT_MET
    assert checklist(10_000, 100_000, False)["creator_rewards"].status is Status.NOT_MET


def test_creator_rewards_unknown_when_a_figure_is_missing_but_nothing_fails() -> None:
    assert checklist(10_000, None, True)["creator_rewards"].status is Status.UNKNOWN
    assert checklist(10_000, 100_000, None)["creator_rewards"].status is Status.UNKNOWN
    # A failing figure outweighs a missing one.
    assert checklist(9_000, None, None)["creator_rewards"].status is Status.NOT_MET


def test_creator_rewards_always_lists_what_the_bot_cannot_check() -> None:
    check = checklist(50_000, 500_000, True)["creator_rewards"]
    assert check.status is Status.MET
    assert [c.key for c in check.conditions] == [
        "original_content",
        "available_in_country",
        "enabled_in_settings",
    ]


@pytest.mark.parametrize(
    ("followers", "status", "missing"),
    [
        (1, Status.NOT_MET, 999),
        (999, Status.NOT_MET, 1),
        (1_000, Status.MET, None),
        (1_001, Status.MET, None),
    ],
)
def test_live_gifts_followers(followers: int, status: Status, missing: int | None) -> None:
    check = checklist(followers)["live_gifts"]
    assert check.status is status
    assert threshold(check, "min_followers").missing == missing


def test_live_gifts_do_not_depend_on_age_or_views() -> None:
    assert checklist(1_000, None, None)["live_gifts"].status is Status.MET
    assert checklist(1_000, 0, False)["live_gifts"].status is Status.MET


def test_affiliate_has_no_direct_requirement() -> None:
    assert checklist(1)["affiliate"].status is Status.MET


@pytest.mark.parametrize(
    "key", ["video_gifts", "series", "tiktok_shop", "brand_partnerships", "own_products"]
)
def test_programmes_that_depend_on_things_the_bot_cannot_see_are_unknown(key: str) -> None:
    for followers in (1, 10_000, 5_000_000):
        check = checklist(followers, 10**9, True)[key]
        assert check.status is Status.UNKNOWN
        assert check.conditions


@pytest.mark.parametrize(
    ("followers", "views", "field", "rule"),
    [
        (0, None, "followers", "min"),
        (-5, None, "followers", "min"),
        (10**12 + 1, None, "followers", "max"),
        (100, -1, "views_30d", "min"),
        (100, 10**12 + 1, "views_30d", "max"),
    ],
)
def test_bad_input_is_refused(followers: int, views: int | None, field: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_programmes(MONEY, followers, views)
    assert (caught.value.field, caught.value.rule) == (field, rule)


def test_the_largest_counts_are_taken() -> None:
    checks = checklist(10**12, 10**12, True)
    assert checks["creator_rewards"].status is Status.MET


# --- the price of a sponsored post ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("followers", "low", "high", "tier", "tier_range"),
    [
        (
            25_000,
            250,
            500,
            "micro",
            (50, 800),
        ),  # guide 004: $10-20 per 1 000 followers; micro $50-800 on TikTok
        (10_000, 100, 200, "micro", (50, 800)),
        (99_999, Fraction(99_999, 100), Fraction(99_999, 50), "micro", (50, 800)),
        (5_000, 50, 100, "nano", None),  # no TikTok range for nano in the guides
        (999, Fraction(999, 100), Fraction(999, 50), "starter", None),
        (250_000, 2_500, 5_000, "mid_tier", None),
        (1_000_000, 10_000, 20_000, "macro", (3_000, 15_000)),  # macro $3 000-15 000 on TikTok
        (20_000_000, 200_000, 400_000, "mega", None),
    ],
)
def test_sponsored_price(followers: int, low: Fraction, high: Fraction, tier: str, tier_range) -> None:
    estimate = sponsored_price(followers)
    assert (estimate.low, estimate.high) == (low, high)
    assert estimate.per_followers == 1_000
    assert estimate.tier.key == tier
    got = None if estimate.tier_range is None else (estimate.tier_range.low, estimate.tier_range.high)
    assert got == tier_range


def test_sponsored_price_refuses_no_followers() -> None:
    with pytest.raises(InvalidInput):
        sponsored_price(0)


# --- media kit ------------------------------------------------------------------------------------

START = datetime(2025, 1, 6, 12, tzinfo=UTC)


def logged(n: int, likes: int, comments: int, shares: int, saves: int, followers: int) -> LoggedPost:
    at = START + timedelta(days=n)
    return LoggedPost(n, 1, 2, at, at, likes, comments, shares, saves, None, followers, None)


def test_media_kit_from_the_guides_worked_example() -> None:
    # Guide 000: 300 likes, 40 comments, 25 shares, 15 saves at 5 000 followers -> 7.6%, above 5k-10k's 3.60%.
    posts = [logged(i, 300, 40, 25, 15, 5_000) for i in range(4)]
    kit = media_kit(posts, window=15)
    assert kit is not None
    assert kit.average_rate == Fraction(76, 10)
    # Guide 000's account formula leaves saves out: (300 + 40 + 25) / 5 000 = 7.3%.
    assert kit.average_without_saves == Fraction(73, 10)
    assert (kit.followers, kit.posts, kit.band.key, kit.nearest) == (5_000, 4, "5k-10k", False)
    assert kit.rating is Rating.HIGH
    assert (kit.price.low, kit.price.high, kit.price.tier.key) == (50, 100, "nano")
    assert (kit.first_posted, kit.last_posted) == (START, START + timedelta(days=3))


def test_media_kit_averages_each_posts_rate_over_the_last_posts_only() -> None:
    old = [logged(i, 5_000, 0, 0, 0, 1_000) for i in range(5)]  # 500%: must drop out of the window
    recent = [logged(10, 20, 0, 0, 0, 1_000), logged(11, 60, 0, 0, 0, 2_000)]  # 2% and 3%
    kit = media_kit(old + recent, window=2)
    assert kit is not None
    assert (kit.posts, kit.average_rate, kit.followers) == (2, Fraction(5, 2), 2_000)


def test_media_kit_uses_a_newer_follower_count_when_given() -> None:
    kit = media_kit([logged(0, 300, 40, 25, 15, 5_000)], window=15, followers=12_000)
    assert kit is not None
    assert (kit.followers, kit.band.key, kit.price.tier.key) == (12_000, "10k-50k", "micro")
    assert (kit.price.low, kit.price.high) == (120, 240)


def test_media_kit_below_a_thousand_followers_uses_the_nearest_band() -> None:
    kit = media_kit([logged(0, 30, 4, 2, 1, 500)], window=15)
    assert kit is not None
    assert (kit.band.key, kit.nearest) == ("1k-5k", True)


def test_media_kit_without_posts_is_none() -> None:
    assert media_kit([], window=15) is None
