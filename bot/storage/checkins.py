"""Coaching's rows: known coaches, check-in threads, check-ins and their focus, reminders, notes, data views."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from bot.domain.checkins import Checkin, CheckinThread, CoachNote, DataView, ReminderTarget, ViewKind
from bot.domain.weeks import IsoWeek
from bot.storage.database import Database, from_text, to_text


class CheckinRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- coaches ----------------------------------------------------------------------------------------

    async def note_coach(self, guild_id: int, user_id: int, at: datetime) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                "INSERT INTO coaches (guild_id, user_id, seen_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET seen_at = excluded.seen_at",
                (guild_id, user_id, to_text(at)),
            )

    async def forget_coach(self, guild_id: int, user_id: int) -> None:
        async with self.db.write() as conn:
            await conn.execute("DELETE FROM coaches WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    async def coaches(self, guild_id: int) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT user_id FROM coaches WHERE guild_id = ? ORDER BY seen_at DESC, user_id", (guild_id,)
        )
        return [row["user_id"] for row in rows]

    # --- threads and check-ins --------------------------------------------------------------------------

    async def thread(self, guild_id: int, user_id: int) -> CheckinThread | None:
        row = await self.db.fetch_one(
            "SELECT thread_id, private FROM checkin_threads WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return None if row is None else CheckinThread(row["thread_id"], bool(row["private"]))

    async def set_thread(self, guild_id: int, user_id: int, thread: CheckinThread, at: datetime) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                "INSERT INTO checkin_threads (guild_id, user_id, thread_id, private, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
                "thread_id = excluded.thread_id, private = excluded.private, created_at = excluded.created_at",
                (guild_id, user_id, thread.thread_id, int(thread.private), to_text(at)),
            )

    async def record_checkin(self, guild_id: int, user_id: int, week: IsoWeek, at: datetime) -> bool:
        """The member checked in for `week`; False when they already had (the first time counts)."""
        async with self.db.write() as conn:
            changed = await conn.execute(
                "INSERT INTO checkins (guild_id, user_id, week, checked_in_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id, week) DO NOTHING",
                (guild_id, user_id, str(week), to_text(at)),
            )
            return changed > 0

    async def set_focus(self, guild_id: int, user_id: int, week: IsoWeek, focus: str, at: datetime) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                "INSERT INTO checkins (guild_id, user_id, week, checked_in_at, focus, focus_set_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id, week) DO UPDATE SET "
                "focus = excluded.focus, focus_set_at = excluded.focus_set_at",
                (guild_id, user_id, str(week), to_text(at), focus, to_text(at)),
            )

    async def checkins(self, guild_id: int, user_id: int, limit: int = 10) -> list[Checkin]:
        """The member's check-ins, newest week first."""
        rows = await self.db.fetch_all(
            "SELECT week, checked_in_at, focus FROM checkins WHERE guild_id = ? AND user_id = ? "
            "ORDER BY week DESC LIMIT ?",
            (guild_id, user_id, limit),
        )
        return [Checkin(IsoWeek.parse(r["week"]), from_text(r["checked_in_at"]), r["focus"]) for r in rows]

    async def earlier_focus(self, guild_id: int, user_id: int, week: IsoWeek) -> Checkin | None:
        """The most recent focus the member set for a week before `week`."""
        row = await self.db.fetch_one(
            "SELECT week, checked_in_at, focus FROM checkins WHERE guild_id = ? AND user_id = ? AND week < ? "
            "AND focus IS NOT NULL ORDER BY week DESC LIMIT 1",
            (guild_id, user_id, str(week)),
        )
        if row is None:
            return None
        return Checkin(IsoWeek.parse(row["week"]), from_text(row["checked_in_at"]), row["focus"])

    async def last_checkins(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, datetime]:
        ids = list(user_ids)
        if not ids:
            return {}
        rows = await self.db.fetch_all(
            f"SELECT user_id, max(checked_in_at) AS last FROM checkins WHERE guild_id = ? "
            f"AND user_id IN ({', '.join('?' * len(ids))}) GROUP BY user_id",
            (guild_id, *ids),
        )
        return {r["user_id"]: from_text(r["last"]) for r in rows}

    async def active_members(self, guild_id: int, since: datetime) -> list[int]:
        """Members who logged a post or checked in from `since` on."""
        rows = await self.db.fetch_all(
            "SELECT user_id FROM logged_posts WHERE guild_id = ? AND posted_at >= ? "
            "UNION SELECT user_id FROM checkins WHERE guild_id = ? AND checked_in_at >= ? ORDER BY user_id",
            (guild_id, to_text(since), guild_id, to_text(since)),
        )
        return [row["user_id"] for row in rows]

    # --- reminders --------------------------------------------------------------------------------------

    async def reminder_targets(self, guild_id: int, week: IsoWeek) -> list[ReminderTarget]:
        """Members who checked in before `week`, not yet in it, and were not reminded of it yet."""
        rows = await self.db.fetch_all(
            "SELECT t.user_id, t.thread_id, r.state FROM checkin_threads t "
            "LEFT JOIN checkin_reminders r ON r.guild_id = t.guild_id AND r.user_id = t.user_id AND r.week = ? "
            "WHERE t.guild_id = ? "
            "AND EXISTS (SELECT 1 FROM checkins c WHERE c.guild_id = t.guild_id AND c.user_id = t.user_id "
            "            AND c.week < ?) "
            "AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.guild_id = t.guild_id AND c.user_id = t.user_id "
            "                AND c.week = ?) "
            "AND (r.state IS NULL OR r.state = 'sending') ORDER BY t.user_id",
            (str(week), guild_id, str(week), str(week)),
        )
        return [ReminderTarget(r["user_id"], r["thread_id"], r["state"] == "sending") for r in rows]

    async def mark_reminder(
        self,
        guild_id: int,
        user_id: int,
        week: IsoWeek,
        state: Literal["sending", "sent", "failed"],
        at: datetime,
        message_id: int | None = None,
    ) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                "INSERT INTO checkin_reminders (guild_id, user_id, week, state, message_id, at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id, week) DO UPDATE SET "
                "state = excluded.state, message_id = excluded.message_id, at = excluded.at",
                (guild_id, user_id, str(week), state, message_id, to_text(at)),
            )

    async def reminded(self, guild_id: int, week: IsoWeek) -> dict[int, str]:
        rows = await self.db.fetch_all(
            "SELECT user_id, state FROM checkin_reminders WHERE guild_id = ? AND week = ?",
            (guild_id, str(week)),
        )
        return {r["user_id"]: r["state"] for r in rows}

    # --- coach notes ------------------------------------------------------------------------------------

    async def add_note(self, guild_id: int, member_id: int, author_id: int, text: str, at: datetime) -> int:
        async with self.db.write() as conn:
            return await conn.insert(
                "INSERT INTO coach_notes (guild_id, member_id, author_id, text, created_at) VALUES (?, ?, ?, ?, ?)",
                (guild_id, member_id, author_id, text, to_text(at)),
            )

    async def notes(self, guild_id: int, member_id: int, limit: int, offset: int = 0) -> list[CoachNote]:
        """Notes about the member, newest first."""
        rows = await self.db.fetch_all(
            "SELECT id, author_id, text, created_at FROM coach_notes WHERE guild_id = ? AND member_id = ? "
            "ORDER BY id DESC LIMIT ? OFFSET ?",
            (guild_id, member_id, limit, offset),
        )
        return [CoachNote(r["id"], r["author_id"], r["text"], from_text(r["created_at"])) for r in rows]

    async def note_count(self, guild_id: int, member_id: int) -> int:
        row = await self.db.fetch_one(
            "SELECT count(*) FROM coach_notes WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        return int(row[0]) if row else 0

    # --- who looked ---------------------------------------------------------------------------------------

    async def record_views(
        self, guild_id: int, viewer_id: int, member_ids: Iterable[int], what: ViewKind, at: datetime
    ) -> None:
        rows = [(guild_id, m, viewer_id, what, to_text(at)) for m in member_ids if m != viewer_id]
        if not rows:
            return
        async with self.db.write() as conn:
            await conn.execute_many(
                "INSERT INTO data_views (guild_id, member_id, viewer_id, what, viewed_at) VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    async def views(self, guild_id: int, member_id: int, limit: int = 10) -> list[DataView]:
        """Who opened the member's numbers, newest first."""
        rows = await self.db.fetch_all(
            "SELECT viewer_id, what, viewed_at FROM data_views WHERE guild_id = ? AND member_id = ? "
            "ORDER BY id DESC LIMIT ?",
            (guild_id, member_id, limit),
        )
        return [DataView(r["viewer_id"], r["what"], from_text(r["viewed_at"])) for r in rows]

    async def view_count(self, guild_id: int, member_id: int) -> int:
        row = await self.db.fetch_one(
            "SELECT count(*) FROM data_views WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        return int(row[0]) if row else 0
