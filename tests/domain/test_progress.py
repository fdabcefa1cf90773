"""The progress report's maths: averages then and now, ratings, best post, streaks, goals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from bot.domain.benchmarks import Rating
from bot.domain.errors import InvalidInput
from bot.domain.history import FollowerSnapshot, Goal, LoggedPost
from bot.domain.progress import (
    GoalRejected,
    goal_progress,
    goal_value,
    new_goal,
    post_rate,
    posting_streak,
    progress_report,
    rolling_points,
)

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)  # a Sunday
_ids = count(1)


def post(
    at: datetime, interactions: int, followers: int, *, likes: int | None = None, title: str | None = None
) -> LoggedPost:
    """A post whose four counts add up to `interactions` (all as likes unless told)."""
    likes = interactions if likes is None else likes
    rest = interactions - likes
    return LoggedPost(next(_ids), 1, 2, at, at, likes, rest, 0, 0, None, followers, title)


def snapshot(at: datetime, followers: int) -> FollowerSnapshot:
    return FollowerSnapshot(next(_ids), 1, 2, at, followers)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_post_rate_is_the_guide_example_exactly() -> None:
    # Guide 000: 300 + 40 + 25 + 15 = 380 interactions at 5 000 followers is 7.6%.
    example = LoggedPost(1, 1, 2, NOW, NOW, 300, 40, 25, 15, None, 5000, None)
    assert example.interactions == 380
    assert post_rate(example) == Fraction(76, 10)


def test_last_four_weeks_against_the_four_before_rated_in_the_band_of_the_time() -> None:
    posts = [
        # The four weeks before: 2.25% exactly at 4 000 followers (1k–5k), the boundary that is Bovengemiddeld.
        post(days_ago(40), 90, 4000),
        post(days_ago(50), 90, 4000),
        # The last four weeks: 0.78% exactly at 10 000 followers (10k–50k), the boundary that is Gemiddeld.
        post(days_ago(3), 78, 10_000),
        post(days_ago(20), 70, 10_000),
        post(days_ago(27), 86, 10_000),
    ]
    report = progress_report(posts, [], NOW)
    assert report.recent is not None and report.previous is not None
    assert report.recent.rate == Fraction(78, 100)
    assert report.recent.posts == 3
    assert report.recent.band.key == "10k-50k"
    assert report.recent.rating is Rating.AVERAGE
    assert report.previous.rate == Fraction(225, 100)
    assert report.previous.followers == 4000
    assert report.previous.band.key == "1k-5k"
    assert report.previous.rating is Rating.ABOVE_AVERAGE


def test_a_post_exactly_four_weeks_old_belongs_to_the_previous_span() -> None:
    report = progress_report([post(days_ago(28), 50, 1000), post(days_ago(1), 10, 1000)], [], NOW)
    assert report.recent is not None and report.previous is not None
    assert (report.recent.posts, report.previous.posts) == (1, 1)
    assert report.previous.rate == 5


def test_followers_now_and_change_over_the_window() -> None:
    posts = [post(days_ago(100), 10, 900), post(days_ago(10), 10, 1_150)]
    snapshots = [snapshot(days_ago(90), 1_000), snapshot(days_ago(2), 1_200), snapshot(days_ago(-1), 9_999)]
    report = progress_report(posts, snapshots, NOW, weeks=12)
    # 12 weeks back (84 days) the latest count was the 1 000 logged 90 days ago; the future one is ignored.
    assert report.followers_now == 1_200
    assert report.followers_start == 1_000
    assert report.followers_change == 200
    assert [point.followers for point in report.followers_series] == [1_150, 1_200]


def test_followers_start_when_history_begins_inside_the_window() -> None:
    report = progress_report([post(days_ago(5), 10, 800), post(days_ago(1), 10, 820)], [], NOW)
    assert (report.followers_start, report.followers_now, report.followers_change) == (800, 820, 20)
    assert report.recent is not None and report.recent.nearest  # below 1 000: compared with 1k–5k
    assert report.previous is None


def test_best_post_in_the_window_and_ties_go_to_the_newest() -> None:
    older_best = post(days_ago(200), 500, 1000)  # 50%, but outside a 12-week window
    best = post(days_ago(30), 60, 1000, title="dance")
    tie = post(days_ago(40), 60, 1000)
    report = progress_report([older_best, tie, best, post(days_ago(2), 10, 1000)], [], NOW, weeks=12)
    assert report.best_post == best
    assert report.best_rate == 6
    assert report.posts_in_window == 3
    assert progress_report([older_best, best], [], NOW, weeks=52).best_post == older_best


def test_no_history() -> None:
    report = progress_report([], [], NOW)
    assert not report.has_history
    assert report.followers_change is None and report.recent is None and report.best_post is None
    assert report.streak.current == 0 and report.points == () and report.band is None


def test_only_follower_snapshots() -> None:
    report = progress_report([], [snapshot(days_ago(3), 5_000)], NOW)
    assert report.has_history and report.followers_now == 5_000
    assert report.band is not None and report.band.key == "5k-10k"
    assert report.recent is None and report.streak.current == 0


def test_rolling_average_spans_four_weeks_ending_at_each_post() -> None:
    posts = [
        post(days_ago(d), interactions, 100) for d, interactions in [(12, 60), (70, 10), (40, 20), (35, 30)]
    ]
    points = rolling_points(posts, {p.id: post_rate(p) for p in posts})
    assert [(p.posted_at, p.rate, p.rolling) for p in points] == [
        (days_ago(70), 10, 10),
        (days_ago(40), 20, 20),  # 70 days ago is 30 days earlier: out
        (days_ago(35), 30, 25),
        (days_ago(12), 60, 45),  # 40 days ago is exactly 28 days earlier: out
    ]


def test_report_points_carry_the_lead_in_before_the_window() -> None:
    posts = [post(days_ago(90), 100, 1000), post(days_ago(80), 20, 1000)]
    report = progress_report(posts, [], NOW, weeks=12)  # the window starts 84 days ago
    assert [(p.rate, p.rolling) for p in report.points] == [(2, 6)]


@pytest.mark.parametrize("weeks", [0, 105])
def test_weeks_out_of_range(weeks: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        progress_report([], [], NOW, weeks=weeks)
    assert caught.value.field == "weeks"


# --- streaks ----------------------------------------------------------------------------------------


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_streak_across_a_year_end_with_a_53rd_iso_week() -> None:
    # 2020 has an ISO week 53 (Mon 28 Dec 2020 – Sun 3 Jan 2021).
    moments = [at(2020, 12, 21), at(2020, 12, 31), at(2021, 1, 4), at(2021, 1, 17)]
    streak = posting_streak(moments, now=at(2021, 1, 17, 20))
    # Weeks 52 and 53 of 2020, then weeks 1 and 2 (Sunday 17 Jan) of 2021: four weeks in a row.
    assert (streak.current, streak.longest, streak.posted_this_week) == (4, 4, True)


def test_streak_across_a_year_end_where_week_one_starts_in_december() -> None:
    # Mon 30 Dec 2024 is in ISO week 1 of 2025; Sun 29 Dec 2024 is in week 52 of 2024.
    moments = [at(2024, 12, 29), at(2024, 12, 30)]
    assert posting_streak(moments, now=at(2025, 1, 1)).current == 2
    # Two posts in the same ISO week spanning the year change are one week.
    assert posting_streak([at(2024, 12, 30), at(2025, 1, 5)], now=at(2025, 1, 5, 13)).current == 1


def test_streak_stays_alive_until_the_week_ends_and_breaks_after_a_gap() -> None:
    weekly = [at(2025, 5, 5), at(2025, 5, 12), at(2025, 5, 19)]  # Mondays of three consecutive weeks
    monday_next = at(2025, 5, 26, 9)
    assert posting_streak(weekly, now=monday_next) == posting_streak(weekly, now=at(2025, 6, 1, 23, 59))
    alive = posting_streak(weekly, now=monday_next)
    assert (alive.current, alive.posted_this_week) == (3, False)
    assert posting_streak(weekly, now=at(2025, 6, 2)).current == 0  # a whole week went by without a post
    assert posting_streak(weekly, now=at(2025, 6, 2)).longest == 3


def test_longest_streak_is_kept_after_a_break() -> None:
    moments = [at(2025, 1, 6), at(2025, 1, 13), at(2025, 1, 20), at(2025, 2, 10), at(2025, 2, 17)]
    streak = posting_streak(moments, now=at(2025, 2, 18))
    assert (streak.current, streak.longest) == (2, 3)


def test_posts_after_now_do_not_count() -> None:
    assert posting_streak([at(2025, 3, 10)], now=at(2025, 3, 9)).current == 0


def test_streak_weeks_follow_the_members_time_zone() -> None:
    # Sunday 23:30 UTC is already Monday in Amsterdam (UTC+1 in January): another ISO week.
    late_sunday = at(2021, 1, 3, 23, 30)  # Sunday of ISO week 53 of 2020 in UTC
    monday = at(2021, 1, 4, 18)  # week 1 of 2021 everywhere
    now = at(2021, 1, 5)
    assert posting_streak([late_sunday, monday], now, UTC).current == 2
    assert posting_streak([late_sunday, monday], now, ZoneInfo("Europe/Amsterdam")).current == 1
    assert posting_streak([late_sunday, monday], now, timezone(timedelta(hours=1))).current == 1
    # And west of UTC, a Monday 01:00 UTC post is still Sunday: the previous week.
    early_monday = at(2021, 1, 11, 1)
    new_york = ZoneInfo("America/New_York")
    assert posting_streak([monday, early_monday], at(2021, 1, 12), UTC).current == 2
    assert posting_streak([monday, early_monday], at(2021, 1, 12), new_york).current == 1


def test_report_streak_uses_the_time_zone() -> None:
    posts = [post(at(2021, 1, 3, 23, 30), 1, 100), post(at(2021, 1, 4, 18), 1, 100)]
    now = at(2021, 1, 5)
    assert progress_report(posts, [], now).streak.current == 2
    assert progress_report(posts, [], now, tz=ZoneInfo("Europe/Amsterdam")).streak.current == 1


# --- goals ------------------------------------------------------------------------------------------

SET_AT = datetime(2025, 1, 1, 0, 0, tzinfo=UTC)


def followers_goal(target: int, baseline: int | None, by: date = date(2025, 4, 10)) -> Goal:
    return Goal(
        1, 2, "followers", Fraction(target), by, SET_AT, None if baseline is None else Fraction(baseline)
    )


def test_goal_on_pace_when_the_way_covered_keeps_up_with_the_time_used() -> None:
    goal = followers_goal(2000, 1000)  # 100 days: 1 Jan up to and including 10 Apr
    halfway = SET_AT + timedelta(days=50)
    ahead = goal_progress(goal, Fraction(1600), halfway)
    assert ahead.expected == Fraction(1, 2)
    assert ahead.done == Fraction(3, 5)
    assert ahead.on_pace and not ahead.reached and not ahead.overdue
    assert ahead.days_left == 49  # 20 Feb to 10 Apr; the 10th itself still counts as a day to work
    behind = goal_progress(goal, Fraction(1400), halfway)
    assert behind.done == Fraction(2, 5) and behind.on_pace is False
    exactly = goal_progress(goal, Fraction(1500), halfway)
    assert exactly.on_pace


def test_goal_reached_and_overdue() -> None:
    goal = followers_goal(2000, 1000)
    after = datetime(2025, 4, 11, 0, 0, tzinfo=UTC)
    reached = goal_progress(goal, Fraction(2000), after)
    assert reached.reached and reached.on_pace and not reached.overdue and reached.done == 1
    missed = goal_progress(goal, Fraction(1999), after)
    assert missed.overdue and not missed.on_pace and missed.expected == 1
    assert missed.days_left == -1
    # The last day itself is not overdue yet, and by then the whole way is expected.
    last_day = goal_progress(goal, Fraction(1999), datetime(2025, 4, 10, 23, 59, tzinfo=UTC))
    assert not last_day.overdue and last_day.days_left == 0
    assert last_day.expected == Fraction(99, 100)


def test_nothing_is_expected_on_the_day_a_goal_is_set() -> None:
    goal = followers_goal(2000, 1000)
    later_that_day = goal_progress(goal, Fraction(1000), SET_AT + timedelta(hours=23))
    assert later_that_day.expected == 0 and later_that_day.on_pace
    next_day = goal_progress(goal, Fraction(1000), SET_AT + timedelta(hours=24))
    assert next_day.expected == Fraction(1, 100) and next_day.on_pace is False


def test_goal_days_follow_the_members_time_zone() -> None:
    goal = followers_goal(2000, 1000)
    moment = datetime(2025, 4, 10, 23, 30, tzinfo=UTC)  # already 11 April in Amsterdam
    assert not goal_progress(goal, Fraction(1500), moment).overdue
    assert goal_progress(goal, Fraction(1500), moment, ZoneInfo("Europe/Amsterdam")).overdue


def test_goal_without_baseline_or_already_above_counts_from_zero() -> None:
    assert goal_progress(followers_goal(2000, None), Fraction(500), SET_AT).done == Fraction(1, 4)
    kept = goal_progress(followers_goal(2000, 2500), Fraction(2200), SET_AT)
    assert kept.reached and kept.done == Fraction(11, 10)


def test_goal_without_current_value() -> None:
    state = goal_progress(followers_goal(2000, None), None, SET_AT + timedelta(days=10))
    assert state.current is None and state.done is None and state.on_pace is None


def test_engagement_goal_uses_the_last_four_weeks_average() -> None:
    posts = [post(days_ago(2), 30, 1000), post(days_ago(9), 10, 1000), post(days_ago(40), 500, 1000)]
    assert goal_value("engagement_rate", posts, [], NOW) == 2
    assert goal_value("followers", posts, [snapshot(days_ago(1), 1100)], NOW) == 1100
    assert goal_value("engagement_rate", [], [], NOW) is None
    goal = Goal(1, 2, "engagement_rate", Fraction(4), date(2025, 7, 1), NOW - timedelta(days=10), Fraction(1))
    followers = Goal(1, 2, "followers", Fraction(2000), date(2025, 7, 1), NOW - timedelta(days=10), None)
    report = progress_report(posts, [], NOW, goals=[goal, followers])
    assert [(g.goal.metric, g.current, g.done) for g in report.goals] == [
        ("engagement_rate", 2, Fraction(1, 3)),
        ("followers", 1000, Fraction(1, 2)),
    ]


def test_new_goal_checks_its_input() -> None:
    goal = new_goal(1, 2, "engagement_rate", 4.45, date(2025, 9, 1), NOW, Fraction(2))
    assert goal.target == Fraction(445, 100) and goal.set_at == NOW and goal.baseline == 2
    assert new_goal(1, 2, "followers", 10_000.0, date(2025, 9, 1), NOW, None).target == 10_000
    with pytest.raises(InvalidInput):
        new_goal(1, 2, "followers", 10_000.5, date(2025, 9, 1), NOW, None)
    with pytest.raises(InvalidInput):
        new_goal(1, 2, "engagement_rate", 0, date(2025, 9, 1), NOW, None)
    with pytest.raises(GoalRejected) as past:
        new_goal(1, 2, "followers", 10, NOW.date(), NOW, None)
    assert past.value.reason == "by_past"
    with pytest.raises(GoalRejected) as far:
        new_goal(1, 2, "followers", 10, date(2030, 1, 1), NOW, None)
    assert far.value.reason == "by_far"
