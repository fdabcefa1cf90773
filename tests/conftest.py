"""Fixtures every test may use."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.databases import database_url, suite_backend


@pytest.fixture
async def suite_database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database of the backend this run is about (PULSE_TEST_DATABASE), dropped after the test."""
    async with database_url(suite_backend(), tmp_path) as url:
        yield url
