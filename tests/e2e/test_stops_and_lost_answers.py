"""Stopping without dropping what is under way, answers Discord did not take, and a command sync that fails."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.bot_process import BotProcess
from tests.e2e.faulty_cog import SLOW_STARTED
from tests.e2e.stand_in import NoReply, StandIn

FAULTY = {"EXTRA_EXTENSIONS": "tests.e2e.faulty_cog"}
POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5000, "log": True}
CALLBACK = r"/interactions/\d+/[^/]+/callback"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en-US", "Pulse is restarting and starts nothing new right now. Try again in a minute."),
        ("nl", "Pulse start opnieuw op en begint nu niets nieuws. Probeer het over een minuut nog eens."),
    ],
)
def test_sigterm_finishes_what_is_under_way_and_asks_newcomers_to_come_back(
    start_bot: Callable[..., BotProcess], locale: str, expected: str
) -> None:
    bot = start_bot(env=FAULTY)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(bot.invoke, "slow")
        bot.wait_for_log(SLOW_STARTED)
        bot.send_signal(signal.SIGTERM)
        bot.wait_for_log("finishing 1 interaction")
        late = bot.invoke("about", locale=locale)
        assert late.type == 4 and late.ephemeral
        assert late.text == expected
        answer = slow.result(timeout=15)
    assert answer.text == "finished"
    assert bot.wait_exit(10) == 0
    assert not re.search(r"\b(ERROR|Traceback)\b", bot.log), bot.log_tail()


def test_sigterm_with_nothing_under_way_still_stops_at_once(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot()
    assert bot.stop() == 0
    assert "finishing" not in bot.log


def test_a_saved_post_whose_answer_discord_never_took_is_never_called_an_error(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    bot = start_bot()
    member = stand_in.user("unlucky")
    # discord.py retries a 500 after 1 s and again 3 s later: by then the interaction's 3 s are over.
    stand_in.fail_next("POST", CALLBACK, status=500, times=2)
    with pytest.raises(NoReply):
        bot.invoke("engagement post", POST, user=member)
    bot.wait_for_log("could not be delivered")
    stand_in.take_violations()  # the late retry is a violation by design of this test
    rows = bot.db.fetch_all("SELECT id FROM logged_posts WHERE user_id = ?", (member.id,))
    assert len(rows) == 1
    assert re.search(rf"it had stored post {rows[0][0]}\b", bot.log), bot.log_tail()
    said = [r.body for r in stand_in.requests_to("POST", CALLBACK) if r.body]
    assert not any("went wrong" in str(body) or "not saved" in str(body) for body in said), said
    assert "ERROR" not in bot.log


def test_a_saved_post_whose_first_answer_failed_once_is_answered_normally(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    bot = start_bot()
    member = stand_in.user("retried")
    stand_in.fail_next("POST", CALLBACK, status=500, times=1)
    reply = bot.invoke("engagement post", POST, user=member)
    assert "Saved to your history" in reply.text
    assert bot.db.fetch_one("SELECT count(*) FROM logged_posts WHERE user_id = ?", (member.id,)) == (1,)


def test_a_failing_command_sync_does_not_hold_up_the_gateway_or_answers(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    # Four failures: discord.py's fifth try, 16 s later, goes through.
    stand_in.fail_next("PUT", r"/applications/\d+/commands", status=500, times=4)
    bot = start_bot(env={"COMMAND_SYNC": "always"}, wait=False)
    bot.wait_ready(synced=False)
    # Answered while discord.py still retries the sync.
    assert bot.invoke("about", strict=False).type == 4  # Discord knows /about from an earlier sync
    assert "synced" not in bot.log
    bot.wait_for_log(r"synced \d+ commands", timeout=30)
    assert stand_in.command("about") is not None
