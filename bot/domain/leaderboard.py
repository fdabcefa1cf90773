"""The weekly leaderboard: a score that is fair across account sizes, the other metrics, ranks with ties.

The score (PRODUCT.md): each post's engagement rate by followers divided by the middle of the "Gemiddeld" range of
the follower band it was posted in (guide 000), averaged over the member's posts of the week. A 3k account and a
2M account then compete on how far each is above what is average for its size.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from fractions import Fraction
from functools import cache
from operator import itemgetter
from typing import Literal, NamedTuple

from bot.domain.benchmarks import band_for, benchmarks
from bot.domain.engagement import HUNDRED
from bot.domain.weeks import IsoWeek, due_time, latest_due_week

Metric = Literal["score", "improved", "streak", "growth"]
METRICS: tuple[Metric, ...] = ("score", "improved", "streak", "growth")
Visibility = Literal["show", "anonymous", "hide"]
VISIBILITIES: tuple[Visibility, ...] = ("show", "anonymous", "hide")

DEFAULT_MIN_POSTS = 1
MAX_MIN_POSTS = 50
# `improved` compares the week with the member's own average over this many weeks before it.
IMPROVED_SPAN_WEEKS = 4
# Each metric's shown precision; values equal at that precision share a rank.
DECIMALS: dict[Metric, int] = {"score": 2, "improved": 1, "streak": 0, "growth": 1}
_LAST = datetime.max.replace(tzinfo=UTC)


class WeekPost(NamedTuple):
    """What the leaderboard reads from one logged post."""

    user_id: int
    posted_at: datetime
    interactions: int
    followers: int

    @property
    def rate(self) -> Fraction:
        """ER by followers (guide 000's post formula); the numbers were checked when the post was logged."""
        return Fraction(self.interactions * HUNDRED, self.followers)


def band_middle(followers: int) -> Fraction:
    """The middle of the "Gemiddeld" range of the band `followers` falls in (1k–5k below 1 000)."""
    return _middle_of(band_for(followers).band.key)


@cache
def _middle_of(band_key: str) -> Fraction:
    thresholds = benchmarks().band(band_key).thresholds
    return (thresholds.average + thresholds.above_average) / 2


@cache
def _score_factors() -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """Per band, from its lowest follower count up: (100 × the middle's denominator, the middle's numerator).

    A post's multiple is then interactions × the first over followers × the second: one fraction per post.
    The first band also takes the accounts below it (its floor is 0 here).
    """
    bands = benchmarks().bands
    floors = (0, *(b.min_followers for b in bands[1:]))
    factors = []
    for band in bands:
        middle = _middle_of(band.key)
        factors.append((HUNDRED * middle.denominator, middle.numerator))
    return floors, tuple(factors)


def post_multiple(post: WeekPost) -> Fraction:
    """The post's rate as a multiple of its band's average: 2 means twice what is average for its size."""
    floors, factors = _score_factors()
    scale, divisor = factors[bisect_right(floors, post.followers) - 1]
    return Fraction(post.interactions * scale, post.followers * divisor)


class Standing(NamedTuple):
    """A member's figure on one metric for one week.

    `value` is what ranks (score multiple, improvement in percent, streak in weeks, growth in percent);
    `basis` the figures behind it: score (average rate,), improved (this week's rate, the weeks before),
    streak (), growth (followers before, followers at the end).
    """

    user_id: int
    value: Fraction
    posts: int
    first_post_at: datetime | None
    basis: tuple[Fraction, ...] = ()


class Place(NamedTuple):
    rank: int
    standing: Standing
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class Board:
    """One week's ranking on one metric, as members may see it (hidden members left out)."""

    week: IsoWeek
    metric: Metric
    places: tuple[Place, ...]
    min_posts: int
    below_minimum: int = 0

    def place_of(self, user_id: int) -> Place | None:
        return next((p for p in self.places if p.standing.user_id == user_id), None)

    def position_of(self, user_id: int) -> int | None:
        """0-based index of the member in `places`."""
        return next((i for i, p in enumerate(self.places) if p.standing.user_id == user_id), None)

    def winners(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p.rank == 1)


def shown(value: Fraction, decimals: int) -> Fraction:
    """`value` rounded as it is displayed (half away from zero, like the number formatting)."""
    scale = 10**decimals
    return Fraction(_shown_units(value, scale), scale)


def _shown_units(value: Fraction, scale: int) -> int:
    """`value` × `scale`, rounded half away from zero, in whole numbers (cheap to sort on)."""
    numerator, denominator = value.numerator, value.denominator
    units = (2 * abs(numerator) * scale + denominator) // (2 * denominator)
    return units if numerator >= 0 else -units


def _mean(values: Sequence[Fraction]) -> Fraction:
    # Most members post once or twice a week: skip the general sum for one value.
    return values[0] if len(values) == 1 else sum(values, Fraction(0)) / len(values)


def _by_member(posts: Iterable[WeekPost]) -> dict[int, list[WeekPost]]:
    grouped: dict[int, list[WeekPost]] = {}
    for post in posts:
        grouped.setdefault(post.user_id, []).append(post)
    return grouped


def _first(posts: Sequence[WeekPost]) -> datetime:
    return min(p.posted_at for p in posts)


def score_standings(week_posts: Iterable[WeekPost]) -> list[Standing]:
    """Each member's average multiple of their band's average over the week's posts."""
    standings = []
    for user_id, posts in _by_member(week_posts).items():
        if len(posts) == 1:  # most members in a week; the general path costs twice as much
            only = posts[0]
            rate = Fraction(only.interactions * HUNDRED, only.followers)
            standings.append(Standing(user_id, post_multiple(only), 1, only.posted_at, (rate,)))
        else:
            multiples = [post_multiple(p) for p in posts]
            rates = [p.rate for p in posts]
            standings.append(Standing(user_id, _mean(multiples), len(posts), _first(posts), (_mean(rates),)))
    return standings


def improved_standings(week_posts: Iterable[WeekPost], earlier_posts: Iterable[WeekPost]) -> list[Standing]:
    """This week's average rate against the member's own average over the weeks before, in percent.

    Members without a post in those weeks (or whose earlier average is 0) have nothing to improve on.
    """
    earlier = _by_member(earlier_posts)
    standings = []
    for user_id, posts in _by_member(week_posts).items():
        before = earlier.get(user_id)
        if not before:
            continue
        now_rate, before_rate = _mean([p.rate for p in posts]), _mean([p.rate for p in before])
        if before_rate == 0:
            continue
        change = (now_rate - before_rate) / before_rate * HUNDRED
        standings.append(Standing(user_id, change, len(posts), _first(posts), (now_rate, before_rate)))
    return standings


def streak_standings(week_posts: Iterable[WeekPost], streaks: Mapping[int, int]) -> list[Standing]:
    """Weeks in a row, up to this one, with at least one post (`streaks` counts them per member)."""
    return [
        Standing(user_id, Fraction(streaks.get(user_id, 1)), len(posts), _first(posts))
        for user_id, posts in _by_member(week_posts).items()
    ]


def growth_standings(week_posts: Iterable[WeekPost], counts: Mapping[int, tuple[int, int]]) -> list[Standing]:
    """Followers at the end of the week against the last count before it, in percent.

    `counts` maps a member to (last count before the week, last count in the week); members without both
    are not in it.
    """
    posts_of = _by_member(week_posts)
    standings = []
    for user_id, (before, end) in counts.items():
        posts = posts_of.get(user_id, [])
        change = Fraction(end - before, before) * HUNDRED
        first = _first(posts) if posts else None
        standings.append(Standing(user_id, change, len(posts), first, (Fraction(before), Fraction(end))))
    return standings


def rank(
    week: IsoWeek,
    metric: Metric,
    standings: Iterable[Standing],
    min_posts: int = DEFAULT_MIN_POSTS,
    visibility: Mapping[int, Visibility] | None = None,
) -> Board:
    """Order the standings: equal values at the shown precision share a rank; more posts, then the earlier
    first post, come first among them (then the member id, so the order never changes between views)."""
    visibility = visibility or {}
    scale = 10 ** DECIMALS[metric]
    eligible = (
        [s for s in standings if visibility.get(s.user_id) != "hide"] if visibility else list(standings)
    )
    ranked = [s for s in eligible if s.posts >= min_posts]
    keyed = sorted(
        [(-_shown_units(s.value, scale), -s.posts, s.first_post_at or _LAST, s.user_id, s) for s in ranked],
        key=itemgetter(0, 1, 2, 3),
    )
    places: list[Place] = []
    previous_units = None
    place_rank = 0
    for index, (units, _, _, user_id, standing) in enumerate(keyed, start=1):
        if units != previous_units:
            place_rank, previous_units = index, units
        places.append(
            Place(place_rank, standing, bool(visibility) and visibility.get(user_id) == "anonymous")
        )
    return Board(week, metric, tuple(places), min_posts, len(eligible) - len(ranked))


# --- when the weekly post is due --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostSchedule:
    """Where a server's weekly post stands: its weekday and hour in its time zone."""

    weekday: int
    hour: int
    tz: tzinfo

    def due(self, week: IsoWeek) -> datetime:
        return due_time(week, self.weekday, self.hour, self.tz)


def next_post(
    schedule: PostSchedule, now: datetime, active_since: datetime, last_posted: IsoWeek | None
) -> tuple[IsoWeek, datetime]:
    """The week to post next and when.

    The latest week whose time has come is owed when it came while the schedule was active and it was not
    posted yet: it is posted now, late rather than never (after downtime or an earlier hour set). Older weeks
    are never owed, so a stale week is never posted. Otherwise, the next week to come.
    """
    latest = latest_due_week(now, schedule.weekday, schedule.hour, schedule.tz)
    due = schedule.due(latest)
    if due >= active_since and (last_posted is None or latest > last_posted):
        return latest, due
    upcoming = latest.next() if last_posted is None else max(latest.next(), last_posted.next())
    return upcoming, schedule.due(upcoming)


def is_stale(week: IsoWeek, schedule: PostSchedule, now: datetime) -> bool:
    """The next week's post is already due: posting `week` now would be posting old news."""
    return schedule.due(week.next()) <= now
