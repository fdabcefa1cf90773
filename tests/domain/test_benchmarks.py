"""Benchmarks as the guides give them: band table, band and rating boundaries, tiers, niches, references."""

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from bot.domain import knowledge
from bot.domain.benchmarks import (
    FILENAME,
    Band,
    Benchmarks,
    Rating,
    band_for,
    benchmarks,
    rating_for,
    tier_for,
)
from bot.domain.engagement import MAX_COUNT, engagement_rate, post_engagement
from bot.domain.errors import InvalidInput

SHIPPED = knowledge.DATA_DIR / FILENAME


def pct(text: str) -> Fraction:
    return Fraction(Decimal(text))


# Guide 000, "Normen op basis van aantal volgers": floors of Hoog (exclusive), Bovengemiddeld, Gemiddeld,
# Ondergemiddeld; > 1M as PRODUCT.md reads it (Ondergemiddeld 0.5–1%).
GUIDE_TABLE = {
    "1k-5k": ("4.45", "2.25", "1.88", "0.84"),
    "5k-10k": ("3.60", "1.37", "1.08", "0.43"),
    "10k-50k": ("3.58", "1.08", "0.78", "0.25"),
    "50k-100k": ("3.41", "0.91", "0.62", "0.15"),
    "100k-500k": ("3.38", "1.03", "0.71", "0.15"),
    "500k-1m": ("3.32", "1.36", "1.02", "0.26"),
    "over-1m": ("4", "2", "1", "0.5"),
}

TINY = Fraction(1, 10**9)


def test_band_table_is_the_guides() -> None:
    bands = benchmarks().bands
    assert [band.key for band in bands] == list(GUIDE_TABLE)
    for band in bands:
        t = band.thresholds
        assert (t.high, t.above_average, t.average, t.below_average) == tuple(
            pct(x) for x in GUIDE_TABLE[band.key]
        )
        assert band.guide == "000"


def test_rating_keys_are_stable() -> None:
    assert [r.key for r in Rating] == ["high", "above_average", "average", "below_average", "low"]


# --- band lookup ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("followers", "key", "nearest"),
    [
        (1, "1k-5k", True),
        (999, "1k-5k", True),
        (1_000, "1k-5k", False),
        (4_999, "1k-5k", False),
        (5_000, "5k-10k", False),
        (9_999, "5k-10k", False),
        (10_000, "10k-50k", False),
        (49_999, "10k-50k", False),
        (50_000, "50k-100k", False),
        (75_000, "50k-100k", False),
        (99_999, "50k-100k", False),
        (100_000, "100k-500k", False),
        (499_999, "100k-500k", False),
        (500_000, "500k-1m", False),
        (999_999, "500k-1m", False),
        (1_000_000, "over-1m", False),
        (MAX_COUNT, "over-1m", False),
    ],
)
def test_band_lower_bound_inclusive(followers: int, key: str, nearest: bool) -> None:
    band, is_nearest = band_for(followers)
    assert band.key == key
    assert is_nearest is nearest


@pytest.mark.parametrize("followers", [0, -1, MAX_COUNT + 1, 1.5])
def test_band_refuses_bad_followers(followers: object) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        band_for(followers)  # type: ignore[arg-type]
    assert excinfo.value.field == "followers"


# --- rating boundaries ---------------------------------------------------------------------------------------

# For each floor: (rating exactly on it, rating just above, rating just below).
AROUND_FLOORS = [
    (0, Rating.ABOVE_AVERAGE, Rating.HIGH, Rating.ABOVE_AVERAGE),
    (1, Rating.ABOVE_AVERAGE, Rating.ABOVE_AVERAGE, Rating.AVERAGE),
    (2, Rating.AVERAGE, Rating.AVERAGE, Rating.BELOW_AVERAGE),
    (3, Rating.BELOW_AVERAGE, Rating.BELOW_AVERAGE, Rating.LOW),
]


@pytest.mark.parametrize("key", list(GUIDE_TABLE))
@pytest.mark.parametrize(("index", "on", "above", "below"), AROUND_FLOORS)
def test_every_rating_boundary_on_both_sides(
    key: str, index: int, on: Rating, above: Rating, below: Rating
) -> None:
    band = benchmarks().band(key)
    floor = pct(GUIDE_TABLE[key][index])
    assert rating_for(floor, band) is on
    assert rating_for(floor + TINY, band) is above
    assert rating_for(floor - TINY, band) is below


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("6", Rating.HIGH),
        ("4.01", Rating.HIGH),
        ("4", Rating.ABOVE_AVERAGE),
        ("3", Rating.ABOVE_AVERAGE),
        ("2", Rating.ABOVE_AVERAGE),
        ("1.99", Rating.AVERAGE),
        ("1", Rating.AVERAGE),
        ("0.99", Rating.BELOW_AVERAGE),
        ("0.75", Rating.BELOW_AVERAGE),
        ("0.5", Rating.BELOW_AVERAGE),
        ("0.49", Rating.LOW),
        ("0", Rating.LOW),
    ],
)
def test_over_one_million(rate: str, expected: Rating) -> None:
    band, _ = band_for(2_000_000)
    assert rating_for(pct(rate), band) is expected


@pytest.mark.parametrize(
    ("interactions", "followers", "expected"),
    [
        # Floating point puts 78/10000 just under 0.78% and 6800/500000 just under 1.36%.
        (78, 10_000, Rating.AVERAGE),
        (77, 10_000, Rating.BELOW_AVERAGE),
        (90, 4_000, Rating.ABOVE_AVERAGE),
        (89, 4_000, Rating.AVERAGE),
        (178, 4_000, Rating.ABOVE_AVERAGE),
        (179, 4_000, Rating.HIGH),
        (6_800, 500_000, Rating.ABOVE_AVERAGE),
        (6_799, 500_000, Rating.AVERAGE),
        (180, 5_000, Rating.ABOVE_AVERAGE),
        (181, 5_000, Rating.HIGH),
        (1_705, 50_000, Rating.ABOVE_AVERAGE),
        (710, 100_000, Rating.AVERAGE),
        (709, 100_000, Rating.BELOW_AVERAGE),
        (5_000, 1_000_000, Rating.BELOW_AVERAGE),
        (4_999, 1_000_000, Rating.LOW),
    ],
)
def test_counts_exactly_on_a_boundary(interactions: int, followers: int, expected: Rating) -> None:
    band, _ = band_for(followers)
    assert rating_for(engagement_rate(interactions, followers), band) is expected


def test_guide_post_example_is_high_in_its_band() -> None:
    post = post_engagement(likes=300, comments=40, shares=25, saves=15, followers=5_000)
    band, nearest = band_for(post.followers)
    assert (band.key, nearest) == ("5k-10k", False)
    assert rating_for(post.rate, band) is Rating.HIGH


def test_guide_account_example_is_above_average_in_its_band() -> None:
    band, _ = band_for(75_000)
    assert rating_for(engagement_rate(274_278, 137 * 75_000), band) is Rating.ABOVE_AVERAGE


def test_under_one_thousand_is_rated_against_the_nearest_band() -> None:
    band, nearest = band_for(500)
    assert nearest
    assert rating_for(engagement_rate(20, 500), band) is Rating.ABOVE_AVERAGE  # 4% in 1k–5k


def test_rating_refuses_floats_and_negative_rates() -> None:
    band, _ = band_for(10_000)
    with pytest.raises(TypeError):
        rating_for(0.78, band)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        rating_for(Fraction(-1, 100), band)


def test_ranges_list_the_five_ratings_with_shared_end_points() -> None:
    band: Band = benchmarks().band("1k-5k")
    shown = [(r.rating, r.low, r.high) for r in band.ranges()]
    assert shown == [
        (Rating.HIGH, pct("4.45"), None),
        (Rating.ABOVE_AVERAGE, pct("2.25"), pct("4.45")),
        (Rating.AVERAGE, pct("1.88"), pct("2.25")),
        (Rating.BELOW_AVERAGE, pct("0.84"), pct("1.88")),
        (Rating.LOW, None, pct("0.84")),
    ]


# --- tiers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("followers", "key"),
    [
        (1, "starter"),
        (999, "starter"),
        (1_000, "nano"),
        (9_999, "nano"),
        (10_000, "micro"),
        (99_999, "micro"),
        (100_000, "mid_tier"),
        (999_999, "mid_tier"),
        (1_000_000, "macro"),
        (9_999_999, "macro"),
        (10_000_000, "mega"),
        (MAX_COUNT, "mega"),
    ],
)
def test_tier_boundaries(followers: int, key: str) -> None:
    assert tier_for(followers).key == key


def test_tier_figures_from_the_guides() -> None:
    data = benchmarks()
    micro = data.tier("micro")
    assert micro.tiktok_rate is not None
    assert (micro.tiktok_rate.low, micro.tiktok_rate.guide, micro.tiktok_rate.says) == (18, "004", "reports")
    assert micro.tiktok_price_usd is not None
    assert (micro.tiktok_price_usd.low, micro.tiktok_price_usd.high) == (50, 800)
    macro = data.tier("macro")
    assert macro.tiktok_price_usd is not None
    assert (macro.tiktok_price_usd.low, macro.tiktok_price_usd.high) == (3_000, 15_000)
    mega = data.tier("mega")
    assert mega.tiktok_rate is not None
    assert (mega.tiktok_rate.low, mega.tiktok_rate.approximate) == (pct("2.88"), True)
    nano = data.tier("nano")
    # Guide 000: nano accounts *can* see rates well above 10%; it is not their typical rate.
    assert nano.tiktok_rate is not None
    assert (nano.tiktok_rate.low, nano.tiktok_rate.says, nano.tiktok_rate.guide) == (10, "can_reach", "000")
    assert macro.tiktok_rate is not None
    assert (macro.tiktok_rate.low, macro.tiktok_rate.high, macro.tiktok_rate.says) == (1, 4, "over_1m")
    assert data.tier("mid_tier").tiktok_rate is None
    starter = data.tier("starter")
    # No guide names a tier under 1 000 followers: the name is Pulse's own and cites nothing.
    assert starter.tiktok_price_usd is None and starter.guides == [] and starter.named_by_pulse
    assert not any(t.named_by_pulse for t in data.tiers if t.key != "starter")


def test_tier_refuses_no_followers() -> None:
    with pytest.raises(InvalidInput):
        tier_for(0)


# --- niches and references -----------------------------------------------------------------------------------


def test_nine_industry_averages() -> None:
    niches = benchmarks().niches
    figures = {i.key: (i.rate.low, i.rate.high, i.rate.approximate) for i in niches.industries}
    assert figures == {
        "fashion": (pct("17.5"), None, False),
        "beauty": (pct("15.2"), None, False),
        "travel": (pct("13.8"), None, False),
        "lifestyle": (pct("12.4"), None, False),
        "fitness": (pct("11.1"), None, False),
        "higher_education": (pct("9.23"), None, False),
        "food_drink": (7, 8, True),
        "arts_crafts": (pct("4.54"), None, False),
        "sports_teams": (pct("4.2"), None, False),
    }
    assert niches.measured_often_on == "micro"
    assert niches.guide == "000"


def test_reference_averages() -> None:
    refs = benchmarks().references
    assert (refs.tiktok_typical.low, refs.tiktok_typical.high, refs.tiktok_typical.guide) == (4, 8, "000")
    small = refs.small_accounts
    assert small.below_followers == 100_000
    assert (small.tiktok.low, small.tiktok.approximate, small.tiktok.guide) == (pct("7.5"), True, "004")
    assert (small.instagram.low, small.instagram.guide) == (pct("3.65"), "004")
    assert refs.instagram_micro.low == 6
    assert refs.instagram_mega.low == pct("1.77")
    assert (refs.tiktok_over_1m_strong.low, refs.tiktok_over_1m_strong.high) == (4, 6)
    price = refs.price_per_followers_usd
    assert (price.per_followers, price.low, price.high, price.guide) == (1_000, 10, 20, "004")
    assert price.min_followers == 1_000


def test_every_entry_names_a_guide() -> None:
    data = benchmarks()
    guide_ids = {g.id for g in knowledge.guides().guides}
    named = [b.guide for b in data.bands] + [data.niches.guide] + [i.guide for i in data.niches.industries]
    for tier in data.tiers:
        named += tier.guides
        named += [x.guide for x in (tier.tiktok_rate, tier.tiktok_price_usd) if x is not None]
    refs = data.references
    named += [refs.tiktok_typical.guide, refs.instagram_micro.guide, refs.instagram_mega.guide]
    named += [refs.tiktok_over_1m_strong.guide, refs.price_per_followers_usd.guide]
    named += [refs.small_accounts.tiktok.guide, refs.small_accounts.instagram.guide]
    assert named and set(named) <= guide_ids


# --- malformed files stop the start --------------------------------------------------------------------------


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / FILENAME).write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


def load_from(directory: Path) -> Benchmarks:
    return knowledge.load(FILENAME, Benchmarks, data_dir=directory)


def test_shipped_file_loads_from_a_copy(tmp_path: Path) -> None:
    (tmp_path / FILENAME).write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_from(tmp_path) == benchmarks()


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('high = "4.45"', "high = 4.45", "bands.0.thresholds.high"),
        ('high = "4.45"', 'high = "4,45"', "bands.0.thresholds.high"),
        ('high = "4.45"', 'high = "1.00"', "bands.0.thresholds"),
        (
            'key = "1k-5k"\nlabel = "1k–5k"\nmin_followers = 1_000\nmax_followers = 4_999\nguide = "000"',
            'key = "1k-5k"\nlabel = "1k–5k"\nmin_followers = 1_000\nmax_followers = 4_999\nguide = "009"',
            "bands.0.guide",
        ),
        ("min_followers = 5_000", "min_followers = 5_001", "bands"),
        (
            'key = "fashion"\nrate = { low = "17.5" }',
            'key = "fashion"\nrate = { lo = "17.5" }',
            "niches.industries.0.rate",
        ),
        ('measured_often_on = "micro"', 'measured_often_on = "micros"', "niches.measured_often_on"),
        (
            "tiktok_price_usd = { low = 50, high = 800",
            "tiktok_price_usd = { low = 800, high = 50",
            "tiers.2.tiktok_price_usd",
        ),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(knowledge.KnowledgeError) as excinfo:
        load_from(broken_copy(tmp_path, old, new))
    message = str(excinfo.value)
    assert str(tmp_path / FILENAME) in message
    assert re.search(rf"\b{re.escape(field)}\b", message), message
    assert re.search(r"field \S+: ", message), message


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(knowledge.KnowledgeError, match=re.escape(str(tmp_path / FILENAME))):
        load_from(broken_copy(tmp_path, "[niches]", "[niches"))
