"""Engagement maths against guide 000's worked examples, exact on every boundary."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from bot.domain.engagement import (
    MAX_COUNT,
    account_engagement,
    engagement_rate,
    interactions_for_target,
    parse_percent,
    post_engagement,
)
from bot.domain.errors import InvalidInput


def rounded(value: Fraction, places: int = 2) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


# --- guide 000's worked examples -----------------------------------------------------------------------------


def test_guide_post_example_is_exactly_seven_point_six_percent() -> None:
    post = post_engagement(likes=300, comments=40, shares=25, saves=15, followers=5_000)
    assert post.interactions == 380
    assert post.rate == Fraction(76, 10)
    assert post.rate_by_views is None
    assert not post.above_hundred


def test_guide_account_example_rounds_to_two_point_six_seven() -> None:
    account = account_engagement(likes=257_000, comments=3_278, shares=14_000, posts=137, followers=75_000)
    assert account.interactions == 274_278
    assert rounded(account.per_post, 0) == Decimal(2_002)
    assert account.rate == Fraction(274_278 * 100, 137 * 75_000)
    assert rounded(account.rate) == Decimal("2.67")
    assert account.saves is None


def test_guide_account_example_shows_the_inflated_mistake_figure() -> None:
    account = account_engagement(likes=257_000, comments=3_278, shares=14_000, posts=137, followers=75_000)
    # Totals divided by followers, never by posts: the kind of figure the guide warns about ("330%").
    assert account.mistaken_rate == Fraction(274_278 * 100, 75_000)
    assert account.mistaken_rate == Fraction(Decimal("365.704"))


def test_mistake_figure_only_when_it_passes_one_hundred_percent() -> None:
    exactly_hundred = account_engagement(likes=1_000, comments=0, shares=0, posts=10, followers=1_000)
    assert exactly_hundred.mistaken_rate is None
    just_over = account_engagement(likes=1_001, comments=0, shares=0, posts=10, followers=1_000)
    assert just_over.mistaken_rate == Fraction(1_001, 10)
    assert just_over.rate == Fraction(1_001, 100)


def test_one_post_account_has_no_mistake_to_explain() -> None:
    account = account_engagement(likes=5_000, comments=0, shares=0, posts=1, followers=1_000)
    assert account.rate == 500
    assert account.mistaken_rate is None
    assert account.above_hundred


def test_account_saves_count_when_given() -> None:
    account = account_engagement(likes=900, comments=50, shares=30, posts=4, followers=1_000, saves=20)
    assert account.interactions == 1_000
    assert account.per_post == 250
    assert account.rate == 25


# --- post ER by followers and by views -----------------------------------------------------------------------


def test_rate_by_views_beside_rate_by_followers() -> None:
    post = post_engagement(likes=300, comments=40, shares=25, saves=15, followers=5_000, views=19_000)
    assert post.rate == Fraction(76, 10)
    assert post.rate_by_views == 2


def test_viral_post_passes_one_hundred_percent() -> None:
    post = post_engagement(likes=1_500, comments=200, shares=250, saves=50, followers=1_000, views=40_000)
    assert post.rate == 200
    assert post.above_hundred
    assert post.rate_by_views == 5


def test_exactly_one_hundred_percent_is_not_above() -> None:
    assert not post_engagement(likes=100, comments=0, shares=0, saves=0, followers=100).above_hundred


def test_signals_keep_the_four_counts_in_order() -> None:
    post = post_engagement(likes=300, comments=40, shares=25, saves=15, followers=5_000)
    assert list(post.signals.items()) == [("likes", 300), ("comments", 40), ("shares", 25), ("saves", 15)]


@pytest.mark.parametrize(
    ("interactions", "followers", "expected"),
    [
        (78, 10_000, Fraction(78, 100)),
        (90, 4_000, Fraction(225, 100)),
        (6_800, 500_000, Fraction(136, 100)),
        (180, 5_000, Fraction(360, 100)),
        (710, 100_000, Fraction(71, 100)),
    ],
)
def test_rates_on_boundaries_are_exact(interactions: int, followers: int, expected: Fraction) -> None:
    assert engagement_rate(interactions, followers) == expected


def test_floating_point_would_miss_these_boundaries() -> None:
    # Why the maths is in fractions: these are the values a float implementation gets wrong.
    assert 78 / 10_000 * 100 < 0.78
    assert 6_800 / 500_000 * 100 < 1.36
    assert engagement_rate(78, 10_000) == Fraction(Decimal("0.78"))


def test_largest_inputs_stay_exact() -> None:
    most = post_engagement(MAX_COUNT, MAX_COUNT, MAX_COUNT, MAX_COUNT, followers=1, views=1)
    assert most.interactions == 4 * 10**12
    assert most.rate == 4 * 10**14
    assert most.rate_by_views == 4 * 10**14
    least = post_engagement(0, 0, 0, 1, followers=MAX_COUNT)
    assert least.rate == Fraction(1, 10**10)
    account = account_engagement(MAX_COUNT, MAX_COUNT, MAX_COUNT, posts=MAX_COUNT, followers=MAX_COUNT)
    assert account.rate == Fraction(3, 10**10)
    assert account.mistaken_rate == 300


def test_no_interactions_is_zero() -> None:
    assert post_engagement(0, 0, 0, 0, followers=1).rate == 0


# --- interactions for a target -------------------------------------------------------------------------------


def test_target_interactions_per_post() -> None:
    target = interactions_for_target(followers=5_000, target=Fraction(76, 10))
    assert target.per_post == 380
    assert target.exact_per_post == 380
    assert target.total is None


def test_target_rounds_up_to_whole_interactions() -> None:
    target = interactions_for_target(followers=1_000, target=3.33, posts=3)
    assert target.target == Fraction(333, 100)
    assert target.exact_per_post == Fraction(333, 10)
    assert target.per_post == 34
    assert target.total == 100  # 99.9 over three posts


def test_target_from_discord_float_is_the_decimal_typed() -> None:
    # 2.25 as a float is exact, 0.78 is not: both must mean the typed decimal.
    assert interactions_for_target(followers=4_000, target=2.25).exact_per_post == 90
    assert interactions_for_target(followers=10_000, target=0.78).exact_per_post == 78


def test_tiny_target_needs_one_interaction() -> None:
    assert interactions_for_target(followers=1, target=0.0001).per_post == 1


def test_target_at_the_largest_inputs() -> None:
    target = interactions_for_target(followers=MAX_COUNT, target=100_000, posts=MAX_COUNT)
    assert target.per_post == 10**15
    assert target.total == 10**27


# --- bad input -----------------------------------------------------------------------------------------------


def assert_invalid(
    excinfo: pytest.ExceptionInfo[InvalidInput], field: str, rule: str, **limits: object
) -> None:
    assert excinfo.value.field == field
    assert excinfo.value.rule == rule
    assert excinfo.value.limits == limits


@pytest.mark.parametrize(
    ("kwargs", "field", "rule", "limits"),
    [
        ({"followers": 0}, "followers", "min", {"minimum": 1}),
        ({"followers": -5}, "followers", "min", {"minimum": 1}),
        ({"likes": -1}, "likes", "min", {"minimum": 0}),
        ({"comments": -1}, "comments", "min", {"minimum": 0}),
        ({"shares": -1}, "shares", "min", {"minimum": 0}),
        ({"saves": -1}, "saves", "min", {"minimum": 0}),
        ({"views": 0}, "views", "min", {"minimum": 1}),
        ({"likes": MAX_COUNT + 1}, "likes", "max", {"maximum": MAX_COUNT}),
        ({"followers": MAX_COUNT + 1}, "followers", "max", {"maximum": MAX_COUNT}),
        ({"views": MAX_COUNT + 1}, "views", "max", {"maximum": MAX_COUNT}),
        ({"likes": 2.5}, "likes", "whole", {}),
        ({"followers": True}, "followers", "whole", {}),
        ({"shares": "7"}, "shares", "whole", {}),
    ],
)
def test_post_refuses_bad_input(kwargs: dict[str, object], field: str, rule: str, limits: dict) -> None:
    args: dict[str, object] = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000}
    with pytest.raises(InvalidInput) as excinfo:
        post_engagement(**{**args, **kwargs})  # type: ignore[arg-type]
    assert_invalid(excinfo, field, rule, **limits)


@pytest.mark.parametrize(
    ("kwargs", "field", "rule", "limits"),
    [
        ({"posts": 0}, "posts", "min", {"minimum": 1}),
        ({"followers": 0}, "followers", "min", {"minimum": 1}),
        ({"saves": -3}, "saves", "min", {"minimum": 0}),
        ({"comments": -3}, "comments", "min", {"minimum": 0}),
        ({"posts": MAX_COUNT + 1}, "posts", "max", {"maximum": MAX_COUNT}),
    ],
)
def test_account_refuses_bad_input(kwargs: dict[str, object], field: str, rule: str, limits: dict) -> None:
    args: dict[str, object] = {"likes": 1, "comments": 1, "shares": 1, "posts": 1, "followers": 1}
    with pytest.raises(InvalidInput) as excinfo:
        account_engagement(**{**args, **kwargs})  # type: ignore[arg-type]
    assert_invalid(excinfo, field, rule, **limits)


@pytest.mark.parametrize(
    ("kwargs", "field", "rule", "limits"),
    [
        ({"followers": 0}, "followers", "min", {"minimum": 1}),
        ({"target": 0}, "target", "positive", {}),
        ({"target": 0.0}, "target", "positive", {}),
        ({"target": -1.5}, "target", "positive", {}),
        ({"target": 100_000.5}, "target", "max", {"maximum": 100_000}),
        ({"target": float("inf")}, "target", "max", {"maximum": 100_000}),
        ({"target": float("nan")}, "target", "max", {"maximum": 100_000}),
        ({"posts": 0}, "posts", "min", {"minimum": 1}),
    ],
)
def test_target_refuses_bad_input(kwargs: dict[str, object], field: str, rule: str, limits: dict) -> None:
    args: dict[str, object] = {"followers": 1_000, "target": 5.0}
    with pytest.raises(InvalidInput) as excinfo:
        interactions_for_target(**{**args, **kwargs})  # type: ignore[arg-type]
    assert_invalid(excinfo, field, rule, **limits)


def test_engagement_rate_refuses_no_base() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        engagement_rate(10, 0, "views")
    assert_invalid(excinfo, "views", "min", minimum=1)
    with pytest.raises(InvalidInput):
        engagement_rate(-1, 10)


def test_parse_percent_keeps_the_typed_decimal() -> None:
    assert parse_percent("rate", 0.78) == Fraction(78, 100)
    assert parse_percent("rate", "2.25") == Fraction(9, 4)
    assert parse_percent("rate", 0) == 0
    with pytest.raises(InvalidInput):
        parse_percent("rate", -0.01)


def test_parse_percent_limits() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_percent("target", 0.001, minimum=Fraction(1, 100))
    assert_invalid(excinfo, "target", "min", minimum=Decimal("0.01"))
    assert parse_percent("target", 0.01, minimum=Fraction(1, 100)) == Fraction(1, 100)
    with pytest.raises(InvalidInput) as excinfo:
        parse_percent("target", 0, positive=True)
    assert_invalid(excinfo, "target", "positive")
