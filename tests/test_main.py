"""`python -m bot` as an operator meets it when something outside the code is wrong."""

import os
import socket
import subprocess
import sys
from pathlib import Path

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
