"""What a member logs over time: posts with their numbers, follower counts and a goal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Literal, Protocol

from bot.domain.engagement import check_count

GoalMetric = Literal["engagement_rate", "followers"]
GOAL_METRICS: tuple[GoalMetric, ...] = ("engagement_rate", "followers")

MAX_TITLE_LENGTH = 200


def moment_text(moment: datetime) -> str:
    """A moment in UTC to the microsecond, in one fixed-width form: what Pulse stores and exports, and what
    /log import reads back unchanged (text order is time order)."""
    # isoformat writes the same fixed-width text as strftime("%Y-%m-%dT%H:%M:%S.%fZ") in a third of the time.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def require_utc(moment: datetime) -> datetime:
    """Refuse naive or non-UTC datetimes: everything stored and compared is UTC."""
    if moment.tzinfo is None or moment.utcoffset() != UTC.utcoffset(None):
        raise ValueError(f"expected an aware UTC datetime, got {moment!r}")
    return moment


class PostFigures(Protocol):
    """What the analyses read from a logged post; LoggedPost has it, and so can a test's plain object."""

    @property
    def posted_at(self) -> datetime: ...
    @property
    def likes(self) -> int: ...
    @property
    def comments(self) -> int: ...
    @property
    def shares(self) -> int: ...
    @property
    def saves(self) -> int: ...
    @property
    def followers(self) -> int: ...


@dataclass(frozen=True, slots=True)
class FollowerCount:
    """A follower count at a moment, before it is stored (or as a point on the chart)."""

    taken_at: datetime
    followers: int


@dataclass(frozen=True, slots=True)
class PostNumbers:
    """One post's numbers as a member gives them, before it is stored."""

    posted_at: datetime
    likes: int
    comments: int
    shares: int
    saves: int
    views: int | None
    followers: int
    title: str | None = None

    def __post_init__(self) -> None:
        require_utc(self.posted_at)
        for field in ("likes", "comments", "shares", "saves"):
            check_count(field, getattr(self, field))
        if self.views is not None:
            check_count("views", self.views, minimum=1)
        check_count("followers", self.followers, minimum=1)
        if self.title is not None and len(self.title) > MAX_TITLE_LENGTH:
            raise ValueError(f"title longer than {MAX_TITLE_LENGTH} characters")


def entry_identity(entry: PostNumbers | FollowerCount) -> tuple[object, ...]:
    """What makes two entries one, as the history keeps each once: the moment and every figure, not the title."""
    if isinstance(entry, FollowerCount):
        return (entry.taken_at, entry.followers)
    return (
        entry.posted_at,
        entry.likes,
        entry.comments,
        entry.shares,
        entry.saves,
        entry.views,
        entry.followers,
    )


@dataclass(frozen=True, slots=True)
class LoggedPost:
    """A post stored in a member's history; times are UTC."""

    id: int
    guild_id: int
    user_id: int
    posted_at: datetime
    logged_at: datetime
    likes: int
    comments: int
    shares: int
    saves: int
    views: int | None
    followers: int
    title: str | None
    # TikTok's id of the video, for posts imported from TikTok's own analytics export.
    video_id: str | None = None

    @property
    def interactions(self) -> int:
        """Likes, comments, shares and saves together (the numerator of the guide's post ER)."""
        return self.likes + self.comments + self.shares + self.saves


@dataclass(frozen=True, slots=True)
class FollowerSnapshot:
    """A follower count the member logged at a moment (UTC)."""

    id: int
    guild_id: int
    user_id: int
    taken_at: datetime
    followers: int


@dataclass(frozen=True, slots=True)
class TikTokImportOutcome:
    """What an import of TikTok's export changed. A post is known by its video id, a follower count by its day."""

    posts_added: int
    posts_updated: int
    followers_added: int
    followers_updated: int
    # Hours of follower activity added or changed.
    activity_hours: int
    # Posts and follower counts already in the history exactly as the export has them.
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(
            self.posts_added
            or self.posts_updated
            or self.followers_added
            or self.followers_updated
            or self.activity_hours
        )


@dataclass(frozen=True, slots=True)
class Goal:
    """A member's target: an engagement rate in percent or a follower count, to reach by a date.

    `baseline` is where the member stood when the goal was set (None when nothing was logged yet);
    on-pace checks draw a straight line from there to the target.
    """

    guild_id: int
    user_id: int
    metric: GoalMetric
    target: Fraction
    by: date
    set_at: datetime
    baseline: Fraction | None = None

    def __post_init__(self) -> None:
        if self.metric not in GOAL_METRICS:
            raise ValueError(f"unknown goal metric {self.metric!r}")
        require_utc(self.set_at)


def latest_followers(
    posts: Sequence[LoggedPost],
    snapshots: Sequence[FollowerSnapshot],
    at: datetime | None = None,
) -> tuple[datetime, int] | None:
    """The most recent follower count from posts and snapshots, optionally as it stood at `at`."""
    best: tuple[datetime, int] | None = None
    for moment, count in [(p.posted_at, p.followers) for p in posts] + [
        (s.taken_at, s.followers) for s in snapshots
    ]:
        if at is not None and moment > at:
            continue
        if best is None or moment >= best[0]:
            best = (moment, count)
    return best


def as_utc(moment: datetime) -> datetime:
    """Convert an aware datetime to UTC."""
    if moment.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)
