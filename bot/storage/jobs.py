"""Scheduled jobs as rows: planned, claimed before they run, then marked done, skipped or failed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from bot.domain.shards import ALL_SHARDS, Shards
from bot.storage.database import Database, Row, from_text, to_text

JobState = Literal["pending", "claimed", "done", "skipped", "failed"]
Finished = Literal["done", "skipped", "failed"]

_COLUMNS = "id, kind, guild_id, key, due_at, state, claimed_by, claimed_at, attempts, outcome"


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """A job to add: what it is about and when it is due."""

    kind: str
    guild_id: int
    key: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    guild_id: int
    key: str
    due_at: datetime
    state: JobState
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    attempts: int = 0
    outcome: str | None = None
    # Set on a job claimed from a process that never finished it (it crashed or hung mid-way): what that
    # process did is unknown, and the handler must find out before doing anything again.
    abandoned_by: str | None = None


def _job(row: Row, abandoned_by: str | None = None) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        guild_id=row["guild_id"],
        key=row["key"],
        due_at=from_text(row["due_at"]),
        state=row["state"],
        claimed_by=row["claimed_by"],
        claimed_at=None if row["claimed_at"] is None else from_text(row["claimed_at"]),
        attempts=row["attempts"],
        outcome=row["outcome"],
        abandoned_by=abandoned_by,
    )


def _owned(shards: Shards) -> tuple[str, list[int]]:
    """A condition on `guild_id` matching the servers of `shards` (see bot/domain/shards.py), and its parameters."""
    if shards.everything:
        return "1 = 1", []
    marks = ", ".join("?" * len(shards.ids))
    return f"((guild_id >> 22) % ?) IN ({marks})", [shards.count or 1, *shards.ids]


class JobStore:
    """The table of scheduled jobs. A claim is a lease: a claim older than `lease` is presumed abandoned.

    With several processes on one database, each claims only the jobs of the servers its shards own, and a claim
    is a compare-and-set on the job's attempts: two processes that see the same due job cannot both win it.
    """

    def __init__(
        self, db: Database, lease: timedelta = timedelta(minutes=2), shards: Shards = ALL_SHARDS
    ) -> None:
        self.db = db
        self.lease = lease
        self.shards = shards

    async def plan(self, job: PlannedJob) -> bool:
        """Make `job` the guild's one open job of its kind.

        A pending job of the same kind for another key is replaced (the schedule moved); a job already claimed
        or finished for this key is left alone (a week posted stays posted). True when `job` is now pending.
        """
        async with self.db.write() as conn:
            existing = await conn.fetch_one(
                "SELECT state FROM scheduled_jobs WHERE kind = ? AND guild_id = ? AND key = ?",
                (job.kind, job.guild_id, job.key),
            )
            if existing is not None and existing[0] != "pending":
                return False
            await conn.execute(
                "DELETE FROM scheduled_jobs WHERE kind = ? AND guild_id = ? AND state = 'pending' AND key != ?",
                (job.kind, job.guild_id, job.key),
            )
            await conn.execute(
                "INSERT INTO scheduled_jobs (kind, guild_id, key, due_at, state) VALUES (?, ?, ?, ?, 'pending') "
                "ON CONFLICT (kind, guild_id, key) DO UPDATE SET due_at = excluded.due_at",
                (job.kind, job.guild_id, job.key, to_text(job.due_at)),
            )
            return True

    async def cancel(self, kind: str, guild_id: int) -> int:
        """Drop the guild's pending jobs of this kind (claimed ones finish as they are)."""
        async with self.db.write() as conn:
            return await conn.execute(
                "DELETE FROM scheduled_jobs WHERE kind = ? AND guild_id = ? AND state = 'pending'",
                (kind, guild_id),
            )

    async def claim_due(self, now: datetime, owner: str) -> list[Job]:
        """Claim every job due by `now`, and every claim whose lease ran out, for `owner`, in one transaction."""
        stale = to_text(now - self.lease)
        owned, params = _owned(self.shards)
        won = []
        async with self.db.write() as conn:
            rows = await conn.fetch_all(
                f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE ((state = 'pending' AND due_at <= ?)"
                f" OR (state = 'claimed' AND claimed_at <= ?)) AND {owned} ORDER BY due_at, id",
                (to_text(now), stale, *params),
            )
            for row in rows:
                if await conn.execute(
                    "UPDATE scheduled_jobs SET state = 'claimed', claimed_by = ?, claimed_at = ?, "
                    "attempts = attempts + 1 WHERE id = ? AND state = ? AND attempts = ?",
                    (owner, to_text(now), row["id"], row["state"], row["attempts"]),
                ):
                    won.append(row)
        return [
            replace(
                _job(row, abandoned_by=row["claimed_by"] if row["state"] == "claimed" else None),
                state="claimed",
                claimed_by=owner,
                claimed_at=now,
                attempts=row["attempts"] + 1,
            )
            for row in won
        ]

    async def finish(
        self,
        job: Job,
        owner: str,
        state: Finished,
        outcome: str,
        now: datetime,
        then: PlannedJob | None = None,
    ) -> bool:
        """Mark a claimed job finished and plan the next one, together; False if the claim was lost meanwhile."""
        async with self.db.write() as conn:
            changed = await conn.execute(
                "UPDATE scheduled_jobs SET state = ?, outcome = ?, finished_at = ? "
                "WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
                (state, outcome[:500], to_text(now), job.id, owner),
            )
            if changed == 0:
                return False
            if then is not None:
                await conn.execute(
                    "DELETE FROM scheduled_jobs WHERE kind = ? AND guild_id = ? AND state = 'pending'",
                    (then.kind, then.guild_id),
                )
                await conn.execute(
                    "INSERT INTO scheduled_jobs (kind, guild_id, key, due_at, state) "
                    "VALUES (?, ?, ?, ?, 'pending') ON CONFLICT (kind, guild_id, key) DO NOTHING",
                    (then.kind, then.guild_id, then.key, to_text(then.due_at)),
                )
        return True

    async def retry(self, job: Job, owner: str, at: datetime, outcome: str) -> bool:
        """Put a claimed job back to pending, due again at `at`."""
        async with self.db.write() as conn:
            changed = await conn.execute(
                "UPDATE scheduled_jobs SET state = 'pending', due_at = ?, claimed_by = NULL, claimed_at = NULL, "
                "outcome = ? WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
                (to_text(at), outcome[:500], job.id, owner),
            )
            return changed > 0

    async def next_wake(self) -> datetime | None:
        """When there is next something to do: the earliest due job, or the earliest claim to run out."""
        owned, params = _owned(self.shards)
        row = await self.db.fetch_one(
            f"SELECT (SELECT min(due_at) FROM scheduled_jobs WHERE state = 'pending' AND {owned}),"
            f" (SELECT min(claimed_at) FROM scheduled_jobs WHERE state = 'claimed' AND {owned})",
            (*params, *params),
        )
        assert row is not None
        moments = [from_text(row[0])] if row[0] else []
        if row[1]:
            moments.append(from_text(row[1]) + self.lease)
        return min(moments, default=None)

    async def open_jobs(self, kind: str | None = None, guild_id: int | None = None) -> list[Job]:
        """Pending and claimed jobs, earliest first."""
        sql = f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE state IN ('pending', 'claimed')"
        params: list[object] = []
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        if guild_id is not None:
            sql += " AND guild_id = ?"
            params.append(guild_id)
        return [_job(row) for row in await self.db.fetch_all(sql + " ORDER BY due_at, id", params)]

    async def jobs(self, kind: str, guild_id: int) -> list[Job]:
        """Every job of this kind for the guild, oldest due first (for tests and /settings show)."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE kind = ? AND guild_id = ? ORDER BY due_at, id",
            (kind, guild_id),
        )
        return [_job(row) for row in rows]
