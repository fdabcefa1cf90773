"""`python -m bot` as an operator meets it when something outside the code is wrong."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.__main__ import startup_problem
from bot.storage.database import WriteFailed

REPO = Path(__file__).resolve().parent.parent


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=REPO,
        env={**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'pulse.db'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_discord_is_one_line_and_exit_1(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{closed_port()}/api/v10"
    result = run_bot(tmp_path, DISCORD_TOKEN="fake", DISCORD_API_BASE=api)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Pulse cannot reach Discord ({api})" in result.stderr.strip().splitlines()[-1]


def test_a_write_refused_during_start_up_is_told_as_the_operators_problem() -> None:
    """A full disk while migrating or saving the command hash ends the start with one line, not a traceback."""
    refused = WriteFailed("/data/pulse.db", sqlite3.OperationalError("database or disk is full"))
    wrapped = RuntimeError("setup_hook failed")
    wrapped.__cause__ = refused
    assert startup_problem(wrapped) is refused
    assert str(refused) == (
        "the database /data/pulse.db refused a write (OperationalError: database or disk is full); nothing was "
        "saved. Check that its disk has free space and that Pulse may write to it (DATABASE_URL names it)."
    )


def test_a_configuration_error_waits_for_a_stop_under_docker_instead_of_exiting(tmp_path: Path) -> None:
    """What the image's PULSE_ON_CONFIG_ERROR=wait does: one error, no restart loop, and `docker stop` works."""
    base = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,  # no .env with a token
        env={**base, "PYTHONPATH": str(REPO), "PULSE_ON_CONFIG_ERROR": "wait"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(3)
        assert bot.poll() is None, bot.stderr.read() if bot.stderr else ""
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(10) == 2
    finally:
        bot.kill()
    assert bot.stderr is not None
    lines = bot.stderr.read().strip().splitlines()
    assert lines[0].startswith("DISCORD_TOKEN is not set.")
    assert lines[1].startswith("PULSE_ON_CONFIG_ERROR=wait: waiting to be stopped")
    assert len(lines) == 2
