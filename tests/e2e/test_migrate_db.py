"""Moving a running Pulse from SQLite to PostgreSQL: log on SQLite, stop, `python -m bot migrate-db`, start on
PostgreSQL, and the member's /history and /progress read the same."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.image import imread

from tests.databases import SyncDatabase
from tests.e2e.bot_process import REPO_ROOT, BotProcess, Bots
from tests.e2e.stand_in import Reply, User
from tests.tiktok_fixtures import sample_export

# A fixed day, so both runs see the same weeks, and the second run's clock goes on from where the first stopped.
START = datetime.fromisoformat("2026-03-11T10:00:00+00:00")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMPORT = (
    "date,likes,comments,shares,saves,followers,title\n"
    '2026-02-02,900,80,30,20,4800,"Mijn ""eerste"" video — it\'s ✨"\n'
    "2026-02-16,450,35,12,9,4900,\n"
).encode()


def seen(reply: Reply) -> dict[str, Any]:
    """What the member sees of a reply, minus what differs between any two runs (the interaction's own ids)."""
    return {
        "content": reply.content,
        "embeds": reply.embeds,
        "files": sorted(reply.files),
        "components": [
            # custom_ids carry the entry ids (kept by the copy) and the interaction's nonce (not kept); options too.
            {k: v for k, v in component.items() if k != "custom_id"}
            for row in reply.components
            for component in row.get("components", [])
        ],
    }


def chart(reply: Reply) -> Any:
    (png,) = reply.files.values()
    assert png.startswith(PNG_SIGNATURE)
    return imread(io.BytesIO(png), format="png")


def clock_env(at: datetime) -> dict[str, str]:
    return {"CLOCK_START": at.isoformat(), "COOLDOWN_SCALE": "0"}


def migrate(source: str, target: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DISCORD_TOKEN")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate-db", "--from", source, "--to", target],
        cwd=REPO_ROOT,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def member_views(bot: BotProcess, member: User) -> tuple[Reply, Reply, Reply]:
    history = bot.invoke("history", user=member)
    progress = bot.invoke("progress", user=member)
    goals = bot.invoke("goal show", user=member)
    return history, progress, goals


def test_a_sqlite_pulse_moves_to_postgresql_and_shows_the_same(bots: Bots, tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'pulse-sqlite.db'}"
    began = time.monotonic()
    before_bot = bots.start(database_url=sqlite_url, env=clock_env(START))
    member = bots.stand_in.user("creator")

    for likes in (300, 1_300, 0):
        reply = before_bot.invoke(
            "engagement post",
            {"likes": likes, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000, "log": True},
            user=member,
        )
        assert "Saved to your history" in reply.text
    assert "**4,000 followers**" in before_bot.invoke("log followers", {"count": 4_000}, user=member).text
    assert "+1,250" in before_bot.invoke("log followers", {"count": 5_250}, user=member).text
    imported = before_bot.invoke(
        "log import", {"file": bots.stand_in.attachment("history.csv", IMPORT, "text/csv")}, user=member
    )
    assert "Posts: **2**" in imported.text, imported.text
    by = (START + timedelta(days=60)).date().isoformat()
    goal = before_bot.invoke("goal set", {"metric": "followers", "target": 8_000, "by": by}, user=member)
    assert "Goal set" in goal.text, goal.text

    tiktoker = bots.stand_in.user("tiktoker")
    export = bots.stand_in.attachment("export.zip", sample_export(START), "application/zip")
    assert (
        "Follower activity: **168** hours"
        in before_bot.invoke("log import", {"file": export}, user=tiktoker).text
    )
    best = before_bot.invoke("besttime", user=tiktoker)
    assert "best-time.png" in best.files, best

    history, progress, goals = member_views(before_bot, member)
    assert "7 entries" in history.text and 'Mijn "eerste" video — it\'s ✨' in history.text
    assert "5 posts logged" in progress.text and "**5,250** (+450 in 12 weeks)" in progress.text
    assert "5,250 of 8,000" in goals.text
    assert before_bot.stop() == 0
    copied_rows = SyncDatabase(sqlite_url).fetch_all("SELECT id FROM logged_posts")

    pg_url = bots.new_database_url("postgresql")
    done = migrate(sqlite_url, pg_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All 19 tables match." in done.stdout and f"DATABASE_URL={pg_url}" in done.stdout

    # The clock goes on from where the first run stopped (plus a little): the same day, the same weeks.
    after_bot = bots.start(
        database_url=pg_url, env=clock_env(START + timedelta(seconds=time.monotonic() - began + 5))
    )
    assert after_bot.db.url.startswith("postgresql://")
    history2, progress2, goals2 = member_views(after_bot, member)
    assert seen(history2) == seen(history)
    assert seen(progress2) == seen(progress)
    assert seen(goals2) == seen(goals)
    best2 = after_bot.invoke("besttime", user=tiktoker)
    assert seen(best2) == seen(best)
    assert best2.files["best-time.png"] == best.files["best-time.png"]
    # The chart: the same picture from the same rows. The 4-week average line ends at the clock's "now", which
    # is seconds later in the second run (about a thousandth of a pixel on a 12-week axis): its anti-aliasing may round
    # a few pixels one level (1/255) differently. Anything the data decides would move by far more.
    before_chart, after_chart = chart(progress), chart(progress2)
    assert before_chart.shape == after_chart.shape and before_chart.shape[:2] == (500, 1000)
    assert np.abs(before_chart - after_chart).max() <= 1.5 / 255
    # The same buttons; the delete menu's options (compared in `seen`) name the entries by the ids the copy kept.
    assert [c.rsplit(":", 1)[-1] for c in history2.custom_ids] == [
        c.rsplit(":", 1)[-1] for c in history.custom_ids
    ]
    assert any(option.get("value") for c in seen(history2)["components"] for option in c.get("options", []))

    # Logging goes on on PostgreSQL, with ids after the copied ones.
    reply = after_bot.invoke(
        "engagement post",
        {"likes": 50, "comments": 5, "shares": 5, "saves": 5, "followers": 5_300, "log": True},
        user=member,
    )
    assert "Saved to your history" in reply.text
    assert "8 entries" in after_bot.invoke("history", user=member).text
    newest = after_bot.db.fetch_one("SELECT max(id) FROM logged_posts")
    assert newest is not None and newest[0] == max(row[0] for row in copied_rows) + 1
    # The SQLite file stays as it was: a backup.
    assert len(SyncDatabase(sqlite_url).fetch_all("SELECT id FROM logged_posts")) == len(copied_rows)
