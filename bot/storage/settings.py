"""Server settings, with a record of who changed what and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.server_settings import ServerSettings, SettingChange
from bot.storage.database import Database, Row, from_text, to_text

# Who made a change Pulse made itself (the weekly post turned off because its channel went away).
PULSE = 0

_COLUMNS = (
    "guild_id, timezone, language, leaderboard_channel_id, leaderboard_weekday, leaderboard_hour, "
    "leaderboard_enabled, leaderboard_min_posts, leaderboard_active_since, leaderboard_problem, "
    "leaderboard_problem_at, coach_role_id, coaching_channel_id, coaching_weekday, coaching_hour, "
    "coaching_reminders, coaching_public_threads, coaching_active_since"
)


def _optional_time(text: str | None) -> datetime | None:
    return None if text is None else from_text(text)


def _settings(row: Row) -> ServerSettings:
    return ServerSettings(
        guild_id=row["guild_id"],
        timezone=row["timezone"],
        language=row["language"],
        leaderboard_channel_id=row["leaderboard_channel_id"],
        leaderboard_weekday=row["leaderboard_weekday"],
        leaderboard_hour=row["leaderboard_hour"],
        leaderboard_enabled=bool(row["leaderboard_enabled"]),
        leaderboard_min_posts=row["leaderboard_min_posts"],
        leaderboard_active_since=_optional_time(row["leaderboard_active_since"]),
        leaderboard_problem=row["leaderboard_problem"],
        leaderboard_problem_at=_optional_time(row["leaderboard_problem_at"]),
        coach_role_id=row["coach_role_id"],
        coaching_channel_id=row["coaching_channel_id"],
        coaching_weekday=row["coaching_weekday"],
        coaching_hour=row["coaching_hour"],
        coaching_reminders=bool(row["coaching_reminders"]),
        coaching_public_threads=bool(row["coaching_public_threads"]),
        coaching_active_since=_optional_time(row["coaching_active_since"]),
    )


def _stored(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, datetime):
        return to_text(value)
    return str(value)


class SettingsRepository:
    """Reads and writes server settings; every change is one transaction with its record."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, guild_id: int) -> ServerSettings:
        """The server's settings, or the defaults when it never changed any."""
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM server_settings WHERE guild_id = ?", (guild_id,)
        )
        return ServerSettings(guild_id) if row is None else _settings(row)

    async def all(self) -> list[ServerSettings]:
        rows = await self.db.fetch_all(f"SELECT {_COLUMNS} FROM server_settings ORDER BY guild_id")
        return [_settings(row) for row in rows]

    async def save(self, before: ServerSettings, after: ServerSettings, user_id: int, at: datetime) -> None:
        """Store `after`, recording each admin-set field that differs from `before`."""
        async with self.db.write() as conn:
            await conn.execute(
                f"INSERT INTO server_settings ({_COLUMNS}, updated_at) "
                f"VALUES ({', '.join('?' * 19)}) ON CONFLICT (guild_id) DO UPDATE SET "
                "timezone = excluded.timezone, language = excluded.language, "
                "leaderboard_channel_id = excluded.leaderboard_channel_id, "
                "leaderboard_weekday = excluded.leaderboard_weekday, "
                "leaderboard_hour = excluded.leaderboard_hour, "
                "leaderboard_enabled = excluded.leaderboard_enabled, "
                "leaderboard_min_posts = excluded.leaderboard_min_posts, "
                "leaderboard_active_since = excluded.leaderboard_active_since, "
                "leaderboard_problem = excluded.leaderboard_problem, "
                "leaderboard_problem_at = excluded.leaderboard_problem_at, "
                "coach_role_id = excluded.coach_role_id, coaching_channel_id = excluded.coaching_channel_id, "
                "coaching_weekday = excluded.coaching_weekday, coaching_hour = excluded.coaching_hour, "
                "coaching_reminders = excluded.coaching_reminders, "
                "coaching_public_threads = excluded.coaching_public_threads, "
                "coaching_active_since = excluded.coaching_active_since, "
                "updated_at = excluded.updated_at",
                (
                    after.guild_id,
                    after.timezone,
                    after.language,
                    after.leaderboard_channel_id,
                    after.leaderboard_weekday,
                    after.leaderboard_hour,
                    int(after.leaderboard_enabled),
                    after.leaderboard_min_posts,
                    _stored(after.leaderboard_active_since),
                    after.leaderboard_problem,
                    _stored(after.leaderboard_problem_at),
                    after.coach_role_id,
                    after.coaching_channel_id,
                    after.coaching_weekday,
                    after.coaching_hour,
                    int(after.coaching_reminders),
                    int(after.coaching_public_threads),
                    _stored(after.coaching_active_since),
                    to_text(at),
                ),
            )
            await conn.execute_many(
                "INSERT INTO settings_changes (guild_id, user_id, setting, old_value, new_value, changed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (after.guild_id, user_id, name, _stored(old), _stored(new), to_text(at))
                    for name, (old, new) in before.differences(after).items()
                ],
            )

    async def changes(self, guild_id: int, limit: int = 10) -> list[SettingChange]:
        """The server's most recent setting changes, newest first."""
        rows = await self.db.fetch_all(
            "SELECT user_id, setting, old_value, new_value, changed_at FROM settings_changes "
            "WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [
            SettingChange(
                r["user_id"], r["setting"], r["old_value"], r["new_value"], from_text(r["changed_at"])
            )
            for r in rows
        ]
