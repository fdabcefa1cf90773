"""Everything Pulse keeps about a member or a server: counted, exported, deleted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.history import moment_text
from bot.domain.privacy import DataCounts, MemberExport, ServerExport
from bot.storage.database import Database
from bot.storage.history import HistoryRepository

# Tables whose rows belong to one member, and the column that names them. Deleting the member deletes these rows.
MEMBER_ROWS: tuple[tuple[str, str], ...] = (
    ("logged_posts", "user_id"),
    ("follower_snapshots", "user_id"),
    ("history_batches", "user_id"),
    ("goals", "user_id"),
    ("follower_activity", "user_id"),
    ("tiktok_accounts", "user_id"),
    ("member_privacy", "user_id"),
    ("coaches", "user_id"),
    ("checkin_threads", "user_id"),
    ("checkins", "user_id"),
    ("checkin_reminders", "user_id"),
    ("coach_notes", "member_id"),
    ("data_views", "member_id"),
)
# Records other members rely on, where the member only appears: their id becomes NULL and the record stays
# (a week's ranks as posted, a note a coach wrote, a look at someone's numbers, a setting changed).
MEMBER_MENTIONS: tuple[tuple[str, str], ...] = (
    ("leaderboard_archive", "user_id"),
    ("coach_notes", "author_id"),
    ("data_views", "viewer_id"),
    ("settings_changes", "user_id"),
)
# Every table with a server's rows, children before the tables they reference.
SERVER_TABLES: tuple[str, ...] = (
    "logged_posts",
    "follower_snapshots",
    "history_batches",
    "goals",
    "follower_activity",
    "tiktok_accounts",
    "member_privacy",
    "leaderboard_archive",
    "leaderboard_posts",
    "coaches",
    "checkin_threads",
    "checkins",
    "checkin_reminders",
    "coach_notes",
    "data_views",
    "settings_changes",
    "server_settings",
    "scheduled_jobs",
)


def _where(column: str, guild_id: int | None) -> tuple[str, tuple[int, ...]]:
    return (f"{column} = ?", ()) if guild_id is None else (f"{column} = ? AND guild_id = ?", (guild_id,))


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def counts(self, user_id: int, guild_id: int | None) -> DataCounts:
        """How much Pulse keeps about the member, in one server or (None) in all."""

        async def count(table: str, column: str = "user_id") -> int:
            clause, more = _where(column, guild_id)
            row = await self.db.fetch_one(f"SELECT count(*) FROM {table} WHERE {clause}", (user_id, *more))
            return int(row[0]) if row else 0

        return DataCounts(
            posts=await count("logged_posts"),
            follower_counts=await count("follower_snapshots"),
            goals=await count("goals"),
            checkins=await count("checkins"),
            notes_about=await count("coach_notes", "member_id"),
            views=await count("data_views", "member_id"),
            places=await count("leaderboard_archive"),
            threads=await count("checkin_threads"),
            activity_hours=await count("follower_activity"),
        )

    async def guilds_of(self, user_id: int) -> list[int]:
        """Every server where Pulse keeps something about the member."""
        union = " UNION ".join(
            f"SELECT guild_id FROM {table} WHERE {column} = ?"
            for table, column in (*MEMBER_ROWS, *MEMBER_MENTIONS)
        )
        rows = await self.db.fetch_all(
            f"SELECT DISTINCT guild_id FROM ({union}) AS found ORDER BY guild_id",
            [user_id] * (len(MEMBER_ROWS) + len(MEMBER_MENTIONS)),
        )
        return [row[0] for row in rows]

    async def export(self, user_id: int, guild_id: int | None) -> MemberExport:
        """Everything about the member, per server; coach notes as a count, never their text."""
        guilds = [guild_id] if guild_id is not None else await self.guilds_of(user_id)
        return MemberExport(user_id, tuple([await self._server_export(user_id, g) for g in guilds]))

    async def _server_export(self, user_id: int, guild_id: int) -> ServerExport:
        member = (guild_id, user_id)

        async def rows(sql: str, params: Sequence[Any] = member) -> list[dict[str, Any]]:
            return [dict(row) for row in await self.db.fetch_all(sql, params)]

        async def scalar(sql: str, params: Sequence[Any] = member) -> Any:
            row = await self.db.fetch_one(sql, params)
            return None if row is None else row[0]

        history = HistoryRepository(self.db)
        posts = await history.posts(guild_id, user_id)
        snapshots = await history.snapshots(guild_id, user_id)
        records = {
            "goals": await rows(
                "SELECT metric, target, by_date, set_at, baseline FROM goals WHERE guild_id = ? AND user_id = ? "
                "ORDER BY metric"
            ),
            "tiktok_account": await scalar(
                "SELECT handle FROM tiktok_accounts WHERE guild_id = ? AND user_id = ?"
            ),
            "follower_activity": [
                {"hour": moment_text(hour), "active_followers": active}
                for hour, active in await history.follower_activity(guild_id, user_id)
            ],
            "leaderboard_visibility": await scalar(
                "SELECT leaderboard FROM member_privacy WHERE guild_id = ? AND user_id = ?"
            )
            or "show",
            "leaderboard_places": await rows(
                "SELECT week, metric, rank, anonymous, value, posts FROM leaderboard_archive "
                "WHERE guild_id = ? AND user_id = ? ORDER BY week, metric"
            ),
            "checkins": await rows(
                "SELECT week, checked_in_at, focus, focus_set_at FROM checkins WHERE guild_id = ? AND user_id = ? "
                "ORDER BY week"
            ),
            "checkin_thread": next(
                iter(
                    await rows(
                        "SELECT thread_id, private, created_at FROM checkin_threads "
                        "WHERE guild_id = ? AND user_id = ?"
                    )
                ),
                None,
            ),
            "checkin_reminders": await rows(
                "SELECT week, state, at FROM checkin_reminders WHERE guild_id = ? AND user_id = ? ORDER BY week"
            ),
            "coach_notes_about_you": await scalar(
                "SELECT count(*) FROM coach_notes WHERE guild_id = ? AND member_id = ?"
            ),
            "viewed_by": await rows(
                "SELECT viewer_id, what, viewed_at FROM data_views WHERE guild_id = ? AND member_id = ? "
                "ORDER BY id"
            ),
            "seen_as_coach_at": await scalar(
                "SELECT seen_at FROM coaches WHERE guild_id = ? AND user_id = ?"
            ),
            "coach_notes_written": await scalar(
                "SELECT count(*) FROM coach_notes WHERE guild_id = ? AND author_id = ?"
            ),
            "settings_changed": await rows(
                "SELECT setting, old_value, new_value, changed_at FROM settings_changes "
                "WHERE guild_id = ? AND user_id = ? ORDER BY id"
            ),
        }
        # Oldest first, as a member reads a spreadsheet of their history.
        return ServerExport(guild_id, tuple(reversed(posts)), tuple(reversed(snapshots)), records)

    async def delete_member(self, user_id: int, guild_id: int | None) -> DataCounts:
        """Delete the member's rows and anonymise the records that mention them, in one transaction."""
        before = await self.counts(user_id, guild_id)
        async with self.db.write() as conn:
            for table, column in MEMBER_ROWS:
                clause, extra = _where(column, guild_id)
                await conn.execute(f"DELETE FROM {table} WHERE {clause}", (user_id, *extra))
            for table, column in MEMBER_MENTIONS:
                clause, extra = _where(column, guild_id)
                await conn.execute(f"UPDATE {table} SET {column} = NULL WHERE {clause}", (user_id, *extra))
        await self.db.forget_deleted()
        return before

    async def has_server_data(self, guild_id: int) -> bool:
        for table in SERVER_TABLES:
            if table == "scheduled_jobs":
                continue
            if await self.db.fetch_one(f"SELECT 1 FROM {table} WHERE guild_id = ? LIMIT 1", (guild_id,)):
                return True
        return False

    async def servers_with_data(self) -> list[int]:
        """Every server Pulse keeps rows for (planned jobs alone do not count)."""
        union = " UNION ".join(f"SELECT guild_id FROM {t}" for t in SERVER_TABLES if t != "scheduled_jobs")
        return [
            row[0]
            for row in await self.db.fetch_all(f"SELECT DISTINCT guild_id FROM ({union}) AS found ORDER BY 1")
        ]

    async def delete_server(self, guild_id: int, keep_job: int | None = None) -> int:
        """Delete every row of the server, except the job `keep_job` (the one doing this); returns rows deleted."""
        deleted = 0
        async with self.db.write() as conn:
            for table in SERVER_TABLES:
                sql, params = f"DELETE FROM {table} WHERE guild_id = ?", [guild_id]
                if table == "scheduled_jobs" and keep_job is not None:
                    sql += " AND id != ?"
                    params.append(keep_job)
                deleted += await conn.execute(sql, params)
        await self.db.forget_deleted()
        return deleted
