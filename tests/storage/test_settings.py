"""Server settings in a real SQLite file: defaults, round trips and the record of who changed what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.server_settings import ServerSettings, SettingChange
from bot.storage.database import Database
from bot.storage.settings import PULSE, SettingsRepository
from tests.databases import INTEGRITY_ERRORS

GUILD, OTHER_GUILD = 10, 11
ADMIN, OTHER_ADMIN = 42, 43
NOW = datetime(2026, 3, 9, 8, 30, 15, 123_456, tzinfo=UTC)


@pytest.fixture
def repo(db: Database) -> SettingsRepository:
    return SettingsRepository(db)


async def test_a_server_without_a_row_has_the_defaults(repo: SettingsRepository) -> None:
    assert await repo.get(GUILD) == ServerSettings(GUILD)
    assert await repo.all() == []
    assert await repo.changes(GUILD) == []


async def test_save_and_get_round_trip(repo: SettingsRepository) -> None:
    before = ServerSettings(GUILD)
    after = before.changed(
        timezone="America/New_York",
        language="nl",
        leaderboard_channel_id=987_654_321_012_345_678,
        leaderboard_weekday=6,
        leaderboard_hour=23,
        leaderboard_enabled=False,
        leaderboard_min_posts=3,
        leaderboard_active_since=NOW,
        leaderboard_problem="channel_forbidden",
        leaderboard_problem_at=NOW + timedelta(microseconds=1),
    )
    await repo.save(before, after, ADMIN, NOW)
    assert await repo.get(GUILD) == after
    assert await repo.get(OTHER_GUILD) == ServerSettings(OTHER_GUILD)
    # Saved again with the optional fields cleared: they come back as None.
    cleared = after.changed(
        leaderboard_channel_id=None, leaderboard_problem=None, leaderboard_problem_at=None
    )
    await repo.save(after, cleared, ADMIN, NOW)
    assert await repo.get(GUILD) == cleared


async def test_only_the_changed_admin_fields_are_recorded(repo: SettingsRepository) -> None:
    before = ServerSettings(GUILD)
    after = before.changed(
        timezone="Europe/London",
        leaderboard_channel_id=555,
        leaderboard_hour=18,
        leaderboard_enabled=False,
        leaderboard_active_since=NOW,  # Pulse's own field: stored, not recorded
    )
    await repo.save(before, after, ADMIN, NOW)
    # Newest first: the rows go in in field order, so they come back in reverse.
    assert await repo.changes(GUILD) == [
        SettingChange(ADMIN, "leaderboard_enabled", "on", "off", NOW),
        SettingChange(ADMIN, "leaderboard_hour", "9", "18", NOW),
        SettingChange(ADMIN, "leaderboard_channel_id", None, "555", NOW),
        SettingChange(ADMIN, "timezone", "Europe/Amsterdam", "Europe/London", NOW),
    ]
    later = NOW + timedelta(hours=1)
    again = after.changed(leaderboard_min_posts=2, leaderboard_enabled=True)
    await repo.save(after, again, OTHER_ADMIN, later)
    assert await repo.changes(GUILD, limit=3) == [
        SettingChange(OTHER_ADMIN, "leaderboard_min_posts", "1", "2", later),
        SettingChange(OTHER_ADMIN, "leaderboard_enabled", "off", "on", later),
        SettingChange(ADMIN, "leaderboard_enabled", "on", "off", NOW),
    ]
    assert len(await repo.changes(GUILD, limit=100)) == 6
    assert await repo.changes(OTHER_GUILD) == []


async def test_a_save_of_pulses_own_fields_records_nothing(repo: SettingsRepository) -> None:
    before = ServerSettings(GUILD, leaderboard_channel_id=7)
    await repo.save(ServerSettings(GUILD), before, ADMIN, NOW)
    assert len(await repo.changes(GUILD)) == 1
    problem = before.changed(leaderboard_problem="channel_missing", leaderboard_problem_at=NOW)
    await repo.save(before, problem, PULSE, NOW)
    assert await repo.get(GUILD) == problem
    assert len(await repo.changes(GUILD)) == 1


async def test_pulse_turning_the_post_off_is_recorded_as_pulse(repo: SettingsRepository) -> None:
    before = ServerSettings(GUILD, leaderboard_channel_id=7)
    off = before.changed(
        leaderboard_enabled=False, leaderboard_problem="channel_missing", leaderboard_problem_at=NOW
    )
    await repo.save(before, off, PULSE, NOW)
    assert PULSE == 0
    assert await repo.changes(GUILD) == [SettingChange(0, "leaderboard_enabled", "on", "off", NOW)]


async def test_all_lists_every_server_with_a_row_by_id(repo: SettingsRepository) -> None:
    for guild in (30, 10, 20):
        await repo.save(ServerSettings(guild), ServerSettings(guild, leaderboard_hour=guild % 24), ADMIN, NOW)
    assert await repo.all() == [
        ServerSettings(10, leaderboard_hour=10),
        ServerSettings(20, leaderboard_hour=20),
        ServerSettings(30, leaderboard_hour=6),
    ]


async def test_a_failed_save_stores_neither_settings_nor_record(repo: SettingsRepository) -> None:
    before = ServerSettings(GUILD)
    bad = before.changed(leaderboard_hour=24, leaderboard_min_posts=2)  # past the domain's checks
    with pytest.raises(INTEGRITY_ERRORS):
        await repo.save(before, bad, ADMIN, NOW)
    assert await repo.get(GUILD) == before
    assert await repo.changes(GUILD) == []
