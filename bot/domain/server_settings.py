"""A server's settings: its time zone, its language, its weekly leaderboard post and its coaching."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, tzinfo
from typing import Any, Literal

from bot.domain.engagement import check_count
from bot.domain.errors import InvalidInput
from bot.domain.leaderboard import DEFAULT_MIN_POSTS, MAX_MIN_POSTS, PostSchedule
from bot.domain.weeks import DEFAULT_TIME_ZONE, WEEKDAYS, time_zone

ServerLanguage = Literal["auto", "nl", "en"]
SERVER_LANGUAGES: tuple[ServerLanguage, ...] = ("auto", "nl", "en")
# Why the weekly post was turned off by Pulse itself: the channel is gone, or Pulse may not post there.
LeaderboardProblem = Literal["channel_missing", "channel_forbidden"]

DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_HOUR = 9
# Check-in reminders: Monday morning, after the weekly post, when the new week's plans are made.
DEFAULT_COACHING_WEEKDAY = 0
DEFAULT_COACHING_HOUR = 10


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Everything an admin sets for a server; a server that never set anything has these defaults."""

    guild_id: int
    timezone: str = DEFAULT_TIME_ZONE
    language: ServerLanguage = "auto"
    leaderboard_channel_id: int | None = None
    leaderboard_weekday: int = DEFAULT_WEEKDAY
    leaderboard_hour: int = DEFAULT_HOUR
    leaderboard_enabled: bool = True
    leaderboard_min_posts: int = DEFAULT_MIN_POSTS
    # Since when the weekly post runs as now set up: weeks due before that are not owed.
    leaderboard_active_since: datetime | None = None
    leaderboard_problem: LeaderboardProblem | None = None
    leaderboard_problem_at: datetime | None = None
    coach_role_id: int | None = None
    coaching_channel_id: int | None = None
    coaching_weekday: int = DEFAULT_COACHING_WEEKDAY
    coaching_hour: int = DEFAULT_COACHING_HOUR
    coaching_reminders: bool = True
    # Where a channel cannot have private threads, check-ins go to public ones only when an admin said so.
    coaching_public_threads: bool = False
    # Since when reminders run as now set up: weeks whose reminder was due before that are not owed.
    coaching_active_since: datetime | None = None

    @property
    def tz(self) -> tzinfo:
        return time_zone(self.timezone)

    @property
    def posts_weekly(self) -> bool:
        """The weekly post is on and has somewhere to go."""
        return self.leaderboard_enabled and self.leaderboard_channel_id is not None

    @property
    def schedule(self) -> PostSchedule:
        return PostSchedule(self.leaderboard_weekday, self.leaderboard_hour, self.tz)

    @property
    def reminds_weekly(self) -> bool:
        """Check-in reminders are on and there is a coaching channel for the threads they go to."""
        return self.coaching_reminders and self.coaching_channel_id is not None

    @property
    def reminder_schedule(self) -> PostSchedule:
        return PostSchedule(self.coaching_weekday, self.coaching_hour, self.tz)

    @property
    def server_language(self) -> str | None:
        """The language every answer in the server uses, or None to follow each member's Discord language."""
        return None if self.language == "auto" else self.language

    def changed(self, **changes: Any) -> ServerSettings:
        return replace(self, **changes)

    def differences(self, other: ServerSettings) -> dict[str, tuple[Any, Any]]:
        """The admin-set fields that differ between self (before) and other (after)."""
        return {
            f.name: (getattr(self, f.name), getattr(other, f.name))
            for f in fields(self)
            if f.name in ADMIN_FIELDS and getattr(self, f.name) != getattr(other, f.name)
        }


@dataclass(frozen=True, slots=True)
class SettingChange:
    """One recorded change of one setting; values as stored (None: not set).

    `user_id` 0 is Pulse itself; None is a member who has since deleted their data.
    """

    user_id: int | None
    setting: str
    old_value: str | None
    new_value: str | None
    changed_at: datetime


# The fields an admin sets (the others Pulse keeps itself); changes to these are recorded.
ADMIN_FIELDS = (
    "timezone",
    "language",
    "leaderboard_channel_id",
    "leaderboard_weekday",
    "leaderboard_hour",
    "leaderboard_enabled",
    "leaderboard_min_posts",
    "coach_role_id",
    "coaching_channel_id",
    "coaching_weekday",
    "coaching_hour",
    "coaching_reminders",
    "coaching_public_threads",
)


def check_weekday(value: str) -> int:
    """`monday` … `sunday` as 0 … 6."""
    try:
        return WEEKDAYS.index(value.strip().lower())
    except ValueError:
        raise InvalidInput("day", "weekday", value=value[:20]) from None


def check_hour(value: int) -> int:
    return check_count("hour", value, minimum=0, maximum=23)


def check_min_posts(value: int) -> int:
    return check_count("min_posts", value, minimum=1, maximum=MAX_MIN_POSTS)


def check_language(value: str) -> ServerLanguage:
    for language in SERVER_LANGUAGES:
        if value == language:
            return language
    raise InvalidInput("language", "choice", value=value[:20])
