"""What the bot remembers about itself between starts."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.database import Database, to_text


class BotState:
    """A small key-value store for the bot's own bookkeeping."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        row = await self.db.fetch_one("SELECT value FROM bot_state WHERE key = ?", (key,))
        return row["value"] if row else None

    async def set(self, key: str, value: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, value, to_text(datetime.now(UTC))),
            )
