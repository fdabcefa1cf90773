"""A member's rights over what Pulse keeps: what it holds, the files of an export, and how long data stays."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from bot.domain.csv_import import MAX_BYTES, MAX_ROWS
from bot.domain.history import FollowerSnapshot, LoggedPost, moment_text

Scope = Literal["server", "all"]
SCOPES: tuple[Scope, ...] = ("server", "all")

# A server's data is deleted this long after Pulse was removed from it, unless Pulse is added back first.
RETENTION = timedelta(days=30)
# How long the "delete everything" button under /privacy delete stays valid.
CONFIRM_WINDOW = timedelta(minutes=5)
# Discord takes up to 10 files of 10 MiB per message from a bot; larger exports go as one zip.
MAX_FILES = 10
MAX_UPLOAD = 10 * 1024 * 1024

EXPORT_FORMAT = "pulse-member-export"
EXPORT_VERSION = 1
# The header of the history file: the columns /log import reads (bot/domain/csv_import.py).
CSV_HEADER = ("date", "likes", "comments", "shares", "saves", "views", "followers", "title")


@dataclass(frozen=True, slots=True)
class DataCounts:
    """How much Pulse keeps about a member (in one server or all)."""

    posts: int = 0
    follower_counts: int = 0
    goals: int = 0
    checkins: int = 0
    notes_about: int = 0
    views: int = 0
    places: int = 0
    threads: int = 0
    # Hours of follower activity imported from TikTok's export, for /besttime.
    activity_hours: int = 0


@dataclass(frozen=True, slots=True)
class ServerExport:
    """What Pulse holds about a member in one server; `records` is ready for JSON."""

    guild_id: int
    posts: tuple[LoggedPost, ...]
    snapshots: tuple[FollowerSnapshot, ...]
    records: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MemberExport:
    user_id: int
    servers: tuple[ServerExport, ...]


@dataclass(frozen=True, slots=True)
class ExportFile:
    name: str
    data: bytes


def _ids_as_text(value: Any, key: str = "") -> Any:
    """Discord ids as strings: JSON readers that use doubles (JavaScript, spreadsheets) lose their last digits."""
    if isinstance(value, dict):
        return {k: _ids_as_text(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_ids_as_text(v, key) for v in value]
    if key.endswith("_id") and isinstance(value, int):
        return str(value)
    return value


def export_json(export: MemberExport, scope: Scope, now: datetime) -> bytes:
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": moment_text(now),
        "member_id": export.user_id,
        "scope": scope,
        "servers": [
            {
                "server_id": server.guild_id,
                "posts": [
                    {
                        "posted_at": moment_text(p.posted_at),
                        "logged_at": moment_text(p.logged_at),
                        "likes": p.likes,
                        "comments": p.comments,
                        "shares": p.shares,
                        "saves": p.saves,
                        "views": p.views,
                        "followers": p.followers,
                        "title": p.title,
                        "tiktok_video_id": p.video_id,
                    }
                    for p in server.posts
                ],
                "follower_counts": [
                    {"taken_at": moment_text(s.taken_at), "followers": s.followers} for s in server.snapshots
                ],
                **server.records,
            }
            for server in export.servers
        ],
    }
    return json.dumps(_ids_as_text(document), ensure_ascii=False, indent=2).encode("utf-8")


def _history_rows(server: ServerExport) -> Iterator[tuple[str, ...]]:
    for p in server.posts:
        yield (
            moment_text(p.posted_at),
            str(p.likes),
            str(p.comments),
            str(p.shares),
            str(p.saves),
            "" if p.views is None else str(p.views),
            str(p.followers),
            p.title or "",
        )
    for s in server.snapshots:
        yield (moment_text(s.taken_at), "", "", "", "", "", str(s.followers), "")


def _csv_line(row: Sequence[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(row)
    return out.getvalue().encode("utf-8")


def history_csv(server: ServerExport) -> list[bytes]:
    """The server's posts and follower counts as files /log import reads back: split where one would exceed
    the import's limits on rows or size."""
    header = _csv_line(CSV_HEADER)
    files: list[bytes] = []
    current, rows = [header], 0
    size = len(header)
    for row in _history_rows(server):
        line = _csv_line(row)
        if rows and (rows == MAX_ROWS or size + len(line) > MAX_BYTES):
            files.append(b"".join(current))
            current, rows, size = [header], 0, len(header)
        current.append(line)
        rows += 1
        size += len(line)
    if rows:
        files.append(b"".join(current))
    return files


def export_files(export: MemberExport, scope: Scope, now: datetime) -> list[ExportFile]:
    """The JSON of everything, and per server the history as CSV; zipped when Discord would not take them."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d")
    files = [ExportFile(f"pulse-export-{stamp}.json", export_json(export, scope, now))]
    for server in export.servers:
        parts = history_csv(server)
        for number, data in enumerate(parts, start=1):
            suffix = f"-{number}" if len(parts) > 1 else ""
            files.append(ExportFile(f"pulse-history-{server.guild_id}{suffix}.csv", data))
    if len(files) <= MAX_FILES and sum(len(f.data) for f in files) <= MAX_UPLOAD:
        return files
    return [ExportFile(f"pulse-export-{stamp}.zip", zipped(files))]


def zipped(files: Iterable[ExportFile]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.writestr(file.name, file.data)
    return out.getvalue()


def confirmation_expires(now: datetime) -> int:
    """When a delete confirmation made now stops working, as whole seconds since the epoch."""
    return int((now + CONFIRM_WINDOW).timestamp())


def confirmation_expired(expires: int, now: datetime) -> bool:
    return now.timestamp() > expires


def purge_due(removed_at: datetime) -> datetime:
    """When a server's data goes, once Pulse was removed from it at `removed_at`."""
    return removed_at + RETENTION
