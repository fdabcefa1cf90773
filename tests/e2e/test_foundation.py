"""The bot's spine as Discord sees it: start-up, command sync, languages, the error path, shutdown."""

from __future__ import annotations

import re
import signal
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.storage.database import migrations
from tests.databases import SyncDatabase
from tests.e2e.bot_process import REPO_ROOT, BotProcess, Bots, shared_bot
from tests.e2e.faulty_cog import FAILURE
from tests.e2e.stand_in import StandIn

PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
GUILDS_INTENT = 1 << 0
LOCALES = REPO_ROOT / "data" / "locales"


def about_catalogue(lang: str) -> dict[str, str]:
    return tomllib.loads((LOCALES / lang / "about.toml").read_text(encoding="utf-8"))


def test_identifies_with_non_privileged_intents_and_syncs_commands(pulse: BotProcess) -> None:
    intents = pulse.stand_in.identify["intents"]
    assert intents & PRIVILEGED_INTENTS == 0
    assert intents & GUILDS_INTENT
    global_syncs = [commands for guild, commands in pulse.stand_in.command_syncs if guild is None]
    assert len(global_syncs) == 1
    about = next(c for c in global_syncs[0] if c["name"] == "about")
    assert about["name_localizations"]["nl"] == "over"
    assert pulse.stand_in.command("about") is not None


def test_second_start_with_the_same_database_does_not_sync_again(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    first = start_bot()
    assert len(stand_in.command_syncs) == 1
    assert first.stop() == 0

    second = start_bot()
    assert second.database_url == first.database_url
    assert stand_in.connections == 2
    assert len(stand_in.command_syncs) == 1
    assert second.stop() == 0

    # The count does move when the bot syncs: `always` ignores the stored hash.
    start_bot(env={"COMMAND_SYNC": "always"})
    assert len(stand_in.command_syncs) == 2


def test_about_answers_in_dutch_for_locale_nl(pulse: BotProcess) -> None:
    dutch, english = about_catalogue("nl"), about_catalogue("en")
    reply = pulse.invoke("about", locale="nl")
    assert reply.type == 4
    assert reply.embeds[0]["title"] == dutch["title"]
    assert dutch["version"] in reply.text and dutch["languages_value"] in reply.text
    assert english["version"] not in reply.text


def test_about_answers_in_english_for_locale_en_us(pulse: BotProcess) -> None:
    dutch, english = about_catalogue("nl"), about_catalogue("en")
    reply = pulse.invoke("about", locale="en-US")
    assert reply.embeds[0]["title"] == english["title"]
    assert english["version"] in reply.text and english["languages_value"] in reply.text
    assert dutch["version"] not in reply.text


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """A bot that also loads tests/e2e/faulty_cog.py."""
    with shared_bot(
        tmp_path_factory.mktemp("faulty"), env={"EXTRA_EXTENSIONS": "tests.e2e.faulty_cog"}
    ) as bot:
        yield bot


def test_unexpected_error_reaches_the_member_privately_with_an_error_id(faulty: BotProcess) -> None:
    reply = faulty.invoke("explode", locale="en-US")
    assert reply.type == 4
    assert reply.ephemeral
    error_id = re.search(r"`([0-9A-F]{8})`", reply.content)
    assert error_id, reply.content
    assert FAILURE not in reply.text and "Traceback" not in reply.text
    # The operator finds the same id, with the traceback, in the log.
    faulty.wait_for_log(rf"{error_id[1]}[\s\S]*RuntimeError: {FAILURE}")

    dutch = faulty.invoke("explode", locale="nl")
    assert dutch.ephemeral and "foutcode" in dutch.content


def test_unexpected_error_after_a_public_deferral_still_reaches_only_the_member(faulty: BotProcess) -> None:
    # Discord turns the first followup after a deferral into an edit of the "thinking" message, keeping that
    # message's visibility: a plain ephemeral followup would show the error to the whole channel.
    reply = faulty.invoke("explode-later", locale="en-US")
    assert reply.type == 5 and not reply.ephemeral
    shown = [m for m in (reply.message, *reply.followups) if m is not None]
    private = [m for m in shown if m.ephemeral and re.search(r"`[0-9A-F]{8}`", m.content)]
    assert private, [(m.ephemeral, m.content) for m in shown]
    error_id = re.search(r"`([0-9A-F]{8})`", private[0].content)[1]  # type: ignore[index]
    assert not [m for m in shown if not m.ephemeral and error_id in m.text]


def test_missing_token_exits_2_with_one_line_naming_the_variable(
    start_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    # Run from an empty directory so a developer's .env cannot supply a token.
    bot = start_bot(env={"DISCORD_TOKEN": None}, wait=False, cwd=tmp_path)
    assert bot.wait_exit(10) == 2
    lines = bot.log.strip().splitlines()
    assert len(lines) == 1, lines
    assert "DISCORD_TOKEN" in lines[0]
    assert "Traceback" not in bot.log


def test_rejected_token_exits_2_with_a_clear_line(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    stand_in.reject_token("revoked-token")
    bot = start_bot(env={"DISCORD_TOKEN": "revoked-token"}, wait=False)
    assert bot.wait_exit(10) == 2
    assert "revoked-token" not in bot.log
    assert "Traceback" not in bot.log
    assert any("DISCORD_TOKEN" in line and "rejected" in line for line in bot.log.splitlines()), bot.log
    assert stand_in.connections == 0


def test_sigterm_exits_0_within_10_seconds(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot()
    began = time.monotonic()
    bot.send_signal(signal.SIGTERM)
    code = bot.wait_exit(10)
    assert code == 0, bot.log_tail()
    assert time.monotonic() - began < 10


def test_requests_past_discords_limits_are_flagged(faulty: BotProcess) -> None:
    faulty.invoke("oversized")
    violations = faulty.stand_in.take_violations()  # taken, so that this test's own teardown check passes
    assert any("at most 6000 per message" in v for v in violations), violations


def test_database_from_a_newer_pulse_is_refused_in_one_line(bots: Bots) -> None:
    db = SyncDatabase(bots.database_url)  # a fresh database, which the bot has not opened yet
    if bots.backend == "sqlite":
        db.execute("PRAGMA user_version = 999")
        version = "PRAGMA user_version"
    else:
        # The table the bot's first migration makes, holding one version above any this Pulse knows.
        db.execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        db.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (999, "999_from_the_future")
        )
        version = "SELECT max(version) FROM schema_migrations"
    assert len(migrations(bots.backend)) < 999
    bot = bots.start(wait=False)
    assert bot.wait_exit(15) == 2
    assert "Traceback" not in bot.log
    assert any("schema version 999" in line for line in bot.log.splitlines()), bot.log
    assert db.fetch_one(version) == (999,)
