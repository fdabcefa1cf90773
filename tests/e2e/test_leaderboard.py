"""Server settings, /leaderboard and the weekly post, through the stand-in Discord.

The weekly post is driven by the bot's own clock: CLOCK_START starts it just before a due time, so the post
happens seconds into the test, and restarts with a later CLOCK_START play out downtime.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.bot_process import BotProcess
from tests.e2e.monitoring import free_port, key, wait_for_samples
from tests.e2e.stand_in import (
    ADMIN_PERMISSIONS,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    Message,
    Reply,
    StandIn,
    User,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Sunday 22 Nov 2026, seconds before 2026-W47 ends in Amsterdam; with the post set to Monday 00:00 it is due then.
BEFORE_WEEK_END = datetime(2026, 11, 22, 23, 59, 48, tzinfo=AMSTERDAM)
POST_TIMEOUT = 45.0


def admin_settings(
    bot: BotProcess, command: str, options: dict[str, Any] | None = None, **kwargs: Any
) -> Reply:
    return bot.invoke(f"settings {command}", options or {}, permissions=ADMIN_PERMISSIONS, **kwargs)


def log_post(bot: BotProcess, user: User, likes: int, followers: int, locale: str = "en-US") -> None:
    options = {"likes": likes, "comments": 0, "shares": 0, "saves": 0, "followers": followers, "log": True}
    reply = bot.invoke("engagement post", options, user=user, locale=locale)
    assert reply.type == 4, reply


def wait_for_posts(
    stand_in: StandIn, count: int, channel: Any = None, timeout: float = POST_TIMEOUT
) -> list[Message]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        posts = stand_in.channel_messages(channel)
        if len(posts) >= count:
            return posts
        time.sleep(0.2)
    raise AssertionError(f"expected {count} posts, found {len(stand_in.channel_messages(channel))}")


def post_requests(stand_in: StandIn) -> list[Any]:
    return stand_in.requests_to("POST", r"/channels/\d+/messages")


# --- settings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "refusal"),
    [
        ("nl", "Hiervoor heb je de permissie Server beheren nodig."),
        ("en-US", "You need the Manage Server permission for this."),
    ],
)
def test_settings_are_refused_to_members_and_nothing_changes(
    pulse: BotProcess, locale: str, refusal: str
) -> None:
    for command, options in (
        ("show", {}),
        ("timezone", {"zone": "Europe/London"}),
        ("language", {"language": "en"}),
        ("leaderboard", {"channel": pulse.stand_in.general, "hour": 7}),
    ):
        reply = pulse.invoke(f"settings {command}", options, locale=locale, permissions=MEMBER_PERMISSIONS)
        assert reply.ephemeral and reply.content == refusal, (command, reply.text)
    shown = admin_settings(pulse, "show")
    assert shown.ephemeral
    assert "Europe/Amsterdam (default)" in shown.text
    assert "Monday (default) at 09:00 (default)" in shown.text
    assert "none yet" in shown.text


def test_admin_configures_the_server_and_it_is_recorded(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    choices = pulse.autocomplete(
        "settings timezone", {"zone": "amster"}, focused="zone", permissions=ADMIN_PERMISSIONS
    )
    assert choices[0] == {"name": "Europe/Amsterdam", "value": "Europe/Amsterdam"}

    bad = admin_settings(pulse, "timezone", {"zone": "Mars/Olympus"})
    assert bad.ephemeral and "“Mars/Olympus” is not a time zone Pulse knows" in bad.content

    saved = admin_settings(pulse, "timezone", {"zone": "europe/london"})
    assert "Time zone set to **Europe/London**" in saved.text

    locked = stand_in.add_channel("locked", bot_can_post=False)
    refused = admin_settings(pulse, "leaderboard", {"channel": locked}, locale="nl")
    assert refused.ephemeral
    assert (
        f"Pulse kan de ranglijst niet posten in <#{locked.id}>: daar ontbreekt Berichten verzenden"
        in refused.content
    )

    board = stand_in.add_channel("leaderboard")
    saved = admin_settings(
        pulse, "leaderboard", {"channel": board, "day": "friday", "hour": 18, "min_posts": 2}
    )
    assert saved.ephemeral
    assert f"Channel: <#{board.id}>" in saved.text
    assert "When: Friday at 18:00 (Europe/London)" in saved.text
    assert "Posts a member needs in a week to be ranked: 2" in saved.text
    assert re.search(r"Next post: <t:\d+:F>", saved.text)

    recent = next(f["value"] for f in saved.embeds[0]["fields"] if f["name"] == "Recent changes")
    assert re.search(rf"<@{stand_in.member.id}> · Leaderboard day: Monday → Friday · <t:\d+:R>", recent)
    assert f"Leaderboard channel: none → <#{board.id}>" in recent
    assert "Time zone: Europe/Amsterdam → Europe/London" in recent

    dutch = admin_settings(pulse, "language", {"language": "nl"})
    assert "Pulse antwoordt iedereen op deze server nu in het Nederlands." in dutch.text
    # The whole server now hears Dutch, whatever a member's own Discord language.
    about = pulse.invoke("settings show", {}, locale="en-US", permissions=ADMIN_PERMISSIONS)
    assert "Tijdzone" in about.text
    admin_settings(pulse, "language", {"language": "auto"})
    admin_settings(pulse, "timezone", {"zone": "Europe/Amsterdam"})
    admin_settings(pulse, "leaderboard", {"enabled": False, "min_posts": 1})

    changes = pulse.db.fetch_all("SELECT setting, old_value, new_value FROM settings_changes ORDER BY id")
    assert ("timezone", "Europe/Amsterdam", "Europe/London") in changes
    assert ("leaderboard_channel_id", None, str(board.id)) in changes
    assert ("language", "auto", "nl") in changes
    assert ("leaderboard_enabled", "on", "off") in changes


# --- /leaderboard ---------------------------------------------------------------------------------------


def test_leaderboard_pages_and_shows_the_callers_place_in_both_languages(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    members = [stand_in.user(f"creator{i}") for i in range(12)]
    for index, member in enumerate(members):
        log_post(pulse, member, likes=100 + 10 * index, followers=5_000)
    weakest, strongest = members[0], members[-1]

    # The weakest member is 12th: the answer opens on page 2, where their line is marked.
    reply = pulse.invoke("leaderboard", {}, user=weakest, locale="nl")
    assert reply.ephemeral
    lines = reply.embeds[0]["description"].splitlines()
    assert lines == [
        f"11. <@{members[1].id}> — 1,8× gemiddeld · 2,2% op 1 post",
        f"**12. <@{weakest.id}> — 1,63× gemiddeld · 2% op 1 post** ◀",
    ]
    assert reply.embeds[0]["footer"]["text"].startswith("Pagina 2 van 2 · Bron: Betrokkenheid op TikTok")
    previous = next(c for c in reply.custom_ids if c.endswith(":previous"))
    someone_else = pulse.click(reply, previous, user=members[3], locale="nl")
    assert someone_else.ephemeral and someone_else.content.startswith("Deze knoppen zijn van het lid")
    first_page = pulse.click(reply, previous, user=weakest, locale="nl")
    assert first_page.type == 7
    first_lines = first_page.embeds[0]["description"].splitlines()
    assert len(first_lines) == 10
    assert first_lines[0] == f"1. <@{strongest.id}> — 3,43× gemiddeld · 4,2% op 1 post"
    # Off the page, the caller's own place is shown below it.
    place = next(f["value"] for f in first_page.embeds[0]["fields"] if f["name"] == "Jouw plek")
    assert place == f"12. <@{weakest.id}> — 1,63× gemiddeld · 2% op 1 post"

    english = pulse.invoke("leaderboard", {}, user=strongest, locale="en-US")
    assert english.embeds[0]["title"].startswith("Score · week 47 of 2026") or english.embeds[0][
        "title"
    ].startswith("Score · week")
    assert english.embeds[0]["description"].splitlines()[0] == (
        f"**1. <@{strongest.id}> — 3.43× average · 4.2% on 1 post** ◀"
    )
    assert english.embeds[0]["footer"]["text"].startswith("Page 1 of 2 · Source: Engagement on TikTok")
    assert all(f["name"] != "Your place" for f in english.embeds[0]["fields"])
    assert stand_in.channel_messages() == []


def test_leaderboard_metric_week_and_visibility(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    shy, hidden = stand_in.user("shy"), stand_in.user("hidden")
    log_post(pulse, shy, likes=5_000, followers=5_000)
    log_post(pulse, hidden, likes=6_000, followers=5_000)
    pulse.invoke("privacy leaderboard", {"mode": "anonymous"}, user=shy)
    answer = pulse.invoke("privacy leaderboard", {"mode": "hide"}, user=hidden, locale="nl")
    assert answer.ephemeral and "niet meer op de ranglijsten" in answer.content
    board = pulse.invoke("leaderboard", {"metric": "score"}, user=shy)
    text = board.embeds[0]["description"]
    assert f"<@{hidden.id}>" not in text and f"<@{shy.id}>" not in text
    # The anonymous member sees their own line marked; nobody else can tell it is theirs.
    assert text.splitlines()[0] == "**1. anonymous creator — 81.63× average · 100% on 1 post** ◀"
    assert pulse.invoke("leaderboard", {}).embeds[0]["description"].splitlines()[0] == (
        "1. anonymous creator — 81.63× average · 100% on 1 post"
    )
    streak = pulse.invoke("leaderboard", {"metric": "streak", "week": "this"}, user=shy)
    assert streak.embeds[0]["title"].startswith("Streak · week")
    weeks = pulse.autocomplete("leaderboard", {"week": ""}, focused="week")
    assert [c["value"] for c in weeks[:3]][:2] == ["this", "last"]
    assert re.fullmatch(r"\d{4}-W\d{2}", weeks[2]["value"])
    empty = pulse.invoke("leaderboard", {"week": weeks[5]["value"]}, user=shy)
    assert "Nobody is ranked for this week yet" in empty.text
    future = pulse.invoke("leaderboard", {"week": "2999-W01"}, user=shy)
    assert (
        future.ephemeral
        and future.content == "Week 2999-W01 has not started yet: choose this week or an earlier one."
    )
    nonsense = pulse.invoke("leaderboard", {"week": "soon"}, user=shy, locale="nl")
    assert nonsense.content.startswith("“soon” is geen week die Pulse kan lezen")


# --- the weekly post --------------------------------------------------------------------------------------


def configure_weekly(bot: BotProcess, channel: Any, **options: Any) -> Reply:
    reply = admin_settings(bot, "leaderboard", {"channel": channel, "day": "monday", "hour": 0, **options})
    assert "Saved." in reply.text, reply.text
    return reply


def test_weekly_post_appears_once_without_pings_and_survives_restarts(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    bot = start_bot(env={"CLOCK_START": BEFORE_WEEK_END.isoformat()})
    board = stand_in.add_channel("leaderboard")
    configure_weekly(bot, board)
    small, large, middle = stand_in.user("small"), stand_in.user("large"), stand_in.user("middle")
    log_post(bot, small, likes=380, followers=5_000)  # 7,6%
    log_post(bot, large, likes=52_000, followers=2_000_000)  # 2,6%
    log_post(bot, middle, likes=1_200, followers=60_000)  # 2,0%
    masked = stand_in.user("*evil* @everyone")
    log_post(bot, masked, likes=10, followers=5_000)
    bot.invoke("privacy leaderboard", {"mode": "anonymous"}, user=masked)

    [post] = wait_for_posts(stand_in, 1, board)
    embed = post.payload["embeds"][0]
    assert embed["title"].startswith("Weekly leaderboard · week 47 of 2026")
    lines = embed["description"].splitlines()
    assert [line.split(" — ")[0] for line in lines] == [
        f"1. <@{small.id}>",
        f"2. <@{middle.id}>",
        f"3. <@{large.id}>",
        "4. anonymous creator",
    ]
    assert "6.2× average" in lines[0]
    assert embed["footer"]["text"].startswith("Pulse · 2026-W47 ·")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["🏆 Top score"].startswith(f"1. <@{small.id}>")
    assert re.fullmatch(r"<t:\d+:F> \(<t:\d+:R>\)", fields["Next leaderboard"])
    [request] = post_requests(stand_in)
    assert request.body["allowed_mentions"] == {"parse": []}
    assert request.body["enforce_nonce"] is True and request.body["nonce"].startswith("lb2647")
    assert "@everyone" not in (post.payload.get("content") or "")

    # The archive answers /leaderboard for that week as it was posted (kept right after Discord answered).
    bot.wait_for_log(r"posted the leaderboard of 2026-W47", timeout=10)
    archived = bot.invoke("leaderboard", {"week": "2026-W47"}, user=small)
    assert "as posted" in archived.embeds[0]["title"]
    assert (
        archived.embeds[0]["description"].splitlines()[0]
        == f"**1. <@{small.id}> — 6.2× average · 7.6% on 1 post** ◀"
    )
    progress = bot.invoke("progress", {}, user=small)
    assert "Top score in **1** weekly post on this server" in progress.text

    # A restart right after posting, and one a day later: nothing more for that week.
    bot.stop()
    again = start_bot(env={"CLOCK_START": datetime(2026, 11, 23, 0, 0, 20, tzinfo=AMSTERDAM).isoformat()})
    again.stop()
    start_bot(env={"CLOCK_START": datetime(2026, 11, 24, 12, 0, tzinfo=AMSTERDAM).isoformat()})
    time.sleep(2)
    assert len(stand_in.channel_messages(board)) == 1
    assert len(post_requests(stand_in)) == 1


def test_downtime_over_the_due_time_posts_late_once(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=AMSTERDAM)
    bot = start_bot(env={"CLOCK_START": sunday.isoformat()})
    configure_weekly(bot, stand_in.general, hour=9)
    log_post(bot, stand_in.member, likes=380, followers=5_000)
    bot.stop()
    # Back on Tuesday: the Monday post is owed, and goes out once.
    port = free_port()
    tuesday = datetime(2026, 11, 24, 15, 0, tzinfo=AMSTERDAM)
    start_bot(env={"CLOCK_START": tuesday.isoformat(), "METRICS_PORT": str(port)})
    [post] = wait_for_posts(stand_in, 1)
    assert post.payload["embeds"][0]["footer"]["text"].startswith("Pulse · 2026-W47 ·")
    time.sleep(1.5)
    assert len(stand_in.channel_messages()) == 1
    jobs = "pulse_scheduled_jobs_total"
    wait_for_samples(
        port,
        {
            key(jobs, kind="leaderboard", outcome="done"): 1,
            key(jobs, kind="leaderboard", outcome="failed"): 0,
        },
    )


def test_a_lost_answer_is_retried_without_a_second_post(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    bot = start_bot(env={"CLOCK_START": BEFORE_WEEK_END.isoformat()})
    board = stand_in.add_channel("leaderboard")
    configure_weekly(bot, board)
    log_post(bot, stand_in.member, likes=380, followers=5_000)
    stand_in.fail_next("POST", rf"/channels/{board.id}/messages", status=500, after_effect=True)
    wait_for_posts(stand_in, 1, board)
    time.sleep(4)  # discord.py retries after a second; the nonce makes Discord hand back the first message
    statuses = [r.status for r in post_requests(stand_in)]
    assert statuses == [500, 200]
    assert len(stand_in.channel_messages(board)) == 1


def test_a_channel_that_refuses_turns_the_post_off_and_admins_are_told(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    port = free_port()
    bot = start_bot(env={"CLOCK_START": BEFORE_WEEK_END.isoformat(), "METRICS_PORT": str(port)})
    board = stand_in.add_channel("leaderboard")
    configure_weekly(bot, board)
    stand_in.forbid_channel(board)
    bot.wait_for_log(r"weekly post turned off \(channel_forbidden\)", timeout=POST_TIMEOUT)
    wait_for_samples(port, {key("pulse_scheduled_jobs_total", kind="leaderboard", outcome="failed"): 1})
    shown = admin_settings(bot, "show", locale="nl")
    assert f"Pulse mocht niet posten in <#{board.id}>" in shown.text
    assert "Posten: uit" in shown.text
    member_view = bot.invoke("leaderboard", {}, permissions=MEMBER_PERMISSIONS)
    assert "Pulse was not allowed" not in member_view.text
    admin_view = bot.invoke("leaderboard", {}, permissions=MANAGE_GUILD | MEMBER_PERMISSIONS)
    assert f"Pulse was not allowed to post in <#{board.id}>" in admin_view.text
    assert stand_in.channel_messages(board) == []


def test_killed_after_sending_the_restart_finds_the_post_instead_of_posting_again(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    stand_in.nonce_window = 0  # only the look at the channel can tell the post went out
    bot = start_bot(env={"CLOCK_START": BEFORE_WEEK_END.isoformat(), "JOB_LEASE_SECONDS": "2"})
    board = stand_in.add_channel("leaderboard")
    configure_weekly(bot, board)
    log_post(bot, stand_in.member, likes=380, followers=5_000)
    # Discord creates the message, but the answer never arrives: the bot waits to retry, and is killed then.
    stand_in.fail_next("POST", rf"/channels/{board.id}/messages", status=500, after_effect=True, times=10)
    wait_for_posts(stand_in, 1, board)
    bot.kill()
    restarted = start_bot(
        env={
            "CLOCK_START": datetime(2026, 11, 23, 0, 1, tzinfo=AMSTERDAM).isoformat(),
            "JOB_LEASE_SECONDS": "2",
        }
    )
    # Once the dead process's claim has run out, the restart looks in the channel and finds the post.
    restarted.wait_for_log(r"the leaderboard of 2026-W47 for guild \d+ was already posted", timeout=20)
    assert len(stand_in.channel_messages(board)) == 1
    assert len(post_requests(stand_in)) == 1
    archived = restarted.invoke("leaderboard", {"week": "2026-W47"})
    assert "as posted" in archived.embeds[0]["title"]
