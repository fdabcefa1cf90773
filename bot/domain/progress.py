"""A member's progress report: followers, engagement then and now, best post, posting streak, goal."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction

from bot.domain.benchmarks import Band, Rating, band_for, rating_for
from bot.domain.engagement import check_count, engagement_rate, parse_percent
from bot.domain.history import (
    FollowerCount,
    FollowerSnapshot,
    Goal,
    GoalMetric,
    LoggedPost,
    latest_followers,
    require_utc,
)

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
# "The last 4 weeks vs the 4 before" (issue 4); the chart's rolling average uses the same span, so the line
# shows at every post what the report would have said then.
COMPARE_SPAN = timedelta(weeks=4)
# How far ahead a goal may be set: far enough for a year's plan, near enough to stay meaningful.
MAX_GOAL_HORIZON = timedelta(days=3 * 366)


class GoalRejected(ValueError):
    """A goal that cannot be set; `reason` names the message."""

    def __init__(self, reason: str, **values: int | str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


def post_rate(post: LoggedPost) -> Fraction:
    """The post's ER by the followers it had when posted (guide 000's post formula)."""
    return engagement_rate(post.interactions, post.followers)


@dataclass(frozen=True, slots=True)
class RatedAverage:
    """The mean post ER over a span, rated in the band of the followers the member had then."""

    rate: Fraction
    posts: int
    followers: int
    band: Band
    nearest: bool
    rating: Rating


@dataclass(frozen=True, slots=True)
class PostPoint:
    """One post on the chart: its ER and the rolling average of the span ending at it."""

    posted_at: datetime
    rate: Fraction
    rolling: Fraction


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive ISO weeks with at least one post, in the member's time zone.

    `current` counts back from this week, or from last week when nothing is posted yet this week (the
    streak is alive until this week ends); `posted_this_week` says which.
    """

    current: int
    longest: int
    posted_this_week: bool


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """Where a member stands on a goal: `done` is the share of the way covered, `expected` the time used."""

    goal: Goal
    current: Fraction | None
    done: Fraction | None
    expected: Fraction
    reached: bool
    on_pace: bool | None
    overdue: bool
    days_left: int


@dataclass(frozen=True, slots=True)
class ProgressReport:
    now: datetime
    weeks: int
    since: datetime
    followers_now: int | None
    followers_start: int | None
    recent: RatedAverage | None
    previous: RatedAverage | None
    best_post: LoggedPost | None
    best_rate: Fraction | None
    posts_in_window: int
    streak: Streak
    goals: tuple[GoalProgress, ...]
    points: tuple[PostPoint, ...]
    followers_series: tuple[FollowerCount, ...]
    band: Band | None

    @property
    def followers_change(self) -> int | None:
        if self.followers_now is None or self.followers_start is None:
            return None
        return self.followers_now - self.followers_start

    @property
    def has_history(self) -> bool:
        return self.followers_now is not None


def check_weeks(weeks: int) -> int:
    return check_count("weeks", weeks, minimum=1, maximum=MAX_WEEKS)


def week_start(moment: datetime, tz: tzinfo) -> date:
    """The Monday of the ISO week `moment` falls in, on the member's calendar."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def posting_streak(moments: Sequence[datetime], now: datetime, tz: tzinfo = UTC) -> Streak:
    """Weekly posting streak: ISO weeks (Monday start) with a post, counted across year ends."""
    weeks = {week_start(m, tz) for m in moments if m <= now}
    this_week = week_start(now, tz)
    longest = run = 0
    previous: date | None = None
    for monday in sorted(weeks):
        run = run + 1 if previous is not None and monday - previous == timedelta(weeks=1) else 1
        longest = max(longest, run)
        previous = monday
    posted_this_week = this_week in weeks
    cursor = this_week if posted_this_week else this_week - timedelta(weeks=1)
    current = 0
    while cursor in weeks:
        current += 1
        cursor -= timedelta(weeks=1)
    return Streak(current=current, longest=longest, posted_this_week=posted_this_week)


def _average(
    posts: Sequence[LoggedPost],
    rates: dict[int, Fraction],
    followers: int,
) -> RatedAverage | None:
    if not posts:
        return None
    rate = sum((rates[p.id] for p in posts), Fraction(0)) / len(posts)
    match = band_for(followers)
    return RatedAverage(rate, len(posts), followers, match.band, match.nearest, rating_for(rate, match.band))


def rolling_points(posts: Sequence[LoggedPost], rates: dict[int, Fraction]) -> list[PostPoint]:
    """Each post with the mean ER of the posts in the span ending at it (oldest first)."""
    ordered = sorted(posts, key=lambda p: (p.posted_at, p.id))
    window: deque[tuple[datetime, Fraction]] = deque()
    total = Fraction(0)
    points: list[PostPoint] = []
    for post in ordered:
        rate = rates[post.id]
        window.append((post.posted_at, rate))
        total += rate
        while window[0][0] <= post.posted_at - COMPARE_SPAN:
            total -= window.popleft()[1]
        points.append(PostPoint(post.posted_at, rate, total / len(window)))
    return points


def goal_value(
    metric: GoalMetric,
    posts: Sequence[LoggedPost],
    snapshots: Sequence[FollowerSnapshot],
    now: datetime,
) -> Fraction | None:
    """Where the member stands on `metric` now: followers, or the mean post ER of the last four weeks."""
    if metric == "followers":
        latest = latest_followers(posts, snapshots, at=now)
        return None if latest is None else Fraction(latest[1])
    recent = [p for p in posts if now - COMPARE_SPAN < p.posted_at <= now]
    if not recent:
        return None
    return sum((post_rate(p) for p in recent), Fraction(0)) / len(recent)


def new_goal(
    guild_id: int,
    user_id: int,
    metric: GoalMetric,
    target: object,
    by: date,
    now: datetime,
    baseline: Fraction | None,
    tz: tzinfo = UTC,
) -> Goal:
    """A goal checked for sense: a positive target, a date after today and within reach of a plan."""
    require_utc(now)
    if metric == "followers":
        if isinstance(target, float) and target.is_integer():
            target = int(target)
        exact = Fraction(check_count("target", target, minimum=1))
    else:
        exact = parse_percent("target", target, minimum=Fraction(1, 100))
    today = now.astimezone(tz).date()
    if by <= today:
        raise GoalRejected("by_past", today=today.isoformat())
    if datetime.combine(by, time(), UTC) - now > MAX_GOAL_HORIZON:
        raise GoalRejected("by_far", latest=(now + MAX_GOAL_HORIZON).date().isoformat())
    return Goal(guild_id, user_id, metric, exact, by, now, baseline)


def goal_progress(goal: Goal, current: Fraction | None, now: datetime, tz: tzinfo = UTC) -> GoalProgress:
    """Progress toward a goal, on pace when the share of the way covered keeps up with the days used.

    The pace line is drawn by whole days on the member's calendar: on the day a goal is set, nothing is
    expected yet; by the end of the `by` day, everything is.
    """
    today = now.astimezone(tz).date()
    first_day = goal.set_at.astimezone(tz).date()
    days = (goal.by - first_day).days + 1
    used = (today - first_day).days
    expected = Fraction(1) if days <= 0 else min(Fraction(1), max(Fraction(0), Fraction(used, days)))
    days_left = (goal.by - today).days
    overdue = today > goal.by
    if current is None:
        return GoalProgress(goal, None, None, expected, False, None, overdue, days_left)
    reached = current >= goal.target
    # Progress starts from where the member stood when setting the goal; from zero when that is unknown
    # or already past the target (a goal to stay above a level).
    start = goal.baseline if goal.baseline is not None and goal.baseline < goal.target else Fraction(0)
    done = (current - start) / (goal.target - start)
    on_pace = reached or done >= expected
    return GoalProgress(goal, current, done, expected, reached, on_pace, overdue and not reached, days_left)


def progress_report(
    posts: Sequence[LoggedPost],
    snapshots: Sequence[FollowerSnapshot],
    now: datetime,
    weeks: int = DEFAULT_WEEKS,
    goals: Sequence[Goal] = (),
    tz: tzinfo = UTC,
) -> ProgressReport:
    """Everything /progress shows, computed from the member's history as it stood at `now`."""
    require_utc(now)
    check_weeks(weeks)
    since = now - timedelta(weeks=weeks)
    posts = [p for p in posts if p.posted_at <= now]
    snapshots = [s for s in snapshots if s.taken_at <= now]
    rates = {p.id: post_rate(p) for p in posts}

    latest = latest_followers(posts, snapshots, at=now)
    followers_now = None if latest is None else latest[1]
    at_start = latest_followers(posts, snapshots, at=since)
    followers_series = sorted(
        [FollowerCount(p.posted_at, p.followers) for p in posts if p.posted_at > since]
        + [FollowerCount(s.taken_at, s.followers) for s in snapshots if s.taken_at > since],
        key=lambda point: point.taken_at,
    )
    if at_start is not None:
        followers_start: int | None = at_start[1]
    else:
        followers_start = followers_series[0].followers if followers_series else None

    recent_posts = [p for p in posts if p.posted_at > now - COMPARE_SPAN]
    previous_posts = [p for p in posts if now - 2 * COMPARE_SPAN < p.posted_at <= now - COMPARE_SPAN]
    recent = _average(recent_posts, rates, followers_now) if followers_now is not None else None
    previous = None
    if previous_posts:
        then = latest_followers(posts, snapshots, at=now - COMPARE_SPAN)
        assert then is not None  # the previous span's own posts carry follower counts
        previous = _average(previous_posts, rates, then[1])

    window = [p for p in posts if p.posted_at > since]
    # Rolling averages need the span before the window too, so that the first points are not one-post means.
    lead_in = [p for p in posts if p.posted_at > since - COMPARE_SPAN]
    points = [pt for pt in rolling_points(lead_in, rates) if pt.posted_at > since]
    best = max(window, key=lambda p: (rates[p.id], p.posted_at), default=None)

    goal_states = tuple(
        goal_progress(goal, goal_value(goal.metric, posts, snapshots, now), now, tz)
        for goal in sorted(goals, key=lambda g: g.metric)
    )

    return ProgressReport(
        now=now,
        weeks=weeks,
        since=since,
        followers_now=followers_now,
        followers_start=followers_start,
        recent=recent,
        previous=previous,
        best_post=best,
        best_rate=None if best is None else rates[best.id],
        posts_in_window=len(window),
        streak=posting_streak([p.posted_at for p in posts], now, tz),
        goals=goal_states,
        points=tuple(points),
        followers_series=tuple(followers_series),
        band=None if followers_now is None else band_for(followers_now).band,
    )
