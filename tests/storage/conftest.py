"""A real, migrated database for each storage test: every test runs on SQLite and on PostgreSQL."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.database import Database
from tests.databases import BACKENDS, Backend, migrated


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    return request.param


@pytest.fixture
async def db(backend: Backend, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated(backend, tmp_path) as database:
        yield database
