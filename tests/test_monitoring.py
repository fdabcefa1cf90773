"""Why /health turns a bot away: each reason, from a bot stood in for by the few things the check reads."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot import monitoring
from bot.monitoring import unhealthy_because


@dataclass
class Shard:
    closed: bool = False

    def is_closed(self) -> bool:
        return self.closed


class Database:
    def __init__(self, answer: Any = (1,), delay: float = 0.0) -> None:
        self.answer, self.delay = answer, delay

    async def fetch_one(self, sql: str) -> Any:
        assert sql == "SELECT 1"
        await asyncio.sleep(self.delay)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@dataclass
class Bot:
    ready: bool = True
    closed: bool = False
    stopping: bool = False
    shards: dict[int, Shard] = field(default_factory=lambda: {0: Shard(), 1: Shard()})
    db: Database = field(default_factory=Database)

    def is_ready(self) -> bool:
        return self.ready

    def is_closed(self) -> bool:
        return self.closed


async def reason(bot: Bot) -> str | None:
    return await unhealthy_because(bot)  # type: ignore[arg-type]


async def test_a_connected_bot_with_a_database_that_answers_is_healthy() -> None:
    assert await reason(Bot()) is None


async def test_each_reason_to_turn_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monitoring, "DATABASE_TIMEOUT", 0.05)
    assert await reason(Bot(ready=False)) == "starting"
    assert await reason(Bot(stopping=True)) == "stopping"
    assert await reason(Bot(closed=True)) == "stopping"
    assert await reason(Bot(shards={0: Shard(), 1: Shard(closed=True)})) == "disconnected"
    assert await reason(Bot(db=Database(OSError("connection refused")))) == "database unavailable"
    assert await reason(Bot(db=Database(delay=1.0))) == "database unavailable"


async def test_before_the_database_is_open_the_bot_is_starting() -> None:
    bot = Bot()
    del bot.db
    assert await reason(bot) == "starting"
