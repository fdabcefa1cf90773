"""Weekly check-ins: free text, the week at a glance, heavy use, the coaches' roster and when reminders are due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from bot.domain.checkins import (
    MAX_FOCUS,
    MAX_NOTE,
    RosterEntry,
    WeekSummary,
    check_text,
    heavy_use,
    is_stalled,
    next_reminder,
    reminder_due,
    reminder_is_stale,
    roster_order,
    week_summary,
)
from bot.domain.errors import InvalidInput
from bot.domain.history import LoggedPost
from bot.domain.progress import Streak
from bot.domain.weeks import IsoWeek

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
W9, W10, W11 = IsoWeek(2026, 9), IsoWeek(2026, 10), IsoWeek(2026, 11)
# W10 runs Monday 2026-03-02 to Sunday 2026-03-08; Amsterdam is on winter time (UTC+1) then.
MONDAY, SUNDAY = 0, 6
_ids = count(1)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def post(
    posted_at: datetime, interactions: int = 50, followers: int = 1000, logged_at: datetime | None = None
) -> LoggedPost:
    """A post with `interactions` likes; logged live (logged_at = posted_at) unless `logged_at` says otherwise."""
    return LoggedPost(
        id=next(_ids),
        guild_id=1,
        user_id=2,
        posted_at=posted_at,
        logged_at=posted_at if logged_at is None else logged_at,
        likes=interactions,
        comments=0,
        shares=0,
        saves=0,
        views=None,
        followers=followers,
        title=None,
    )


# --- free text ----------------------------------------------------------------------------------------


def test_check_text_trims() -> None:
    assert check_text("focus", "  post three times \n", MAX_FOCUS) == "post three times"


@pytest.mark.parametrize("text", ["", "   ", " \n\t "], ids=["empty", "spaces", "whitespace"])
def test_check_text_refuses_empty_text(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_text("focus", text, MAX_FOCUS)
    assert (caught.value.field, caught.value.rule, caught.value.limits) == ("focus", "empty", {})


@pytest.mark.parametrize(("field", "maximum"), [("focus", MAX_FOCUS), ("text", MAX_NOTE)])
def test_check_text_refuses_text_over_the_maximum(field: str, maximum: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_text(field, "x" * (maximum + 1), maximum)
    assert (caught.value.field, caught.value.rule, caught.value.limits) == (
        field,
        "too_long",
        {"maximum": maximum},
    )


def test_check_text_takes_exactly_the_maximum_counted_after_trimming() -> None:
    assert MAX_FOCUS == 300 and MAX_NOTE == 1000
    assert check_text("focus", "x" * MAX_FOCUS, MAX_FOCUS) == "x" * 300
    assert check_text("focus", "  " + "y" * MAX_FOCUS + "  ", MAX_FOCUS) == "y" * 300


# --- the week at a glance -----------------------------------------------------------------------------

# Sunday 2026-03-08 23:45 Amsterdam: the last quarter of an hour of W10.
SUNDAY_LATE = utc(2026, 3, 8, 22, 45)
# Sunday 23:30 Amsterdam is 22:30 UTC: still W10.
SUNDAY_2330 = utc(2026, 3, 8, 22, 30)


def summary_posts() -> list[LoggedPost]:
    return [
        post(utc(2026, 1, 28, 12), 900),  # W5: five weeks back, outside the comparison
        post(utc(2026, 2, 10, 12), 30),  # W7: 3%
        post(utc(2026, 3, 1, 22, 59), 50),  # W9, Sunday 23:59 Amsterdam: 5%
        post(utc(2026, 3, 1, 23, 0), 40),  # W10, Monday 00:00 Amsterdam: 4%
        post(SUNDAY_2330, 60),  # W10: 6%
        post(utc(2026, 3, 8, 22, 50), 990),  # W10 but after `now`: not yet
    ]


def test_week_summary_compares_this_week_with_the_four_before() -> None:
    summary = week_summary(summary_posts(), SUNDAY_LATE, AMSTERDAM)
    assert summary == WeekSummary(
        week=W10,
        posts=2,
        rate=Fraction(5),
        usual_rate=Fraction(4),
        usual_posts=2,
        streak=Streak(current=2, longest=2, posted_this_week=True),
    )
    assert summary.change == Fraction(25)


def test_a_drop_is_a_negative_change_in_percent() -> None:
    posts = [post(utc(2026, 2, 24, 12), 40), post(utc(2026, 3, 3, 12), 30)]  # 4% in W9, 3% in W10
    summary = week_summary(posts, SUNDAY_LATE, AMSTERDAM)
    assert (summary.rate, summary.usual_rate, summary.change) == (Fraction(3), Fraction(4), Fraction(-25))


def test_sunday_2330_amsterdam_counts_in_its_week_not_the_next() -> None:
    posts = [post(SUNDAY_2330, 60)]
    this_week = week_summary(posts, SUNDAY_LATE, AMSTERDAM)
    assert (this_week.week, this_week.posts, this_week.rate) == (W10, 1, Fraction(6))
    # On Monday of W11 the same post is one of the weeks before, not this week's.
    next_week = week_summary(posts, utc(2026, 3, 9, 9), AMSTERDAM)
    assert next_week == WeekSummary(
        week=W11,
        posts=0,
        rate=None,
        usual_rate=Fraction(6),
        usual_posts=1,
        streak=Streak(current=1, longest=1, posted_this_week=False),
    )


def test_no_earlier_posts_gives_no_usual_rate_and_no_change() -> None:
    summary = week_summary([post(utc(2026, 3, 4, 12), 50)], SUNDAY_LATE, AMSTERDAM)
    assert (summary.posts, summary.rate, summary.usual_rate, summary.usual_posts) == (1, Fraction(5), None, 0)
    assert summary.change is None
    assert summary.streak == Streak(current=1, longest=1, posted_this_week=True)


def test_no_posts_this_week_gives_no_rate_and_no_change() -> None:
    summary = week_summary([post(utc(2026, 2, 25, 12), 50)], SUNDAY_LATE, AMSTERDAM)
    assert (summary.posts, summary.rate, summary.usual_rate, summary.usual_posts) == (0, None, Fraction(5), 1)
    assert summary.change is None
    assert summary.streak == Streak(current=1, longest=1, posted_this_week=False)


def test_a_usual_rate_of_zero_gives_no_change() -> None:
    posts = [post(utc(2026, 2, 25, 12), 0), post(utc(2026, 3, 4, 12), 50)]
    summary = week_summary(posts, SUNDAY_LATE, AMSTERDAM)
    assert (summary.rate, summary.usual_rate, summary.change) == (Fraction(5), Fraction(0), None)


def test_no_posts_at_all() -> None:
    assert week_summary([], SUNDAY_LATE, AMSTERDAM) == WeekSummary(
        W10, 0, None, None, 0, Streak(current=0, longest=0, posted_this_week=False)
    )


def test_week_summary_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError):
        week_summary([], datetime(2026, 3, 8, 12), AMSTERDAM)


# --- heavy use ----------------------------------------------------------------------------------------

FRIDAY_NOON = utc(2026, 3, 6, 11)  # Friday of W10, 12:00 Amsterdam


def amsterdam(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0
) -> datetime:
    """A local Amsterdam wall-clock time, as UTC."""
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=AMSTERDAM).astimezone(UTC)


LATE_NIGHTS = [
    amsterdam(2026, 3, 2, 23, 30),  # Monday night
    amsterdam(2026, 3, 4, 1, 0),  # Tuesday night (after midnight)
    amsterdam(2026, 3, 5, 2, 0),  # Wednesday night (after midnight)
]


def test_three_late_nights_in_one_week_is_heavy_use() -> None:
    assert heavy_use([post(m) for m in LATE_NIGHTS], FRIDAY_NOON, AMSTERDAM) == "late_nights"


def test_three_late_nights_last_week_count_too() -> None:
    a_week_later = FRIDAY_NOON + timedelta(weeks=1)
    assert heavy_use([post(m) for m in LATE_NIGHTS], a_week_later, AMSTERDAM) == "late_nights"
    # Two weeks later they are history.
    assert heavy_use([post(m) for m in LATE_NIGHTS], a_week_later + timedelta(weeks=1), AMSTERDAM) is None


def test_two_late_nights_are_not_heavy_use() -> None:
    assert heavy_use([post(m) for m in LATE_NIGHTS[:2]], FRIDAY_NOON, AMSTERDAM) is None


def test_three_posts_in_one_night_are_one_late_night() -> None:
    one_night = [amsterdam(2026, 3, 2, 23, 30), amsterdam(2026, 3, 3, 1, 0), amsterdam(2026, 3, 3, 2, 0)]
    assert heavy_use([post(m) for m in one_night], FRIDAY_NOON, AMSTERDAM) is None


def test_a_night_is_counted_once_either_side_of_midnight() -> None:
    # Monday night and Tuesday night, each with a post before and after midnight: two nights, not three.
    two_nights = [
        amsterdam(2026, 3, 2, 23, 30),
        amsterdam(2026, 3, 3, 1, 0),
        amsterdam(2026, 3, 3, 23, 30),
        amsterdam(2026, 3, 4, 1, 0),
    ]
    assert heavy_use([post(m) for m in two_nights], FRIDAY_NOON, AMSTERDAM) is None


def test_monday_after_midnight_belongs_to_the_sunday_night_of_the_week_before() -> None:
    nights = [
        amsterdam(2026, 3, 6, 23, 30),  # Friday night, W10
        amsterdam(2026, 3, 7, 23, 30),  # Saturday night, W10
        amsterdam(2026, 3, 9, 1, 0),  # Monday 01:00 of W11: Sunday night, W10
    ]
    assert heavy_use([post(m) for m in nights], utc(2026, 3, 10, 11), AMSTERDAM) == "late_nights"


def test_imported_posts_at_midnight_utc_are_not_late_nights() -> None:
    midnights = [utc(2026, 3, 3), utc(2026, 3, 4), utc(2026, 3, 5)]  # 01:00 Amsterdam
    imported = [post(m, logged_at=FRIDAY_NOON) for m in midnights]
    assert heavy_use(imported, FRIDAY_NOON, AMSTERDAM) is None
    # The same moments logged live are late nights.
    assert heavy_use([post(m) for m in midnights], FRIDAY_NOON, AMSTERDAM) == "late_nights"


def daily(last_day: int, days: int, skip: date | None = None) -> list[LoggedPost]:
    """A post at 12:00 Amsterdam on each of `days` days ending on March `last_day` 2026, but for `skip`."""
    end = amsterdam(2026, 3, last_day, 12)
    moments = [end - timedelta(days=n) for n in range(days)]
    return [post(m) for m in moments if m.astimezone(AMSTERDAM).date() != skip]


def test_a_post_on_each_of_the_last_28_days_is_heavy_use() -> None:
    assert heavy_use(daily(6, 28), FRIDAY_NOON, AMSTERDAM) == "every_day"


def test_28_days_with_one_gap_are_not_heavy_use() -> None:
    posts = daily(6, 28, skip=date(2026, 2, 20))
    assert len(posts) == 27
    assert heavy_use(posts, FRIDAY_NOON, AMSTERDAM) is None


def test_27_days_in_a_row_are_not_heavy_use() -> None:
    assert heavy_use(daily(6, 27), FRIDAY_NOON, AMSTERDAM) is None


def test_28_days_ending_yesterday_count_while_nothing_is_posted_today() -> None:
    assert heavy_use(daily(5, 28), FRIDAY_NOON, AMSTERDAM) == "every_day"
    assert heavy_use(daily(5, 27), FRIDAY_NOON, AMSTERDAM) is None


def test_late_nights_after_now_do_not_count() -> None:
    # Wednesday noon: the third night (Thursday 02:00) is still to come.
    assert heavy_use([post(m) for m in LATE_NIGHTS], utc(2026, 3, 4, 11), AMSTERDAM) is None


def test_a_normal_history_is_not_heavy_use() -> None:
    # Monday, Wednesday and Friday at 15:00 for eight weeks.
    posts = [
        post(amsterdam(2026, 1, 12, 15) + timedelta(weeks=w, days=d)) for w in range(8) for d in (0, 2, 4)
    ]
    assert heavy_use(posts, FRIDAY_NOON, AMSTERDAM) is None


# --- the roster ---------------------------------------------------------------------------------------

NOW = utc(2026, 3, 20, 12)
EMPTY_SUMMARY = WeekSummary(IsoWeek(2026, 12), 0, None, None, 0, Streak(0, 0, False))


@pytest.mark.parametrize(
    ("last_post", "last_checkin", "stalled"),
    [
        pytest.param(None, None, True, id="never-active"),
        pytest.param(NOW - timedelta(days=14), None, True, id="post-exactly-14-days-ago"),
        pytest.param(
            NOW - timedelta(days=14) + timedelta(seconds=1), None, False, id="post-just-under-14-days"
        ),
        pytest.param(None, NOW - timedelta(days=14), True, id="checkin-exactly-14-days-ago"),
        pytest.param(None, NOW - timedelta(days=13), False, id="checkin-13-days-ago"),
        pytest.param(NOW - timedelta(days=30), NOW - timedelta(days=1), False, id="old-post-recent-checkin"),
        pytest.param(NOW - timedelta(days=1), NOW - timedelta(days=30), False, id="recent-post-old-checkin"),
        pytest.param(NOW - timedelta(days=20), NOW - timedelta(days=15), True, id="both-old"),
    ],
)
def test_is_stalled(last_post: datetime | None, last_checkin: datetime | None, stalled: bool) -> None:
    assert is_stalled(last_post, last_checkin, NOW) is stalled


def entry(user_id: int, last_post: datetime | None, last_checkin: datetime | None = None) -> RosterEntry:
    return RosterEntry(
        user_id=user_id,
        summary=EMPTY_SUMMARY,
        last_post=last_post,
        last_checkin=last_checkin,
        goals=(),
        stalled=is_stalled(last_post, last_checkin, NOW),
    )


def test_last_active_is_the_later_of_post_and_checkin() -> None:
    assert entry(1, NOW - timedelta(days=3), NOW - timedelta(days=1)).last_active == NOW - timedelta(days=1)
    assert entry(1, NOW - timedelta(days=1), NOW - timedelta(days=3)).last_active == NOW - timedelta(days=1)
    assert entry(1, None, NOW - timedelta(days=3)).last_active == NOW - timedelta(days=3)
    assert entry(1, None, None).last_active is None


def test_roster_shows_stalled_first_longest_silent_first_then_active_most_recent_first() -> None:
    entries = [
        entry(1, NOW - timedelta(days=10), NOW - timedelta(days=1)),  # active, a day ago (the check-in)
        entry(2, NOW - timedelta(hours=3)),  # active, 3 hours ago
        entry(3, None, None),  # never active: stalled the longest
        entry(4, NOW - timedelta(days=20)),  # stalled 20 days
        entry(5, None, NOW - timedelta(days=30)),  # stalled 30 days
        entry(6, NOW - timedelta(days=1)),  # active, a day ago: tie with 1
        entry(7, NOW - timedelta(days=25), NOW - timedelta(days=20)),  # stalled 20 days: tie with 4
    ]
    assert [e.stalled for e in entries] == [False, False, True, True, True, False, True]
    ordered = roster_order(reversed(entries))
    assert [e.user_id for e in ordered] == [3, 5, 4, 7, 2, 1, 6]


def test_roster_of_nobody_is_empty() -> None:
    assert roster_order([]) == []


# --- reminders ----------------------------------------------------------------------------------------

W10_DUE = utc(2026, 3, 2, 9)  # Monday 2026-03-02 10:00 Amsterdam
W11_DUE = utc(2026, 3, 9, 9)
LONG_AGO = utc(2026, 1, 1)


def test_reminder_due_is_the_weekday_and_hour_in_server_time() -> None:
    assert reminder_due(W10, MONDAY, 10, AMSTERDAM) == W10_DUE
    assert reminder_due(W10, SUNDAY, 20, AMSTERDAM) == utc(2026, 3, 8, 19)
    # Summer time: Monday 2026-03-30 10:00 is 08:00 UTC.
    assert reminder_due(IsoWeek(2026, 14), MONDAY, 10, AMSTERDAM) == utc(2026, 3, 30, 8)


def test_reminder_due_at_an_hour_the_spring_change_skips_is_the_jump() -> None:
    # Sunday 2026-03-29 (2026-W13): the clocks jump from 02:00 to 03:00, at 01:00 UTC.
    assert reminder_due(IsoWeek(2026, 13), SUNDAY, 2, AMSTERDAM) == utc(2026, 3, 29, 1)
    assert reminder_due(IsoWeek(2026, 13), SUNDAY, 1, AMSTERDAM) == utc(2026, 3, 29, 0)
    assert reminder_due(IsoWeek(2026, 13), SUNDAY, 3, AMSTERDAM) == utc(2026, 3, 29, 1)


def test_reminder_due_at_an_hour_the_autumn_change_repeats_is_its_first_time() -> None:
    # Sunday 2026-10-25 (2026-W43): 02:00 happens twice; first on summer time, 00:00 UTC.
    assert reminder_due(IsoWeek(2026, 43), SUNDAY, 2, AMSTERDAM) == utc(2026, 10, 25, 0)
    assert reminder_due(IsoWeek(2026, 43), SUNDAY, 3, AMSTERDAM) == utc(2026, 10, 25, 2)


@pytest.mark.parametrize(
    ("now", "active_since", "last_done", "expected"),
    [
        pytest.param(utc(2026, 3, 2, 8), LONG_AGO, None, (W10, W10_DUE), id="before-this-weeks-due"),
        pytest.param(utc(2026, 3, 1, 23, 30), LONG_AGO, W9, (W10, W10_DUE), id="monday-00:30-local"),
        pytest.param(utc(2026, 3, 2, 8), LONG_AGO, W10, (W11, W11_DUE), id="before-due-but-done"),
        pytest.param(W10_DUE, LONG_AGO, W9, (W10, W10_DUE), id="at-the-due-moment"),
        pytest.param(utc(2026, 3, 4, 12), LONG_AGO, None, (W10, W10_DUE), id="catch-up-nothing-sent"),
        pytest.param(utc(2026, 3, 4, 12), LONG_AGO, W9, (W10, W10_DUE), id="catch-up-last-week-sent"),
        pytest.param(utc(2026, 3, 4, 12), W10_DUE, None, (W10, W10_DUE), id="catch-up-active-since-the-due"),
        pytest.param(utc(2026, 3, 4, 12), utc(2026, 3, 3), None, (W11, W11_DUE), id="active-after-the-due"),
        pytest.param(utc(2026, 3, 4, 12), LONG_AGO, W10, (W11, W11_DUE), id="after-due-done"),
        pytest.param(utc(2026, 3, 8, 22, 59), LONG_AGO, W10, (W11, W11_DUE), id="sunday-late-done"),
    ],
)
def test_next_reminder(
    now: datetime, active_since: datetime, last_done: IsoWeek | None, expected: tuple[IsoWeek, datetime]
) -> None:
    assert next_reminder(MONDAY, 10, AMSTERDAM, now, active_since, last_done) == expected


def test_a_caught_up_reminder_is_owed_at_once() -> None:
    now = utc(2026, 3, 4, 12)
    week, due = next_reminder(MONDAY, 10, AMSTERDAM, now, LONG_AGO, None)
    assert week == W10 and due <= now


def test_next_reminder_in_the_week_the_clocks_change() -> None:
    w13 = IsoWeek(2026, 13)
    # Saturday 2026-03-28 noon: Sunday's 02:00 reminder is still to come, at the jump.
    assert next_reminder(SUNDAY, 2, AMSTERDAM, utc(2026, 3, 28, 11), LONG_AGO, None) == (
        w13,
        utc(2026, 3, 29, 1),
    )
    # Once done, the next is Sunday 2026-04-05 02:00 summer time, 00:00 UTC.
    assert next_reminder(SUNDAY, 2, AMSTERDAM, utc(2026, 3, 28, 11), LONG_AGO, w13) == (
        IsoWeek(2026, 14),
        utc(2026, 4, 5, 0),
    )


@pytest.mark.parametrize(
    ("week", "now", "stale"),
    [
        pytest.param(W10, W10_DUE, False, id="on-the-due"),
        pytest.param(W10, utc(2026, 3, 8, 22, 59, 59, 999999), False, id="sunday-23:59:59-local"),
        pytest.param(W10, utc(2026, 3, 8, 23), True, id="monday-00:00-local"),
        pytest.param(W10, utc(2026, 3, 12), True, id="days-later"),
        # The week the clocks go forward ends at 22:00 UTC (Monday 00:00 summer time).
        pytest.param(IsoWeek(2026, 13), utc(2026, 3, 29, 21, 59), False, id="dst-week-before-end"),
        pytest.param(IsoWeek(2026, 13), utc(2026, 3, 29, 22), True, id="dst-week-end"),
    ],
)
def test_reminder_is_stale_from_the_end_of_the_week(week: IsoWeek, now: datetime, stale: bool) -> None:
    assert reminder_is_stale(week, AMSTERDAM, now) is stale
