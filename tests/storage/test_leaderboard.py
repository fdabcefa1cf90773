"""The leaderboard's reads on a real SQLite file filled through the history: week bounds, earlier posts,
streaks, follower counts, every metric's board, visibility and the archive of weekly posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.domain.history import FollowerCount, PostNumbers
from bot.domain.leaderboard import Board, Place, Standing, WeekPost, rank
from bot.domain.weeks import IsoWeek
from bot.storage.database import Database
from bot.storage.history import HistoryRepository
from bot.storage.leaderboard import LeaderboardRepository

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
GUILD, OTHER_GUILD = 10, 11
A, B, C, D, E = 101, 102, 103, 104, 105
W8, W9, W10, W11 = IsoWeek(2026, 8), IsoWeek(2026, 9), IsoWeek(2026, 10), IsoWeek(2026, 11)
LOGGED = datetime(2026, 3, 20, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def exact(text: str) -> Fraction:
    return Fraction(Decimal(text))


def numbers(at: datetime, interactions: int, followers: int, comments: int = 0) -> PostNumbers:
    return PostNumbers(at, interactions - comments, comments, 0, 0, None, followers)


@pytest.fixture
def history(db: Database) -> HistoryRepository:
    return HistoryRepository(db)


@pytest.fixture
def boards(db: Database) -> LeaderboardRepository:
    return LeaderboardRepository(db)


async def post(
    history: HistoryRepository, user_id: int, at: datetime, interactions: int, followers: int
) -> None:
    await history.add_post(GUILD, user_id, numbers(at, interactions, followers), LOGGED)


# --- the week's posts ---------------------------------------------------------------------------------


async def test_week_posts_are_exactly_those_in_the_local_week(
    history: HistoryRepository, boards: LeaderboardRepository
) -> None:
    start, end = W10.start(AMSTERDAM), W10.end(AMSTERDAM)
    assert (start, end) == (utc(2026, 3, 1, 23), utc(2026, 3, 8, 23))
    first = utc(2026, 3, 1, 23)  # Monday 00:00:00 Amsterdam: in
    last = utc(2026, 3, 8, 22, 59, 59)  # Sunday 23:59:59 Amsterdam: in
    await history.add_post(GUILD, A, numbers(first, 120, 5_000, comments=20), LOGGED)
    await history.add_post(GUILD, B, numbers(last, 70, 1_000, comments=5), LOGGED)
    await history.add_post(GUILD, A, numbers(utc(2026, 3, 8, 23), 999, 5_000), LOGGED)  # Monday 00:00: out
    await history.add_post(GUILD, A, numbers(utc(2026, 3, 1, 22, 59, 59), 999, 5_000), LOGGED)  # out
    await history.add_post(OTHER_GUILD, A, numbers(utc(2026, 3, 4), 999, 5_000), LOGGED)  # other server
    # A post imported from a file counts like one logged by hand.
    await history.import_rows(GUILD, C, [numbers(utc(2026, 3, 5, 9), 30, 2_000)], [], LOGGED)
    found = sorted(await boards.week_posts(GUILD, start, end), key=lambda p: p.posted_at)
    assert found == [
        WeekPost(A, first, 120, 5_000),
        WeekPost(C, utc(2026, 3, 5, 9), 30, 2_000),
        WeekPost(B, last, 70, 1_000),
    ]
    assert await boards.week_posts(OTHER_GUILD, start, end) == [WeekPost(A, utc(2026, 3, 4), 999, 5_000)]
    assert await boards.week_posts(GUILD + 5, start, end) == []


async def test_earlier_posts_only_for_members_who_posted_in_the_week(
    history: HistoryRepository, boards: LeaderboardRepository
) -> None:
    await post(history, A, utc(2026, 3, 3, 12), 100, 1_000)  # W10
    await post(history, A, utc(2026, 2, 18, 12), 50, 1_000)  # W8: earlier
    await post(history, A, utc(2026, 2, 9, 12), 60, 1_000)  # W7: earlier
    await post(history, A, utc(2026, 1, 28, 12), 70, 1_000)  # W5: before `since`
    await post(history, B, utc(2026, 2, 18, 12), 80, 1_000)  # only earlier: not on this week's board
    await post(history, C, utc(2026, 3, 4, 12), 90, 1_000)  # only this week
    await history.add_post(OTHER_GUILD, A, numbers(utc(2026, 2, 19), 10, 1_000), LOGGED)
    since = W10.shifted(-4).start(AMSTERDAM)
    assert since == utc(2026, 2, 1, 23)
    found = await boards.earlier_posts(GUILD, W10.start(AMSTERDAM), W10.end(AMSTERDAM), since)
    assert sorted(found, key=lambda p: p.posted_at) == [
        WeekPost(A, utc(2026, 2, 9, 12), 60, 1_000),
        WeekPost(A, utc(2026, 2, 18, 12), 50, 1_000),
    ]


# --- streaks ------------------------------------------------------------------------------------------

# 2026-W50 … 2026-W53 (Mon 2026-12-28 to Sun 2027-01-03), then 2027-W01; a Wednesday noon in each.
NOON = {
    IsoWeek(2026, 50): utc(2026, 12, 9, 11),
    IsoWeek(2026, 51): utc(2026, 12, 16, 11),
    IsoWeek(2026, 52): utc(2026, 12, 23, 11),
    IsoWeek(2026, 53): utc(2026, 12, 30, 11),
    IsoWeek(2027, 1): utc(2027, 1, 6, 11),
}


async def streak_history(history: HistoryRepository) -> None:
    weeks = list(NOON)
    for week in weeks:  # every week
        await post(history, 1, NOON[week], 10, 1_000)
    for week in (weeks[0], weeks[2], weeks[3], weeks[4]):  # a gap in 2026-W51
        await post(history, 2, NOON[week], 10, 1_000)
    await post(history, 2, utc(2027, 1, 2, 11), 10, 1_000)  # a second post in week 53, in the new year
    await post(history, 3, NOON[weeks[4]], 10, 1_000)  # only the last week, twice
    await post(history, 3, NOON[weeks[4]] + timedelta(days=1), 10, 1_000)
    await post(history, 4, NOON[weeks[3]], 10, 1_000)  # week 53 but not 2027-W01
    # Sunday 2027-01-03 23:30 (week 53) and Monday 2027-01-04 00:30 (2027-W01), Amsterdam time.
    await post(history, 5, utc(2027, 1, 3, 22, 30), 10, 1_000)
    await post(history, 5, utc(2027, 1, 3, 23, 30), 10, 1_000)
    await history.add_post(OTHER_GUILD, 3, numbers(NOON[weeks[3]], 10, 1_000), LOGGED)


async def test_streaks_across_the_year_end_with_week_53(
    history: HistoryRepository, boards: LeaderboardRepository
) -> None:
    await streak_history(history)
    assert await boards.streaks(GUILD, IsoWeek(2027, 1), AMSTERDAM) == {1: 5, 2: 3, 3: 1, 5: 2}
    assert await boards.streaks(GUILD, IsoWeek(2026, 53), AMSTERDAM) == {1: 4, 2: 2, 4: 1, 5: 1}
    assert await boards.streaks(GUILD, IsoWeek(2026, 51), AMSTERDAM) == {1: 2}
    assert await boards.streaks(GUILD, IsoWeek(2026, 50), AMSTERDAM) == {1: 1, 2: 1}
    # In UTC both of member 5's posts fall on Sunday 2027-01-03, in week 53.
    assert await boards.streaks(GUILD, IsoWeek(2027, 1), UTC) == {1: 5, 2: 3, 3: 1}
    assert await boards.streaks(OTHER_GUILD, IsoWeek(2027, 1), AMSTERDAM) == {}
    assert await boards.streaks(OTHER_GUILD, IsoWeek(2026, 53), AMSTERDAM) == {3: 1}


async def test_streak_board_across_the_year_end(
    history: HistoryRepository, boards: LeaderboardRepository
) -> None:
    await streak_history(history)
    board = await boards.board(GUILD, IsoWeek(2027, 1), AMSTERDAM, "streak", 1)
    assert [(p.rank, p.standing.user_id, p.standing.value, p.standing.posts) for p in board.places] == [
        (1, 1, 5, 1),
        (2, 2, 3, 1),
        (3, 5, 2, 1),
        (4, 3, 1, 2),
    ]


async def test_streaks_of_a_server_without_posts(boards: LeaderboardRepository) -> None:
    assert await boards.streaks(GUILD, W10, AMSTERDAM) == {}


async def test_streaks_for_a_week_before_the_servers_first_post(
    history: HistoryRepository, boards: LeaderboardRepository
) -> None:
    # /leaderboard week:2026-W01 metric:streak in a server that started logging in 2026-W10.
    await post(history, A, utc(2026, 3, 3, 12), 100, 1_000)
    assert await boards.streaks(GUILD, IsoWeek(2026, 1), AMSTERDAM) == {}
    assert await boards.board(GUILD, IsoWeek(2026, 1), AMSTERDAM, "streak", 1) == Board(
        IsoWeek(2026, 1), "streak", (), 1, 0
    )


# --- follower counts ----------------------------------------------------------------------------------


async def test_follower_counts_before_and_at_the_end_of_the_week(
    history: HistoryRepository, boards: LeaderboardRepository
) -> None:
    before, during = utc(2026, 2, 25, 12), utc(2026, 3, 3, 12)
    # A: a post and a follower count at the same moment, both before and during the week: the count wins.
    await post(history, A, before, 10, 3_900)
    await history.add_followers(GUILD, A, 4_000, taken_at=before)
    await history.add_followers(GUILD, A, 5_100, taken_at=during)
    await post(history, A, during, 10, 5_000)  # logged after the count, still loses to it
    # B: nothing before the week: left out.
    await post(history, B, during, 10, 8_000)
    # C: the later of a count and a post in the week is the end; the later before it is the start.
    await history.import_rows(
        GUILD,
        C,
        [numbers(utc(2026, 2, 10, 12), 10, 1_800), numbers(utc(2026, 3, 6, 12), 10, 2_100)],
        [FollowerCount(utc(2026, 2, 5, 12), 1_700), FollowerCount(utc(2026, 3, 3, 12), 1_900)],
        LOGGED,
    )
    # D: follower counts only.
    await history.add_followers(GUILD, D, 700, taken_at=utc(2026, 2, 20))
    await history.add_followers(GUILD, D, 800, taken_at=utc(2026, 3, 8, 22, 59))  # Sunday 23:59
    await history.add_followers(GUILD, D, 900, taken_at=utc(2026, 3, 8, 23))  # Monday 00:00: next week
    # E: a count before, nothing in the week.
    await history.add_followers(GUILD, E, 5_000, taken_at=before)
    await history.add_followers(OTHER_GUILD, A, 1, taken_at=during)
    counts = await boards.follower_counts(GUILD, W10.start(AMSTERDAM), W10.end(AMSTERDAM))
    assert counts == {A: (4_000, 5_100), C: (1_800, 2_100), D: (700, 800)}
    assert await boards.follower_counts(GUILD, W11.start(AMSTERDAM), W11.end(AMSTERDAM)) == {D: (800, 900)}
    assert await boards.follower_counts(GUILD + 5, W10.start(AMSTERDAM), W10.end(AMSTERDAM)) == {}


# --- boards -------------------------------------------------------------------------------------------

A_AT, B_AT, C_AT = utc(2026, 3, 3, 12), utc(2026, 3, 4, 12), utc(2026, 3, 5, 12)


async def week_ten(history: HistoryRepository) -> None:
    """The issue's three accounts in 2026-W10, with history before it."""
    # A, 5k: 3.8% in W8 and W9, 7.6% in W10, then a follower count of 5 500.
    await post(history, A, utc(2026, 2, 18, 12), 190, 5_000)
    await post(history, A, utc(2026, 2, 25, 12), 190, 5_000)
    await post(history, A, A_AT, 380, 5_000)
    await history.add_followers(GUILD, A, 5_500, taken_at=utc(2026, 3, 6, 12))
    # B, 50k then 60k: 2.5% in W8, nothing in W9, 2.0% in W10.
    await post(history, B, utc(2026, 2, 18, 13), 1_250, 50_000)
    await post(history, B, B_AT, 1_200, 60_000)
    # C, 2M: 2.6% in W10 only, imported.
    await history.import_rows(GUILD, C, [numbers(C_AT, 52_000, 2_000_000)], [], LOGGED)
    # D: posted in W9 only; a follower count in W10.
    await post(history, D, utc(2026, 2, 26, 12), 10, 1_000)
    await history.add_followers(GUILD, D, 1_100, taken_at=utc(2026, 3, 7, 12))
    # Another server's week must not mix in.
    await history.add_post(OTHER_GUILD, E, numbers(A_AT, 99_999, 1_000), LOGGED)


async def test_score_board(history: HistoryRepository, boards: LeaderboardRepository) -> None:
    await week_ten(history)
    board = await boards.board(GUILD, W10, AMSTERDAM, "score", 1)
    assert board == Board(
        W10,
        "score",
        (
            Place(1, Standing(A, Fraction(304, 49), 1, A_AT, (exact("7.6"),))),
            Place(2, Standing(B, Fraction(400, 153), 1, B_AT, (exact("2.0"),))),
            Place(3, Standing(C, Fraction(26, 15), 1, C_AT, (exact("2.6"),))),
        ),
        1,
        0,
    )
    empty = await boards.board(GUILD, W10, AMSTERDAM, "score", 2)
    assert (empty.places, empty.min_posts, empty.below_minimum) == ((), 2, 3)
    assert await boards.board(GUILD, W11, AMSTERDAM, "score", 1) == Board(W11, "score", (), 1, 0)


async def test_improved_board(history: HistoryRepository, boards: LeaderboardRepository) -> None:
    await week_ten(history)
    board = await boards.board(GUILD, W10, AMSTERDAM, "improved", 1)
    assert board == Board(
        W10,
        "improved",
        (
            Place(1, Standing(A, Fraction(100), 1, A_AT, (exact("7.6"), exact("3.8")))),
            Place(2, Standing(B, Fraction(-20), 1, B_AT, (exact("2.0"), exact("2.5")))),
        ),
        1,
        0,
    )


async def test_improved_looks_back_four_weeks_only(
    history: HistoryRepository, boards: LeaderboardRepository
) -> None:
    await post(history, A, A_AT, 300, 10_000)  # 3% in W10
    await post(history, A, utc(2026, 2, 1, 22, 59), 100, 10_000)  # Sunday 23:59 of W5: too early
    await post(history, A, utc(2026, 2, 1, 23), 200, 10_000)  # Monday 00:00 of W6: the first week counted
    board = await boards.board(GUILD, W10, AMSTERDAM, "improved", 1)
    assert board.places == (Place(1, Standing(A, Fraction(50), 1, A_AT, (Fraction(3), Fraction(2)))),)


async def test_streak_board(history: HistoryRepository, boards: LeaderboardRepository) -> None:
    await week_ten(history)
    board = await boards.board(GUILD, W10, AMSTERDAM, "streak", 1)
    assert board == Board(
        W10,
        "streak",
        (
            Place(1, Standing(A, Fraction(3), 1, A_AT)),
            Place(2, Standing(B, Fraction(1), 1, B_AT)),  # same streak as C, earlier first post
            Place(2, Standing(C, Fraction(1), 1, C_AT)),
        ),
        1,
        0,
    )


async def test_growth_board(history: HistoryRepository, boards: LeaderboardRepository) -> None:
    await week_ten(history)
    board = await boards.board(GUILD, W10, AMSTERDAM, "growth", 1)
    assert board == Board(
        W10,
        "growth",
        (
            Place(1, Standing(B, Fraction(20), 1, B_AT, (Fraction(50_000), Fraction(60_000)))),
            Place(2, Standing(A, Fraction(10), 1, A_AT, (Fraction(5_000), Fraction(5_500)))),
        ),
        1,
        1,  # D grew 10% but did not post this week; C has no count before it
    )


async def test_visibility(history: HistoryRepository, boards: LeaderboardRepository) -> None:
    now = utc(2026, 3, 9)
    assert await boards.member_visibility(GUILD, A) == "show"
    assert await boards.visibility(GUILD) == {}
    await boards.set_visibility(GUILD, A, "hide", now)
    await boards.set_visibility(GUILD, B, "anonymous", now)
    await boards.set_visibility(GUILD, C, "anonymous", now)
    await boards.set_visibility(GUILD, C, "show", now)  # changed back
    await boards.set_visibility(OTHER_GUILD, C, "hide", now)
    assert await boards.visibility(GUILD) == {A: "hide", B: "anonymous"}
    assert await boards.visibility(OTHER_GUILD) == {C: "hide"}
    assert [await boards.member_visibility(GUILD, m) for m in (A, B, C)] == ["hide", "anonymous", "show"]
    await week_ten(history)
    board = await boards.board(GUILD, W10, AMSTERDAM, "score", 1)
    assert board.places == (
        Place(1, Standing(B, Fraction(400, 153), 1, B_AT, (exact("2.0"),)), anonymous=True),
        Place(2, Standing(C, Fraction(26, 15), 1, C_AT, (exact("2.6"),)), anonymous=False),
    )


# --- the archive --------------------------------------------------------------------------------------

CHANNEL, MESSAGE = 555, 777
POSTED = utc(2026, 3, 9, 8, 0, 3)


async def test_archive_round_trip(history: HistoryRepository, boards: LeaderboardRepository) -> None:
    await week_ten(history)
    await boards.set_visibility(GUILD, B, "anonymous", POSTED)
    week = [
        await boards.board(GUILD, W10, AMSTERDAM, m, 1) for m in ("score", "improved", "streak", "growth")
    ]
    assert await boards.archived(GUILD, W10, "score") is None
    await boards.archive(GUILD, CHANNEL, MESSAGE, POSTED, week)
    for board in week:
        archived = await boards.archived(GUILD, W10, board.metric)
        assert archived is not None
        assert (archived.week, archived.metric, archived.places, archived.min_posts) == (
            W10,
            board.metric,
            board.places,
            1,
        )
    assert (await boards.archived(GUILD, W10, "score")).places[1].anonymous is True  # type: ignore[union-attr]
    assert await boards.archived(GUILD, W9, "score") is None
    assert await boards.archived(OTHER_GUILD, W10, "score") is None
    assert await boards.post_of(GUILD, W10) == (CHANNEL, MESSAGE)
    assert await boards.post_of(GUILD, W9) is None


async def test_archiving_the_same_week_twice_keeps_the_first(
    history: HistoryRepository, boards: LeaderboardRepository
) -> None:
    await week_ten(history)
    first = await boards.board(GUILD, W10, AMSTERDAM, "score", 1)
    await boards.archive(GUILD, CHANNEL, MESSAGE, POSTED, [first])
    await post(history, E, utc(2026, 3, 6), 5_000, 1_000)  # logged late: would now rank first
    second = await boards.board(GUILD, W10, AMSTERDAM, "score", 1)
    assert second.places[0].standing.user_id == E
    await boards.archive(GUILD, CHANNEL + 1, MESSAGE + 1, POSTED + timedelta(hours=1), [second])
    archived = await boards.archived(GUILD, W10, "score")
    assert archived is not None and archived.places == first.places
    assert await boards.post_of(GUILD, W10) == (CHANNEL, MESSAGE)
    assert await boards.posted_weeks(GUILD) == [W10]


async def test_an_empty_week_archives_as_an_empty_board(boards: LeaderboardRepository) -> None:
    await boards.archive(GUILD, CHANNEL, None, POSTED, [Board(W10, "score", (), 2, 0)])
    assert await boards.archived(GUILD, W10, "score") == Board(W10, "score", (), 2, 0)
    assert await boards.archived(GUILD, W10, "growth") == Board(W10, "growth", (), 2, 0)
    assert await boards.post_of(GUILD, W10) == (CHANNEL, None)


async def test_a_member_who_deleted_their_data_stays_an_anonymous_place(
    history: HistoryRepository, boards: LeaderboardRepository, db: Database
) -> None:
    await week_ten(history)
    await boards.archive(
        GUILD, CHANNEL, MESSAGE, POSTED, [await boards.board(GUILD, W10, AMSTERDAM, "score", 1)]
    )
    async with db.write() as conn:
        await conn.execute("UPDATE leaderboard_archive SET user_id = NULL WHERE user_id = ?", (B,))
    archived = await boards.archived(GUILD, W10, "score")
    assert archived is not None
    assert [(p.rank, p.standing.user_id, p.anonymous) for p in archived.places] == [
        (1, A, False),
        (2, 0, True),
        (3, C, False),
    ]


def score_board(week: IsoWeek, *values: tuple[int, str]) -> Board:
    return rank(week, "score", [Standing(user, exact(v), 1, utc(2026, 1, 1)) for user, v in values])


async def test_weeks_won_last_posted_and_posted_weeks(boards: LeaderboardRepository) -> None:
    assert await boards.last_posted(GUILD) is None
    assert await boards.posted_weeks(GUILD) == []
    assert await boards.weeks_won(GUILD, A) == 0
    w53, w01 = IsoWeek(2026, 53), IsoWeek(2027, 1)
    improved_c = rank(w53, "improved", [Standing(C, Fraction(50), 1, utc(2026, 12, 30))])
    await boards.archive(GUILD, CHANNEL, 1, POSTED, [score_board(W10, (A, "3"), (B, "2"))])
    await boards.archive(
        GUILD, CHANNEL, 2, POSTED, [score_board(w53, (A, "2.004"), (B, "1.995")), improved_c]
    )
    await boards.archive(GUILD, CHANNEL, 3, POSTED, [score_board(w01, (C, "1"), (A, "0.5"))])
    await boards.archive(OTHER_GUILD, CHANNEL, 4, POSTED, [score_board(W11, (A, "1"))])
    assert await boards.weeks_won(GUILD, A) == 2  # W10, and week 53 shared with B
    assert await boards.weeks_won(GUILD, B) == 1
    assert await boards.weeks_won(GUILD, C) == 1  # 2027-W01; first on `improved` does not count
    assert await boards.weeks_won(OTHER_GUILD, A) == 1
    assert await boards.last_posted(GUILD) == w01
    assert await boards.posted_weeks(GUILD) == [w01, w53, W10]
    assert await boards.posted_weeks(OTHER_GUILD) == [W11]
