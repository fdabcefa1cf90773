"""The weekly leaderboard: the fair score, the other metrics, ranks with ties, and when the post is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.domain.leaderboard import (
    DECIMALS,
    Board,
    Place,
    PostSchedule,
    Standing,
    WeekPost,
    band_middle,
    growth_standings,
    improved_standings,
    is_stale,
    next_post,
    post_multiple,
    rank,
    score_standings,
    shown,
    streak_standings,
)
from bot.domain.weeks import IsoWeek

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEEK = IsoWeek(2026, 10)  # Monday 2026-03-02 to Sunday 2026-03-08
MONDAY_NOON = datetime(2026, 3, 2, 11, tzinfo=UTC)


def exact(text: str) -> Fraction:
    return Fraction(Decimal(text))


def at(hours: float) -> datetime:
    """A moment in WEEK, `hours` after Monday 12:00 Amsterdam time."""
    return MONDAY_NOON + timedelta(hours=hours)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


# --- the band's average ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("followers", "middle"),
    [
        (1, "2.065"),  # below 1 000: the nearest band, 1k–5k
        (999, "2.065"),
        (1_000, "2.065"),
        (4_999, "2.065"),
        (5_000, "1.225"),
        (9_999, "1.225"),
        (10_000, "0.93"),
        (49_999, "0.93"),
        (50_000, "0.765"),
        (99_999, "0.765"),
        (100_000, "0.87"),
        (499_999, "0.87"),
        (500_000, "1.19"),
        (999_999, "1.19"),
        (1_000_000, "1.5"),
        (2_000_000, "1.5"),
    ],
)
def test_band_middle_is_the_middle_of_gemiddeld_as_product_md_gives_it(followers: int, middle: str) -> None:
    assert band_middle(followers) == exact(middle)
    assert isinstance(band_middle(followers), Fraction)


# --- the score ----------------------------------------------------------------------------------------

SMALL, MIDDLE, BIG = 1, 2, 3


def issue_fixture() -> list[WeekPost]:
    return [
        WeekPost(BIG, at(0), 52_000, 2_000_000),  # 2.6%
        WeekPost(SMALL, at(1), 380, 5_000),  # 7.6%
        WeekPost(MIDDLE, at(2), 1_200, 60_000),  # 2.0%
    ]


def test_post_multiple_is_the_rate_over_the_band_middle() -> None:
    small, middle, big = (
        WeekPost(SMALL, at(1), 380, 5_000),
        WeekPost(MIDDLE, at(2), 1_200, 60_000),
        WeekPost(BIG, at(0), 52_000, 2_000_000),
    )
    assert small.rate == exact("7.6")
    assert post_multiple(small) == exact("7.6") / exact("1.225") == Fraction(304, 49)
    assert post_multiple(middle) == exact("2.0") / exact("0.765") == Fraction(400, 153)
    assert post_multiple(big) == exact("2.6") / exact("1.5") == Fraction(26, 15)


def test_the_issue_fixture_ranks_5k_then_60k_then_2m() -> None:
    board = rank(WEEK, "score", score_standings(issue_fixture()))
    assert board == Board(
        WEEK,
        "score",
        (
            Place(1, Standing(SMALL, Fraction(304, 49), 1, at(1), (exact("7.6"),))),
            Place(2, Standing(MIDDLE, Fraction(400, 153), 1, at(2), (exact("2.0"),))),
            Place(3, Standing(BIG, Fraction(26, 15), 1, at(0), (exact("2.6"),))),
        ),
        1,
        0,
    )
    assert [p.standing.user_id for p in board.winners()] == [SMALL]
    assert board.place_of(BIG) == board.places[2]
    assert board.position_of(MIDDLE) == 1
    assert board.place_of(99) is None and board.position_of(99) is None


def test_score_is_the_average_multiple_over_the_weeks_posts_each_in_its_own_band() -> None:
    # 4 999 followers (1k–5k) then 5 000 (5k–10k) after a small gain: each post against its own band.
    posts = [WeekPost(7, at(5), 100, 4_999), WeekPost(7, at(1), 245, 5_000)]
    [standing] = score_standings(posts)
    first = Fraction(100 * 100, 4_999) / exact("2.065")
    second = exact("4.9") / exact("1.225")
    assert second == 4
    assert standing == Standing(
        7, (first + second) / 2, 2, at(1), ((Fraction(10_000, 4_999) + exact("4.9")) / 2,)
    )


# --- ranking and ties ---------------------------------------------------------------------------------


def standing(user_id: int, value: str, posts: int = 1, first: datetime | None = None) -> Standing:
    return Standing(user_id, exact(value), posts, first if first is not None else at(0))


def test_equal_at_two_decimals_share_a_rank_competition_style() -> None:
    board = rank(
        WEEK,
        "score",
        [
            standing(1, "1.004"),  # shown 1.00
            standing(2, "0.995"),  # shown 1.00 (half away from zero)
            standing(3, "0.9949"),  # shown 0.99
            standing(4, "1.006"),  # shown 1.01
        ],
    )
    assert [(p.rank, p.standing.user_id) for p in board.places] == [(1, 4), (2, 1), (2, 2), (4, 3)]


def test_ties_order_more_posts_then_earlier_first_post_then_member_id() -> None:
    board = rank(
        WEEK,
        "score",
        [
            standing(50, "2.004", posts=1, first=at(-10)),
            standing(40, "2.001", posts=1, first=at(-10)),
            standing(30, "2.0049", posts=2, first=at(3)),  # the highest value, but a later first post
            standing(20, "1.995", posts=2, first=at(1)),
            standing(10, "1.99", posts=9, first=at(0)),  # shown 1.99: below the tie, whatever its posts
        ],
    )
    assert [(p.rank, p.standing.user_id) for p in board.places] == [
        (1, 20),
        (1, 30),
        (1, 40),
        (1, 50),
        (5, 10),
    ]
    assert [p.standing.user_id for p in board.winners()] == [20, 30, 40, 50]


def test_ties_are_at_each_metrics_shown_precision() -> None:
    assert DECIMALS == {"score": 2, "improved": 1, "streak": 0, "growth": 1}
    improved = rank(WEEK, "improved", [standing(1, "12.34"), standing(2, "12.25"), standing(3, "12.24")])
    assert [(p.rank, p.standing.user_id) for p in improved.places] == [(1, 1), (1, 2), (3, 3)]
    growth = rank(WEEK, "growth", [standing(1, "-0.05"), standing(2, "-0.04"), standing(3, "0.04")])
    # -0.05 shows as -0.1; -0.04 and 0.04 both as 0.0.
    assert [(p.rank, p.standing.user_id) for p in growth.places] == [(1, 2), (1, 3), (3, 1)]


def test_members_below_the_minimum_are_left_out_and_counted() -> None:
    board = rank(
        WEEK,
        "score",
        [
            standing(1, "3", posts=1),
            standing(2, "2", posts=3),
            standing(3, "1", posts=2),
            standing(4, "5", posts=1),
        ],
        min_posts=2,
    )
    assert [(p.rank, p.standing.user_id) for p in board.places] == [(1, 2), (2, 3)]
    assert (board.min_posts, board.below_minimum) == (2, 2)


def test_hide_removes_a_member_before_ranking_and_anonymous_keeps_them() -> None:
    board = rank(
        WEEK,
        "score",
        [standing(1, "3"), standing(2, "2"), standing(3, "1"), standing(4, "0.5", posts=1)],
        min_posts=1,
        visibility={1: "hide", 3: "anonymous", 2: "show"},
    )
    assert board.places == (
        Place(1, standing(2, "2")),
        Place(2, standing(3, "1"), anonymous=True),
        Place(3, standing(4, "0.5")),
    )
    assert board.place_of(1) is None


def test_a_hidden_member_below_the_minimum_is_not_counted_either() -> None:
    board = rank(
        WEEK,
        "score",
        [standing(1, "3", posts=1), standing(2, "2", posts=1), standing(3, "1", posts=2)],
        2,
        {1: "hide"},
    )
    assert [p.standing.user_id for p in board.places] == [3]
    assert board.below_minimum == 1


def test_an_empty_week_is_an_empty_board() -> None:
    assert rank(WEEK, "score", []) == Board(WEEK, "score", (), 1, 0)
    assert rank(WEEK, "score", score_standings([])).winners() == ()


# --- shown rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        ("0.005", 2, "0.01"),
        ("-0.005", 2, "-0.01"),
        ("1.045", 2, "1.05"),
        ("-1.045", 2, "-1.05"),
        ("1.0449", 2, "1.04"),
        ("-1.0449", 2, "-1.04"),
        ("2.5", 0, "3"),
        ("-2.5", 0, "-3"),
        ("-2.4", 0, "-2"),
        ("0.05", 1, "0.1"),
        ("-0.04", 1, "0"),
        ("0", 2, "0"),
    ],
)
def test_shown_rounds_half_away_from_zero(value: str, decimals: int, expected: str) -> None:
    assert shown(exact(value), decimals) == exact(expected)


def test_shown_of_a_repeating_fraction() -> None:
    assert shown(Fraction(100, 3), 1) == exact("33.3")
    assert shown(Fraction(-200, 3), 1) == exact("-66.7")
    assert shown(Fraction(304, 49), 2) == exact("6.20")


# --- improved, streak, growth --------------------------------------------------------------------------


def test_improved_against_the_members_own_earlier_average() -> None:
    week_posts = [
        WeekPost(1, at(1), 380, 5_000),  # 7.6%
        WeekPost(1, at(2), 190, 5_000),  # 3.8%  → this week 5.7%
        WeekPost(2, at(0), 150, 5_000),  # 3%
        WeekPost(3, at(0), 200, 5_000),  # 4%
        WeekPost(4, at(0), 100, 5_000),  # nothing earlier
        WeekPost(5, at(0), 100, 5_000),  # earlier average 0
    ]
    earlier = [
        WeekPost(1, at(-100), 190, 5_000),  # 3.8%
        WeekPost(2, at(-100), 200, 5_000),  # 4%
        WeekPost(3, at(-300), 100, 5_000),  # 2%
        WeekPost(3, at(-200), 200, 5_000),  # 4%  → 3%
        WeekPost(5, at(-100), 0, 5_000),
        WeekPost(6, at(-100), 500, 5_000),  # did not post this week
    ]
    standings = sorted(improved_standings(week_posts, earlier), key=lambda s: s.user_id)
    assert standings == [
        Standing(1, Fraction(50), 2, at(1), (exact("5.7"), exact("3.8"))),
        Standing(2, Fraction(-25), 1, at(0), (Fraction(3), Fraction(4))),
        Standing(3, Fraction(100, 3), 1, at(0), (Fraction(4), Fraction(3))),
    ]
    board = rank(WEEK, "improved", standings)
    assert [(p.rank, p.standing.user_id) for p in board.places] == [(1, 1), (2, 3), (3, 2)]


def test_streak_standings_default_to_one_week() -> None:
    week_posts = [WeekPost(1, at(0), 10, 1_000), WeekPost(1, at(1), 10, 1_000), WeekPost(2, at(2), 10, 1_000)]
    standings = sorted(streak_standings(week_posts, {1: 3, 9: 7}), key=lambda s: s.user_id)
    assert standings == [Standing(1, Fraction(3), 2, at(0)), Standing(2, Fraction(1), 1, at(2))]


def test_growth_from_the_last_count_before_to_the_end_of_the_week() -> None:
    week_posts = [
        WeekPost(1, at(2), 10, 5_500),
        WeekPost(1, at(1), 10, 5_200),
        WeekPost(2, at(0), 10, 57_000),
    ]
    counts = {1: (5_000, 5_500), 2: (60_000, 57_000), 3: (3_000, 4_000)}
    standings = sorted(growth_standings(week_posts, counts), key=lambda s: s.user_id)
    assert standings == [
        Standing(1, Fraction(10), 2, at(1), (Fraction(5_000), Fraction(5_500))),
        Standing(2, Fraction(-5), 1, at(0), (Fraction(60_000), Fraction(57_000))),
        Standing(3, Fraction(100, 3), 0, None, (Fraction(3_000), Fraction(4_000))),
    ]
    # Member 3 logged a count but no post: below the minimum of one post.
    board = rank(WEEK, "growth", standings)
    assert [(p.rank, p.standing.user_id) for p in board.places] == [(1, 1), (2, 2)]
    assert board.below_minimum == 1
    # Without a minimum, a member without posts sorts after an equal one with posts.
    tied = rank(WEEK, "growth", [*standings, Standing(4, exact("33.34"), 1, at(3))], min_posts=0)
    assert [(p.rank, p.standing.user_id) for p in tied.places] == [(1, 4), (1, 3), (3, 1), (4, 2)]


# --- when the weekly post is due -----------------------------------------------------------------------

SCHEDULE = PostSchedule(weekday=0, hour=9, tz=AMSTERDAM)  # Monday 09:00
W9, W10, W11 = IsoWeek(2026, 9), IsoWeek(2026, 10), IsoWeek(2026, 11)
DUE_W10 = utc(2026, 3, 9, 8)  # Monday 2026-03-09 09:00 CET
DUE_W11 = utc(2026, 3, 16, 8)


def test_schedule_due() -> None:
    assert SCHEDULE.due(W10) == DUE_W10
    assert PostSchedule(2, 18, AMSTERDAM).due(W10) == utc(2026, 3, 11, 17)


def test_first_activation_after_the_due_time_does_not_owe_that_week() -> None:
    now = DUE_W10 + timedelta(hours=2)
    assert next_post(SCHEDULE, now, active_since=now, last_posted=None) == (W11, DUE_W11)


def test_first_activation_before_the_due_time_posts_that_week_on_time() -> None:
    now = DUE_W10 - timedelta(hours=2)
    assert next_post(SCHEDULE, now, active_since=now, last_posted=None) == (W10, DUE_W10)


def test_activation_exactly_at_the_due_time_owes_the_week() -> None:
    assert next_post(SCHEDULE, DUE_W10, active_since=DUE_W10, last_posted=None) == (W10, DUE_W10)


def test_downtime_over_the_due_time_owes_that_week_now() -> None:
    now = DUE_W10 + timedelta(hours=5)
    week, due = next_post(SCHEDULE, now, active_since=utc(2026, 1, 1), last_posted=W9)
    assert (week, due) == (W10, DUE_W10)
    assert due <= now  # due already: it goes out at once
    assert not is_stale(week, SCHEDULE, now)


def test_offline_for_two_weeks_owes_only_the_latest_week() -> None:
    now = DUE_W11 + timedelta(hours=1)
    assert next_post(SCHEDULE, now, active_since=utc(2026, 1, 1), last_posted=W9) == (W11, DUE_W11)
    assert is_stale(W10, SCHEDULE, now)


def test_already_posted_waits_for_the_next_week() -> None:
    now = DUE_W10 + timedelta(minutes=1)
    assert next_post(SCHEDULE, now, active_since=utc(2026, 1, 1), last_posted=W10) == (W11, DUE_W11)


def test_a_schedule_moved_later_after_posting_never_posts_that_week_again() -> None:
    # W10 went out on Monday 09:00; at 10:00 the admin moves the post to Tuesday 09:00.
    moved_at = DUE_W10 + timedelta(hours=1)
    tuesday = PostSchedule(weekday=1, hour=9, tz=AMSTERDAM)
    due_w11_tuesday = utc(2026, 3, 17, 8)
    assert next_post(tuesday, moved_at, active_since=moved_at, last_posted=W10) == (W11, due_w11_tuesday)
    # On Tuesday 09:00, when W10 would be due on the new schedule, it is still not posted again.
    tuesday_due = utc(2026, 3, 10, 8)
    assert tuesday.due(W10) == tuesday_due
    for now in (tuesday_due, tuesday_due + timedelta(days=1)):
        assert next_post(tuesday, now, active_since=moved_at, last_posted=W10) == (W11, due_w11_tuesday)
    # Moved to a later hour the same Monday: the same.
    later = PostSchedule(weekday=0, hour=15, tz=AMSTERDAM)
    assert next_post(later, utc(2026, 3, 9, 14), active_since=moved_at, last_posted=W10) == (
        W11,
        utc(2026, 3, 16, 14),
    )


def test_an_hour_set_earlier_than_now_owes_the_week_at_once() -> None:
    # Active since January; at Monday 08:00 (before the 09:00 post) the admin moves it to 07:00. W10's post
    # is then owed at once, late rather than never (this holds only while active_since stays January).
    earlier = PostSchedule(weekday=0, hour=7, tz=AMSTERDAM)
    now = utc(2026, 3, 9, 7)
    assert next_post(earlier, now, active_since=utc(2026, 1, 1), last_posted=W9) == (W10, utc(2026, 3, 9, 6))
    # Were active_since reset to the moment of the change, W10 would never be posted.
    assert next_post(earlier, now, active_since=now, last_posted=W9) == (W11, utc(2026, 3, 16, 6))


def test_next_post_over_the_year_end_with_week_53() -> None:
    now = utc(2027, 1, 4, 8)  # Monday 2027-01-04 09:00 CET: the post about 2026-W53 is due
    assert next_post(SCHEDULE, now, utc(2026, 1, 1), IsoWeek(2026, 52)) == (IsoWeek(2026, 53), now)
    assert next_post(SCHEDULE, now, utc(2026, 1, 1), IsoWeek(2026, 53)) == (
        IsoWeek(2027, 1),
        utc(2027, 1, 11, 8),
    )


def test_is_stale_once_the_next_weeks_post_is_due() -> None:
    assert not is_stale(W10, SCHEDULE, DUE_W11 - timedelta(microseconds=1))
    assert is_stale(W10, SCHEDULE, DUE_W11)
    assert not is_stale(W10, SCHEDULE, DUE_W10)
