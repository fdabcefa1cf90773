"""Scheduled jobs in a real database (SQLite and PostgreSQL): planning, exclusive claims, leases, finishing, shards."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.shards import Shards
from bot.storage.database import Database, open_database
from bot.storage.jobs import Job, JobStore, PlannedJob
from tests.databases import Backend, database_url

KIND = "leaderboard_post"
GUILD, OTHER_GUILD = 10, 11
T = datetime(2026, 3, 9, 8, tzinfo=UTC)  # Monday 09:00 Amsterdam: the post about 2026-W10 is due
LEASE = timedelta(minutes=2)


@pytest.fixture
def store(db: Database) -> JobStore:
    return JobStore(db, lease=LEASE)


def planned(key: str, due_at: datetime = T, guild_id: int = GUILD, kind: str = KIND) -> PlannedJob:
    return PlannedJob(kind, guild_id, key, due_at)


async def states(store: JobStore, guild_id: int = GUILD) -> list[tuple[str, str, datetime]]:
    return [(j.key, j.state, j.due_at) for j in await store.jobs(KIND, guild_id)]


# --- planning -----------------------------------------------------------------------------------------


async def test_plan_replaces_a_pending_job_of_another_key(store: JobStore) -> None:
    assert await store.plan(planned("2026-W10")) is True
    assert await states(store) == [("2026-W10", "pending", T)]
    # The schedule moved: the next post is about another week.
    assert await store.plan(planned("2026-W11", T + timedelta(days=7))) is True
    assert await states(store) == [("2026-W11", "pending", T + timedelta(days=7))]
    # The same key again: its due time moves.
    assert await store.plan(planned("2026-W11", T + timedelta(days=8))) is True
    assert await states(store) == [("2026-W11", "pending", T + timedelta(days=8))]


async def test_plan_leaves_other_guilds_and_kinds_alone(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    await store.plan(planned("2026-W10", guild_id=OTHER_GUILD))
    await store.plan(planned("2026-W10", kind="coaching_reminder"))
    await store.plan(planned("2026-W11"))
    assert await states(store) == [("2026-W11", "pending", T)]
    assert await states(store, OTHER_GUILD) == [("2026-W10", "pending", T)]
    assert [(j.kind, j.key) for j in await store.open_jobs(kind="coaching_reminder")] == [
        ("coaching_reminder", "2026-W10")
    ]


async def test_plan_never_replaces_a_claimed_or_finished_job(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T, "a")
    assert await store.plan(planned("2026-W11", T + timedelta(days=7))) is True
    assert await states(store) == [("2026-W10", "claimed", T), ("2026-W11", "pending", T + timedelta(days=7))]
    assert await store.finish(job, "a", "done", "posted", T + timedelta(seconds=5)) is True
    assert await store.plan(planned("2026-W12", T + timedelta(days=14))) is True
    assert await states(store) == [("2026-W10", "done", T), ("2026-W12", "pending", T + timedelta(days=14))]


async def test_plan_of_a_finished_key_returns_false_and_changes_nothing_of_it(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T, "a")
    await store.finish(job, "a", "done", "posted", T)
    assert await store.plan(planned("2026-W10", T + timedelta(hours=3))) is False
    assert await states(store) == [("2026-W10", "done", T)]
    # A claimed key is left alone as well.
    await store.plan(planned("2026-W11", T + timedelta(days=7)))
    [running] = await store.claim_due(T + timedelta(days=7), "a")
    assert await store.plan(planned("2026-W11", T + timedelta(days=9))) is False
    assert await states(store) == [("2026-W10", "done", T), ("2026-W11", "claimed", T + timedelta(days=7))]
    assert running.key == "2026-W11"


async def test_a_refused_plan_does_not_drop_the_guilds_pending_job(store: JobStore) -> None:
    # W10's job failed for good and W11's was planned with it; planning W10 again is refused (False) and
    # must not leave the guild without any open job.
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T, "a")
    await store.finish(job, "a", "failed", "gave up", T, then=planned("2026-W11", T + timedelta(days=7)))
    assert await store.plan(planned("2026-W10", T + timedelta(hours=1))) is False
    assert await states(store) == [("2026-W10", "failed", T), ("2026-W11", "pending", T + timedelta(days=7))]


async def test_cancel_drops_only_pending_jobs(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    await store.claim_due(T, "a")
    await store.plan(planned("2026-W11", T + timedelta(days=7)))
    assert await store.cancel(KIND, GUILD) == 1
    assert await states(store) == [("2026-W10", "claimed", T)]
    assert await store.cancel(KIND, GUILD) == 0


# --- claiming -----------------------------------------------------------------------------------------


async def test_claim_due_claims_only_due_jobs_exclusively(store: JobStore) -> None:
    await store.plan(planned("2026-W10", T))
    await store.plan(planned("2026-W10", T + timedelta(seconds=1), guild_id=OTHER_GUILD))
    assert await store.claim_due(T - timedelta(microseconds=1), "a") == []
    claimed = await store.claim_due(T, "a")
    assert [(j.guild_id, j.key, j.due_at, j.abandoned_by) for j in claimed] == [(GUILD, "2026-W10", T, None)]
    # Right after, another process finds nothing: the due job is taken and the other is not due yet.
    assert await store.claim_due(T, "b") == []
    assert await store.claim_due(T + timedelta(seconds=1), "b") != []
    assert [
        (j.guild_id, j.state, j.claimed_by, j.claimed_at, j.attempts) for j in await store.open_jobs()
    ] == [
        (GUILD, "claimed", "a", T, 1),
        (OTHER_GUILD, "claimed", "b", T + timedelta(seconds=1), 1),
    ]


async def test_claim_due_returns_the_jobs_as_claimed(store: JobStore) -> None:
    # The dispatcher reads `attempts` of the returned job to decide on retries (bot/scheduler.py).
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T + timedelta(seconds=3), "a")
    assert job == Job(
        job.id, KIND, GUILD, "2026-W10", T, "claimed", "a", T + timedelta(seconds=3), attempts=1, outcome=None
    )


async def test_claim_due_returns_due_jobs_earliest_first(store: JobStore) -> None:
    for guild, minutes in ((1, 5), (2, 1), (3, 3)):
        await store.plan(planned("2026-W10", T + timedelta(minutes=minutes), guild_id=guild))
    assert [j.guild_id for j in await store.claim_due(T + timedelta(hours=1), "a")] == [2, 3, 1]


async def test_a_claim_older_than_the_lease_is_reclaimed_as_abandoned(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    [first] = await store.claim_due(T, "a")
    assert await store.claim_due(T + LEASE - timedelta(microseconds=1), "b") == []
    [again] = await store.claim_due(T + LEASE + timedelta(seconds=1), "b")
    assert (again.id, again.key, again.abandoned_by) == (first.id, "2026-W10", "a")
    [row] = await store.open_jobs()
    assert (row.state, row.claimed_by, row.claimed_at, row.attempts) == (
        "claimed",
        "b",
        T + LEASE + timedelta(seconds=1),
        2,
    )
    # The first owner lost its claim: it can neither finish nor retry it.
    assert await store.finish(first, "a", "done", "posted", T + LEASE * 2) is False
    assert await store.retry(first, "a", T + LEASE * 3, "busy") is False
    assert await store.finish(again, "b", "done", "posted", T + LEASE * 2) is True
    assert await store.open_jobs() == []


# --- finishing and retrying ---------------------------------------------------------------------------


async def test_finish_plans_the_next_job(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T, "a")
    nxt = planned("2026-W11", T + timedelta(days=7))
    assert await store.finish(job, "a", "done", "posted", T + timedelta(seconds=2), then=nxt) is True
    jobs = await store.jobs(KIND, GUILD)
    assert [(j.key, j.state, j.outcome, j.due_at) for j in jobs] == [
        ("2026-W10", "done", "posted", T),
        ("2026-W11", "pending", None, T + timedelta(days=7)),
    ]
    assert await store.next_wake() == T + timedelta(days=7)


async def test_finish_and_the_next_job_are_one_transaction(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T, "a")
    broken = PlannedJob(KIND, GUILD, "2026-W11", datetime(2026, 3, 16, 9))  # naive: cannot be stored
    with pytest.raises(ValueError):
        await store.finish(job, "a", "done", "posted", T, then=broken)
    # Neither happened: the job is still claimed, and can still be finished.
    assert await states(store) == [("2026-W10", "claimed", T)]
    assert await store.finish(job, "a", "done", "posted", T) is True
    assert await states(store) == [("2026-W10", "done", T)]


async def test_finish_refuses_a_claim_that_is_not_the_owners(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T, "a")
    nxt = planned("2026-W11", T + timedelta(days=7))
    assert await store.finish(job, "b", "done", "posted", T, then=nxt) is False
    assert await states(store) == [("2026-W10", "claimed", T)]
    assert await store.finish(job, "a", "skipped", "x" * 600, T) is True
    [done] = await store.jobs(KIND, GUILD)
    assert (done.state, done.outcome) == ("skipped", "x" * 500)
    # A finished job cannot be finished again.
    assert await store.finish(job, "a", "done", "again", T) is False


async def test_finish_does_not_replace_a_done_key(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T, "a")
    assert await store.finish(job, "a", "done", "posted", T, then=planned("2026-W10", T + LEASE)) is True
    assert await states(store) == [("2026-W10", "done", T)]


async def test_retry_puts_the_job_back_pending(store: JobStore) -> None:
    await store.plan(planned("2026-W10"))
    [job] = await store.claim_due(T, "a")
    later = T + timedelta(minutes=1)
    assert await store.retry(job, "b", later, "not mine") is False
    assert await store.retry(job, "a", later, "Discord was busy") is True
    [row] = await store.jobs(KIND, GUILD)
    assert (row.state, row.due_at, row.claimed_by, row.claimed_at, row.attempts, row.outcome) == (
        "pending",
        later,
        None,
        None,
        1,
        "Discord was busy",
    )
    assert await store.next_wake() == later
    assert await store.claim_due(later - timedelta(microseconds=1), "a") == []
    [again] = await store.claim_due(later, "a")
    assert (again.id, again.abandoned_by) == (job.id, None)
    [row] = await store.jobs(KIND, GUILD)
    assert (row.state, row.attempts) == ("claimed", 2)


# --- waking -------------------------------------------------------------------------------------------


async def test_next_wake(store: JobStore) -> None:
    assert await store.next_wake() is None
    await store.plan(planned("2026-W10", T + timedelta(hours=2)))
    await store.plan(planned("2026-W10", T + timedelta(hours=1), guild_id=OTHER_GUILD))
    assert await store.next_wake() == T + timedelta(hours=1)
    # A claim runs out after the lease: that is the earliest moment now.
    await store.claim_due(T + timedelta(hours=1), "a")
    assert await store.next_wake() == T + timedelta(hours=1) + LEASE
    await store.plan(planned("2026-W10", T + timedelta(hours=1, seconds=30)))
    assert await store.next_wake() == T + timedelta(hours=1, seconds=30)
    # Nothing open: nothing to wake for.
    await store.cancel(KIND, GUILD)
    [claimed] = await store.open_jobs()
    await store.finish(claimed, "a", "done", "posted", T + timedelta(hours=1))
    assert await store.next_wake() is None


# --- shards over processes ------------------------------------------------------------------------------


def guild_on(shard: int, count: int, n: int = 0) -> int:
    """A plausible server id that Discord puts on `shard` of `count`."""
    return ((1_300_000_000_000 + n * count + shard) << 22) | 12345


async def test_a_process_claims_and_waits_only_for_the_servers_of_its_shards(db: Database) -> None:
    on_zero, on_one = guild_on(0, 2), guild_on(1, 2)
    assert (on_zero >> 22) % 2 == 0 and (on_one >> 22) % 2 == 1
    first = JobStore(db, LEASE, Shards(2, (0,)))
    second = JobStore(db, LEASE, Shards(2, (1,)))
    await first.plan(planned("2026-W10", T, on_zero))
    await first.plan(planned("2026-W10", T + timedelta(hours=1), on_one))
    assert await first.next_wake() == T
    assert await second.next_wake() == T + timedelta(hours=1)
    later = T + timedelta(hours=2)
    assert [j.guild_id for j in await first.claim_due(later, "a")] == [on_zero]
    assert [j.guild_id for j in await second.claim_due(later, "b")] == [on_one]
    # A process that runs every shard (one process, or after the split is undone) sees both.
    assert len(await JobStore(db, LEASE).open_jobs()) == 2


async def test_a_claim_abandoned_under_one_split_is_taken_over_by_the_new_owner(db: Database) -> None:
    """Restarted with the shards swapped: the job claimed by the dead process goes to whoever owns it now."""
    guild = guild_on(1, 2)
    old = JobStore(db, LEASE, Shards(2, (1,)))
    await old.plan(planned("2026-W10", T, guild))
    [claimed] = await old.claim_due(T, "old-process")
    new = JobStore(db, LEASE, Shards(2, (1,)))
    assert await new.claim_due(T + LEASE / 2, "new-process") == []  # the lease still runs
    [taken] = await new.claim_due(T + LEASE, "new-process")
    assert (taken.id, taken.abandoned_by, taken.attempts) == (claimed.id, "old-process", 2)
    assert await old.finish(claimed, "old-process", "done", "late", T + LEASE) is False


async def test_two_processes_claiming_at_once_never_both_win_a_job(backend: Backend, tmp_path: Path) -> None:
    """Each process its own connection(s) to one database, claiming the same due jobs at the same moment."""
    async with database_url(backend, tmp_path) as url:
        dbs = [await open_database(url) for _ in range(3)]
        try:
            await dbs[0].migrate()
            stores = [JobStore(db, LEASE) for db in dbs]
            for n in range(20):
                await stores[0].plan(planned("2026-W10", T, guild_id=1_000 + n))
            for _ in range(5):
                won = await asyncio.gather(*(s.claim_due(T, f"p{i}") for i, s in enumerate(stores)))
                ids = [job.id for jobs in won for job in jobs]
                assert len(ids) == len(set(ids))
                if ids:
                    assert len(ids) == 20
                    break
            claimed = await stores[0].open_jobs()
            assert len(claimed) == 20 and all(job.state == "claimed" for job in claimed)
            assert all(job.attempts == 1 for job in claimed)
        finally:
            for db in dbs:
                await db.close()
