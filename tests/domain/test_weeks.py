"""ISO weeks on a server's calendar: parsing, bounds across DST and the year end, resolving, due times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.weeks import (
    DEFAULT_TIME_ZONE,
    IsoWeek,
    due_time,
    latest_due_week,
    local_moment,
    resolve_week,
    time_zone,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY, SUNDAY = 0, 6


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


# --- parsing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-W47", IsoWeek(2026, 47)),
        ("2026w7", IsoWeek(2026, 7)),
        ("2026W07", IsoWeek(2026, 7)),
        ("2026-w7", IsoWeek(2026, 7)),
        ("  2026 - W 53 ", IsoWeek(2026, 53)),
        ("2027-W01", IsoWeek(2027, 1)),
    ],
)
def test_parse_iso_week(text: str, expected: IsoWeek) -> None:
    assert IsoWeek.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "this",
        "2026-47",
        "W47",
        "26-W47",
        "2026-W",
        "2026-W100",
        "2026-W0",
        "2026-W54",
        "2027-W53",
        "2026/W4",
    ],
)
def test_parse_refuses_what_is_not_an_iso_week(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        IsoWeek.parse(text)
    assert (caught.value.field, caught.value.rule) == ("week", "iso_week")
    assert caught.value.limits == {"value": text.strip()}


def test_str_is_the_iso_form_with_two_digits() -> None:
    assert str(IsoWeek(2026, 7)) == "2026-W07"
    assert str(IsoWeek(2026, 53)) == "2026-W53"
    assert IsoWeek.parse(str(IsoWeek(2026, 7))) == IsoWeek(2026, 7)


def test_a_week_the_year_does_not_have_cannot_be_made() -> None:
    with pytest.raises(ValueError):
        IsoWeek(2027, 53)
    with pytest.raises(ValueError):
        IsoWeek(2026, 0)


# --- bounds -------------------------------------------------------------------------------------------


def test_an_ordinary_winter_week_starts_and_ends_at_local_midnight() -> None:
    week = IsoWeek(2026, 10)
    assert (week.monday, week.sunday) == (date(2026, 3, 2), date(2026, 3, 8))
    assert week.start(AMSTERDAM) == utc(2026, 3, 1, 23)
    assert week.end(AMSTERDAM) == utc(2026, 3, 8, 23)
    assert week.end(AMSTERDAM) - week.start(AMSTERDAM) == timedelta(hours=168)


def test_the_week_of_the_spring_change_is_167_hours() -> None:
    week = IsoWeek.containing(date(2026, 3, 29))
    assert week == IsoWeek(2026, 13)
    assert week.start(AMSTERDAM) == utc(2026, 3, 22, 23)  # Monday 00:00 CET
    assert week.end(AMSTERDAM) == utc(2026, 3, 29, 22)  # the next Monday 00:00 CEST
    assert week.end(AMSTERDAM) - week.start(AMSTERDAM) == timedelta(hours=167)
    assert week.next().start(AMSTERDAM) == week.end(AMSTERDAM)


def test_the_week_of_the_autumn_change_is_169_hours() -> None:
    week = IsoWeek.containing(date(2026, 10, 25))
    assert week == IsoWeek(2026, 43)
    assert week.start(AMSTERDAM) == utc(2026, 10, 18, 22)  # Monday 00:00 CEST
    assert week.end(AMSTERDAM) == utc(2026, 10, 25, 23)  # the next Monday 00:00 CET
    assert week.end(AMSTERDAM) - week.start(AMSTERDAM) == timedelta(hours=169)


def test_bounds_in_another_zone_and_in_utc() -> None:
    week = IsoWeek(2026, 10)
    assert week.start(UTC) == utc(2026, 3, 2)
    assert week.start(ZoneInfo("America/New_York")) == utc(2026, 3, 2, 5)
    # New York moves its clocks on 2026-03-08, inside this week: the end is at UTC-4.
    assert week.end(ZoneInfo("America/New_York")) == utc(2026, 3, 9, 4)


def test_iso_week_53_spans_the_year_end() -> None:
    week = IsoWeek(2026, 53)
    assert (week.monday, week.sunday) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week.next() == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).previous() == week
    assert IsoWeek(2026, 52).next() == week
    assert week.shifted(2) == IsoWeek(2027, 2)
    assert week.shifted(-53) == IsoWeek(2025, 52)  # 2025 has no week 53
    assert week.start(AMSTERDAM) == utc(2026, 12, 27, 23)
    assert week.end(AMSTERDAM) == utc(2027, 1, 3, 23)
    assert IsoWeek.containing(date(2027, 1, 1)) == week
    assert IsoWeek.containing(date(2027, 1, 4)) == IsoWeek(2027, 1)


def test_weeks_order_across_years() -> None:
    assert IsoWeek(2026, 53) < IsoWeek(2027, 1) < IsoWeek(2027, 2)
    assert max(IsoWeek(2026, 9), IsoWeek(2026, 10)) == IsoWeek(2026, 10)


def test_sunday_2359_and_monday_0000_local_fall_in_different_weeks() -> None:
    sunday_late = utc(2026, 3, 8, 22, 59, 59)  # Sunday 23:59:59 CET
    monday_midnight = utc(2026, 3, 8, 23)  # Monday 00:00 CET, still Sunday in UTC
    assert IsoWeek.of(sunday_late, AMSTERDAM) == IsoWeek(2026, 10)
    assert IsoWeek.of(utc(2026, 3, 8, 22, 59), AMSTERDAM) == IsoWeek(2026, 10)
    assert IsoWeek.of(monday_midnight, AMSTERDAM) == IsoWeek(2026, 11)
    # In UTC both moments are on Sunday.
    assert IsoWeek.of(monday_midnight, UTC) == IsoWeek(2026, 10)


def test_of_refuses_a_naive_or_non_utc_moment() -> None:
    with pytest.raises(ValueError):
        IsoWeek.of(datetime(2026, 3, 8, 12), AMSTERDAM)
    with pytest.raises(ValueError):
        IsoWeek.of(datetime(2026, 3, 8, 12, tzinfo=AMSTERDAM), AMSTERDAM)


# --- resolving what a member typed ---------------------------------------------------------------------

NOW = utc(2026, 3, 11, 12)  # Wednesday of 2026-W11


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this", IsoWeek(2026, 11)),
        (" This ", IsoWeek(2026, 11)),
        ("", IsoWeek(2026, 11)),
        ("last", IsoWeek(2026, 10)),
        ("LAST", IsoWeek(2026, 10)),
        ("2026-W11", IsoWeek(2026, 11)),
        ("2026w5", IsoWeek(2026, 5)),
        ("2025-W52", IsoWeek(2025, 52)),
    ],
)
def test_resolve_week(text: str, expected: IsoWeek) -> None:
    assert resolve_week(text, NOW, AMSTERDAM) == expected


@pytest.mark.parametrize("text", ["2026-W12", "2027-W01"])
def test_resolve_refuses_a_week_to_come(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_week(text, NOW, AMSTERDAM)
    assert (caught.value.field, caught.value.rule) == ("week", "future_week")
    assert caught.value.limits == {"value": str(IsoWeek.parse(text))}


def test_resolve_refuses_garbage_as_not_an_iso_week() -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_week("next", NOW, AMSTERDAM)
    assert caught.value.rule == "iso_week"


def test_resolve_follows_the_server_calendar_at_the_year_end() -> None:
    # Sunday 2027-01-03 23:30 UTC is already Monday 2027-01-04 00:30 in Amsterdam: 2027-W01.
    late = utc(2027, 1, 3, 23, 30)
    assert resolve_week("this", late, AMSTERDAM) == IsoWeek(2027, 1)
    assert resolve_week("last", late, AMSTERDAM) == IsoWeek(2026, 53)
    assert resolve_week("this", late, UTC) == IsoWeek(2026, 53)
    assert resolve_week("last", late, UTC) == IsoWeek(2026, 52)
    with pytest.raises(InvalidInput) as caught:
        resolve_week("2027-W01", late, UTC)
    assert caught.value.rule == "future_week"


# --- due times ---------------------------------------------------------------------------------------


def test_due_time_is_the_weekday_and_hour_after_the_week() -> None:
    assert due_time(IsoWeek(2026, 10), MONDAY, 9, AMSTERDAM) == utc(2026, 3, 9, 8)
    assert due_time(IsoWeek(2026, 10), SUNDAY, 23, AMSTERDAM) == utc(2026, 3, 15, 22)
    # In summer time the same local hour is an hour earlier in UTC.
    assert due_time(IsoWeek(2026, 13), MONDAY, 9, AMSTERDAM) == utc(2026, 3, 30, 7)
    # Week 53's post is due in the new year.
    assert due_time(IsoWeek(2026, 53), MONDAY, 9, AMSTERDAM) == utc(2027, 1, 4, 8)


def test_due_time_at_an_hour_the_clocks_skip_is_when_they_jump() -> None:
    # 02:00 on Sunday 2026-03-29 does not exist in Amsterdam: the clocks go from 02:00 CET to 03:00 CEST.
    assert due_time(IsoWeek(2026, 12), SUNDAY, 2, AMSTERDAM) == utc(2026, 3, 29, 1)
    assert local_moment(date(2026, 3, 29), 2, AMSTERDAM) == utc(2026, 3, 29, 1)
    assert local_moment(date(2026, 3, 29), 3, AMSTERDAM) == utc(2026, 3, 29, 1)
    assert local_moment(date(2026, 3, 29), 1, AMSTERDAM) == utc(2026, 3, 29, 0)


def test_due_time_at_an_hour_that_happens_twice_is_its_first_occurrence() -> None:
    # 02:00 on Sunday 2026-10-25 happens at 02:00 CEST (00:00 UTC) and again at 02:00 CET (01:00 UTC).
    assert due_time(IsoWeek(2026, 42), SUNDAY, 2, AMSTERDAM) == utc(2026, 10, 25, 0)
    assert local_moment(date(2026, 10, 25), 2, AMSTERDAM) == utc(2026, 10, 25, 0)
    assert local_moment(date(2026, 10, 25), 3, AMSTERDAM) == utc(2026, 10, 25, 2)


def test_local_moment_is_utc() -> None:
    moment = local_moment(date(2026, 3, 9), 9, AMSTERDAM)
    assert moment.tzinfo is UTC
    assert moment == utc(2026, 3, 9, 8)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 9, 7, 59, 59, 999_999), IsoWeek(2026, 9)),  # just before Monday 09:00 CET
        (utc(2026, 3, 9, 8), IsoWeek(2026, 10)),  # at it
        (utc(2026, 3, 9, 8, 0, 1), IsoWeek(2026, 10)),  # just after
        (utc(2026, 3, 15, 22, 59), IsoWeek(2026, 10)),  # Sunday 23:59 local, the week after
        (utc(2026, 3, 8, 23, 30), IsoWeek(2026, 9)),  # Monday 00:30 local, before 09:00
    ],
)
def test_latest_due_week_around_the_due_moment(now: datetime, expected: IsoWeek) -> None:
    assert latest_due_week(now, MONDAY, 9, AMSTERDAM) == expected


def test_latest_due_week_with_a_late_weekday() -> None:
    # Posting on Sunday 23:00: in the week after W10 the post about W10 is due only at its end.
    assert latest_due_week(utc(2026, 3, 15, 21, 59), SUNDAY, 23, AMSTERDAM) == IsoWeek(2026, 9)
    assert latest_due_week(utc(2026, 3, 15, 22), SUNDAY, 23, AMSTERDAM) == IsoWeek(2026, 10)


def test_latest_due_week_at_the_year_end() -> None:
    assert latest_due_week(utc(2027, 1, 4, 7, 59), MONDAY, 9, AMSTERDAM) == IsoWeek(2026, 52)
    assert latest_due_week(utc(2027, 1, 4, 8), MONDAY, 9, AMSTERDAM) == IsoWeek(2026, 53)


# --- zones --------------------------------------------------------------------------------------------


def test_time_zone_takes_any_case() -> None:
    assert time_zone("europe/amsterdam") == ZoneInfo("Europe/Amsterdam")
    assert str(time_zone(" EUROPE/AMSTERDAM ")) == "Europe/Amsterdam"
    assert str(time_zone("utc")) == "UTC"
    assert str(time_zone(DEFAULT_TIME_ZONE)) == "Europe/Amsterdam"


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "Amsterdam", "EST"])
def test_time_zone_refuses_an_unknown_zone(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        time_zone(name)
    assert (caught.value.field, caught.value.rule) == ("timezone", "unknown_zone")
    assert caught.value.limits == {"value": name.strip()}
