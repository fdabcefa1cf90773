"""Member history in a real SQLite file: round trips, imports, deletes, undo, goals."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from bot.domain.history import FollowerCount, FollowerSnapshot, Goal, LoggedPost, PostNumbers
from bot.storage.database import Database, from_text, open_database, to_text
from bot.storage.history import HistoryRepository, ImportOutcome
from tests.databases import INTEGRITY_ERRORS, Backend, database_url

GUILD, MEMBER, OTHER = 10, 20, 21
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def repo(db: Database) -> HistoryRepository:
    return HistoryRepository(db)


def numbers(days_ago: float, likes: int = 300, followers: int = 5000, **kw: object) -> PostNumbers:
    values: dict[str, object] = {
        "posted_at": NOW - timedelta(days=days_ago),
        "likes": likes,
        "comments": 40,
        "shares": 25,
        "saves": 15,
        "views": None,
        "followers": followers,
        "title": None,
    }
    values.update(kw)
    return PostNumbers(**values)  # type: ignore[arg-type]


def test_time_text_is_fixed_width_and_sorts_like_time() -> None:
    moments = [
        NOW,
        NOW + timedelta(microseconds=1),
        NOW + timedelta(seconds=1),
        datetime(2031, 1, 1, tzinfo=UTC),
    ]
    texts = [to_text(m) for m in moments]
    assert texts[0] == "2025-06-01T12:00:00.000000Z"
    assert {len(t) for t in texts} == {27}
    assert sorted(texts) == texts
    assert [from_text(t) for t in texts] == moments
    with pytest.raises(ValueError):
        to_text(datetime(2025, 1, 1))  # naive: refused


async def test_post_round_trip(repo: HistoryRepository) -> None:
    given = numbers(3, views=12_345, title="Mijn video")
    stored = await repo.add_post(GUILD, MEMBER, given, logged_at=NOW)
    assert stored == LoggedPost(
        stored.id, GUILD, MEMBER, given.posted_at, NOW, 300, 40, 25, 15, 12_345, 5000, "Mijn video"
    )
    assert await repo.posts(GUILD, MEMBER) == [stored]
    assert await repo.posts(GUILD, OTHER) == []
    assert await repo.posts(GUILD + 1, MEMBER) == []


async def test_posts_newest_first_and_since(repo: HistoryRepository) -> None:
    old = await repo.add_post(GUILD, MEMBER, numbers(30), NOW)
    new = await repo.add_post(GUILD, MEMBER, numbers(1), NOW)
    middle = await repo.add_post(GUILD, MEMBER, numbers(10), NOW)
    assert await repo.posts(GUILD, MEMBER) == [new, middle, old]
    assert await repo.posts(GUILD, MEMBER, since=NOW - timedelta(days=10)) == [new, middle]
    assert await repo.posts(GUILD, MEMBER, limit=1) == [new]


async def test_latest_followers_from_posts_and_counts(repo: HistoryRepository) -> None:
    assert await repo.latest_followers(GUILD, MEMBER) is None
    await repo.add_post(GUILD, MEMBER, numbers(5, followers=5000), NOW)
    await repo.add_followers(GUILD, MEMBER, 5100, taken_at=NOW - timedelta(days=7), logged_at=NOW)
    assert await repo.latest_followers(GUILD, MEMBER) == (NOW - timedelta(days=5), 5000)
    snapshot = await repo.add_followers(GUILD, MEMBER, 5200, taken_at=NOW - timedelta(days=2))
    assert snapshot == FollowerSnapshot(snapshot.id, GUILD, MEMBER, NOW - timedelta(days=2), 5200)
    assert await repo.latest_followers(GUILD, MEMBER) == (NOW - timedelta(days=2), 5200)
    assert [s.followers for s in await repo.snapshots(GUILD, MEMBER)] == [5200, 5100]
    assert [s.followers for s in await repo.snapshots(GUILD, MEMBER, since=NOW - timedelta(days=3))] == [5200]


async def test_import_is_one_transaction_and_skips_what_is_already_there(repo: HistoryRepository) -> None:
    posts = [numbers(d) for d in (1, 2, 3)]
    counts = [FollowerCount(NOW - timedelta(days=4), 4900)]
    assert await repo.import_rows(GUILD, MEMBER, posts, counts, NOW) == ImportOutcome(3, 1, 0)
    again = await repo.import_rows(GUILD, MEMBER, [*posts, numbers(4)], counts, NOW)
    assert again == ImportOutcome(1, 0, 4)
    assert len(await repo.posts(GUILD, MEMBER)) == 4
    # Importing nothing new leaves no empty batch behind for "undo".
    batch = await repo.last_batch(GUILD, MEMBER)
    assert await repo.import_rows(GUILD, MEMBER, posts, [], NOW) == ImportOutcome(0, 0, 3)
    assert await repo.last_batch(GUILD, MEMBER) == batch


async def test_failed_import_stores_nothing(repo: HistoryRepository) -> None:
    # Past the domain's validation (which would refuse it), the database's checks are the last line.
    bad = object.__new__(PostNumbers)
    for name in PostNumbers.__dataclass_fields__:
        object.__setattr__(bad, name, getattr(numbers(1), name))
    object.__setattr__(bad, "followers", 0)
    with pytest.raises(INTEGRITY_ERRORS):
        await repo.import_rows(GUILD, MEMBER, [numbers(2), numbers(3), bad], [], NOW)
    assert await repo.posts(GUILD, MEMBER) == []
    assert await repo.last_batch(GUILD, MEMBER) is None


async def test_entry_pages_mix_posts_and_counts_newest_first(repo: HistoryRepository) -> None:
    for day in range(7):
        await repo.add_post(GUILD, MEMBER, numbers(day * 2), NOW)
        await repo.add_followers(GUILD, MEMBER, 5000 + day, taken_at=NOW - timedelta(days=day * 2 + 1))
    await repo.add_post(GUILD, OTHER, numbers(0), NOW)
    first = await repo.entry_page(GUILD, MEMBER, page=1, per_page=5)
    assert (first.total, first.pages, first.page) == (14, 3, 1)
    moments = [e.posted_at if isinstance(e, LoggedPost) else e.taken_at for e in first.entries]
    assert moments == [NOW - timedelta(days=d) for d in range(5)]
    last = await repo.entry_page(GUILD, MEMBER, page=99, per_page=5)
    assert (last.page, len(last.entries)) == (3, 4)
    assert {e.user_id for e in last.entries} == {MEMBER}
    empty = await repo.entry_page(GUILD, OTHER + 1, page=1, per_page=5)
    assert (empty.total, empty.pages, empty.entries) == (0, 1, ())


async def test_delete_only_the_members_own_entry(repo: HistoryRepository) -> None:
    mine = await repo.add_post(GUILD, MEMBER, numbers(1), NOW)
    theirs = await repo.add_post(GUILD, OTHER, numbers(1), NOW)
    assert await repo.entry(GUILD, MEMBER, "post", theirs.id) is None
    assert not await repo.delete_entry(GUILD, MEMBER, "post", theirs.id)
    assert await repo.posts(GUILD, OTHER) == [theirs]
    assert await repo.entry(GUILD, MEMBER, "post", mine.id) == mine
    assert await repo.delete_entry(GUILD, MEMBER, "post", mine.id)
    assert not await repo.delete_entry(GUILD, MEMBER, "post", mine.id)
    assert await repo.posts(GUILD, MEMBER) == []


async def test_undo_removes_the_last_batch_whole(repo: HistoryRepository) -> None:
    first = await repo.add_post(GUILD, MEMBER, numbers(9), NOW)
    await repo.import_rows(GUILD, MEMBER, [numbers(1), numbers(2)], [FollowerCount(NOW, 5000)], NOW)
    batch = await repo.last_batch(GUILD, MEMBER)
    assert batch is not None and (batch.kind, batch.posts, batch.followers) == ("import", 2, 1)
    assert batch.only_entry is None
    assert await repo.undo_batch(GUILD, MEMBER, batch.id)
    assert await repo.posts(GUILD, MEMBER) == [first]
    assert await repo.snapshots(GUILD, MEMBER) == []
    # A stale undo (the batch is no longer the latest) does nothing.
    assert not await repo.undo_batch(GUILD, MEMBER, batch.id)
    previous = await repo.last_batch(GUILD, MEMBER)
    assert previous is not None and (previous.kind, previous.posts, previous.only_entry) == ("post", 1, first)
    await repo.add_followers(GUILD, MEMBER, 5000, NOW)
    assert not await repo.undo_batch(GUILD, MEMBER, previous.id)
    assert await repo.posts(GUILD, MEMBER) == [first]
    # Another member's undo never reaches this member's batch.
    latest = await repo.last_batch(GUILD, MEMBER)
    assert latest is not None
    assert not await repo.undo_batch(GUILD, OTHER, latest.id)


async def test_deleting_the_last_entries_one_by_one_moves_undo_back(repo: HistoryRepository) -> None:
    kept = await repo.add_post(GUILD, MEMBER, numbers(9), NOW)
    single = await repo.add_post(GUILD, MEMBER, numbers(1), NOW)
    await repo.delete_entry(GUILD, MEMBER, "post", single.id)
    batch = await repo.last_batch(GUILD, MEMBER)
    assert batch is not None and batch.posts == 1
    assert await repo.undo_batch(GUILD, MEMBER, batch.id)
    assert kept not in await repo.posts(GUILD, MEMBER)
    assert await repo.last_batch(GUILD, MEMBER) is None


async def test_goals_round_trip_and_replace_per_metric(repo: HistoryRepository) -> None:
    er = Goal(GUILD, MEMBER, "engagement_rate", Fraction(445, 100), date(2025, 9, 1), NOW, Fraction(78, 100))
    followers = Goal(GUILD, MEMBER, "followers", Fraction(10_000), date(2025, 12, 31), NOW, None)
    await repo.set_goal(er)
    await repo.set_goal(followers)
    assert await repo.goals(GUILD, MEMBER) == [er, followers]
    newer = Goal(GUILD, MEMBER, "followers", Fraction(12_000), date(2026, 1, 31), NOW, Fraction(9_000))
    await repo.set_goal(newer)
    assert await repo.goals(GUILD, MEMBER) == [er, newer]
    assert await repo.goals(GUILD, OTHER) == []
    assert await repo.clear_goals(GUILD, MEMBER) == 2
    assert await repo.goals(GUILD, MEMBER) == []


async def test_committed_entries_survive_reopening(backend: Backend, tmp_path: Path) -> None:
    async with database_url(backend, tmp_path) as url:
        db = await open_database(url)
        await db.migrate()
        stored = await HistoryRepository(db).add_post(GUILD, MEMBER, numbers(1), NOW)
        await db.close()
        db = await open_database(url)
        try:
            assert await HistoryRepository(db).posts(GUILD, MEMBER) == [stored]
        finally:
            await db.close()


async def test_posts_logged_at_once_share_commits_and_each_gets_its_own_row(repo: HistoryRepository) -> None:
    stored = await asyncio.gather(
        *(repo.add_post(GUILD, MEMBER if n % 2 else OTHER, numbers(n, likes=n), NOW) for n in range(40))
    )
    assert len({p.id for p in stored}) == 40
    in_db = {p.id: p for p in await repo.posts(GUILD, MEMBER) + await repo.posts(GUILD, OTHER)}
    assert {p.id: p for p in stored} == in_db
    assert all(p.likes == n and p.user_id == (MEMBER if n % 2 else OTHER) for n, p in enumerate(stored))
    # Every post is its own entry for "undo".
    last = await repo.last_batch(GUILD, MEMBER)
    assert last is not None and last.only_entry == stored[39]
    assert await repo.undo_batch(GUILD, MEMBER, last.id)
    assert len(await repo.posts(GUILD, MEMBER)) == 19


async def test_one_bad_post_in_a_group_fails_alone(repo: HistoryRepository) -> None:
    bad = object.__new__(PostNumbers)
    for name in PostNumbers.__dataclass_fields__:
        object.__setattr__(bad, name, getattr(numbers(1), name))
    object.__setattr__(bad, "likes", -1)
    results = await asyncio.gather(
        repo.add_post(GUILD, MEMBER, numbers(1), NOW),
        repo.add_post(GUILD, MEMBER, bad, NOW),
        repo.add_post(GUILD, MEMBER, numbers(2), NOW),
        return_exceptions=True,
    )
    assert isinstance(results[1], INTEGRITY_ERRORS)
    assert isinstance(results[0], LoggedPost) and isinstance(results[2], LoggedPost)
    assert await repo.posts(GUILD, MEMBER) == [results[0], results[2]]


# --- what an import counts as already there ---------------------------------------------------------------


async def test_import_same_post_is_every_figure_and_the_moment_not_the_title(repo: HistoryRepository) -> None:
    stored = numbers(3, views=9_000, title="First title")
    await repo.import_rows(GUILD, MEMBER, [stored], [], NOW)
    same_but_title = numbers(3, views=9_000, title="Another title")
    changed = [
        numbers(3, views=9_000, likes=301),
        numbers(3, views=9_000, comments=41),
        numbers(3, views=9_000, shares=26),
        numbers(3, views=9_000, saves=16),
        numbers(3, views=9_001),
        numbers(3, views=None),
        numbers(3, views=9_000, followers=5_001),
        numbers(3, views=9_000, posted_at=stored.posted_at + timedelta(microseconds=1)),
    ]
    outcome = await repo.import_rows(GUILD, MEMBER, [same_but_title, *changed], [], NOW)
    assert outcome == ImportOutcome(len(changed), 0, 1)
    posts = await repo.posts(GUILD, MEMBER)
    assert len(posts) == 1 + len(changed)
    # The stored row keeps its own title; the skipped row's is not taken over (the changed rows have none).
    assert [p.title for p in posts if p.title] == ["First title"]


async def test_import_without_views_matches_a_stored_post_without_views(repo: HistoryRepository) -> None:
    await repo.import_rows(GUILD, MEMBER, [numbers(2, views=None)], [], NOW)
    again = await repo.import_rows(GUILD, MEMBER, [numbers(2, views=None), numbers(2, views=1)], [], NOW)
    assert again == ImportOutcome(1, 0, 1)
    assert sorted((p.views or 0) for p in await repo.posts(GUILD, MEMBER)) == [0, 1]


async def test_import_repeats_within_one_file_are_stored_once(repo: HistoryRepository) -> None:
    first, repeat = numbers(1, title="kept"), numbers(1, title="dropped")
    counts = [FollowerCount(NOW, 5_000), FollowerCount(NOW, 5_000), FollowerCount(NOW, 5_001)]
    assert await repo.import_rows(GUILD, MEMBER, [first, repeat, numbers(2)], counts, NOW) == ImportOutcome(
        2, 2, 2
    )
    assert [p.title for p in await repo.posts(GUILD, MEMBER)] == ["kept", None]
    assert sorted(s.followers for s in await repo.snapshots(GUILD, MEMBER)) == [5_000, 5_001]


async def test_import_only_the_members_own_rows_count_as_already_there(repo: HistoryRepository) -> None:
    post, count = numbers(1), FollowerCount(NOW - timedelta(days=1), 5_000)
    await repo.import_rows(GUILD, OTHER, [post], [count], NOW)
    await repo.import_rows(GUILD + 1, MEMBER, [post], [count], NOW)
    # A logged post's follower figure is not a follower count: the snapshot is still new.
    await repo.add_post(GUILD, MEMBER, numbers(1, likes=7), NOW)
    assert await repo.import_rows(GUILD, MEMBER, [post], [count], NOW) == ImportOutcome(1, 1, 0)


async def test_import_follower_count_is_the_same_when_moment_and_figure_are(repo: HistoryRepository) -> None:
    at = NOW - timedelta(days=5)
    await repo.add_followers(GUILD, MEMBER, 5_000, taken_at=at, logged_at=NOW)
    counts = [
        FollowerCount(at, 5_000),
        FollowerCount(at, 5_100),
        FollowerCount(at + timedelta(seconds=1), 5_000),
    ]
    assert await repo.import_rows(GUILD, MEMBER, [], counts, NOW) == ImportOutcome(0, 2, 1)
    assert sorted(s.followers for s in await repo.snapshots(GUILD, MEMBER)) == [5_000, 5_000, 5_100]


async def test_import_rows_at_the_edges_of_the_files_span_are_found(repo: HistoryRepository) -> None:
    # The stored rows are looked up between the file's earliest and latest moment: both ends included.
    earliest, latest = numbers(30), numbers(1)
    await repo.import_rows(GUILD, MEMBER, [earliest, latest, numbers(40), numbers(0)], [], NOW)
    outcome = await repo.import_rows(GUILD, MEMBER, [latest, numbers(10), earliest], [], NOW)
    assert outcome == ImportOutcome(1, 0, 2)


def daily(count: int, start_day: int = 0) -> list[PostNumbers]:
    """One post a day, `count` days from `start_day` days ago back; each day's figures the same in every call."""
    days = range(start_day, start_day + count)
    return [numbers(day, likes=100 + day % 50, followers=1_000 + day) for day in days]


async def test_a_full_file_into_a_full_history_stores_exactly_the_new_rows(repo: HistoryRepository) -> None:
    # 5 000 rows (several multi-row INSERTs) of which half are already stored.
    await repo.import_rows(GUILD, MEMBER, daily(5_000), [], NOW)
    batch = await repo.last_batch(GUILD, MEMBER)
    outcome = await repo.import_rows(GUILD, MEMBER, daily(5_000, start_day=2_500), [], NOW)
    assert outcome == ImportOutcome(2_500, 0, 2_500)
    posts = await repo.posts(GUILD, MEMBER)
    assert len(posts) == 7_500
    keys = {(p.posted_at, p.likes, p.followers) for p in posts}
    assert keys == {(p.posted_at, p.likes, p.followers) for p in daily(7_500)}
    latest = await repo.last_batch(GUILD, MEMBER)
    assert latest is not None and batch is not None and latest.id != batch.id
    assert (latest.kind, latest.posts) == ("import", 2_500)


async def test_a_bad_row_at_the_end_of_a_large_import_stores_none_of_it(repo: HistoryRepository) -> None:
    bad = object.__new__(PostNumbers)
    for name in PostNumbers.__dataclass_fields__:
        object.__setattr__(bad, name, getattr(numbers(9_000), name))
    object.__setattr__(bad, "likes", -1)
    with pytest.raises(INTEGRITY_ERRORS):
        await repo.import_rows(GUILD, MEMBER, [*daily(4_999), bad], [FollowerCount(NOW, 10)], NOW)
    assert await repo.posts(GUILD, MEMBER) == []
    assert await repo.snapshots(GUILD, MEMBER) == []
    assert await repo.last_batch(GUILD, MEMBER) is None


async def test_the_database_is_busy_only_while_writes_queue(db: Database) -> None:
    """What decides whether /log followers and /engagement post log:True defer before writing."""
    release, changed = asyncio.Event(), asyncio.Condition()
    entered: list[int] = []

    async def hold(number: int) -> None:
        async with db.write():
            async with changed:
                entered.append(number)
                changed.notify_all()
            await release.wait()

    async def inside(count: int) -> None:
        async with asyncio.timeout(10), changed:
            await changed.wait_for(lambda: len(entered) >= count)
        await asyncio.sleep(0.01)  # and whoever cannot enter is waiting by now

    assert not db.busy
    lone = asyncio.create_task(hold(0))
    await inside(1)
    assert not db.busy  # one write under way is no queue
    # SQLite writes one at a time: a second one waits. PostgreSQL writes side by side until the pool is empty.
    sqlite = db.dialect == "sqlite"
    more = 1 if sqlite else db.pool.get_max_size() - 1  # type: ignore[attr-defined]
    queued = [asyncio.create_task(hold(n)) for n in range(1, more + 1)]
    await inside(1 if sqlite else more + 1)
    assert entered == [0] if sqlite else len(entered) == more + 1
    assert db.busy
    release.set()
    await asyncio.gather(lone, *queued)
    assert sorted(entered) == list(range(more + 1))
    assert not db.busy
