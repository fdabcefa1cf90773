"""Weekly check-ins: a member's week at a glance, signs of heavy use, the roster coaches follow, when reminders are due."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from fractions import Fraction
from typing import Literal

from bot.domain.errors import InvalidInput
from bot.domain.history import LoggedPost, require_utc
from bot.domain.progress import GoalProgress, Streak, post_rate, posting_streak
from bot.domain.weeks import IsoWeek, local_moment

MAX_FOCUS = 300
MAX_NOTE = 1000
# The weeks before this one that a week is compared with (as /progress and the leaderboard's `improved` do).
COMPARE_WEEKS = 4
# Members who logged a post or checked in within this many weeks are on the coaches' roster.
ROSTER_WEEKS = 4
# No post and no check-in for this long: the member stalled, and the roster shows them first.
STALL_SPAN = timedelta(weeks=2)
# Guide 002 warns about overuse; a post logged at these hours (server time) counts as a late night.
LATE_NIGHT_HOURS = frozenset({23, 0, 1, 2, 3, 4})
# Late nights on this many days of one week, or a post on every one of this many days, is heavy use.
LATE_NIGHT_DAYS = 3
EVERY_DAY_SPAN = 28

HeavyUse = Literal["late_nights", "every_day"]


ViewKind = Literal["progress", "history", "roster"]


@dataclass(frozen=True, slots=True)
class CheckinThread:
    thread_id: int
    private: bool


@dataclass(frozen=True, slots=True)
class Checkin:
    week: IsoWeek
    checked_in_at: datetime
    focus: str | None


@dataclass(frozen=True, slots=True)
class ReminderTarget:
    user_id: int
    thread_id: int
    # A reminder left 'sending' by a process that died: it may have gone out; look before sending again.
    unsure: bool


@dataclass(frozen=True, slots=True)
class CoachNote:
    id: int
    # None: the coach who wrote it has since deleted their data.
    author_id: int | None
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DataView:
    # None: whoever looked has since deleted their data.
    viewer_id: int | None
    what: ViewKind
    viewed_at: datetime


def check_text(field: str, text: str, maximum: int) -> str:
    """A member's free text, trimmed; refused when empty or too long (nothing is stored then)."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(field, "empty")
    if len(cleaned) > maximum:
        raise InvalidInput(field, "too_long", maximum=maximum)
    return cleaned


def _mean_rate(posts: Sequence[LoggedPost]) -> Fraction | None:
    if not posts:
        return None
    return sum((post_rate(p) for p in posts), Fraction(0)) / len(posts)


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """What a check-in shows of the member's week: posts, their rate against the weeks before, the streak."""

    week: IsoWeek
    posts: int
    rate: Fraction | None
    usual_rate: Fraction | None
    usual_posts: int
    streak: Streak

    @property
    def change(self) -> Fraction | None:
        """This week's average rate against the weeks before, in percent (None without both)."""
        if self.rate is None or not self.usual_rate:
            return None
        return (self.rate - self.usual_rate) / self.usual_rate * 100


def week_summary(posts: Sequence[LoggedPost], now: datetime, tz: tzinfo) -> WeekSummary:
    """The week `now` falls in, on the server's calendar, against the four weeks before it."""
    require_utc(now)
    week = IsoWeek.of(now, tz)
    start, end = week.start(tz), week.end(tz)
    before = week.shifted(-COMPARE_WEEKS).start(tz)
    this_week = [p for p in posts if start <= p.posted_at < end and p.posted_at <= now]
    earlier = [p for p in posts if before <= p.posted_at < start]
    return WeekSummary(
        week=week,
        posts=len(this_week),
        rate=_mean_rate(this_week),
        usual_rate=_mean_rate(earlier),
        usual_posts=len(earlier),
        streak=posting_streak([p.posted_at for p in posts], now, tz),
    )


def heavy_use(posts: Iterable[LoggedPost], now: datetime, tz: tzinfo) -> HeavyUse | None:
    """Signs of the overuse guide 002 warns about, or None.

    Late nights: posts logged live (not imported, whose time of day is unknown) between 23:00 and 05:00 on
    several days of this week or last week. Every day: a post on each of the last four weeks' days, counted up
    to today or, when nothing is posted yet today, up to yesterday.
    """
    require_utc(now)
    today = now.astimezone(tz).date()
    this_week = IsoWeek.of(now, tz)
    late_days: dict[IsoWeek, set[object]] = {this_week: set(), this_week.previous(): set()}
    post_days = set()
    for post in posts:
        if post.posted_at > now:
            continue
        local = post.posted_at.astimezone(tz)
        post_days.add(local.date())
        live = post.posted_at == post.logged_at
        if live and local.hour in LATE_NIGHT_HOURS:
            # A post at 01:00 belongs to the night that began the evening before.
            night = (local - timedelta(hours=5)).date()
            week = IsoWeek.containing(night)
            if week in late_days:
                late_days[week].add(night)
    if any(len(days) >= LATE_NIGHT_DAYS for days in late_days.values()):
        return "late_nights"
    last_day = today if today in post_days else today - timedelta(days=1)
    span = (last_day - timedelta(days=n) for n in range(EVERY_DAY_SPAN))
    if all(day in post_days for day in span):
        return "every_day"
    return None


# --- the coaches' roster ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One member as the roster shows them."""

    user_id: int
    summary: WeekSummary
    last_post: datetime | None
    last_checkin: datetime | None
    goals: tuple[GoalProgress, ...]
    stalled: bool

    @property
    def last_active(self) -> datetime | None:
        moments = [m for m in (self.last_post, self.last_checkin) if m is not None]
        return max(moments, default=None)


def is_stalled(last_post: datetime | None, last_checkin: datetime | None, now: datetime) -> bool:
    """Neither a post nor a check-in in the last two weeks."""
    return all(m is None or now - m >= STALL_SPAN for m in (last_post, last_checkin))


def roster_order(entries: Iterable[RosterEntry]) -> list[RosterEntry]:
    """Stalled members first, longest silent first; then the others, most recently active first."""
    floor = datetime.min.replace(tzinfo=UTC)

    def key(entry: RosterEntry) -> tuple[int, float, int]:
        active = (entry.last_active or floor).timestamp()
        return (0, active, entry.user_id) if entry.stalled else (1, -active, entry.user_id)

    return sorted(entries, key=key)


# --- when reminders are due ------------------------------------------------------------------------------


def reminder_due(week: IsoWeek, weekday: int, hour: int, tz: tzinfo) -> datetime:
    """The reminder of `week`: its `weekday` at `hour`, server time."""
    return local_moment(week.monday + timedelta(days=weekday), hour, tz)


def next_reminder(
    weekday: int, hour: int, tz: tzinfo, now: datetime, active_since: datetime, last_done: IsoWeek | None
) -> tuple[IsoWeek, datetime]:
    """The week to remind next and when.

    This week's reminder, if its time came while reminders were on and it was not sent yet, is owed now (late
    after downtime, rather than never); a week that ended is never owed. Otherwise the next one to come.
    """
    week = IsoWeek.of(now, tz)
    due = reminder_due(week, weekday, hour, tz)
    done = last_done is not None and last_done >= week
    if due > now and not done:
        return week, due
    if due <= now and not done and due >= active_since:
        return week, due
    upcoming = week.next()
    return upcoming, reminder_due(upcoming, weekday, hour, tz)


def reminder_is_stale(week: IsoWeek, tz: tzinfo, now: datetime) -> bool:
    """The week ended: reminding members to check in for it is too late."""
    return now >= week.end(tz)
