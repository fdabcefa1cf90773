"""ISO weeks on a server's calendar: which week a moment falls in, where it starts and ends, when it is due."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.errors import InvalidInput
from bot.domain.history import require_utc

DEFAULT_TIME_ZONE = "Europe/Amsterdam"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ISO_WEEK = re.compile(r"^\s*(\d{4})\s*-?\s*[wW]\s*(\d{1,2})\s*$")


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone called `name` (exact spelling, any case); InvalidInput when there is none."""
    wanted = name.strip()
    match = _zones_by_folded_name().get(wanted.lower())
    if match is None:
        raise InvalidInput("timezone", "unknown_zone", value=wanted[:60])
    try:
        return ZoneInfo(match)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("timezone", "unknown_zone", value=wanted[:60]) from None


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted; the legacy aliases without a region (EST, GMT+0 …) left out."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {z.lower(): z for z in zone_names()}


def local_moment(day: date, hour: int, tz: tzinfo) -> datetime:
    """`hour`:00 on `day` in `tz`, as UTC.

    An hour the clocks skip (02:00 on the spring change) is the moment the clocks jump; an hour that happens
    twice (the autumn change) is its first occurrence.
    """
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True, order=True, slots=True)
class IsoWeek:
    """A week as ISO 8601 numbers it (2026-W47), Monday to Sunday on the server's calendar."""

    year: int
    week: int

    def __post_init__(self) -> None:
        date.fromisocalendar(self.year, self.week, 1)  # raises for a week the year does not have

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`2026-W47` (also `2026W47`, `2026-w7`)."""
        match = _ISO_WEEK.match(text)
        if match is None:
            raise InvalidInput("week", "iso_week", value=text.strip()[:40])
        try:
            return cls(int(match.group(1)), int(match.group(2)))
        except ValueError:
            raise InvalidInput("week", "iso_week", value=text.strip()[:40]) from None

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def of(cls, moment: datetime, tz: tzinfo) -> IsoWeek:
        """The week `moment` falls in on the calendar of `tz`."""
        return cls.containing(require_utc(moment).astimezone(tz).date())

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(weeks=weeks))

    def next(self) -> IsoWeek:
        return self.shifted(1)

    def previous(self) -> IsoWeek:
        return self.shifted(-1)

    def start(self, tz: tzinfo) -> datetime:
        """Monday 00:00 in `tz`, as UTC."""
        return local_moment(self.monday, 0, tz)

    def end(self, tz: tzinfo) -> datetime:
        """Sunday 24:00 in `tz` (the next week's start), as UTC; the week is [start, end)."""
        return self.next().start(tz)


def resolve_week(text: str, now: datetime, tz: tzinfo) -> IsoWeek:
    """`this`, `last` or an ISO week up to this one; InvalidInput for anything else or a week to come."""
    current = IsoWeek.of(now, tz)
    word = text.strip().lower()
    if word in ("", "this"):
        return current
    if word == "last":
        return current.previous()
    week = IsoWeek.parse(text)
    if week > current:
        raise InvalidInput("week", "future_week", value=str(week))
    return week


def due_time(week: IsoWeek, weekday: int, hour: int, tz: tzinfo) -> datetime:
    """When the post about `week` is due: the first `weekday` at `hour` (server time) after the week ended."""
    return local_moment(week.next().monday + timedelta(days=weekday), hour, tz)


def latest_due_week(now: datetime, weekday: int, hour: int, tz: tzinfo) -> IsoWeek:
    """The most recent week whose post was due at or before `now`."""
    candidate = IsoWeek.of(now, tz).previous()
    return candidate if due_time(candidate, weekday, hour, tz) <= now else candidate.previous()
