"""A real, migrated SQLite database file for each storage test."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.database import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "pulse.db")
    await database.migrate()
    yield database
    await database.close()
