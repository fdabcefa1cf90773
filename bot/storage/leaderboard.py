"""What the leaderboard reads from the history, the archive of weekly posts, and members' board visibility."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, tzinfo
from fractions import Fraction
from typing import Any

from bot.domain.leaderboard import (
    IMPROVED_SPAN_WEEKS,
    Board,
    Metric,
    Place,
    Standing,
    Visibility,
    WeekPost,
    growth_standings,
    improved_standings,
    rank,
    score_standings,
    streak_standings,
)
from bot.domain.weeks import IsoWeek
from bot.storage.database import Database, from_text, to_text

# Members looked up per query: well below the parameter limits of both databases.
_MEMBERS_PER_QUERY = 500

_WEEK_POSTS = (
    "SELECT user_id, posted_at, likes + comments + shares + saves AS interactions, followers FROM logged_posts "
    "WHERE guild_id = ? AND posted_at >= ? AND posted_at < ?"
)


def _week_posts(rows: Sequence[Any]) -> list[WeekPost]:
    return [WeekPost(r[0], from_text(r[1]), r[2], r[3]) for r in rows]


def _fraction(text: str) -> Fraction:
    return Fraction(text)


class LeaderboardRepository:
    """Reads a server's week for the leaderboard; its cost follows the members who posted that week."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- the week's figures ---------------------------------------------------------------------------

    async def week_posts(self, guild_id: int, start: datetime, end: datetime) -> list[WeekPost]:
        rows = await self.db.fetch_all(_WEEK_POSTS, (guild_id, to_text(start), to_text(end)))
        return _week_posts(rows)

    async def earlier_posts(
        self, guild_id: int, start: datetime, end: datetime, since: datetime
    ) -> list[WeekPost]:
        """Posts from `since` up to `start` of the members who posted in [start, end)."""
        # One pass over the weeks before (the guild-time index), not one per member.
        rows = await self.db.fetch_all(
            _WEEK_POSTS + " AND user_id IN (SELECT user_id FROM logged_posts WHERE guild_id = ?"
            " AND posted_at >= ? AND posted_at < ?)",
            (guild_id, to_text(since), to_text(start), guild_id, to_text(start), to_text(end)),
        )
        return _week_posts(rows)

    async def streaks(self, guild_id: int, week: IsoWeek, tz: tzinfo) -> dict[int, int]:
        """For each member who posted in `week`: the weeks in a row, up to it, with at least one post."""
        first = await self.db.fetch_one(
            "SELECT min(posted_at) FROM logged_posts WHERE guild_id = ?", (guild_id,)
        )
        if first is None or first[0] is None or week < IsoWeek.of(from_text(first[0]), tz):
            return {}
        earliest = IsoWeek.of(from_text(first[0]), tz)
        streaks: dict[int, int] = {}
        alive: set[int] | None = None
        cursor = week
        # A week at a time, back until nobody's streak goes on: each step reads one week of the server's posts
        # (a short query, so other members' reads are not held up behind a long one).
        while cursor >= earliest and (alive is None or alive):
            # No DISTINCT: with it SQLite walks the member index through all of the server's posts, every week;
            # without it, the server-and-time index reads just the week, and the set below drops repeats.
            rows = await self.db.fetch_all(
                "SELECT user_id FROM logged_posts WHERE guild_id = ? AND posted_at >= ? AND posted_at < ?",
                (guild_id, to_text(cursor.start(tz)), to_text(cursor.end(tz))),
            )
            posted = {row[0] for row in rows}
            alive = posted if alive is None else alive & posted
            for user_id in alive:
                streaks[user_id] = streaks.get(user_id, 0) + 1
            cursor = cursor.previous()
        return streaks

    async def follower_counts(
        self, guild_id: int, start: datetime, end: datetime
    ) -> dict[int, tuple[int, int]]:
        """Per member with a follower count in [start, end): (the last count before it, the last in it).

        A count comes from a logged post or a logged follower count; at the same moment the latter wins.
        Members without a count before the week are left out.
        """
        in_week = await self.db.fetch_all(
            "SELECT user_id, at, followers FROM ("
            " SELECT user_id, posted_at AS at, followers, 0 AS snap, id FROM logged_posts"
            " WHERE guild_id = ? AND posted_at >= ? AND posted_at < ?"
            " UNION ALL SELECT user_id, taken_at, followers, 1, id FROM follower_snapshots"
            " WHERE guild_id = ? AND taken_at >= ? AND taken_at < ?) AS counts"
            " ORDER BY user_id, at, snap, id",
            (guild_id, to_text(start), to_text(end), guild_id, to_text(start), to_text(end)),
        )
        at_end: dict[int, int] = {row[0]: row[2] for row in in_week}  # the last row per member wins
        if not at_end:
            return {}
        counts = {}
        members = sorted(at_end)
        for start_at in range(0, len(members), _MEMBERS_PER_QUERY):
            chunk = members[start_at : start_at + _MEMBERS_PER_QUERY]
            # Per member, two index lookups: the last logged post and the last follower count before the week.
            before = await self.db.fetch_all(
                "SELECT m.column1,"
                " (SELECT posted_at FROM logged_posts WHERE guild_id = ? AND user_id = m.column1"
                "  AND posted_at < ? ORDER BY posted_at DESC, id DESC LIMIT 1),"
                " (SELECT followers FROM logged_posts WHERE guild_id = ? AND user_id = m.column1"
                "  AND posted_at < ? ORDER BY posted_at DESC, id DESC LIMIT 1),"
                " (SELECT taken_at FROM follower_snapshots WHERE guild_id = ? AND user_id = m.column1"
                "  AND taken_at < ? ORDER BY taken_at DESC, id DESC LIMIT 1),"
                " (SELECT followers FROM follower_snapshots WHERE guild_id = ? AND user_id = m.column1"
                "  AND taken_at < ? ORDER BY taken_at DESC, id DESC LIMIT 1)"
                " FROM (VALUES " + ", ".join(["(CAST(? AS BIGINT))"] * len(chunk)) + ") AS m",
                (*[guild_id, to_text(start)] * 4, *chunk),
            )
            for user_id, post_at, post_followers, snapshot_at, snapshot_followers in before:
                latest = max(
                    (
                        (at, kind, followers)
                        for at, kind, followers in (
                            (post_at, 0, post_followers),
                            (snapshot_at, 1, snapshot_followers),
                        )
                        if at is not None
                    ),
                    default=None,
                )
                if latest is not None:
                    counts[user_id] = (latest[2], at_end[user_id])
        return counts

    async def board(self, guild_id: int, week: IsoWeek, tz: tzinfo, metric: Metric, min_posts: int) -> Board:
        """The week's ranking on `metric` as it stands now, with members' visibility applied."""
        start, end = week.start(tz), week.end(tz)
        posts = await self.week_posts(guild_id, start, end)
        if metric == "score":
            standings = score_standings(posts)
        elif metric == "improved":
            since = week.shifted(-IMPROVED_SPAN_WEEKS).start(tz)
            standings = improved_standings(posts, await self.earlier_posts(guild_id, start, end, since))
        elif metric == "streak":
            standings = streak_standings(posts, await self.streaks(guild_id, week, tz))
        else:
            standings = growth_standings(posts, await self.follower_counts(guild_id, start, end))
        return rank(week, metric, standings, min_posts, await self.visibility(guild_id))

    # --- visibility -----------------------------------------------------------------------------------

    async def visibility(self, guild_id: int) -> dict[int, Visibility]:
        """Members who chose not to be shown by name (everyone else is shown)."""
        rows = await self.db.fetch_all(
            "SELECT user_id, leaderboard FROM member_privacy WHERE guild_id = ? AND leaderboard != 'show'",
            (guild_id,),
        )
        return {row[0]: row[1] for row in rows}

    async def member_visibility(self, guild_id: int, user_id: int) -> Visibility:
        row = await self.db.fetch_one(
            "SELECT leaderboard FROM member_privacy WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return "show" if row is None else row[0]

    async def set_visibility(self, guild_id: int, user_id: int, mode: Visibility, at: datetime) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                "INSERT INTO member_privacy (guild_id, user_id, leaderboard, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET leaderboard = excluded.leaderboard, "
                "updated_at = excluded.updated_at",
                (guild_id, user_id, mode, to_text(at)),
            )

    # --- the archive ----------------------------------------------------------------------------------

    async def archive(
        self,
        guild_id: int,
        channel_id: int,
        message_id: int | None,
        posted_at: datetime,
        boards: Sequence[Board],
    ) -> None:
        """Keep what a weekly post ranked; storing the same week again changes nothing."""
        week = str(boards[0].week)
        async with self.db.write() as conn:
            changed = await conn.execute(
                "INSERT INTO leaderboard_posts (guild_id, week, channel_id, message_id, posted_at, min_posts) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, week) DO NOTHING",
                (guild_id, week, channel_id, message_id, to_text(posted_at), boards[0].min_posts),
            )
            if changed == 0:
                return
            await conn.execute_many(
                "INSERT INTO leaderboard_archive (guild_id, week, metric, position, rank, user_id, anonymous,"
                " value, posts, first_post_at, basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        guild_id,
                        week,
                        board.metric,
                        position,
                        place.rank,
                        place.standing.user_id,
                        int(place.anonymous),
                        str(place.standing.value),
                        place.standing.posts,
                        None
                        if place.standing.first_post_at is None
                        else to_text(place.standing.first_post_at),
                        json.dumps([str(b) for b in place.standing.basis]),
                    )
                    for board in boards
                    for position, place in enumerate(board.places)
                ],
            )

    async def archived(self, guild_id: int, week: IsoWeek, metric: Metric) -> Board | None:
        """The ranking a weekly post showed for `week`, or None when no post went out that week."""
        post = await self.db.fetch_one(
            "SELECT min_posts FROM leaderboard_posts WHERE guild_id = ? AND week = ?", (guild_id, str(week))
        )
        if post is None:
            return None
        rows = await self.db.fetch_all(
            "SELECT rank, user_id, anonymous, value, posts, first_post_at, basis FROM leaderboard_archive"
            " WHERE guild_id = ? AND week = ? AND metric = ? ORDER BY position",
            (guild_id, str(week), metric),
        )
        places = tuple(
            Place(
                r["rank"],
                Standing(
                    r["user_id"] if r["user_id"] is not None else 0,
                    _fraction(r["value"]),
                    r["posts"],
                    None if r["first_post_at"] is None else from_text(r["first_post_at"]),
                    tuple(_fraction(b) for b in json.loads(r["basis"])),
                ),
                bool(r["anonymous"]) or r["user_id"] is None,
            )
            for r in rows
        )
        return Board(week, metric, places, post["min_posts"])

    async def posted_weeks(self, guild_id: int) -> list[IsoWeek]:
        rows = await self.db.fetch_all(
            "SELECT week FROM leaderboard_posts WHERE guild_id = ? ORDER BY week DESC", (guild_id,)
        )
        return [IsoWeek.parse(row[0]) for row in rows]

    async def last_posted(self, guild_id: int) -> IsoWeek | None:
        row = await self.db.fetch_one(
            "SELECT max(week) FROM leaderboard_posts WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None or row[0] is None else IsoWeek.parse(row[0])

    async def post_of(self, guild_id: int, week: IsoWeek) -> tuple[int, int | None] | None:
        """(channel id, message id) of the week's post, if it went out."""
        row = await self.db.fetch_one(
            "SELECT channel_id, message_id FROM leaderboard_posts WHERE guild_id = ? AND week = ?",
            (guild_id, str(week)),
        )
        return None if row is None else (row[0], row[1])

    async def weeks_won(self, guild_id: int, user_id: int) -> int:
        """Weekly posts in which the member ranked first on the score."""
        row = await self.db.fetch_one(
            "SELECT count(*) FROM leaderboard_archive WHERE guild_id = ? AND user_id = ? AND metric = 'score'"
            " AND rank = 1",
            (guild_id, user_id),
        )
        return int(row[0]) if row else 0
