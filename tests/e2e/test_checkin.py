"""Coaching through the stand-in Discord: who sees whose numbers, /checkin threads and focus, reminders, notes.

Reminders are driven by the bot's own clock (CLOCK_START): restarts on one database at later moments play out the
weeks and the downtime between them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.bot_process import BotProcess, shared_bot
from tests.e2e.stand_in import ADMIN_PERMISSIONS, MEMBER_PERMISSIONS, Message, Reply, StandIn, User

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REMINDER_TIMEOUT = 45.0
PRIVATE_THREAD, PUBLIC_THREAD = 12, 11
FOCUS = "Three posts with a stronger hook"


@pytest.fixture(scope="module")
def coached(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """A bot whose server has a coach role and a coaching channel (set up by the first test that needs it)."""
    with shared_bot(tmp_path_factory.mktemp("coached")) as bot:
        yield bot


def set_up_coaching(bot: BotProcess, **options: Any) -> tuple[Any, Any]:
    stand_in = bot.stand_in
    role = stand_in.add_role("Coach")
    channel = stand_in.add_channel("coaching")
    reply = bot.invoke(
        "settings coaching", {"role": role, "channel": channel, **options}, permissions=ADMIN_PERMISSIONS
    )
    assert reply.ephemeral and "Saved." in reply.text, reply.text
    return role, channel


def coaching_of(bot: BotProcess) -> tuple[Any, Any]:
    """The coach role and channel of the shared bot's server, set up once."""
    stand_in = bot.stand_in
    if not hasattr(stand_in, "_coaching"):
        stand_in._coaching = set_up_coaching(bot)  # type: ignore[attr-defined]
    return stand_in._coaching  # type: ignore[attr-defined]


def log_post(bot: BotProcess, user: User, likes: int = 300, followers: int = 5_000) -> None:
    options = {"likes": likes, "comments": 40, "shares": 25, "saves": 15, "followers": followers, "log": True}
    assert bot.invoke("engagement post", options, user=user).type == 4


def everything(reply: Reply) -> str:
    return "\n".join([reply.text, *(m.text for m in reply.followups)])


def field(message: Message | Reply, name: str) -> str | None:
    embeds = message.embeds
    return next((f["value"] for e in embeds for f in e.get("fields", []) if f["name"] == name), None)


def thread_of(stand_in: StandIn, parent: Any) -> Any:
    threads = stand_in.threads(parent)
    assert len(threads) == 1, threads
    return threads[0]


def focus_button(message: Message) -> str:
    found = [c for c in message.custom_ids if c.startswith("checkin:focus:")]
    assert len(found) == 1, message.custom_ids
    return found[0]


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


# --- who may see what ------------------------------------------------------------------------------------


def test_members_are_refused_coach_commands_and_others_numbers(coached: BotProcess) -> None:
    stand_in = coached.stand_in
    coaching_of(coached)
    creator, nosy = stand_in.user("creator"), stand_in.user("nosy")
    log_post(coached, creator)

    for command, options in (
        ("coach roster", {}),
        ("coach note", {"member": creator, "text": "hello"}),
        ("coach notes", {"member": creator}),
    ):
        refused = coached.invoke(command, options, user=nosy)
        assert refused.ephemeral, command
        assert refused.content == (
            "Only coaches (members with this server's coach role) and members with Manage Server can use this."
        ), command
        dutch = coached.invoke(command, options, user=nosy, locale="nl")
        assert dutch.content.startswith("Alleen coaches (leden met de coachrol van deze server)"), command

    for command in ("progress", "history"):
        refused = coached.invoke(command, {"member": creator}, user=nosy)
        assert refused.ephemeral
        assert "Only the member sees their own numbers" in everything(refused), command

    assert coached.db.fetch_one("SELECT count(*) FROM coach_notes") == (0,)
    assert coached.db.fetch_one("SELECT count(*) FROM data_views") == (0,)
    shown = coached.invoke("privacy show", user=creator)
    assert field(shown, "Who looked at your numbers") == "Nobody but you has opened your numbers here."


def test_a_coach_reads_a_members_numbers_and_the_member_sees_it(coached: BotProcess) -> None:
    stand_in = coached.stand_in
    role, _ = coaching_of(coached)
    creator, coach, admin = stand_in.user("maker"), stand_in.user("coach"), stand_in.user("admin")
    stand_in.give_role(coach, role)
    log_post(coached, creator)

    report = coached.invoke("progress", {"member": creator}, user=coach)
    assert report.ephemeral and "over 1 post" in everything(report)
    history = coached.invoke("history", {"member": creator}, user=coach)
    assert history.ephemeral
    assert f"The history of <@{creator.id}> (read only" in history.text
    # Read only: the member's own controls to delete and undo are not there for a coach.
    assert not [c for c in history.custom_ids if c.endswith((":delete", ":undo"))]
    own = coached.invoke("history", user=creator)
    assert [c for c in own.custom_ids if c.endswith(":delete")]
    by_admin = coached.invoke("progress", {"member": creator}, user=admin, permissions=ADMIN_PERMISSIONS)
    assert "over 1 post" in everything(by_admin)

    shown = coached.invoke("privacy show", user=creator)
    assert shown.ephemeral
    views = field(shown, "Who looked at your numbers") or ""
    lines = views.splitlines()
    assert len(lines) == 3, views
    assert lines[0].startswith(f"<@{admin.id}> opened your progress report · <t:")
    assert lines[1].startswith(f"<@{coach.id}> opened your history · <t:")
    assert lines[2].startswith(f"<@{coach.id}> opened your progress report · <t:")
    dutch = coached.invoke("privacy show", user=creator, locale="nl")
    assert f"<@{coach.id}> opende je geschiedenis · <t:" in (field(dutch, "Wie je cijfers bekeek") or "")


def test_coach_notes_stay_with_coaches(coached: BotProcess) -> None:
    stand_in = coached.stand_in
    role, _ = coaching_of(coached)
    creator, coach = stand_in.user("noted"), stand_in.user("coach2")
    stand_in.give_role(coach, role)

    empty = coached.invoke("coach note", {"member": creator, "text": "   "}, user=coach)
    assert empty.ephemeral and empty.content == "The note cannot be empty."
    saved = coached.invoke("coach note", {"member": creator, "text": "Needs **hooks** @everyone"}, user=coach)
    assert saved.ephemeral and saved.content.startswith(f"Note about <@{creator.id}> saved.")
    notes = coached.invoke("coach notes", {"member": creator}, user=coach)
    assert notes.ephemeral
    description = notes.embeds[0]["description"]
    assert f"<@{coach.id}> · <t:" in description
    # The note is shown as typed: no bold, no mention.
    assert "> Needs \\*\\*hooks\\*\\* @\u200beveryone" in description

    # The member learns that a note exists, never its text.
    shown = coached.invoke("privacy show", user=creator)
    assert field(shown, "Coach notes") == (
        "This server's coaches keep 1 note about you. Its text is for coaches only."
    )
    assert "hooks" not in shown.text
    refused = coached.invoke("coach notes", {"member": creator}, user=creator)
    assert refused.ephemeral and "hooks" not in refused.text


# --- /checkin ------------------------------------------------------------------------------------------------


def test_checkin_opens_one_private_thread_and_stores_the_focus(coached: BotProcess) -> None:
    stand_in = coached.stand_in
    role, channel = coaching_of(coached)
    creator, coach, other = stand_in.user("checker"), stand_in.user("coach3"), stand_in.user("other")
    stand_in.give_role(coach, role)
    coached.invoke("coach roster", user=coach)  # Pulse learns who its coaches are as they use it
    log_post(coached, creator)
    before = len(stand_in.threads(channel))

    first = coached.invoke("checkin", user=creator)
    assert first.ephemeral
    threads = [t for t in stand_in.threads(channel)]
    assert len(threads) == before + 1
    thread = threads[-1]
    assert thread.kind == PRIVATE_THREAD
    assert f"Your check-in is in <#{thread.id}>." in everything(first)
    members = stand_in.thread_members(thread)
    assert {creator.id, coach.id, stand_in.bot_user.id} <= members
    assert other.id not in members
    posted = stand_in.channel_messages(thread)
    assert len(posted) == 1
    card = posted[0]
    assert card.embeds[0]["title"].startswith("Check-in of Checker · 20")
    assert "1 post logged this week; average engagement 7.6%" in card.embeds[0]["description"]
    assert field(card, "Streak") == "1 week with a post."
    assert field(card, "A moment for yourself") is None

    # Someone else cannot set this member's focus.
    button = focus_button(card)
    refused = coached.click(card, button, user=other, channel=thread)
    assert refused.ephemeral and "belongs to someone else" in refused.content
    modal = coached.click(card, button, user=creator, channel=thread)
    assert modal.type == 9
    empty = coached.submit_modal(modal, {"focus": "  "}, user=creator, channel=thread)
    assert empty.ephemeral and empty.content == "Your focus cannot be empty."
    saved = coached.submit_modal(modal, {"focus": FOCUS}, user=creator, channel=thread)
    assert not saved.ephemeral and f"> {FOCUS}" in saved.content

    again = coached.invoke("checkin", user=creator)
    assert f"<#{thread.id}>" in everything(again)
    assert len(stand_in.threads(channel)) == before + 1  # the same thread, reused
    # Two cards posted by Pulse; the saved focus was the modal's answer in the thread, between them.
    assert len(stand_in.channel_messages(thread)) == 2
    rows = coached.db.fetch_all("SELECT focus FROM checkins WHERE user_id = ?", (creator.id,))
    assert rows == [(FOCUS,)]


def test_checkin_without_a_coaching_channel_says_what_to_do(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot()
    reply = bot.invoke("checkin")
    assert reply.ephemeral
    assert reply.content.startswith("This server has no coaching channel yet.")
    assert bot.stand_in.threads() == []


def test_private_threads_impossible_falls_back_only_when_allowed(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot()
    stand_in = bot.stand_in
    _, channel = set_up_coaching(bot)
    stand_in.refuse_private_threads(channel)
    refused = bot.invoke("checkin")
    assert "Discord does not allow private threads in" in everything(refused)
    assert stand_in.threads(channel) == []

    allowed = bot.invoke("settings coaching", {"public_threads": True}, permissions=ADMIN_PERMISSIONS)
    assert "Public threads where private ones are impossible: on" in allowed.text
    opened = bot.invoke("checkin")
    thread = thread_of(stand_in, channel)
    assert thread.kind == PUBLIC_THREAD
    assert f"<#{thread.id}>" in everything(opened)


def test_coaching_channel_without_thread_permissions_is_refused(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot()
    stand_in = bot.stand_in
    channel = stand_in.add_channel("coaching")
    stand_in.forbid_private_threads(channel)
    refused = bot.invoke("settings coaching", {"channel": channel}, permissions=ADMIN_PERMISSIONS)
    assert refused.ephemeral
    assert f"Pulse cannot open check-in threads in <#{channel.id}>: it lacks Create Private Threads" in (
        refused.content
    )
    shown = bot.invoke("settings show", permissions=ADMIN_PERMISSIONS)
    assert "Check-in channel: none yet" in shown.text


def test_settings_coaching_is_for_admins(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot()
    role = bot.stand_in.add_role("Coach")
    refused = bot.invoke("settings coaching", {"role": role}, permissions=MEMBER_PERMISSIONS)
    assert refused.ephemeral and refused.content == "You need the Manage Server permission for this."
    shown = bot.invoke("settings show", permissions=ADMIN_PERMISSIONS)
    assert "Coach role: none yet" in shown.text


# --- wellbeing ---------------------------------------------------------------------------------------------


def insert_posts(bot: BotProcess, guild_id: int, user_id: int, moments: list[datetime]) -> None:
    """A constructed history: posts logged live (posted and logged at the same moment), one batch each."""
    member = [
        (guild_id, user_id, moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")) for moment in moments
    ]
    bot.db.execute_many(
        "INSERT INTO history_batches (guild_id, user_id, kind, created_at) VALUES (?, ?, 'post', ?)", member
    )
    # Each post joins the batch made for it just now (a member's moments differ); views and title stay NULL.
    bot.db.execute_many(
        "INSERT INTO logged_posts (batch_id, guild_id, user_id, posted_at, logged_at, likes, comments, shares,"
        " saves, followers) SELECT id, guild_id, user_id, created_at, created_at, 300, 40, 25, 15, 5000"
        " FROM history_batches WHERE guild_id = ? AND user_id = ? AND kind = 'post' AND created_at = ?",
        member,
    )


def test_wellbeing_line_for_late_nights_only(start_bot: Callable[..., BotProcess]) -> None:
    # Thursday 26 Nov 2026, 15:00 in Amsterdam (week 48).
    bot = start_bot(env={"CLOCK_START": "2026-11-26T15:00:00+01:00"})
    stand_in = bot.stand_in
    set_up_coaching(bot)
    night_owl, regular = stand_in.user("owl"), stand_in.user("regular")
    bot.stop()
    # Three nights of week 48: Monday and Tuesday before midnight, Wednesday after it.
    nights = [
        datetime(2026, 11, day, hour, 30, tzinfo=AMSTERDAM) for day, hour in ((23, 23), (24, 23), (26, 1))
    ]
    afternoons = [datetime(2026, 11, day, 16, 0, tzinfo=AMSTERDAM) for day in (23, 24, 25)]
    insert_posts(bot, stand_in.guild.id, night_owl.id, nights)
    insert_posts(bot, stand_in.guild.id, regular.id, afternoons)
    bot = start_bot(env={"CLOCK_START": "2026-11-26T15:00:00+01:00"})

    bot.invoke("checkin", user=night_owl, locale="nl")
    bot.invoke("checkin", user=regular, locale="nl")
    owl_card = stand_in.channel_messages(thread_of_member(stand_in, night_owl))[-1]
    regular_card = stand_in.channel_messages(thread_of_member(stand_in, regular))[-1]
    line = field(owl_card, "Even tijd voor jezelf")
    assert line is not None and "laat in de nacht" in line and "TikTok-master: functies en groei" in line
    assert field(regular_card, "Even tijd voor jezelf") is None
    assert "TikTok-master: functies en groei" in owl_card.embeds[0]["footer"]["text"]


def thread_of_member(stand_in: StandIn, user: User) -> Any:
    found = [t for t in stand_in.threads() if user.id in stand_in.thread_members(t)]
    assert len(found) == 1, found
    return found[0]


# --- reminders -----------------------------------------------------------------------------------------------


def reminders_in(stand_in: StandIn, thread: Any) -> list[Message]:
    return [
        m
        for m in stand_in.channel_messages(thread)
        if any((e.get("footer") or {}).get("text", "").startswith("Pulse · check-in") for e in m.embeds)
    ]


def test_reminders_go_once_to_members_who_have_not_checked_in(start_bot: Callable[..., BotProcess]) -> None:
    # Week 47: A and B check in; A sets a focus. C never checks in.
    bot = start_bot(env={"CLOCK_START": "2026-11-22T12:00:00+01:00"})
    stand_in = bot.stand_in
    role, _ = set_up_coaching(bot, day="monday", hour=10)
    a, b, c, coach = (stand_in.user(n) for n in ("anna", "bram", "cas", "coachx"))
    stand_in.give_role(coach, role)
    log_post(bot, c)
    for member in (a, b):
        bot.invoke("checkin", user=member)
    thread_a, thread_b = thread_of_member(stand_in, a), thread_of_member(stand_in, b)
    card = stand_in.channel_messages(thread_a)[-1]
    modal = bot.click(card, focus_button(card), user=a, channel=thread_a)
    bot.submit_modal(modal, {"focus": FOCUS}, user=a, channel=thread_a)
    bot.stop()

    # Monday of week 48, before the reminder: B checks in for the new week.
    bot = start_bot(env={"CLOCK_START": "2026-11-23T08:00:00+01:00"})
    bot.invoke("checkin", user=b)
    bot.stop()

    # Pulse is down at 10:00 and back at 11:30: the reminder goes out late, to A only.
    bot = start_bot(env={"CLOCK_START": "2026-11-23T11:30:00+01:00"})
    reminder = wait_for(lambda: reminders_in(stand_in, thread_a), REMINDER_TIMEOUT, "A's reminder")
    assert len(reminder) == 1
    assert reminder[0].embeds[0]["title"] == "Time for your weekly check-in"
    assert reminder[0].embeds[0]["footer"]["text"] == "Pulse · check-in 2026-W48"
    assert reminders_in(stand_in, thread_b) == []
    assert all(c.id not in stand_in.thread_members(t) for t in stand_in.threads())
    bot.wait_for_log(r"reminded 1 members of 2026-W48")

    # A's next check-in recalls last week's focus.
    bot.invoke("checkin", user=a)
    latest = stand_in.channel_messages(thread_a)[-1]
    assert f"Last time (2026-W47) you wanted to focus on:\n> {FOCUS}" in latest.embeds[0]["description"]
    bot.stop()

    # A later start the same week sends nothing again.
    bot = start_bot(env={"CLOCK_START": "2026-11-23T12:00:00+01:00"})
    bot.invoke("settings show", permissions=ADMIN_PERMISSIONS)
    time.sleep(1.0)
    assert len(reminders_in(stand_in, thread_a)) == 1
    jobs = bot.db.fetch_all(
        "SELECT key, state FROM scheduled_jobs WHERE kind = 'checkin_reminder' ORDER BY key"
    )
    assert jobs == [("2026-W48", "done"), ("2026-W49", "pending")]


def test_an_archived_thread_is_reopened_and_a_deleted_one_replaced(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot()
    stand_in = bot.stand_in
    _, channel = set_up_coaching(bot)
    bot.invoke("checkin")
    thread = thread_of(stand_in, channel)
    stand_in.archive_thread(thread)
    reopened = bot.invoke("checkin")
    assert f"<#{thread.id}>" in everything(reopened)
    assert thread_of(stand_in, channel).archived is False
    assert len(stand_in.channel_messages(thread)) == 2

    stand_in.delete_channel(thread)
    replaced = bot.invoke("checkin")
    fresh = thread_of(stand_in, channel)
    assert fresh.id != thread.id and fresh.kind == PRIVATE_THREAD
    assert f"<#{fresh.id}>" in everything(replaced)
    assert stand_in.member.id in stand_in.thread_members(fresh)


# --- /coach roster ---------------------------------------------------------------------------------------------


def test_roster_puts_stalled_members_first_and_pages(start_bot: Callable[..., BotProcess]) -> None:
    # Thursday 26 Nov 2026 (week 48).
    bot = start_bot(env={"CLOCK_START": "2026-11-26T15:00:00+01:00"})
    stand_in = bot.stand_in
    role, _ = set_up_coaching(bot)
    coach = stand_in.user("headcoach")
    stand_in.give_role(coach, role)
    stalled = stand_in.user("quiet")
    active = [stand_in.user(f"busy{i}") for i in range(11)]
    gone = stand_in.user("gone")
    bot.stop()
    guild = stand_in.guild.id
    insert_posts(bot, guild, stalled.id, [datetime(2026, 11, 9, 12, tzinfo=AMSTERDAM)])
    insert_posts(bot, guild, gone.id, [datetime(2026, 9, 1, 12, tzinfo=AMSTERDAM)])
    for index, member in enumerate(active):
        insert_posts(bot, guild, member.id, [datetime(2026, 11, 23 + index % 3, 12, tzinfo=AMSTERDAM)])
    bot = start_bot(env={"CLOCK_START": "2026-11-26T15:00:00+01:00"})

    roster = bot.invoke("coach roster", user=coach)
    assert roster.ephemeral
    description = roster.embeds[0]["description"]
    assert description.startswith(f"⚠️ <@{stalled.id}> (no post or check-in for two weeks)")
    assert "never checked in" in description and "streak 1 week" in description
    assert f"<@{gone.id}>" not in description  # nothing in the last four weeks
    assert roster.embeds[0]["footer"]["text"].startswith(
        "Page 1 of 2 · 12 members active in the last 4 weeks"
    )
    assert description.count("<@") == 10
    following = bot.click(roster, next(c for c in roster.custom_ids if c.endswith(":next")), user=coach)
    assert following.embeds[0]["footer"]["text"].startswith("Page 2 of 2")
    assert following.embeds[0]["description"].count("<@") == 2

    # Every member shown was recorded as seen, and can find out.
    shown = bot.invoke("privacy show", user=stalled)
    assert f"<@{coach.id}> opened your line on the coaches' roster" in (
        field(shown, "Who looked at your numbers") or ""
    )
