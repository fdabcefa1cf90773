"""Fixtures that run the real bot process against a stand-in Discord (see tests/e2e/README.md)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pluggy
import pytest

from tests.e2e.bot_process import BotProcess, Bots, fail_on_violations, shared_bot
from tests.e2e.stand_in import LIVE, StandIn


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    """A fresh stand-in Discord for one test; fails the test if the bot broke a rule."""
    with StandIn() as server:
        yield server
    fail_on_violations(server)


@pytest.fixture
def bots(stand_in: StandIn, tmp_path: Path) -> Iterator[Bots]:
    """This test's bots and their database (`bots.database_url`, `bots.new_database_url()`); all stopped after,
    and the databases made for them dropped."""
    owner = Bots(stand_in, tmp_path)
    yield owner
    owner.close()


@pytest.fixture
def start_bot(bots: Bots) -> Callable[..., BotProcess]:
    """Start bot processes of this test's own (restarts, kill -9, SIGTERM, extra env); all on one database."""
    return bots.start


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """One bot and stand-in shared by a test module (fast); `pulse.invoke(...)`, `pulse.stand_in`."""
    with shared_bot(tmp_path_factory.mktemp("pulse")) as bot:
        yield bot


@pytest.fixture(autouse=True)
def _discord_rules(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail each test whose bot broke one of Discord's rules (a shared bot's start-up included) or logged a secret."""
    yield
    for bot in _bots_of(request.node):
        if leaks := bot.leaked_secrets():
            pytest.fail(f"the bot wrote {', '.join(leaks)} to its log {bot.log_path}", pytrace=False)
    for server in list(LIVE):
        fail_on_violations(server)


def _bots_of(item: pytest.Item) -> list[BotProcess]:
    found: list[BotProcess] = []
    owners: list[Bots] = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, BotProcess) and value not in found:
            found.append(value)
        owner = getattr(value, "__self__", value)  # the start_bot factory is a bound Bots.start
        if isinstance(owner, Bots) and owner not in owners:
            owners.append(owner)
    for owner in owners:
        found.extend(bot for bot in owner.started if bot not in found)
    return found


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    """Attach the bot's log to every failing e2e test."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for bot in _bots_of(item):
            report.sections.append((f"bot log (pid {bot.pid if bot.process else '-'})", bot.log_tail(200)))
