"""What `/log import` makes of an upload: a member's own spreadsheet, or TikTok's analytics export."""

from __future__ import annotations

from datetime import datetime

from bot.domain.csv_import import FileRejected, ImportResult, parse_rows
from bot.domain.tiktok_export import TikTokExport, is_tiktok, parse_export
from bot.domain.uploads import read_upload


def read_history_file(filename: str, data: bytes, now: datetime) -> ImportResult | TikTokExport:
    """TikTok's files are known by their header rows wherever they sit; anything else must be one sheet."""
    sheets = read_upload(filename, data)
    exported = [sheet for sheet in sheets if is_tiktok(sheet)]
    if exported:
        return parse_export(exported, now, filename)
    if len(sheets) > 1:
        raise FileRejected("archive_not_tiktok")
    return parse_rows(sheets[0].rows, now)
