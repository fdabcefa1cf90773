"""Storing TikTok's analytics export: posts known by their video id, day counts, activity hours, the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.history import FollowerCount, PostNumbers, TikTokImportOutcome
from bot.domain.tiktok_export import ActivityHour
from bot.storage.database import Database
from bot.storage.history import HistoryRepository
from bot.storage.privacy import PrivacyRepository

GUILD, MEMBER, OTHER = 10, 20, 21
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def noon(days_ago: int) -> datetime:
    return NOW - timedelta(days=days_ago)


def video(
    days_ago: int, likes: int = 100, views: int | None = 2_000, title: str | None = "Clip"
) -> PostNumbers:
    return PostNumbers(noon(days_ago), likes, 10, 5, 0, views, 1_000, title)


def hours(active: list[int], start: datetime = NOW) -> list[ActivityHour]:
    return [ActivityHour(start + timedelta(hours=i), value) for i, value in enumerate(active)]


async def test_first_import_stores_everything(db: Database) -> None:
    repo = HistoryRepository(db)
    outcome = await repo.import_tiktok(
        GUILD,
        MEMBER,
        [("7301", video(3)), ("7302", video(2))],
        [FollowerCount(noon(3), 1_000), FollowerCount(noon(2), 1_010)],
        hours([5, 9, 0]),
        "lisa.maakt",
        NOW,
    )
    assert outcome == TikTokImportOutcome(2, 0, 2, 0, 3, 0)
    posts = await repo.posts(GUILD, MEMBER)
    assert [(p.video_id, p.likes, p.saves) for p in posts] == [("7302", 100, 0), ("7301", 100, 0)]
    assert [s.followers for s in await repo.snapshots(GUILD, MEMBER)] == [1_010, 1_000]
    assert await repo.follower_activity(GUILD, MEMBER) == [
        (NOW, 5),
        (NOW + timedelta(hours=1), 9),
        (NOW + timedelta(hours=2), 0),
    ]
    assert await repo.tiktok_handle(GUILD, MEMBER) == "lisa.maakt"
    assert await repo.tiktok_handle(GUILD, OTHER) is None
    # One batch: undo takes the whole import back.
    batch = await repo.last_batch(GUILD, MEMBER)
    assert batch is not None and (batch.kind, batch.posts, batch.followers) == ("import", 2, 2)


async def test_overlapping_import_updates_what_grew_and_adds_nothing_twice(db: Database) -> None:
    repo = HistoryRepository(db)
    await repo.import_tiktok(
        GUILD,
        MEMBER,
        [("7301", video(3, likes=100, views=2_000)), ("7302", video(2, title=None))],
        [FollowerCount(noon(3), 1_000), FollowerCount(noon(2), 1_010)],
        hours([5, 9]),
        "lisa.maakt",
        NOW,
    )
    later = NOW + timedelta(days=1)
    outcome = await repo.import_tiktok(
        GUILD,
        MEMBER,
        [
            (
                "7301",
                video(3, likes=90, views=2_500),
            ),  # likes dipped (a deleted like): the higher figure stays
            ("7302", video(2, title="Now with a title")),
            ("7303", video(1)),
        ],
        # Day 2 was not final in the first export; day 1 is new.
        [FollowerCount(noon(3), 1_000), FollowerCount(noon(2), 1_020), FollowerCount(noon(1), 1_030)],
        hours([5, 12, 3]),
        "lisa.maakt",
        later,
    )
    assert outcome == TikTokImportOutcome(
        posts_added=1, posts_updated=2, followers_added=1, followers_updated=1, activity_hours=2, unchanged=1
    )
    posts = {p.video_id: p for p in await repo.posts(GUILD, MEMBER)}
    assert len(posts) == 3
    assert (posts["7301"].likes, posts["7301"].views) == (100, 2_500)
    assert posts["7302"].title == "Now with a title"
    assert [s.followers for s in await repo.snapshots(GUILD, MEMBER)] == [1_030, 1_020, 1_000]
    assert [active for _, active in await repo.follower_activity(GUILD, MEMBER)] == [5, 12, 3]

    again = await repo.import_tiktok(
        GUILD,
        MEMBER,
        [("7303", video(1))],
        [FollowerCount(noon(1), 1_030)],
        [],
        "lisa.maakt",
        later,
    )
    assert again == TikTokImportOutcome(0, 0, 0, 0, 0, 2)
    assert not again.changed
    # Nothing new: no empty batch for undo to offer.
    batch = await repo.last_batch(GUILD, MEMBER)
    assert batch is not None and batch.created_at == later and batch.posts == 1


async def test_members_and_servers_stay_apart(db: Database) -> None:
    repo = HistoryRepository(db)
    await repo.import_tiktok(GUILD, MEMBER, [("7301", video(3))], [], hours([4]), "lisa.maakt", NOW)
    outcome = await repo.import_tiktok(GUILD, OTHER, [("7301", video(3))], [], hours([7]), "sam", NOW)
    assert outcome.posts_added == 1
    outcome = await repo.import_tiktok(GUILD + 1, MEMBER, [("7301", video(3))], [], [], "lisa.maakt", NOW)
    assert outcome.posts_added == 1
    assert await repo.follower_activity(GUILD, MEMBER) == [(NOW, 4)]
    assert await repo.follower_activity(GUILD, OTHER) == [(NOW, 7)]
    assert await repo.follower_activity(GUILD + 1, MEMBER) == []


async def test_follower_counts_come_from_counts_and_posts(db: Database) -> None:
    repo = HistoryRepository(db)
    await repo.add_followers(GUILD, MEMBER, 900, taken_at=noon(10))
    await repo.import_rows(GUILD, MEMBER, [video(5)], [], NOW)
    assert sorted(await repo.follower_counts(GUILD, MEMBER)) == [(noon(10), 900), (noon(5), 1_000)]
    assert await repo.follower_counts(GUILD, OTHER) == []


async def test_privacy_exports_and_deletes_the_tiktok_data(db: Database) -> None:
    repo = HistoryRepository(db)
    await repo.import_tiktok(GUILD, MEMBER, [("7301", video(3))], [], hours([4, 6]), "lisa.maakt", NOW)
    await repo.import_tiktok(GUILD, OTHER, [("7309", video(3))], [], hours([1]), "sam", NOW)
    privacy = PrivacyRepository(db)
    counts = await privacy.counts(MEMBER, GUILD)
    assert (counts.posts, counts.activity_hours) == (1, 2)
    export = await privacy.export(MEMBER, GUILD)
    server = export.servers[0]
    assert server.records["tiktok_account"] == "lisa.maakt"
    assert server.records["follower_activity"] == [
        {"hour": "2026-11-22T12:00:00.000000Z", "active_followers": 4},
        {"hour": "2026-11-22T13:00:00.000000Z", "active_followers": 6},
    ]
    assert [p.video_id for p in server.posts] == ["7301"]
    deleted = await privacy.delete_member(MEMBER, GUILD)
    assert deleted.activity_hours == 2
    assert await repo.follower_activity(GUILD, MEMBER) == []
    assert await repo.tiktok_handle(GUILD, MEMBER) is None
    assert await repo.follower_activity(GUILD, OTHER) == [(NOW, 1)]
    assert await repo.tiktok_handle(GUILD, OTHER) == "sam"
    await privacy.delete_server(GUILD)
    assert await repo.follower_activity(GUILD, OTHER) == []
    assert await repo.tiktok_handle(GUILD, OTHER) is None
