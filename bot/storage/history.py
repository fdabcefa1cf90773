"""Members' logged posts, follower counts and goals."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Literal, TypeVar

from bot.domain.history import (
    FollowerCount,
    FollowerSnapshot,
    Goal,
    LoggedPost,
    PostNumbers,
    TikTokImportOutcome,
    entry_identity,
)
from bot.domain.tiktok_export import ActivityHour
from bot.storage.database import Database, Row, Transaction, from_text, to_text

EntryKind = Literal["post", "followers"]
BatchKind = Literal["post", "followers", "import"]
Entry = LoggedPost | FollowerSnapshot

_POST_COLUMNS = "id, guild_id, user_id, posted_at, logged_at, likes, comments, shares, saves, views, followers, title, video_id"
_SNAPSHOT_COLUMNS = "id, guild_id, user_id, taken_at, followers"


def _post(row: Row) -> LoggedPost:
    return LoggedPost(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        posted_at=from_text(row["posted_at"]),
        logged_at=from_text(row["logged_at"]),
        likes=row["likes"],
        comments=row["comments"],
        shares=row["shares"],
        saves=row["saves"],
        views=row["views"],
        followers=row["followers"],
        title=row["title"],
        video_id=row["video_id"],
    )


def _snapshot(row: Row) -> FollowerSnapshot:
    return FollowerSnapshot(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        taken_at=from_text(row["taken_at"]),
        followers=row["followers"],
    )


def _goal(row: Row) -> Goal:
    return Goal(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        metric=row["metric"],
        target=Fraction(row["target"]),
        by=date.fromisoformat(row["by_date"]),
        set_at=from_text(row["set_at"]),
        baseline=None if row["baseline"] is None else Fraction(row["baseline"]),
    )


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import stored; rows identical to ones already in the history are skipped, not doubled."""

    posts: int
    followers: int
    skipped: int


@dataclass(frozen=True, slots=True)
class Batch:
    """One thing a member logged: a post, a follower count or an import, with what is left of it."""

    id: int
    kind: BatchKind
    created_at: datetime
    posts: int
    followers: int
    # The batch's entry when it holds exactly one (a single logged post or follower count).
    only_entry: Entry | None = None


@dataclass(frozen=True, slots=True)
class EntryPage:
    entries: tuple[Entry, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class HistoryRepository:
    """Reads and writes a member's history; every write is one transaction, committed before it returns."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- writing ---------------------------------------------------------------------------------

    async def add_post(
        self, guild_id: int, user_id: int, post: PostNumbers, logged_at: datetime
    ) -> LoggedPost:
        """Store one post; it is committed when this returns."""
        committer = _committers.get(self.db)
        if committer is None:
            committer = _committers[self.db] = _GroupCommit(self.db)
        post_id = await committer.add((guild_id, user_id, post, logged_at))
        return LoggedPost(
            post_id,
            guild_id,
            user_id,
            post.posted_at,
            logged_at,
            post.likes,
            post.comments,
            post.shares,
            post.saves,
            post.views,
            post.followers,
            post.title,
        )

    async def add_followers(
        self,
        guild_id: int,
        user_id: int,
        followers: int,
        taken_at: datetime,
        logged_at: datetime | None = None,
    ) -> FollowerSnapshot:
        """Store one follower count; it is committed when this returns."""
        logged_at = logged_at or taken_at
        async with self.db.write() as conn:
            batch_id = await _new_batch(conn, guild_id, user_id, "followers", logged_at)
            snapshot_id = await conn.insert(
                "INSERT INTO follower_snapshots (batch_id, guild_id, user_id, taken_at, logged_at, followers) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (batch_id, guild_id, user_id, to_text(taken_at), to_text(logged_at), followers),
            )
        return FollowerSnapshot(snapshot_id, guild_id, user_id, taken_at, followers)

    async def import_rows(
        self,
        guild_id: int,
        user_id: int,
        posts: Sequence[PostNumbers],
        followers: Sequence[FollowerCount],
        logged_at: datetime,
    ) -> ImportOutcome:
        """Store every row in one transaction, skipping rows the history (or the file itself) already has.

        A post is already there when its moment and every figure are equal (the title does not count), a
        follower count when its moment and figure are.
        """
        async with self.db.write() as conn:
            # One read of what the member has in the file's span, the comparison in Python, then a few
            # multi-row INSERTs: row by row (INSERT … WHERE NOT EXISTS) took a round trip per row, ten times as
            # long on PostgreSQL and almost twice on SQLite (bench/bench_import.py), all inside the transaction.
            new_posts = _unseen(
                posts,
                _stored_key,
                await _stored_keys(conn, _STORED_POSTS, guild_id, user_id, [p.posted_at for p in posts]),
            )
            new_counts = _unseen(
                followers,
                _stored_key,
                await _stored_keys(conn, _STORED_COUNTS, guild_id, user_id, [f.taken_at for f in followers]),
            )
            if new_posts or new_counts:
                batch_id = await _new_batch(conn, guild_id, user_id, "import", logged_at)
                await _insert_rows(
                    conn,
                    _INSERT_POSTS,
                    _POST_ROW,
                    [(batch_id, guild_id, user_id, *_post_values(p, logged_at)) for p in new_posts],
                )
                await _insert_rows(
                    conn,
                    _INSERT_COUNTS,
                    _COUNT_ROW,
                    [
                        (batch_id, guild_id, user_id, to_text(f.taken_at), to_text(logged_at), f.followers)
                        for f in new_counts
                    ],
                )
        skipped = len(posts) + len(followers) - len(new_posts) - len(new_counts)
        return ImportOutcome(len(new_posts), len(new_counts), skipped)

    async def import_tiktok(
        self,
        guild_id: int,
        user_id: int,
        posts: Sequence[tuple[str, PostNumbers]],
        followers: Sequence[FollowerCount],
        activity: Sequence[ActivityHour],
        handle: str | None,
        logged_at: datetime,
    ) -> TikTokImportOutcome:
        """Store a TikTok export in one transaction.

        A video already imported keeps its row: its likes, comments, shares and views rise to the export's
        when those grew (counts can dip when viewers delete a comment; the higher figure stays). A follower
        count on a day already imported takes the export's figure, since TikTok finalises its last days late.
        Activity hours are replaced by the export's. `handle` becomes the member's account.
        """
        async with self.db.write() as conn:
            batch_id = await _new_batch(conn, guild_id, user_id, "import", logged_at)
            known = {
                row["video_id"]: row
                for row in await conn.fetch_all(
                    "SELECT id, video_id, likes, comments, shares, views, title FROM logged_posts "
                    "WHERE guild_id = ? AND user_id = ? AND video_id IS NOT NULL",
                    (guild_id, user_id),
                )
            }
            new_posts: list[tuple[str, PostNumbers]] = []
            grown: list[tuple[Any, ...]] = []
            for video_id, post in posts:
                row = known.get(video_id)
                if row is None:
                    new_posts.append((video_id, post))
                    continue
                update = _grown(row, post)
                if update is not None:
                    grown.append(update)
            for start in range(0, len(new_posts), _ROWS_PER_INSERT):
                chunk = new_posts[start : start + _ROWS_PER_INSERT]
                await conn.execute(
                    _INSERT_VIDEO_POSTS + ", ".join([_VIDEO_POST_ROW] * len(chunk)),
                    [
                        value
                        for video_id, post in chunk
                        for value in (batch_id, guild_id, user_id, *_post_values(post, logged_at), video_id)
                    ],
                )
            if grown:
                await conn.execute_many(
                    "UPDATE logged_posts SET likes = ?, comments = ?, shares = ?, views = ?, title = ? WHERE id = ?",
                    grown,
                )
            counts_added, counts_updated = await _store_day_counts(
                conn, batch_id, guild_id, user_id, followers, logged_at
            )
            # Counts the hours added or changed: an hour the export repeats unchanged is no change.
            activity_changed = await conn.execute_many(
                "INSERT INTO follower_activity (guild_id, user_id, hour_at, active) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id, hour_at) DO UPDATE SET active = excluded.active "
                "WHERE follower_activity.active <> excluded.active",
                [(guild_id, user_id, to_text(hour.hour_at), hour.active) for hour in activity],
            )
            if handle is not None:
                await conn.execute(
                    "INSERT INTO tiktok_accounts (guild_id, user_id, handle, imported_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (guild_id, user_id) DO UPDATE SET handle = excluded.handle, "
                    "imported_at = excluded.imported_at",
                    (guild_id, user_id, handle, to_text(logged_at)),
                )
            if not new_posts and not counts_added:
                await conn.execute("DELETE FROM history_batches WHERE id = ?", (batch_id,))
        unchanged = len(posts) - len(new_posts) - len(grown) + len(followers) - counts_added - counts_updated
        return TikTokImportOutcome(
            len(new_posts), len(grown), counts_added, counts_updated, activity_changed, unchanged
        )

    async def delete_entry(self, guild_id: int, user_id: int, kind: EntryKind, entry_id: int) -> bool:
        """Delete one of the member's entries; False when it was not there (already gone, or not theirs)."""
        table = _TABLES[kind]
        async with self.db.write() as conn:
            changed = await conn.execute(
                f"DELETE FROM {table} WHERE id = ? AND guild_id = ? AND user_id = ?",
                (entry_id, guild_id, user_id),
            )
            deleted = changed > 0
            await _drop_empty_batches(conn, guild_id, user_id)
        return deleted

    async def undo_batch(self, guild_id: int, user_id: int, batch_id: int) -> bool:
        """Remove a batch and what it added, if it is still the member's latest; False otherwise."""
        async with self.db.write() as conn:
            row = await conn.fetch_one(
                "SELECT max(id) FROM history_batches WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            if row is None or row[0] != batch_id:
                return False
            await conn.execute("DELETE FROM history_batches WHERE id = ?", (batch_id,))
        return True

    async def set_goal(self, goal: Goal) -> None:
        """Store a goal, replacing the member's goal for the same metric."""
        async with self.db.write() as conn:
            await conn.execute(
                "INSERT INTO goals (guild_id, user_id, metric, target, by_date, set_at, baseline) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id, metric) DO UPDATE SET "
                "target = excluded.target, by_date = excluded.by_date, set_at = excluded.set_at, "
                "baseline = excluded.baseline",
                (
                    goal.guild_id,
                    goal.user_id,
                    goal.metric,
                    str(goal.target),
                    goal.by.isoformat(),
                    to_text(goal.set_at),
                    None if goal.baseline is None else str(goal.baseline),
                ),
            )

    async def clear_goals(self, guild_id: int, user_id: int) -> int:
        """Remove the member's goals; how many there were."""
        async with self.db.write() as conn:
            return await conn.execute(
                "DELETE FROM goals WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )

    # --- reading ---------------------------------------------------------------------------------

    async def posts(
        self, guild_id: int, user_id: int, since: datetime | None = None, limit: int | None = None
    ) -> list[LoggedPost]:
        """The member's posts newest first (by when posted), optionally only from `since` on."""
        sql = f"SELECT {_POST_COLUMNS} FROM logged_posts WHERE guild_id = ? AND user_id = ?"
        params: list[Any] = [guild_id, user_id]
        if since is not None:
            sql += " AND posted_at >= ?"
            params.append(to_text(since))
        sql += " ORDER BY posted_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_post(row) for row in await self.db.fetch_all(sql, params)]

    async def snapshots(
        self, guild_id: int, user_id: int, since: datetime | None = None
    ) -> list[FollowerSnapshot]:
        """The member's follower counts newest first, optionally only from `since` on."""
        sql = f"SELECT {_SNAPSHOT_COLUMNS} FROM follower_snapshots WHERE guild_id = ? AND user_id = ?"
        params: list[Any] = [guild_id, user_id]
        if since is not None:
            sql += " AND taken_at >= ?"
            params.append(to_text(since))
        sql += " ORDER BY taken_at DESC, id DESC"
        return [_snapshot(row) for row in await self.db.fetch_all(sql, params)]

    async def latest_followers(self, guild_id: int, user_id: int) -> tuple[datetime, int] | None:
        """The member's most recent follower count, from a logged post or a follower count."""
        row = await self.db.fetch_one(
            # On the same moment a follower count wins over a post's: it was logged for that purpose.
            "SELECT at, followers, snapshot FROM ("
            " SELECT posted_at AS at, followers, 0 AS snapshot FROM logged_posts"
            " WHERE guild_id = ? AND user_id = ? ORDER BY posted_at DESC, id DESC LIMIT 1) AS latest_post"
            " UNION ALL SELECT at, followers, snapshot FROM ("
            " SELECT taken_at AS at, followers, 1 AS snapshot FROM follower_snapshots"
            " WHERE guild_id = ? AND user_id = ? ORDER BY taken_at DESC, id DESC LIMIT 1) AS latest_count"
            " ORDER BY at DESC, snapshot DESC LIMIT 1",
            (guild_id, user_id, guild_id, user_id),
        )
        return None if row is None else (from_text(row[0]), row[1])

    async def entry_page(self, guild_id: int, user_id: int, page: int, per_page: int) -> EntryPage:
        """One page of the member's posts and follower counts together, newest first."""
        total = await self.count_entries(guild_id, user_id)
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        rows = await self.db.fetch_all(
            "SELECT kind, id, at FROM ("
            " SELECT 'post' AS kind, id, posted_at AS at FROM logged_posts WHERE guild_id = ? AND user_id = ?"
            " UNION ALL"
            " SELECT 'followers', id, taken_at FROM follower_snapshots WHERE guild_id = ? AND user_id = ?) AS entries"
            " ORDER BY at DESC, kind DESC, id DESC LIMIT ? OFFSET ?",
            (guild_id, user_id, guild_id, user_id, per_page, (page - 1) * per_page),
        )
        posts = await self._by_ids("post", [r["id"] for r in rows if r["kind"] == "post"])
        snapshots = await self._by_ids("followers", [r["id"] for r in rows if r["kind"] == "followers"])
        found: dict[tuple[str, int], Entry] = {("post", p.id): p for p in posts}
        found.update({("followers", s.id): s for s in snapshots})
        entries = tuple(found[(r["kind"], r["id"])] for r in rows if (r["kind"], r["id"]) in found)
        return EntryPage(entries, total, page, per_page)

    async def count_entries(self, guild_id: int, user_id: int) -> int:
        row = await self.db.fetch_one(
            "SELECT (SELECT count(*) FROM logged_posts WHERE guild_id = ? AND user_id = ?)"
            " + (SELECT count(*) FROM follower_snapshots WHERE guild_id = ? AND user_id = ?)",
            (guild_id, user_id, guild_id, user_id),
        )
        return int(row[0]) if row else 0

    async def entry(self, guild_id: int, user_id: int, kind: EntryKind, entry_id: int) -> Entry | None:
        """One of the member's entries, or None when it is gone or belongs to someone else."""
        found = await self._by_ids(kind, [entry_id])
        if found and found[0].guild_id == guild_id and found[0].user_id == user_id:
            return found[0]
        return None

    async def last_batch(self, guild_id: int, user_id: int) -> Batch | None:
        """The member's most recent logging action that still has entries."""
        row = await self.db.fetch_one(
            "SELECT b.id, b.kind, b.created_at,"
            " (SELECT count(*) FROM logged_posts p WHERE p.batch_id = b.id) AS posts,"
            " (SELECT count(*) FROM follower_snapshots s WHERE s.batch_id = b.id) AS followers"
            " FROM history_batches b WHERE b.guild_id = ? AND b.user_id = ? ORDER BY b.id DESC LIMIT 1",
            (guild_id, user_id),
        )
        if row is None:
            return None
        only: Entry | None = None
        if row["posts"] + row["followers"] == 1:
            kind: EntryKind = "post" if row["posts"] else "followers"
            table = _TABLES[kind]
            found = await self.db.fetch_one(f"SELECT id FROM {table} WHERE batch_id = ?", (row["id"],))
            only = None if found is None else await self.entry(guild_id, user_id, kind, found["id"])
        return Batch(
            row["id"], row["kind"], from_text(row["created_at"]), row["posts"], row["followers"], only
        )

    async def follower_counts(self, guild_id: int, user_id: int) -> list[tuple[datetime, int]]:
        """Every follower count the member's history holds, from follower counts and from logged posts."""
        rows = await self.db.fetch_all(
            "SELECT taken_at, followers FROM follower_snapshots WHERE guild_id = ? AND user_id = ?"
            " UNION ALL SELECT posted_at, followers FROM logged_posts WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id, guild_id, user_id),
        )
        return [(from_text(row[0]), row[1]) for row in rows]

    async def tiktok_handle(self, guild_id: int, user_id: int) -> str | None:
        """The TikTok account the member's last export came from."""
        row = await self.db.fetch_one(
            "SELECT handle FROM tiktok_accounts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return None if row is None else row[0]

    async def follower_activity(self, guild_id: int, user_id: int) -> list[tuple[datetime, int]]:
        """The member's imported follower activity: (UTC hour, active followers), oldest first."""
        rows = await self.db.fetch_all(
            "SELECT hour_at, active FROM follower_activity WHERE guild_id = ? AND user_id = ? ORDER BY hour_at",
            (guild_id, user_id),
        )
        return [(from_text(row[0]), row[1]) for row in rows]

    async def goals(self, guild_id: int, user_id: int) -> list[Goal]:
        rows = await self.db.fetch_all(
            "SELECT guild_id, user_id, metric, target, by_date, set_at, baseline FROM goals"
            " WHERE guild_id = ? AND user_id = ? ORDER BY metric",
            (guild_id, user_id),
        )
        return [_goal(row) for row in rows]

    async def _by_ids(self, kind: EntryKind, ids: Sequence[int]) -> list[Any]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        if kind == "post":
            rows = await self.db.fetch_all(
                f"SELECT {_POST_COLUMNS} FROM logged_posts WHERE id IN ({marks})", ids
            )
            return [_post(row) for row in rows]
        rows = await self.db.fetch_all(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM follower_snapshots WHERE id IN ({marks})", ids
        )
        return [_snapshot(row) for row in rows]


_TABLES: dict[EntryKind, str] = {"post": "logged_posts", "followers": "follower_snapshots"}
_INSERT_POSTS = (
    "INSERT INTO logged_posts (batch_id, guild_id, user_id, posted_at, logged_at, likes, comments, shares, saves, "
    "views, followers, title) VALUES "
)
_POST_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_COUNTS = (
    "INSERT INTO follower_snapshots (batch_id, guild_id, user_id, taken_at, logged_at, followers) VALUES "
)
_COUNT_ROW = "(?, ?, ?, ?, ?, ?)"
_INSERT_VIDEO_POSTS = (
    "INSERT INTO logged_posts (batch_id, guild_id, user_id, posted_at, logged_at, likes, comments, shares, saves, "
    "views, followers, title, video_id) VALUES "
)
_VIDEO_POST_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
# Twelve or thirteen parameters a row; SQLite allows 32 766 parameters in one statement.
_ROWS_PER_INSERT = 1000
_PendingPost = tuple[int, int, PostNumbers, datetime]


class _GroupCommit:
    """Stores posts logged at about the same moment in one transaction: one disk flush for all of them.

    Each caller is answered only after the transaction holding its post committed. While one commit is
    under way the next posts queue up and go together in the following one, so the cost of the flush
    (synchronous=FULL) is shared instead of paid per post.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pending: list[tuple[_PendingPost, asyncio.Future[int]]] = []
        self.flushing: asyncio.Task[None] | None = None

    async def add(self, item: _PendingPost) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.pending.append((item, future))
        if self.flushing is None or self.flushing.done():
            self.flushing = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self.pending:
            group, self.pending = self.pending, []
            try:
                _settle(group, await self._store([item for item, _ in group]), None)
            except Exception as exc:
                if len(group) == 1:
                    _settle(group, None, exc)
                    continue
                # One bad post must not fail the others: store each alone so only its own caller hears of it.
                for single in group:
                    try:
                        _settle([single], await self._store([single[0]]), None)
                    except Exception as alone:
                        _settle([single], None, alone)

    async def _store(self, items: list[_PendingPost]) -> list[int]:
        # Two multi-row INSERTs per group, not two per post, sent together (`insert_linked`): every statement
        # apart is a trip to the database while the write lock is held.
        ids: list[int] = []
        for start in range(0, len(items), _ROWS_PER_INSERT):
            chunk = items[start : start + _ROWS_PER_INSERT]
            batches = (
                "INSERT INTO history_batches (guild_id, user_id, kind, created_at) VALUES "
                + ", ".join(["(?, ?, 'post', ?)"] * len(chunk)),
                lambda _, chunk=chunk: [
                    value for guild_id, user_id, _, at in chunk for value in (guild_id, user_id, to_text(at))
                ],
            )
            posts = (
                _INSERT_POSTS + ", ".join([_POST_ROW] * len(chunk)),
                lambda batch_ids, chunk=chunk: [
                    value
                    for batch_id, (guild_id, user_id, post, at) in zip(batch_ids, chunk, strict=True)
                    for value in (batch_id, guild_id, user_id, *_post_values(post, at))
                ],
            )
            ids += (await self.db.insert_linked([batches, posts]))[-1]
        return ids


def _settle(
    group: list[tuple[_PendingPost, asyncio.Future[int]]], ids: list[int] | None, error: BaseException | None
) -> None:
    for index, (_, future) in enumerate(group):
        if future.done():  # the caller went away (its interaction was cancelled); the post is stored anyway
            continue
        if error is not None:
            future.set_exception(error)
        else:
            assert ids is not None
            future.set_result(ids[index])


_committers: weakref.WeakKeyDictionary[Database, _GroupCommit] = weakref.WeakKeyDictionary()


def _post_values(post: PostNumbers, logged_at: datetime) -> tuple[Any, ...]:
    return (
        to_text(post.posted_at),
        to_text(logged_at),
        post.likes,
        post.comments,
        post.shares,
        post.saves,
        post.views,
        post.followers,
        post.title,
    )


def _grown(row: Row, post: PostNumbers) -> tuple[Any, ...] | None:
    """The UPDATE parameters for a stored video whose figures the export raises, or None when none grew."""
    likes, comments, shares = (
        max(row[name], getattr(post, name)) for name in ("likes", "comments", "shares")
    )
    views = row["views"] if post.views is None else max(row["views"] or 0, post.views)
    title = row["title"] or post.title
    if (likes, comments, shares, views, title) == (
        row["likes"],
        row["comments"],
        row["shares"],
        row["views"],
        row["title"],
    ):
        return None
    return (likes, comments, shares, views, title, row["id"])


async def _store_day_counts(
    conn: Transaction,
    batch_id: int,
    guild_id: int,
    user_id: int,
    counts: Sequence[FollowerCount],
    logged_at: datetime,
) -> tuple[int, int]:
    """Follower counts by day: a count at the same moment as a stored one replaces its figure. (added, updated)"""
    stored: dict[str, list[tuple[int, int]]] = {}
    for row in await conn.fetch_all(
        "SELECT id, taken_at, followers FROM follower_snapshots WHERE guild_id = ? AND user_id = ? ORDER BY id",
        (guild_id, user_id),
    ):
        stored.setdefault(row["taken_at"], []).append((row["id"], row["followers"]))
    added: list[tuple[Any, ...]] = []
    updated: list[tuple[int, int]] = []
    for count in counts:
        same_moment = stored.get(to_text(count.taken_at))
        if same_moment is None:
            added.append(
                (batch_id, guild_id, user_id, to_text(count.taken_at), to_text(logged_at), count.followers)
            )
        elif all(followers != count.followers for _, followers in same_moment):
            updated.append((count.followers, same_moment[-1][0]))
    if added:
        await conn.execute_many(
            "INSERT INTO follower_snapshots (batch_id, guild_id, user_id, taken_at, logged_at, followers) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            added,
        )
    if updated:
        await conn.execute_many("UPDATE follower_snapshots SET followers = ? WHERE id = ?", updated)
    return len(added), len(updated)


async def _new_batch(
    conn: Transaction, guild_id: int, user_id: int, kind: BatchKind, created_at: datetime
) -> int:
    return await conn.insert(
        "INSERT INTO history_batches (guild_id, user_id, kind, created_at) VALUES (?, ?, ?, ?)",
        (guild_id, user_id, kind, to_text(created_at)),
    )


async def _new_ids(conn: Transaction, sql: str, params: Sequence[Any]) -> list[int]:
    """Run a multi-row INSERT; the new rows' ids, in the order of its VALUES."""
    return sorted(row[0] for row in await conn.fetch_all(sql + " RETURNING id", params))


# What makes an imported row the same as one already stored (see `import_rows`).
_STORED_POSTS = (
    "SELECT posted_at, likes, comments, shares, saves, views, followers FROM logged_posts "
    "WHERE guild_id = ? AND user_id = ? AND posted_at >= ? AND posted_at <= ?"
)
_STORED_COUNTS = (
    "SELECT taken_at, followers FROM follower_snapshots "
    "WHERE guild_id = ? AND user_id = ? AND taken_at >= ? AND taken_at <= ?"
)
_Key = tuple[Any, ...]
_Row = TypeVar("_Row")


def _stored_key(entry: PostNumbers | FollowerCount) -> _Key:
    """The entry's identity as its stored row reads: the moment as the stored text."""
    moment, *figures = entry_identity(entry)
    assert isinstance(moment, datetime)
    return (to_text(moment), *figures)


async def _stored_keys(
    conn: Transaction, sql: str, guild_id: int, user_id: int, moments: Sequence[datetime]
) -> set[_Key]:
    """The keys of the member's stored rows between the earliest and the latest of `moments`."""
    if not moments:
        return set()
    rows = await conn.fetch_all(sql, (guild_id, user_id, to_text(min(moments)), to_text(max(moments))))
    # Both backends hand times back as the stored text and NULL views as None, so keys compare as SQL's
    # `=` and `IS NOT DISTINCT FROM` did.
    return {tuple(row) for row in rows}


def _unseen(rows: Sequence[_Row], key: Callable[[_Row], _Key], stored: set[_Key]) -> list[_Row]:
    """The rows whose key is neither stored nor on an earlier row of the same file, in file order."""
    fresh = []
    for row in rows:
        found = key(row)
        if found not in stored:
            stored.add(found)
            fresh.append(row)
    return fresh


async def _insert_rows(conn: Transaction, insert: str, row: str, values: Sequence[Sequence[Any]]) -> None:
    """Multi-row INSERTs of `values`, `_ROWS_PER_INSERT` rows a statement."""
    for start in range(0, len(values), _ROWS_PER_INSERT):
        chunk = values[start : start + _ROWS_PER_INSERT]
        await conn.execute(insert + ", ".join([row] * len(chunk)), [v for one in chunk for v in one])


async def _drop_empty_batches(conn: Transaction, guild_id: int, user_id: int) -> None:
    # A batch whose entries were all deleted one by one must not be what "undo" offers next.
    await conn.execute(
        "DELETE FROM history_batches WHERE guild_id = ? AND user_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM logged_posts WHERE batch_id = history_batches.id)"
        " AND NOT EXISTS (SELECT 1 FROM follower_snapshots WHERE batch_id = history_batches.id)",
        (guild_id, user_id),
    )
