"""Coaching's rows on a real SQLite file: coaches, threads, check-ins and their focus, who is active, reminder
targets, coach notes and the record of who looked, each kept to its own server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.checkins import Checkin, CheckinThread, CoachNote, DataView, ReminderTarget
from bot.domain.history import PostNumbers
from bot.domain.weeks import IsoWeek
from bot.storage.checkins import CheckinRepository
from bot.storage.database import Database
from bot.storage.history import HistoryRepository
from tests.databases import INTEGRITY_ERRORS

GUILD, OTHER_GUILD = 10, 11
A, B, C, D, E, F, H, K, L = 101, 102, 103, 104, 105, 106, 107, 108, 109
W7, W8, W9, W10, W11 = (
    IsoWeek(2026, 7),
    IsoWeek(2026, 8),
    IsoWeek(2026, 9),
    IsoWeek(2026, 10),
    IsoWeek(2026, 11),
)
T0 = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def repo(db: Database) -> CheckinRepository:
    return CheckinRepository(db)


@pytest.fixture
def history(db: Database) -> HistoryRepository:
    return HistoryRepository(db)


# --- coaches ------------------------------------------------------------------------------------------


async def test_coaches_are_noted_most_recently_seen_first_and_forgotten(repo: CheckinRepository) -> None:
    assert await repo.coaches(GUILD) == []
    await repo.note_coach(GUILD, C, later(0))
    await repo.note_coach(GUILD, B, later(5))
    await repo.note_coach(GUILD, A, later(5))  # same moment as B: by user id
    await repo.note_coach(OTHER_GUILD, D, later(9))
    assert await repo.coaches(GUILD) == [A, B, C]
    # Seeing C again moves them up; no second row.
    await repo.note_coach(GUILD, C, later(10))
    assert await repo.coaches(GUILD) == [C, A, B]
    await repo.forget_coach(GUILD, A)
    await repo.forget_coach(GUILD, D)  # a coach of the other server: nothing to forget here
    assert await repo.coaches(GUILD) == [C, B]
    assert await repo.coaches(OTHER_GUILD) == [D]


# --- threads ------------------------------------------------------------------------------------------


async def test_thread_roundtrip_and_replacement(repo: CheckinRepository) -> None:
    assert await repo.thread(GUILD, A) is None
    await repo.set_thread(GUILD, A, CheckinThread(9001, True), later(0))
    assert await repo.thread(GUILD, A) == CheckinThread(9001, True)
    await repo.set_thread(GUILD, A, CheckinThread(9002, False), later(1))
    assert await repo.thread(GUILD, A) == CheckinThread(9002, False)
    assert await repo.thread(GUILD, B) is None
    assert await repo.thread(OTHER_GUILD, A) is None


# --- check-ins and focus ------------------------------------------------------------------------------


async def test_the_first_checkin_of_a_week_counts(repo: CheckinRepository) -> None:
    assert await repo.record_checkin(GUILD, A, W10, later(0)) is True
    assert await repo.record_checkin(GUILD, A, W10, later(30)) is False
    assert await repo.record_checkin(GUILD, A, W11, later(60 * 24 * 7)) is True
    assert await repo.record_checkin(GUILD, B, W10, later(1)) is True
    assert await repo.record_checkin(OTHER_GUILD, A, W10, later(2)) is True
    assert await repo.checkins(GUILD, A) == [
        Checkin(W11, later(60 * 24 * 7), None),
        Checkin(W10, later(0), None),
    ]


async def test_checkins_newest_week_first_up_to_the_limit(repo: CheckinRepository) -> None:
    for n, week in enumerate([W9, W11, W8, W10]):
        await repo.record_checkin(GUILD, A, week, later(n))
    assert [c.week for c in await repo.checkins(GUILD, A)] == [W11, W10, W9, W8]
    assert await repo.checkins(GUILD, A, limit=2) == [
        Checkin(W11, later(1), None),
        Checkin(W10, later(3), None),
    ]
    assert await repo.checkins(GUILD, B) == []


async def test_set_focus_without_a_checkin_creates_the_row(repo: CheckinRepository) -> None:
    await repo.set_focus(GUILD, A, W10, "three posts", later(0))
    assert await repo.checkins(GUILD, A) == [Checkin(W10, later(0), "three posts")]
    # The week has its row now: a check-in afterwards is not a first one.
    assert await repo.record_checkin(GUILD, A, W10, later(5)) is False


async def test_set_focus_on_a_checkin_keeps_when_it_was_made(repo: CheckinRepository) -> None:
    await repo.record_checkin(GUILD, A, W10, later(0))
    await repo.set_focus(GUILD, A, W10, "hooks", later(10))
    await repo.set_focus(GUILD, A, W10, "better hooks", later(20))
    assert await repo.checkins(GUILD, A) == [Checkin(W10, later(0), "better hooks")]


async def test_earlier_focus_is_the_most_recent_earlier_week_with_one(repo: CheckinRepository) -> None:
    await repo.set_focus(GUILD, A, W8, "consistency", later(0))
    await repo.record_checkin(GUILD, A, W9, later(1))  # a check-in without a focus
    await repo.set_focus(GUILD, A, W10, "this week's", later(2))
    await repo.set_focus(GUILD, B, W9, "B's focus", later(3))
    await repo.set_focus(OTHER_GUILD, A, W9, "elsewhere", later(4))
    # Asked in W10: never W10's own, W9 has none, so W8's.
    assert await repo.earlier_focus(GUILD, A, W10) == Checkin(W8, later(0), "consistency")
    assert await repo.earlier_focus(GUILD, A, W11) == Checkin(W10, later(2), "this week's")
    assert await repo.earlier_focus(GUILD, A, W9) == Checkin(W8, later(0), "consistency")
    assert await repo.earlier_focus(GUILD, A, W8) is None
    assert await repo.earlier_focus(OTHER_GUILD, A, W10) == Checkin(W9, later(4), "elsewhere")


async def test_earlier_focus_across_the_year_end(repo: CheckinRepository) -> None:
    await repo.set_focus(GUILD, A, IsoWeek(2026, 53), "year end", later(0))
    assert await repo.earlier_focus(GUILD, A, IsoWeek(2027, 1)) == Checkin(
        IsoWeek(2026, 53), later(0), "year end"
    )


async def test_last_checkins(repo: CheckinRepository) -> None:
    await repo.record_checkin(GUILD, A, W9, utc(2026, 2, 24, 8))
    await repo.record_checkin(GUILD, A, W10, utc(2026, 3, 3, 8))
    await repo.record_checkin(GUILD, B, W8, utc(2026, 2, 17, 8))
    await repo.record_checkin(OTHER_GUILD, C, W10, utc(2026, 3, 4, 8))
    assert await repo.last_checkins(GUILD, [A, B, C]) == {A: utc(2026, 3, 3, 8), B: utc(2026, 2, 17, 8)}
    assert await repo.last_checkins(GUILD, [B]) == {B: utc(2026, 2, 17, 8)}
    assert await repo.last_checkins(GUILD, []) == {}
    assert await repo.last_checkins(OTHER_GUILD, [A, C]) == {C: utc(2026, 3, 4, 8)}


async def test_active_members_posted_or_checked_in_since(
    repo: CheckinRepository, history: HistoryRepository
) -> None:
    since = utc(2026, 2, 9, 23)

    async def add_post(guild_id: int, user_id: int, at: datetime) -> None:
        await history.add_post(guild_id, user_id, PostNumbers(at, 50, 0, 0, 0, None, 1000), utc(2026, 3, 20))

    await add_post(GUILD, A, since - timedelta(seconds=1))  # just before: out
    await add_post(GUILD, B, since)  # exactly at `since`: in
    await repo.record_checkin(GUILD, C, W10, utc(2026, 3, 2, 8))  # a check-in: in
    await repo.record_checkin(GUILD, D, W8, utc(2026, 2, 9, 22))  # checked in before: out
    await repo.record_checkin(GUILD, H, W7, since)  # checked in exactly at `since`: in
    await add_post(GUILD, K, utc(2026, 3, 1))  # posted twice and checked in: listed once
    await add_post(GUILD, K, utc(2026, 3, 2))
    await repo.record_checkin(GUILD, K, W10, utc(2026, 3, 2, 9))
    await add_post(OTHER_GUILD, E, utc(2026, 3, 1))
    await repo.record_checkin(OTHER_GUILD, F, W10, utc(2026, 3, 2, 8))
    assert await repo.active_members(GUILD, since) == [B, C, H, K]
    assert await repo.active_members(OTHER_GUILD, since) == [E, F]
    assert await repo.active_members(GUILD, utc(2026, 4, 1)) == []


# --- reminders ----------------------------------------------------------------------------------------


async def test_reminder_targets(repo: CheckinRepository) -> None:
    async def member(guild_id: int, user_id: int, thread: bool, weeks: list[IsoWeek]) -> None:
        if thread:
            await repo.set_thread(guild_id, user_id, CheckinThread(5000 + user_id, True), later(0))
        for week in weeks:
            await repo.record_checkin(guild_id, user_id, week, later(0))

    await member(GUILD, A, True, [W9])  # reminded
    await member(GUILD, B, True, [W8, W10])  # already checked in this week
    await member(GUILD, C, False, [W9])  # no thread
    await member(GUILD, D, True, [])  # never checked in
    await member(GUILD, E, True, [W9])
    await repo.mark_reminder(GUILD, E, W10, "sent", later(1), message_id=77)  # reminded already
    await member(GUILD, F, True, [W8])
    await repo.mark_reminder(GUILD, F, W10, "sending", later(1))  # may have gone out
    await member(GUILD, H, True, [W9])
    await repo.mark_reminder(GUILD, H, W10, "failed", later(1))  # tried: not again
    await member(GUILD, K, True, [W9])
    await repo.mark_reminder(GUILD, K, W9, "sent", later(1))  # last week's reminder: no matter
    await member(GUILD, L, True, [W11])  # only a check-in after the week
    await member(OTHER_GUILD, C, True, [])  # C: a thread there, the check-in here: out in both
    await member(OTHER_GUILD, D, False, [W9])  # D's thread is here, the check-in elsewhere
    assert await repo.reminder_targets(GUILD, W10) == [
        ReminderTarget(A, 5000 + A, False),
        ReminderTarget(F, 5000 + F, True),
        ReminderTarget(K, 5000 + K, False),
    ]
    assert await repo.reminder_targets(OTHER_GUILD, W10) == []
    assert await repo.reminded(GUILD, W10) == {E: "sent", F: "sending", H: "failed"}
    # Once sent, F is done too.
    await repo.mark_reminder(GUILD, F, W10, "sent", later(2), message_id=78)
    assert [t.user_id for t in await repo.reminder_targets(GUILD, W10)] == [A, K]


# --- coach notes --------------------------------------------------------------------------------------


async def test_notes_newest_first_with_limit_offset_and_count(repo: CheckinRepository) -> None:
    ids = [await repo.add_note(GUILD, A, C + n % 2, f"note {n}", later(n)) for n in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5
    await repo.add_note(GUILD, B, C, "about B", later(10))
    await repo.add_note(OTHER_GUILD, A, D, "other server", later(11))
    expected = [CoachNote(ids[n], C + n % 2, f"note {n}", later(n)) for n in reversed(range(5))]
    assert await repo.notes(GUILD, A, limit=10) == expected
    assert await repo.notes(GUILD, A, limit=2) == expected[:2]
    assert await repo.notes(GUILD, A, limit=2, offset=2) == expected[2:4]
    assert await repo.notes(GUILD, A, limit=2, offset=4) == expected[4:]
    assert await repo.notes(GUILD, A, limit=2, offset=6) == []
    assert await repo.note_count(GUILD, A) == 5
    assert await repo.note_count(GUILD, B) == 1
    assert [n.text for n in await repo.notes(OTHER_GUILD, A, limit=10)] == ["other server"]
    assert await repo.note_count(OTHER_GUILD, A) == 1
    assert await repo.note_count(OTHER_GUILD, B) == 0
    assert await repo.notes(OTHER_GUILD, B, limit=10) == []


async def test_a_note_of_exactly_1000_characters_is_kept(repo: CheckinRepository) -> None:
    await repo.add_note(GUILD, A, C, "n" * 1000, later(0))
    assert [len(n.text) for n in await repo.notes(GUILD, A, limit=1)] == [1000]


@pytest.mark.parametrize("text", ["n" * 1001, ""], ids=["too-long", "empty"])
async def test_the_schema_refuses_a_note_out_of_bounds(repo: CheckinRepository, text: str) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        await repo.add_note(GUILD, A, C, text, later(0))
    assert await repo.note_count(GUILD, A) == 0


async def test_the_schema_refuses_a_focus_over_300_characters(repo: CheckinRepository) -> None:
    await repo.set_focus(GUILD, A, W10, "f" * 300, later(0))
    with pytest.raises(INTEGRITY_ERRORS):
        await repo.set_focus(GUILD, A, W11, "f" * 301, later(1))
    assert [c.week for c in await repo.checkins(GUILD, A)] == [W10]


# --- who looked ---------------------------------------------------------------------------------------


async def test_views_skip_the_viewers_own_numbers_and_come_newest_first(repo: CheckinRepository) -> None:
    await repo.record_views(GUILD, C, [A, B, C], "roster", later(0))
    await repo.record_views(GUILD, D, [A], "progress", later(1))
    await repo.record_views(GUILD, C, [A], "history", later(2))
    await repo.record_views(GUILD, A, [A], "progress", later(3))  # the member's own: not a view
    await repo.record_views(OTHER_GUILD, E, [A], "history", later(4))
    assert await repo.views(GUILD, A) == [
        DataView(C, "history", later(2)),
        DataView(D, "progress", later(1)),
        DataView(C, "roster", later(0)),
    ]
    assert await repo.views(GUILD, A, limit=1) == [DataView(C, "history", later(2))]
    assert await repo.view_count(GUILD, A) == 3
    assert await repo.views(GUILD, B) == [DataView(C, "roster", later(0))]
    assert await repo.view_count(GUILD, B) == 1
    assert await repo.views(GUILD, C) == []
    assert await repo.view_count(GUILD, C) == 0
    assert await repo.views(OTHER_GUILD, A) == [DataView(E, "history", later(4))]
    assert await repo.view_count(OTHER_GUILD, A) == 1
    assert await repo.view_count(OTHER_GUILD, B) == 0
