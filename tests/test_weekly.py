"""The weekly post through the real dispatcher and database, with a clock the tests move.

Only Discord is replaced: a channel that records what was posted (and can lose an answer or refuse), so that
restarts, downtime and crashes can be played out in milliseconds. tests/e2e runs the same code against the
stand-in Discord.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.domain.history import PostNumbers
from bot.domain.weeks import IsoWeek
from bot.render.leaderboard import is_weekly_post
from bot.scheduler import MAX_ATTEMPTS, Dispatcher, retry_delay
from bot.servers import Servers
from bot.storage.database import Database, open_database
from bot.storage.history import HistoryRepository
from bot.storage.jobs import JobStore, PlannedJob
from bot.storage.leaderboard import LeaderboardRepository
from bot.weekly import KIND, ChannelProblem, WeeklyLeaderboard, post_nonce
from tests.clock import SetClock

GUILD = 1_000_000_000_000_000_001
CHANNEL = 2_000_000_000_000_000_002
ADMIN = 3_000
LEASE = timedelta(minutes=2)
# Monday 23 Nov 2026 09:00 in Amsterdam (UTC+1) is when the post about 2026-W47 is due by default.
DUE_W47 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@dataclass
class Sent:
    id: int
    nonce: str
    embed: discord.Embed
    at: datetime


@dataclass
class FakeChannel:
    """A channel that behaves like Discord's for what the weekly post uses, nonce enforcement included."""

    clock: SetClock
    id: int = CHANNEL
    locale: str = "nl"
    messages: list[Sent] = field(default_factory=list)
    # Posting works but the answer is lost this many times (as when a process dies right after sending).
    lose_answers: int = 0
    refuse: str | None = None

    async def send(self, post: discord.Embed, nonce: str) -> tuple[int, datetime]:
        if self.refuse:
            raise ChannelProblem(self.refuse)  # type: ignore[arg-type]
        now = self.clock.now()
        recent = [m for m in self.messages if m.nonce == nonce and now - m.at < timedelta(minutes=5)]
        message = recent[0] if recent else Sent(len(self.messages) + 1, nonce, post, now)
        if not recent:
            self.messages.append(message)
        if self.lose_answers:
            self.lose_answers -= 1
            raise ConnectionResetError("the answer was lost")
        return message.id, message.at

    async def find(self, week: IsoWeek) -> tuple[int, datetime] | None:
        for message in reversed(self.messages[-50:]):
            if is_weekly_post([message.embed], week):
                return message.id, message.at
        return None


class FakeChannels:
    def __init__(self, channel: FakeChannel) -> None:
        self.channel_ = channel
        self.gone = False

    def in_guild(self, guild_id: int) -> bool:
        return guild_id == GUILD

    def channel(self, guild_id: int, channel_id: int) -> FakeChannel | None:
        return None if self.gone or channel_id != self.channel_.id else self.channel_


@dataclass
class World:
    """One database and one Discord channel; `start()` is a bot process starting on them."""

    url: str
    clock: SetClock
    channel: FakeChannel
    channels: FakeChannels
    running: list[tuple[Database, Dispatcher, WeeklyLeaderboard, Servers]] = field(default_factory=list)

    async def start(self) -> tuple[Dispatcher, WeeklyLeaderboard, Servers]:
        db = await open_database(self.url)
        await db.migrate()
        servers = Servers(db, self.clock)
        await servers.load()
        dispatcher = Dispatcher(JobStore(db, LEASE), self.clock)
        weekly = WeeklyLeaderboard(db, servers, dispatcher, self.clock, self.channels)
        await weekly.replan_all({s.guild_id for s in servers.configured()})
        self.running.append((db, dispatcher, weekly, servers))
        return dispatcher, weekly, servers

    async def stop_all(self) -> None:
        for db, *_ in self.running:
            await db.close()
        self.running.clear()

    @property
    def posts(self) -> list[Sent]:
        return self.channel.messages


@pytest.fixture
async def world(suite_database_url: str) -> AsyncIterator[World]:
    clock = SetClock(datetime(2026, 11, 17, 12, 0, tzinfo=UTC))  # Tuesday of 2026-W47
    channel = FakeChannel(clock)
    made = World(suite_database_url, clock, channel, FakeChannels(channel))
    yield made
    await made.stop_all()


async def configure(world: World) -> tuple[Dispatcher, WeeklyLeaderboard, Servers]:
    dispatcher, weekly, servers = await world.start()
    await servers.update(GUILD, ADMIN, leaderboard_channel_id=CHANNEL)
    db = world.running[-1][0]
    history = HistoryRepository(db)
    for user, likes in ((11, 380), (12, 52_000), (13, 1_200)):
        followers = {11: 5_000, 12: 2_000_000, 13: 60_000}[user]
        at = world.clock.now()
        await history.add_post(GUILD, user, PostNumbers(at, likes, 0, 0, 0, None, followers), at)
    return dispatcher, weekly, servers


def weeks_posted(world: World) -> list[str]:
    found = []
    for message in world.posts:
        footer = message.embed.footer.text or ""
        found.append(footer.split(" · ")[1])
    return found


async def test_due_time_reached_posts_once(world: World) -> None:
    dispatcher, weekly, _ = await configure(world)
    assert await weekly.next_due(GUILD) == DUE_W47
    world.clock.set(DUE_W47 - timedelta(seconds=1))
    assert await dispatcher.run_due() == []
    assert world.posts == []
    world.clock.set(DUE_W47)
    [(job, outcome)] = await dispatcher.run_due()
    assert (job.key, outcome.state) == ("2026-W47", "done")
    assert weeks_posted(world) == ["2026-W47"]
    assert world.posts[0].nonce == post_nonce(GUILD, IsoWeek(2026, 47))
    # The top of the board is the fixture of the issue: 5k at 7,6% before 60k at 2,0% before 2M at 2,6%.
    lines = (world.posts[0].embed.description or "").splitlines()
    assert [line.split(" — ")[0] for line in lines] == ["1. <@11>", "2. <@13>", "3. <@12>"]
    assert "6,2× gemiddeld" in lines[0]
    # The next week is planned in the same transaction, at next Monday 09:00 Amsterdam time.
    assert await weekly.next_due(GUILD) == DUE_W47 + timedelta(weeks=1)
    world.clock.set(DUE_W47 + timedelta(hours=1))
    assert await dispatcher.run_due() == []
    assert len(world.posts) == 1


async def test_restart_right_after_posting_posts_nothing_more(world: World) -> None:
    dispatcher, _, _ = await configure(world)
    world.clock.set(DUE_W47)
    await dispatcher.run_due()
    # A new process on the same database, at the same moment and later that day.
    again, weekly, _ = await world.start()
    assert await again.run_due() == []
    world.clock.set(DUE_W47 + timedelta(hours=5))
    assert await again.run_due() == []
    assert weeks_posted(world) == ["2026-W47"]
    assert await weekly.next_due(GUILD) == DUE_W47 + timedelta(weeks=1)


async def test_two_starts_at_once_post_once(world: World) -> None:
    await configure(world)
    first, _, _ = await world.start()
    second, _, _ = await world.start()
    world.clock.set(DUE_W47 + timedelta(minutes=1))
    done = await first.run_due() + await second.run_due()
    assert [outcome.state for _, outcome in done] == ["done"]
    assert weeks_posted(world) == ["2026-W47"]


async def test_offline_over_the_due_time_posts_once_on_return(world: World) -> None:
    await configure(world)
    await world.stop_all()
    world.clock.set(DUE_W47 + timedelta(hours=30))  # back on Tuesday afternoon
    dispatcher, _, _ = await world.start()
    [(job, outcome)] = await dispatcher.run_due()
    assert (job.key, outcome.state) == ("2026-W47", "done")
    assert await dispatcher.run_due() == []
    assert weeks_posted(world) == ["2026-W47"]


async def test_offline_for_two_weeks_posts_only_the_latest_week(world: World) -> None:
    await configure(world)
    await world.stop_all()
    world.clock.set(DUE_W47 + timedelta(weeks=2, hours=3))
    dispatcher, weekly, _ = await world.start()
    results = await dispatcher.run_due()
    assert [(job.key, outcome.state) for job, outcome in results] == [("2026-W49", "done")]
    assert weeks_posted(world) == ["2026-W49"]
    assert await weekly.next_due(GUILD) == DUE_W47 + timedelta(weeks=3)


async def test_a_stale_job_is_skipped_even_if_nothing_replanned_it(world: World) -> None:
    dispatcher, _, _ = await configure(world)
    world.clock.set(DUE_W47 + timedelta(weeks=1, minutes=5))
    results = await dispatcher.run_due()
    assert [(job.key, outcome.state) for job, outcome in results] == [("2026-W47", "skipped")]
    [(job, outcome)] = await dispatcher.run_due()
    assert (job.key, outcome.state) == ("2026-W48", "done")
    assert weeks_posted(world) == ["2026-W48"]


async def test_crash_between_claim_and_send_posts_exactly_once(world: World) -> None:
    dispatcher, _, _ = await configure(world)
    world.clock.set(DUE_W47)
    # The first process claims the job and dies before sending anything.
    [claimed] = await dispatcher.store.claim_due(world.clock.now(), dispatcher.owner)
    await world.stop_all()
    restarted, _, _ = await world.start()
    assert await restarted.run_due() == []  # the claim may still be alive: wait for its lease
    world.clock.set(DUE_W47 + LEASE)
    [(job, outcome)] = await restarted.run_due()
    assert job.id == claimed.id and job.abandoned_by == dispatcher.owner
    assert outcome.state == "done"
    assert weeks_posted(world) == ["2026-W47"]


async def test_crash_between_send_and_done_posts_exactly_once(world: World) -> None:
    dispatcher, _, _ = await configure(world)
    world.clock.set(DUE_W47)
    world.channel.lose_answers = 1  # Discord posted it; the process never learned (or died before marking)
    [(_, outcome)] = await dispatcher.run_due()
    assert outcome.state == "retry"
    assert weeks_posted(world) == ["2026-W47"]
    # Much later than the nonce's few minutes: only the look at the channel can prevent a second post.
    world.clock.set(DUE_W47 + timedelta(hours=2))
    await world.stop_all()
    restarted, _, _ = await world.start()
    [(job, outcome)] = await restarted.run_due()
    assert (job.key, outcome.state) == ("2026-W47", "done"), job
    assert outcome.detail == "found message 1", job
    assert weeks_posted(world) == ["2026-W47"]
    archived = await LeaderboardRepository(world.running[-1][0]).archived(GUILD, IsoWeek(2026, 47), "score")
    assert archived is not None and [p.standing.user_id for p in archived.places] == [11, 13, 12]


async def test_retry_within_minutes_is_deduplicated_by_the_nonce(world: World) -> None:
    dispatcher, _, _ = await configure(world)
    world.clock.set(DUE_W47)
    world.channel.lose_answers = 1
    await dispatcher.run_due()
    world.channel.messages[0].embed.set_footer(text="edited by a moderator")  # find() cannot see it now
    world.clock.set(DUE_W47 + timedelta(minutes=1))
    [(_, outcome)] = await dispatcher.run_due()
    assert outcome.state == "done"
    assert len(world.posts) == 1


async def test_a_channel_that_refuses_turns_the_post_off_and_says_why(world: World) -> None:
    dispatcher, weekly, servers = await configure(world)
    world.channel.refuse = "channel_forbidden"
    world.clock.set(DUE_W47)
    [(_, outcome)] = await dispatcher.run_due()
    assert outcome.state == "failed"
    settings = servers.get(GUILD)
    assert not settings.leaderboard_enabled
    assert settings.leaderboard_problem == "channel_forbidden"
    assert await weekly.next_due(GUILD) is None
    # An admin who turns it back on clears the problem and gets the next week planned.
    world.channel.refuse = None
    await servers.update(GUILD, ADMIN, leaderboard_enabled=True)
    assert servers.get(GUILD).leaderboard_problem is None
    assert await weekly.next_due(GUILD) == DUE_W47 + timedelta(weeks=1)


async def test_a_deleted_channel_turns_the_post_off(world: World) -> None:
    dispatcher, _, servers = await configure(world)
    world.channels.gone = True
    world.clock.set(DUE_W47)
    [(_, outcome)] = await dispatcher.run_due()
    assert outcome.state == "failed" and servers.get(GUILD).leaderboard_problem == "channel_missing"


async def test_an_earlier_hour_set_before_the_post_posts_now(world: World) -> None:
    dispatcher, weekly, servers = await configure(world)
    world.clock.set(DUE_W47 - timedelta(minutes=30))  # Monday 08:30 in Amsterdam
    await servers.update(GUILD, ADMIN, leaderboard_hour=8)
    assert await weekly.next_due(GUILD) == DUE_W47 - timedelta(hours=1)
    [(job, _)] = await dispatcher.run_due()
    assert job.key == "2026-W47" and weeks_posted(world) == ["2026-W47"]


async def test_first_activation_does_not_post_a_week_already_due(world: World) -> None:
    dispatcher, weekly, servers = await world.start()
    world.clock.set(DUE_W47 + timedelta(hours=1))
    await servers.update(GUILD, ADMIN, leaderboard_channel_id=CHANNEL)
    assert await dispatcher.run_due() == []
    assert await weekly.next_due(GUILD) == DUE_W47 + timedelta(weeks=1)


async def test_one_servers_failure_never_stops_the_others(world: World) -> None:
    dispatcher, _, servers = await configure(world)
    other = GUILD + 1
    await servers.update(other, ADMIN, leaderboard_channel_id=CHANNEL)  # a server Pulse is not in
    broken = GUILD + 2
    await dispatcher.plan(PlannedJob("unknown-kind", broken, "x", DUE_W47))
    world.clock.set(DUE_W47 + timedelta(minutes=1))
    results = {(job.kind, job.guild_id): outcome.state for job, outcome in await dispatcher.run_due()}
    assert results[(KIND, GUILD)] == "done"
    assert results[("unknown-kind", broken)] == "retry"
    assert weeks_posted(world) == ["2026-W47"]


async def test_a_week_that_keeps_failing_is_given_up_and_the_next_week_planned(world: World) -> None:
    dispatcher, weekly, _ = await configure(world)
    world.channel.lose_answers = 0

    async def broken(post: discord.Embed, nonce: str) -> tuple[int, datetime]:
        raise ConnectionError("Discord is down")

    world.channel.send = broken  # type: ignore[method-assign]
    world.clock.set(DUE_W47)
    states = []
    for _ in range(MAX_ATTEMPTS):
        [(job, outcome)] = await dispatcher.run_due()
        states.append(outcome.state)
        world.clock.set(world.clock.now() + retry_delay(job.attempts))
    assert states == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert await weekly.next_due(GUILD) == DUE_W47 + timedelta(weeks=1)
