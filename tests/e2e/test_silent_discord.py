"""A Discord that takes the connection and never answers ends the start within DISCORD_CONNECT_TIMEOUT, in one
line with exit code 1; a stop asked for while logging in or connecting is an ordinary stop."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable

import pytest

from tests.e2e.bot_process import BotProcess
from tests.e2e.stand_in import StandIn

TIMEOUT = 3
FAST = {"DISCORD_CONNECT_TIMEOUT": str(TIMEOUT)}
# Starting Python and importing discord.py can take seconds on a busy machine: waits for the bot are generous.
SLOW_MACHINE = 60
LOGGING_IN = "logging in using static token"
# For bots that must connect: room for a busy machine, still well short of the waits these tests make.
ROOMY = {"DISCORD_CONNECT_TIMEOUT": "6"}
NO_ANSWER = re.compile(
    rf"^Pulse got no answer from Discord within {TIMEOUT} s (while logging in|while connecting to its gateway)"
)


def ends_with_no_answer(bot: BotProcess) -> str:
    """The one stderr line of a start Discord never answered, after checking how and when the process ended."""
    bot.wait_for_log(LOGGING_IN, timeout=SLOW_MACHINE)
    began = time.monotonic()
    code = bot.wait_exit(SLOW_MACHINE)
    took = time.monotonic() - began
    assert code == 1, bot.log_tail()
    # TIMEOUT for Discord, plus the bot's own start-up work, which does not count against Discord.
    assert took < TIMEOUT + 15, f"exited {took:.1f} s after logging in began\n{bot.log_tail()}"
    assert "Traceback" not in bot.log and "ERROR" not in bot.log, bot.log_tail()
    last = bot.log.strip().splitlines()[-1]
    assert NO_ANSWER.match(last), last
    assert "DISCORD_CONNECT_TIMEOUT" in last and "https://discordstatus.com" in last
    return last


def test_a_login_discord_never_answers_ends_in_one_line_and_exit_1(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    stand_in.stall("GET", "/users/@me")
    bot = start_bot(env=FAST, wait=False)
    last = ends_with_no_answer(bot)
    assert f"while logging in ({stand_in.api_base})" in last
    assert stand_in.connections == 0


@pytest.mark.parametrize("silent_at", ["hello", "ready"])
def test_a_gateway_that_never_lets_pulse_in_ends_in_one_line_and_exit_1(
    start_bot: Callable[..., BotProcess], stand_in: StandIn, silent_at: str
) -> None:
    stand_in.stall_gateway(silent_at)  # type: ignore[arg-type]
    bot = start_bot(env=FAST, wait=False)
    last = ends_with_no_answer(bot)
    assert "while connecting to its gateway (logging in worked)" in last
    assert stand_in.connections >= 1
    assert bool(stand_in.identifies) == (silent_at == "ready")


def test_pulses_own_start_up_work_does_not_count_against_discord(
    start_bot: Callable[..., BotProcess],
) -> None:
    # Loading this extension takes longer than Discord is given, as a long migration would.
    slow = {**ROOMY, "EXTRA_EXTENSIONS": "tests.e2e.slow_start", "SLOW_START_SECONDS": "9"}
    bot = start_bot(env=slow)
    assert bot.stop() == 0
    assert "no answer" not in bot.log


def test_after_the_first_ready_discord_py_reconnects_without_a_time_limit(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    bot = start_bot(env=ROOMY)
    stand_in.stall_gateway("hello")
    stand_in.drop_connections()
    time.sleep(9)
    assert bot.running, bot.log_tail()
    assert stand_in.connections >= 2
    assert bot.stop() == 0, bot.log_tail()
    assert "no answer" not in bot.log


def stops_cleanly(bot: BotProcess) -> None:
    bot.send_signal(signal.SIGTERM)
    assert bot.wait_exit(10) == 0, bot.log_tail()
    assert "Traceback" not in bot.log and "ERROR" not in bot.log, bot.log_tail()
    assert "cannot reach" not in bot.log
    assert bot.log.strip().splitlines()[-1].endswith("bot: stopped")


def test_sigterm_while_logging_in_is_an_ordinary_stop(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    stand_in.stall("GET", "/users/@me")
    bot = start_bot(wait=False)
    stand_in.wait_for_request("GET", "/users/@me", timeout=SLOW_MACHINE)
    stops_cleanly(bot)


def test_sigterm_while_waiting_for_ready_is_an_ordinary_stop(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    stand_in.stall_gateway("ready")
    bot = start_bot(wait=False)
    stand_in.wait_identified(timeout=SLOW_MACHINE)
    stops_cleanly(bot)


def test_sigterm_during_pulses_own_start_up_work_is_an_ordinary_stop(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot(env={"EXTRA_EXTENSIONS": "tests.e2e.slow_start", "SLOW_START_SECONDS": "60"}, wait=False)
    bot.wait_for_log(r"running all shards on ", timeout=SLOW_MACHINE)
    stops_cleanly(bot)
