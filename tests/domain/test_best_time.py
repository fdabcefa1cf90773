"""Best time to post: follower activity by local weekday and hour, its peak, and the hour before it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from bot.domain.best_time import HOURS, HOURS_BEFORE_PEAK, RECENT, WEEKDAYS, BestTime, best_time

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
HOUR = timedelta(hours=1)


def week(start: datetime, peaks: dict[tuple[int, int], int], base: int = 10) -> list[tuple[datetime, int]]:
    """168 hourly samples from `start`, `base` everywhere except the (UTC weekday, UTC hour) in `peaks`."""
    samples = []
    for i in range(WEEKDAYS * HOURS):
        at = start + i * HOUR
        samples.append((at, peaks.get((at.weekday(), at.hour), base)))
    return samples


def result(samples: list[tuple[datetime, int]], tz: tzinfo = AMSTERDAM) -> BestTime:
    found = best_time(samples, tz)
    assert found is not None
    return found


NOVEMBER = datetime(2024, 11, 4, tzinfo=UTC)  # a Monday; Amsterdam is UTC+1
JULY = datetime(2024, 7, 1, tzinfo=UTC)  # a Monday; Amsterdam is UTC+2


def test_peak_in_winter_time() -> None:
    found = result(week(NOVEMBER, {(TUE, 19): 100}))
    assert (found.peak_weekday, found.peak_hour, found.peak_active) == (TUE, 20, 100.0)
    assert (found.post_weekday, found.post_hour) == (TUE, 19)
    assert found.grid[TUE][20] == 100.0
    assert found.grid[TUE][19] == 10.0
    assert found.busiest_hours[0] == 20
    assert found.daily_post_hour == 19


def test_peak_in_summer_time() -> None:
    found = result(week(JULY, {(TUE, 19): 100}))
    assert (found.peak_weekday, found.peak_hour) == (TUE, 21)
    assert (found.post_weekday, found.post_hour) == (TUE, 20)
    assert found.daily_post_hour == 20


def test_utc_zone_keeps_the_hours() -> None:
    found = result(week(NOVEMBER, {(TUE, 19): 100}), UTC)
    assert (found.peak_weekday, found.peak_hour) == (TUE, 19)
    assert (found.post_weekday, found.post_hour) == (TUE, 18)


def test_half_hour_zone_puts_a_sample_in_the_hour_it_starts_in() -> None:
    # 13:00 UTC is 18:30 in India.
    found = result(week(NOVEMBER, {(WED, 13): 50}), ZoneInfo("Asia/Kolkata"))
    assert (found.peak_weekday, found.peak_hour) == (WED, 18)


def test_a_peak_at_monday_midnight_wraps_the_post_time_to_sunday() -> None:
    # Sunday 23:00 UTC is Monday 00:00 in Amsterdam in November.
    found = result(week(NOVEMBER, {(SUN, 23): 80}))
    assert (found.peak_weekday, found.peak_hour) == (MON, 0)
    assert (found.post_weekday, found.post_hour) == (SUN, 23)
    assert found.busiest_hours[0] == 0
    assert found.daily_post_hour == 23


def test_grid_shape_and_the_week_it_covers() -> None:
    found = result(week(NOVEMBER, {(TUE, 19): 100}))
    assert len(found.grid) == WEEKDAYS
    assert all(len(row) == HOURS for row in found.grid)
    # A UTC week is Monday 01:00 to Monday 00:00 a week later in Amsterdam: every cell once.
    assert all(value is not None for row in found.grid for value in row)
    assert found.samples == 168
    assert (found.first_day, found.last_day) == (date(2024, 11, 4), date(2024, 11, 11))
    assert found.days == 8


def test_empty_cells_are_none_and_means_are_exact() -> None:
    monday_9 = datetime(2024, 11, 4, 8, tzinfo=UTC)  # 09:00 in Amsterdam
    samples = [(monday_9, 1), (monday_9 + timedelta(weeks=1), 2), (monday_9 + HOUR, 4)]
    found = result(samples)
    assert found.grid[MON][9] == 1.5
    assert found.grid[MON][10] == 4.0
    assert sum(value is not None for row in found.grid for value in row) == 2
    assert found.grid[TUE][9] is None
    assert (found.peak_weekday, found.peak_hour, found.peak_active) == (MON, 10, 4.0)
    assert (found.first_day, found.last_day, found.days, found.samples) == (
        date(2024, 11, 4),
        date(2024, 11, 11),
        2,
        3,
    )


def test_ties_go_to_the_earliest_weekday_then_the_earliest_hour() -> None:
    found = result(week(NOVEMBER, {(WED, 10): 50, (TUE, 15): 50, (THU, 3): 50}), UTC)
    assert (found.peak_weekday, found.peak_hour) == (TUE, 15)
    found = result(week(NOVEMBER, {(TUE, 15): 50, (TUE, 8): 50}), UTC)
    assert (found.peak_weekday, found.peak_hour) == (TUE, 8)


def test_the_order_of_the_samples_does_not_matter() -> None:
    samples = week(NOVEMBER, {(FRI, 12): 70, (SAT, 12): 70, (SUN, 7): 60})
    shuffled = samples[:]
    random.Random(4).shuffle(shuffled)
    assert result(shuffled) == result(samples)


def test_a_repeated_hour_keeps_its_last_count() -> None:
    samples = week(NOVEMBER, {(TUE, 19): 100})
    tuesday_19 = datetime(2024, 11, 5, 19, tzinfo=UTC)
    found = result([*samples, (tuesday_19, 5)])
    assert found.grid[TUE][20] == 5.0
    assert found.peak_active == 10.0
    assert found.samples == 168
    # And the other way round: the repeat is what counts, wherever it comes.
    found = result([(tuesday_19, 500), *samples])
    assert found.grid[TUE][20] == 100.0


def test_only_the_recent_weeks_count() -> None:
    newest = datetime(2024, 12, 2, 12, tzinfo=UTC)
    old_peak = newest - timedelta(days=40)
    samples = [
        (old_peak, 1_000),
        (newest - RECENT, 900),  # the same weekday-hour as the newest, four weeks back: one too many
        (newest - RECENT + HOUR, 30),
        (newest, 20),
    ]
    found = result(samples, UTC)
    assert found.samples == 2
    assert (found.peak_weekday, found.peak_hour, found.peak_active) == (
        (newest - RECENT + HOUR).weekday(),
        13,
        30.0,
    )
    assert found.grid[old_peak.weekday()][old_peak.hour] is None
    assert found.grid[newest.weekday()][12] == 20.0
    assert found.first_day == (newest - RECENT + HOUR).date()
    assert found.last_day == newest.date()
    assert found.days == 2


def test_four_full_weeks_count_every_cell_four_times() -> None:
    start = datetime(2024, 10, 28, tzinfo=UTC)
    samples = [(start + i * HOUR, i % 5) for i in range(5 * 7 * 24)]
    found = result(samples, UTC)
    assert found.samples == 4 * 7 * 24
    assert found.first_day == date(2024, 11, 4)
    assert found.days == 28


def test_recent_zeros_after_old_activity_give_nothing() -> None:
    newest = datetime(2024, 12, 2, 12, tzinfo=UTC)
    assert best_time([(newest - timedelta(days=60), 500), (newest, 0)], UTC) is None


def test_busiest_hours_average_every_weekday() -> None:
    monday = datetime(2024, 11, 4, tzinfo=UTC)
    tuesday = monday + timedelta(days=1)
    samples = [
        (monday.replace(hour=10), 100),
        (tuesday.replace(hour=10), 0),  # hour 10: 50 on average
        (monday.replace(hour=14), 60),
        (tuesday.replace(hour=14), 60),  # hour 14: 60
        (monday.replace(hour=20), 50),  # hour 20: 50, ties with 10
        (monday.replace(hour=22), 40),
        (monday.replace(hour=3), 0),
    ]
    found = result(samples, UTC)
    # The single best cell is Monday 10:00, but across the week 14:00 is busier.
    assert (found.peak_weekday, found.peak_hour) == (MON, 10)
    assert (found.post_weekday, found.post_hour) == (MON, 9)
    assert found.busiest_hours == (14, 10, 20)
    assert found.daily_post_hour == 14 - HOURS_BEFORE_PEAK


def test_busiest_hours_leave_out_hours_without_followers() -> None:
    monday = datetime(2024, 11, 4, tzinfo=UTC)
    found = result([(monday.replace(hour=5), 0), (monday.replace(hour=9), 3)], UTC)
    assert found.busiest_hours == (9,)
    assert found.days == 1


def test_nothing_to_go_on() -> None:
    assert best_time([], AMSTERDAM) is None
    assert best_time(iter(()), AMSTERDAM) is None
    assert best_time(week(NOVEMBER, {}, base=0), AMSTERDAM) is None


def test_refuses_naive_and_non_utc_datetimes() -> None:
    with pytest.raises(ValueError):
        best_time([(datetime(2024, 11, 4, 10), 5)], AMSTERDAM)
    with pytest.raises(ValueError):
        best_time([(datetime(2024, 11, 4, 10, tzinfo=timezone(timedelta(hours=1))), 5)], AMSTERDAM)


def test_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        best_time([(NOVEMBER, -1)], AMSTERDAM)


def test_autumn_dst_change_puts_two_samples_in_one_local_hour() -> None:
    # Sunday 27 October 2024: 00:00 UTC is 02:00 CEST, 01:00 UTC is 02:00 CET again.
    start = datetime(2024, 10, 21, tzinfo=UTC)  # the Monday before
    samples = week(start, {(SUN, 0): 10, (SUN, 1): 30, (SUN, 2): 5, (WED, 18): 25}, base=1)
    found = result(samples)
    assert found.grid[SUN][2] == 20.0
    assert found.grid[SUN][3] == 5.0
    assert found.grid[WED][20] == 25.0  # still summer time on Wednesday
    assert (found.peak_weekday, found.peak_hour) == (WED, 20)
    assert found.samples == 168
    # Monday 02:00 CEST through Monday 00:00 CET: Monday 00:00 and 01:00 have a sample, Sunday 02:00 has two.
    filled = sum(value is not None for row in found.grid for value in row)
    assert filled == 167
    assert found.grid[MON][0] is not None and found.grid[MON][1] is None


def test_spring_dst_change_skips_a_local_hour() -> None:
    # Sunday 31 March 2024: 01:00 UTC is 03:00 CEST; nothing lands on 02:00.
    start = datetime(2024, 3, 25, tzinfo=UTC)  # the Monday before
    found = result(week(start, {(SUN, 1): 40, (SUN, 0): 35}))
    assert found.grid[SUN][2] is None
    assert found.grid[SUN][1] == 35.0
    assert (found.peak_weekday, found.peak_hour, found.peak_active) == (SUN, 3, 40.0)
    assert (found.post_weekday, found.post_hour) == (SUN, 2)
    assert found.samples == 168
