"""A server's data is deleted 30 days after Pulse was removed from it, unless Pulse came back: played out through
the real dispatcher, job table and database file, with a clock the tests move and restarts in between.

Only Discord is replaced: whether Pulse is in a server is a set the tests change, and the weekly post's channel
records what it was sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest

from bot.domain.checkins import CheckinThread
from bot.domain.history import PostNumbers
from bot.domain.server_settings import ServerSettings
from bot.domain.weeks import IsoWeek
from bot.retention import KIND, ServerRetention
from bot.scheduler import Dispatcher, Outcome
from bot.servers import Servers
from bot.storage.checkins import CheckinRepository
from bot.storage.database import Database, open_database, to_text
from bot.storage.history import HistoryRepository
from bot.storage.jobs import Job, JobStore
from bot.storage.leaderboard import LeaderboardRepository
from bot.storage.privacy import PrivacyRepository
from bot.weekly import KIND as WEEKLY
from bot.weekly import WeeklyLeaderboard
from tests.clock import SetClock

GUILD = 1_000_000_000_000_000_001
OTHER = 1_000_000_000_000_000_002
THIRD = 1_000_000_000_000_000_003
EMPTY = 1_000_000_000_000_000_004
CHANNEL = 2_000_000_000_000_000_002
ADMIN = 3_000
LEASE = timedelta(minutes=2)
# Tuesday of 2026-W47, 12:00 UTC; the weekly post about W47 is due Monday 23 Nov 09:00 Amsterdam time.
T = datetime(2026, 11, 17, 12, 0, 0, 250_000, tzinfo=UTC)
DUE_W47 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# Rows the fill below gives GUILD (scheduled jobs aside): settings and their change, three history batches with
# two posts and a follower count, a check-in, a thread, a coach note and a visibility choice.
GUILD_ROWS = 12


@dataclass
class Channel:
    clock: SetClock
    id: int = CHANNEL
    locale: str = "nl"
    sent: list[str] = field(default_factory=list)

    async def send(self, post: discord.Embed, nonce: str) -> tuple[int, datetime]:
        self.sent.append(nonce)
        return len(self.sent), self.clock.now()

    async def find(self, week: IsoWeek) -> tuple[int, datetime] | None:
        return None


@dataclass
class Channels:
    present: set[int]
    channel_: Channel

    def in_guild(self, guild_id: int) -> bool:
        return guild_id in self.present

    def channel(self, guild_id: int, channel_id: int) -> Channel | None:
        return self.channel_ if channel_id == CHANNEL else None


@dataclass
class Process:
    db: Database
    servers: Servers
    dispatcher: Dispatcher
    weekly: WeeklyLeaderboard
    retention: ServerRetention

    async def purges(self, guild_id: int = GUILD) -> list[Job]:
        return await self.dispatcher.store.jobs(KIND, guild_id)


@dataclass
class World:
    """One database file, the servers Pulse is in, and a clock; `start()` is a bot process starting on them."""

    url: str
    clock: SetClock
    present: set[int] = field(default_factory=set)
    running: list[Process] = field(default_factory=list)

    async def start(self) -> Process:
        db = await open_database(self.url)
        await db.migrate()
        servers = Servers(db, self.clock)
        await servers.load()
        dispatcher = Dispatcher(JobStore(db, LEASE), self.clock)
        weekly = WeeklyLeaderboard(
            db, servers, dispatcher, self.clock, Channels(self.present, Channel(self.clock))
        )
        retention = ServerRetention(
            db, servers, dispatcher, self.clock, lambda guild_id: guild_id in self.present, (weekly,)
        )
        process = Process(db, servers, dispatcher, weekly, retention)
        self.running.append(process)
        return process

    async def stop_all(self) -> None:
        for process in self.running:
            await process.db.close()
        self.running.clear()


@pytest.fixture
async def world(suite_database_url: str) -> AsyncIterator[World]:
    made = World(suite_database_url, SetClock(T), {GUILD, OTHER, THIRD})
    yield made
    await made.stop_all()


async def fill(process: Process, guild_id: int = GUILD, weekly: bool = True) -> None:
    """A server with a member's history, coaching and settings; with the weekly post on, or only a time zone."""
    db, at = process.db, T - 3 * DAY
    if weekly:
        await process.servers.update(guild_id, ADMIN, leaderboard_channel_id=CHANNEL)
    else:
        await process.servers.update(guild_id, ADMIN, timezone="Europe/London")
    history, checkins = HistoryRepository(db), CheckinRepository(db)
    await history.add_post(guild_id, 11, PostNumbers(at, 380, 10, 5, 2, None, 5_000), at)
    await history.add_post(guild_id, 12, PostNumbers(at, 52_000, 900, 80, 40, 1_000_000, 2_000_000), at)
    await history.add_followers(guild_id, 11, 5_100, at, at)
    await checkins.record_checkin(guild_id, 11, IsoWeek(2026, 47), at)
    await checkins.set_thread(guild_id, 11, CheckinThread(4_000 + guild_id % 10, True), at)
    await checkins.add_note(guild_id, 11, 12, "een notitie", at)
    await LeaderboardRepository(db).set_visibility(guild_id, 12, "anonymous", at)


async def everything(db: Database) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for table in await db.tables():
        found[table] = sorted((dict(r) for r in await db.fetch_all(f"SELECT * FROM {table}")), key=repr)
    return found


def rows_of(
    dump: dict[str, list[dict[str, Any]]], guild_id: int, jobs: bool = True
) -> list[tuple[str, dict]]:
    return [
        (table, row)
        for table, rows in dump.items()
        for row in rows
        if row.get("guild_id") == guild_id and (jobs or table != "scheduled_jobs")
    ]


def others(dump: dict[str, list[dict[str, Any]]], guild_id: int) -> dict[str, list[dict[str, Any]]]:
    return {table: [r for r in rows if r.get("guild_id") != guild_id] for table, rows in dump.items()}


# --- removed, then deleted 30 days later -------------------------------------------------------------------


async def test_removal_deletes_the_servers_data_exactly_30_days_later(world: World) -> None:
    process = await world.start()
    await fill(process)
    await fill(process, OTHER, weekly=False)
    assert await process.weekly.next_due(GUILD) == DUE_W47
    assert len(rows_of(await everything(process.db), GUILD, jobs=False)) == GUILD_ROWS

    world.present.discard(GUILD)
    await process.retention.removed(GUILD)

    [purge] = await process.purges()
    assert (purge.key, purge.due_at, purge.state) == (to_text(T), T + 30 * DAY, "pending")
    assert await process.retention.purge_due(GUILD) == purge
    # Its weekly post stops at once.
    assert await process.weekly.next_due(GUILD) is None
    assert await process.dispatcher.store.jobs(WEEKLY, GUILD) == []
    # Being told again later moves nothing.
    world.clock.set(T + 5 * DAY)
    await process.retention.removed(GUILD)
    assert await process.purges() == [purge]

    before = await everything(process.db)
    world.clock.set(T + 29 * DAY)
    assert await process.dispatcher.run_due() == []
    world.clock.set(T + 30 * DAY - timedelta(microseconds=1))
    assert await process.dispatcher.run_due() == []
    assert await everything(process.db) == before

    world.clock.set(T + 30 * DAY)
    [(job, outcome)] = await process.dispatcher.run_due()
    assert job.id == purge.id
    assert outcome == Outcome("done", f"{GUILD_ROWS} rows deleted")

    after = await everything(process.db)
    [(table, kept)] = rows_of(after, GUILD)
    assert (table, kept["id"], kept["kind"], kept["state"]) == ("scheduled_jobs", purge.id, KIND, "done")
    assert kept["finished_at"] == to_text(T + 30 * DAY)
    assert others(after, GUILD) == others(before, GUILD)
    assert len(rows_of(after, OTHER)) == GUILD_ROWS
    assert process.servers.get(GUILD) == ServerSettings(GUILD)
    assert [s.guild_id for s in process.servers.configured()] == [OTHER]
    assert await PrivacyRepository(process.db).servers_with_data() == [OTHER]
    assert [j.state for j in await process.purges()] == ["done"]
    # Nothing more to do, ever.
    world.clock.set(T + 60 * DAY)
    assert await process.dispatcher.run_due() == []
    assert await everything(process.db) == after


async def test_a_server_without_data_needs_no_deletion(world: World) -> None:
    process = await world.start()
    await process.retention.removed(EMPTY)
    assert await process.purges(EMPTY) == []
    world.clock.set(T + 31 * DAY)
    assert await process.dispatcher.run_due() == []


async def test_back_within_30_days_nothing_is_deleted(world: World) -> None:
    process = await world.start()
    await fill(process, weekly=False)
    before = await everything(process.db)
    world.present.discard(GUILD)
    await process.retention.removed(GUILD)
    assert len(await process.purges()) == 1

    world.clock.set(T + 30 * DAY - timedelta(seconds=1))
    world.present.add(GUILD)
    await process.retention.returned(GUILD)
    assert await process.purges() == []
    assert await process.retention.purge_due(GUILD) is None

    world.clock.set(T + 31 * DAY)
    assert await process.dispatcher.run_due() == []
    assert await everything(process.db) == before
    assert process.servers.get(GUILD).timezone == "Europe/London"


async def test_removed_stops_the_weekly_post_and_returned_plans_it_again(world: World) -> None:
    process = await world.start()
    await fill(process)
    assert await process.weekly.next_due(GUILD) == DUE_W47
    world.present.discard(GUILD)
    await process.retention.removed(GUILD)
    assert await process.weekly.next_due(GUILD) is None

    world.clock.set(T + DAY)
    world.present.add(GUILD)
    await process.retention.returned(GUILD)
    assert await process.weekly.next_due(GUILD) == DUE_W47
    assert await process.purges() == []
    # And the week is posted as if nothing happened.
    world.clock.set(DUE_W47)
    [(job, outcome)] = await process.dispatcher.run_due()
    assert (job.kind, job.key, outcome.state) == (WEEKLY, "2026-W47", "done")
    assert await LeaderboardRepository(process.db).posted_weeks(GUILD) == [IsoWeek(2026, 47)]


async def test_the_deletion_is_skipped_when_pulse_is_back_unnoticed(world: World) -> None:
    process = await world.start()
    await fill(process, weekly=False)
    world.present.discard(GUILD)
    await process.retention.removed(GUILD)
    before = await everything(process.db)
    # Pulse is in the server again, but the join was never seen (it happened while a connection was down).
    world.present.add(GUILD)
    world.clock.set(T + 30 * DAY)
    [(job, outcome)] = await process.dispatcher.run_due()
    assert job.kind == KIND
    assert outcome == Outcome("skipped", "Pulse is in the server again")
    assert [j.state for j in await process.purges()] == ["skipped"]
    after = await everything(process.db)
    assert rows_of(after, GUILD, jobs=False) == rows_of(before, GUILD, jobs=False)
    assert process.servers.get(GUILD).timezone == "Europe/London"


async def test_removed_again_after_coming_back_counts_from_the_new_removal(world: World) -> None:
    process = await world.start()
    await fill(process, weekly=False)
    world.present.discard(GUILD)
    await process.retention.removed(GUILD)
    world.clock.set(T + 10 * DAY)
    world.present.add(GUILD)
    await process.retention.returned(GUILD)
    world.clock.set(T + 20 * DAY)
    world.present.discard(GUILD)
    await process.retention.removed(GUILD)
    [purge] = await process.purges()
    assert purge.due_at == T + 50 * DAY
    world.clock.set(T + 49 * DAY)
    assert await process.dispatcher.run_due() == []
    world.clock.set(T + 50 * DAY)
    [(_, outcome)] = await process.dispatcher.run_due()
    assert outcome == Outcome("done", f"{GUILD_ROWS} rows deleted")


async def test_after_the_deletion_a_return_starts_from_the_defaults(world: World) -> None:
    process = await world.start()
    await fill(process)
    world.present.discard(GUILD)
    await process.retention.removed(GUILD)
    world.clock.set(T + 30 * DAY)
    await process.dispatcher.run_due()
    world.present.add(GUILD)
    await process.retention.returned(GUILD)
    assert await process.weekly.next_due(GUILD) is None  # no channel set any more
    assert await process.purges() != []  # the finished job stays as the record of what happened
    assert [j.state for j in await process.purges()] == ["done"]
    # Removed again with nothing left: nothing to plan.
    world.present.discard(GUILD)
    await process.retention.removed(GUILD)
    assert [j.state for j in await process.purges()] == ["done"]


# --- at start-up ------------------------------------------------------------------------------------------


async def test_reconcile_plans_for_absent_servers_and_cancels_for_present_ones(world: World) -> None:
    process = await world.start()
    for guild_id in (GUILD, OTHER, THIRD):
        await fill(process, guild_id)
    # Earlier, Pulse was removed from OTHER and THIRD.
    world.clock.set(T - 10 * DAY)
    await process.retention.removed(OTHER)
    await process.retention.removed(THIRD)
    [third] = await process.purges(THIRD)

    # Down meanwhile: now Pulse is in OTHER again, and no longer in GUILD (nor THIRD, nor EMPTY).
    world.clock.set(T)
    world.present.clear()
    world.present.add(OTHER)
    await process.retention.reconcile(world.present)

    [purge] = await process.purges(GUILD)
    assert (purge.state, purge.due_at) == ("pending", T + 30 * DAY)
    assert await process.weekly.next_due(GUILD) is None
    assert await process.purges(OTHER) == []
    assert await process.purges(THIRD) == [third]
    assert third.due_at == T + 20 * DAY
    assert await process.purges(EMPTY) == []

    # Reconciling again (another restart) changes nothing.
    world.clock.set(T + DAY)
    await process.retention.reconcile(world.present)
    assert await process.purges(GUILD) == [purge]
    assert await process.purges(THIRD) == [third]
    assert await process.purges(OTHER) == []

    world.clock.set(T + 20 * DAY)
    assert [(j.guild_id, o.state) for j, o in await process.dispatcher.run_due() if j.kind == KIND] == [
        (THIRD, "done")
    ]
    world.clock.set(T + 30 * DAY)
    assert [(j.guild_id, o.state) for j, o in await process.dispatcher.run_due() if j.kind == KIND] == [
        (GUILD, "done")
    ]
    assert await PrivacyRepository(process.db).servers_with_data() == [OTHER]


# --- restarts ----------------------------------------------------------------------------------------------


async def test_the_deletion_survives_restarts(world: World) -> None:
    first = await world.start()
    await fill(first)
    await fill(first, OTHER, weekly=False)
    world.present.discard(GUILD)
    await first.retention.removed(GUILD)
    before = await everything(first.db)
    await world.stop_all()

    # Down for a while, up again at +10 days: nothing yet, and the date stays.
    world.clock.set(T + 10 * DAY)
    second = await world.start()
    await second.retention.reconcile(world.present)
    assert await second.dispatcher.run_due() == []
    [purge] = await second.purges()
    assert purge.due_at == T + 30 * DAY
    await world.stop_all()

    # Down over the due time: the deletion happens on the next start.
    world.clock.set(T + 33 * DAY)
    third = await world.start()
    assert third.servers.get(GUILD).leaderboard_channel_id == CHANNEL  # loaded from the file
    [(job, outcome)] = await third.dispatcher.run_due()
    assert (job.id, outcome) == (purge.id, Outcome("done", f"{GUILD_ROWS} rows deleted"))
    after = await everything(third.db)
    assert [table for table, _ in rows_of(after, GUILD)] == ["scheduled_jobs"]
    assert others(after, GUILD) == others(before, GUILD)
    assert third.servers.get(GUILD) == ServerSettings(GUILD)


async def test_a_deletion_cut_short_by_a_crash_is_finished_after_the_restart(world: World) -> None:
    first = await world.start()
    await fill(first)
    world.present.discard(GUILD)
    await first.retention.removed(GUILD)
    world.clock.set(T + 30 * DAY)
    # The first process claims the job and dies before deleting anything.
    [claimed] = await first.dispatcher.store.claim_due(world.clock.now(), first.dispatcher.owner)
    await world.stop_all()

    second = await world.start()
    assert await second.dispatcher.run_due() == []  # the claim's lease has not run out yet
    world.clock.set(T + 30 * DAY + LEASE)
    [(job, outcome)] = await second.dispatcher.run_due()
    assert (job.id, job.abandoned_by) == (claimed.id, first.dispatcher.owner)
    assert outcome == Outcome("done", f"{GUILD_ROWS} rows deleted")
    assert [table for table, _ in rows_of(await everything(second.db), GUILD)] == ["scheduled_jobs"]
