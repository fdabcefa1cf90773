"""Pulse split over two processes (SHARD_COUNT=2) on one PostgreSQL database, through a stand-in Discord that
routes each server's events to the shard that owns it.

These run on PostgreSQL in every run of the suite: processes cannot share a SQLite file, and Pulse refuses a split
over processes on SQLite (tests/test_settings.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.bot_process import BotProcess, Bots, fail_on_violations
from tests.e2e.stand_in import ADMIN_PERMISSIONS, Guild, Message, StandIn

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Seconds before 2026-W47 ends in Amsterdam; with the post set to Monday 00:00 it is due then.
BEFORE_WEEK_END = datetime(2026, 11, 22, 23, 59, 48, tzinfo=AMSTERDAM)
MONDAY_MORNING = datetime(2026, 11, 23, 0, 1, tzinfo=AMSTERDAM)


@pytest.fixture
def sharded() -> Iterator[StandIn]:
    """A Discord that tells the bot to use two shards; the first server is on one, `second` on the other."""
    with StandIn(shard_count=2) as stand_in:
        yield stand_in
    fail_on_violations(stand_in)


@pytest.fixture
def shard_bots(sharded: StandIn, tmp_path: Path) -> Iterator[Bots]:
    bots = Bots(sharded, tmp_path, backend="postgresql")
    yield bots
    bots.close()


def shard_env(ids: str, clock: datetime) -> dict[str, str]:
    return {"SHARD_COUNT": "2", "SHARD_IDS": ids, "CLOCK_START": clock.isoformat(), "JOB_LEASE_SECONDS": "2"}


def start_both(bots: Bots, clock: datetime, order: tuple[str, str] = ("0", "1")) -> dict[int, BotProcess]:
    """Two processes, one shard each; the process of shard 0 first, as it registers the commands."""
    started = {int(ids): bots.start(env=shard_env(ids, clock)) for ids in sorted(order)}
    assert bots.stand_in.wait_shards_ready({0, 1}, timeout=20)
    return started


def second_server(stand_in: StandIn) -> Guild:
    return stand_in.add_guild(name="second", shard=(1 - stand_in.shard_of(stand_in.guild), 2))


def set_up_weekly_post(bot: BotProcess, guild: Guild) -> Any:
    stand_in = bot.stand_in
    board = stand_in.add_channel("leaderboard", guild=guild)
    reply = bot.invoke(
        "settings leaderboard",
        {"channel": board, "day": "monday", "hour": 0},
        permissions=ADMIN_PERMISSIONS,
        guild=guild,
    )
    assert "Saved." in reply.text, reply.text
    options = {"likes": 380, "comments": 0, "shares": 0, "saves": 0, "followers": 5_000, "log": True}
    logged = bot.invoke("engagement post", options, guild=guild)
    assert "7.6%" in logged.text, logged.text
    return board


def wait_for_post(stand_in: StandIn, board: Any, timeout: float = 45.0) -> list[Message]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if posts := stand_in.channel_messages(board):
            return posts
        time.sleep(0.2)
    raise AssertionError(f"no post in {board} after {timeout} s")


def weekly_jobs(bot: BotProcess, guild: Guild) -> list[tuple[str, str]]:
    return [
        (key, state)
        for key, state in bot.db.fetch_all(
            "SELECT key, state FROM scheduled_jobs WHERE kind = 'leaderboard' AND guild_id = ? ORDER BY key",
            (guild.id,),
        )
    ]


def test_each_process_serves_and_posts_for_the_servers_of_its_shard_once(
    sharded: StandIn, shard_bots: Bots
) -> None:
    stand_in = sharded
    first, second = stand_in.guild, second_server(stand_in)
    by_shard = start_both(shard_bots, BEFORE_WEEK_END)
    owner = {guild.id: by_shard[stand_in.shard_of(guild)] for guild in (first, second)}
    assert owner[first.id] is not owner[second.id]

    # The commands belong to the application: registered once, by the process of shard 0.
    assert len(stand_in.requests_to("PUT", r"/applications/\d+/commands")) == 1
    by_shard[1].wait_for_log("commands are synced by the process running shard 0")
    assert "synced" not in by_shard[1].log.replace("commands are synced by the process running shard 0", "")

    boards = {guild.id: set_up_weekly_post(owner[guild.id], guild) for guild in (first, second)}
    for guild in (first, second):
        [post] = wait_for_post(stand_in, boards[guild.id])
        assert post.payload["embeds"][0]["footer"]["text"].startswith("Pulse · 2026-W47 ·")
        done = rf"posted the leaderboard of 2026-W47 for guild {guild.id}\b"
        owner[guild.id].wait_for_log(done, timeout=10)
        other = by_shard[1 - stand_in.shard_of(guild)]
        assert not re.search(done, other.log)

    # A direct message arrives on shard 0 only, and is answered there.
    private = stand_in.invoke("tips", dm=True)
    assert private.text or private.embeds

    time.sleep(2)
    for guild in (first, second):
        assert len(stand_in.channel_messages(boards[guild.id])) == 1
        assert weekly_jobs(owner[guild.id], guild) == [("2026-W47", "done"), ("2026-W48", "pending")]
    # Neither process took the other's servers for servers it was removed from.
    assert by_shard[0].db.fetch_all("SELECT guild_id FROM scheduled_jobs WHERE kind = 'server_purge'") == []


def test_killed_mid_post_and_restarted_with_the_shards_swapped_still_posts_once(
    sharded: StandIn, shard_bots: Bots
) -> None:
    stand_in = sharded
    stand_in.nonce_window = 0  # only the look at the channel can tell the post went out
    first, second = stand_in.guild, second_server(stand_in)
    by_shard = start_both(shard_bots, BEFORE_WEEK_END)
    owner = {guild.id: by_shard[stand_in.shard_of(guild)] for guild in (first, second)}
    boards = {guild.id: set_up_weekly_post(owner[guild.id], guild) for guild in (first, second)}

    # The second server's post is created, but Discord's answer never arrives: its process waits to retry, and is
    # killed then, mid-week, with the job still claimed (at once: discord.py itself tries again after a second).
    stand_in.fail_next(
        "POST", rf"/channels/{boards[second.id].id}/messages", status=500, after_effect=True, times=10
    )
    wait_for_post(stand_in, boards[second.id])
    owner[second.id].kill()
    # The other process posts for its server and stops as usual.
    wait_for_post(stand_in, boards[first.id])
    owner[first.id].wait_for_log(rf"posted the leaderboard of 2026-W47 for guild {first.id}\b", timeout=10)
    assert owner[first.id].stop() == 0
    [(state, claimed_by)] = owner[first.id].db.fetch_all(
        "SELECT state, claimed_by FROM scheduled_jobs WHERE kind = 'leaderboard' AND guild_id = ? AND key = ?",
        (second.id, "2026-W47"),
    )
    assert state == "claimed" and claimed_by

    # Back with the shards swapped between the processes: each now owns the server the other had.
    swapped = start_both(shard_bots, MONDAY_MORNING, order=("1", "0"))
    new_owner = swapped[stand_in.shard_of(second)]
    new_owner.wait_for_log(
        rf"the leaderboard of 2026-W47 for guild {second.id} was already posted", timeout=20
    )
    time.sleep(2)
    for guild in (first, second):
        assert len(stand_in.channel_messages(boards[guild.id])) == 1, guild
        assert weekly_jobs(new_owner, guild) == [("2026-W47", "done"), ("2026-W48", "pending")]
        assert len(stand_in.requests_to("POST", rf"/channels/{boards[guild.id].id}/messages")) == 1
    archived = new_owner.invoke("leaderboard", {"week": "2026-W47"}, guild=second)
    assert "as posted" in archived.embeds[0]["title"]
