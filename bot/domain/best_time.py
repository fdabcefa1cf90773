"""When a member's followers are active, from TikTok's follower activity, and when to post for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from fractions import Fraction

from bot.domain.history import require_utc

# Guide 000: post about an hour before your followers' peak activity, so the video is fresh when they arrive.
HOURS_BEFORE_PEAK = 1
# Followers' habits change: only the 28 days up to the newest sample count. Four whole weeks, so every
# weekday and hour is counted as often as any other.
RECENT = timedelta(days=28)
WEEKDAYS, HOURS = 7, 24
BUSIEST_HOURS = 3


@dataclass(frozen=True, slots=True)
class BestTime:
    """Follower activity by local weekday and hour, its peak, and the posting advice that follows.

    Weekdays count from Monday (0) to Sunday (6), hours are local to the zone it was computed in.
    """

    # WEEKDAYS rows × HOURS columns: the mean active followers of the samples in that cell, None if none.
    grid: tuple[tuple[float | None, ...], ...]
    # The cell with the highest mean; ties go to the earliest weekday, then the earliest hour.
    peak_weekday: int
    peak_hour: int
    peak_active: float
    # Up to BUSIEST_HOURS hours with activity, best first, by the mean over every sample at that hour of
    # any weekday; ties go to the earlier hour.
    busiest_hours: tuple[int, ...]
    # The peak cell HOURS_BEFORE_PEAK hours earlier, across midnight into the previous day when needed.
    post_weekday: int
    post_hour: int
    # HOURS_BEFORE_PEAK before the busiest hour: the advice for any day of the week.
    daily_post_hour: int
    # Local dates of the oldest and newest sample used, and how many distinct local dates had samples.
    first_day: date
    last_day: date
    days: int
    samples: int


def best_time(hours: Iterable[tuple[datetime, int]], tz: tzinfo) -> BestTime | None:
    """Follower activity as seen in `tz`, from (UTC hour start, active followers) pairs in any order.

    A repeated hour keeps its last count. Only samples within RECENT of the newest count. Returns None
    when there is nothing to go on: no samples, or only zeros, where no hour stands out as a peak.
    Raises ValueError for a naive or non-UTC datetime or a negative count.
    """
    by_moment: dict[datetime, int] = {}
    for moment, active in hours:
        require_utc(moment)
        if active < 0:
            raise ValueError(f"active followers cannot be negative, got {active!r} at {moment.isoformat()}")
        by_moment[moment] = active
    if not by_moment:
        return None

    newest = max(by_moment)
    # Samples are hour starts: one exactly RECENT before the newest would count its weekday-hour a fifth time.
    cutoff = newest - RECENT
    recent = sorted((m, a) for m, a in by_moment.items() if m > cutoff)
    if not any(active for _, active in recent):
        return None

    cell_totals = [[0] * HOURS for _ in range(WEEKDAYS)]
    cell_counts = [[0] * HOURS for _ in range(WEEKDAYS)]
    hour_totals = [0] * HOURS
    hour_counts = [0] * HOURS
    local_dates: set[date] = set()
    for moment, active in recent:
        # A UTC hour lands wherever the zone puts it: around a DST change a local hour may get two samples
        # on one day or none, which the means absorb.
        local = moment.astimezone(tz)
        weekday, hour = local.weekday(), local.hour
        cell_totals[weekday][hour] += active
        cell_counts[weekday][hour] += 1
        hour_totals[hour] += active
        hour_counts[hour] += 1
        local_dates.add(local.date())

    # Means compared as fractions: ties are exact, not at the mercy of float rounding.
    cell_means: dict[tuple[int, int], Fraction] = {
        (weekday, hour): Fraction(cell_totals[weekday][hour], cell_counts[weekday][hour])
        for weekday in range(WEEKDAYS)
        for hour in range(HOURS)
        if cell_counts[weekday][hour]
    }
    # max() keeps the first of equal values, and the cells are in (weekday, hour) order.
    peak_weekday, peak_hour = max(cell_means, key=cell_means.__getitem__)
    peak_mean = cell_means[(peak_weekday, peak_hour)]

    hour_means = {
        hour: Fraction(hour_totals[hour], hour_counts[hour]) for hour in range(HOURS) if hour_counts[hour]
    }
    busiest = tuple(
        sorted((hour for hour, mean in hour_means.items() if mean > 0), key=lambda h: (-hour_means[h], h))
    )[:BUSIEST_HOURS]

    post_slot = (peak_weekday * HOURS + peak_hour - HOURS_BEFORE_PEAK) % (WEEKDAYS * HOURS)
    grid = tuple(
        tuple(
            float(cell_means[(weekday, hour)]) if (weekday, hour) in cell_means else None
            for hour in range(HOURS)
        )
        for weekday in range(WEEKDAYS)
    )
    return BestTime(
        grid=grid,
        peak_weekday=peak_weekday,
        peak_hour=peak_hour,
        peak_active=float(peak_mean),
        busiest_hours=busiest,
        post_weekday=post_slot // HOURS,
        post_hour=post_slot % HOURS,
        daily_post_hour=(busiest[0] - HOURS_BEFORE_PEAK) % HOURS,
        first_day=recent[0][0].astimezone(tz).date(),
        last_day=recent[-1][0].astimezone(tz).date(),
        days=len(local_dates),
        samples=len(recent),
    )
