"""A server's settings: defaults, what an admin may type, and which changes are recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.leaderboard import PostSchedule
from bot.domain.server_settings import (
    ADMIN_FIELDS,
    ServerSettings,
    check_hour,
    check_language,
    check_min_posts,
    check_weekday,
)

GUILD = 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("monday", 0),
        ("Tuesday", 1),
        ("wednesday", 2),
        ("thursday", 3),
        ("friday", 4),
        (" SATURDAY ", 5),
        ("sunday", 6),
    ],
)
def test_check_weekday(value: str, expected: int) -> None:
    assert check_weekday(value) == expected


@pytest.mark.parametrize("value", ["maandag", "mon", "", "0", "funday"])
def test_check_weekday_refuses(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_weekday(value)
    assert (caught.value.field, caught.value.rule, caught.value.limits) == (
        "day",
        "weekday",
        {"value": value},
    )


@pytest.mark.parametrize("value", [0, 9, 23])
def test_check_hour(value: int) -> None:
    assert check_hour(value) == value


@pytest.mark.parametrize(
    ("value", "rule", "limits"),
    [
        (24, "max", {"maximum": 23}),
        (-1, "min", {"minimum": 0}),
        (True, "whole", {}),
        (9.0, "whole", {}),
        ("9", "whole", {}),
    ],
)
def test_check_hour_refuses(value: object, rule: str, limits: dict[str, int]) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_hour(value)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.rule, caught.value.limits) == ("hour", rule, limits)


@pytest.mark.parametrize("value", [1, 2, 50])
def test_check_min_posts(value: int) -> None:
    assert check_min_posts(value) == value


@pytest.mark.parametrize(
    ("value", "rule", "limits"),
    [
        (0, "min", {"minimum": 1}),
        (-3, "min", {"minimum": 1}),
        (51, "max", {"maximum": 50}),
        (False, "whole", {}),
    ],
)
def test_check_min_posts_refuses(value: object, rule: str, limits: dict[str, int]) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_min_posts(value)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.rule, caught.value.limits) == ("min_posts", rule, limits)


@pytest.mark.parametrize("value", ["auto", "nl", "en"])
def test_check_language(value: str) -> None:
    assert check_language(value) == value


@pytest.mark.parametrize("value", ["de", "NL", "", "dutch"])
def test_check_language_refuses(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_language(value)
    assert (caught.value.field, caught.value.rule, caught.value.limits) == (
        "language",
        "choice",
        {"value": value},
    )


def test_defaults() -> None:
    settings = ServerSettings(GUILD)
    assert (
        settings.timezone,
        settings.language,
        settings.leaderboard_channel_id,
        settings.leaderboard_weekday,
        settings.leaderboard_hour,
        settings.leaderboard_enabled,
        settings.leaderboard_min_posts,
        settings.leaderboard_active_since,
        settings.leaderboard_problem,
        settings.leaderboard_problem_at,
    ) == ("Europe/Amsterdam", "auto", None, 0, 9, True, 1, None, None, None)
    assert settings.tz == ZoneInfo("Europe/Amsterdam")
    assert settings.schedule == PostSchedule(0, 9, ZoneInfo("Europe/Amsterdam"))
    assert settings.server_language is None


def test_server_language() -> None:
    assert ServerSettings(GUILD, language="nl").server_language == "nl"
    assert ServerSettings(GUILD, language="en").server_language == "en"


def test_posts_weekly_needs_a_channel_and_to_be_enabled() -> None:
    assert ServerSettings(GUILD).posts_weekly is False  # no channel yet
    assert ServerSettings(GUILD, leaderboard_channel_id=5).posts_weekly is True
    assert ServerSettings(GUILD, leaderboard_channel_id=5, leaderboard_enabled=False).posts_weekly is False
    assert ServerSettings(GUILD, leaderboard_enabled=False).posts_weekly is False


def test_differences_are_the_admin_fields_that_changed() -> None:
    before = ServerSettings(GUILD)
    moment = datetime(2026, 3, 9, 8, tzinfo=UTC)
    after = before.changed(
        timezone="Europe/London",
        leaderboard_hour=18,
        leaderboard_channel_id=555,
        leaderboard_active_since=moment,  # kept by Pulse itself: not an admin field
        leaderboard_problem="channel_missing",
    )
    assert before.differences(after) == {
        "timezone": ("Europe/Amsterdam", "Europe/London"),
        "leaderboard_channel_id": (None, 555),
        "leaderboard_hour": (9, 18),
    }
    assert after.differences(before) == {
        "timezone": ("Europe/London", "Europe/Amsterdam"),
        "leaderboard_channel_id": (555, None),
        "leaderboard_hour": (18, 9),
    }
    assert before.differences(before) == {}
    assert before.differences(before.changed(leaderboard_active_since=moment)) == {}
    assert list(before.differences(ServerSettings(GUILD, leaderboard_enabled=False, language="nl"))) == [
        "language",
        "leaderboard_enabled",
    ]


def test_every_admin_field_is_a_settings_field() -> None:
    assert ADMIN_FIELDS == (
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
    changed = ServerSettings(
        GUILD,
        timezone="UTC",
        language="en",
        leaderboard_channel_id=1,
        leaderboard_weekday=3,
        leaderboard_hour=0,
        leaderboard_enabled=False,
        leaderboard_min_posts=4,
        coach_role_id=7,
        coaching_channel_id=8,
        coaching_weekday=4,
        coaching_hour=18,
        coaching_reminders=False,
        coaching_public_threads=True,
        coaching_active_since=datetime(2026, 11, 2, tzinfo=UTC),
    )
    assert tuple(ServerSettings(GUILD).differences(changed)) == ADMIN_FIELDS


def test_changed_returns_a_new_settings_and_leaves_the_old() -> None:
    before = ServerSettings(GUILD)
    after = before.changed(leaderboard_min_posts=3)
    assert (before.leaderboard_min_posts, after.leaderboard_min_posts) == (1, 3)
    assert after == ServerSettings(GUILD, leaderboard_min_posts=3)
