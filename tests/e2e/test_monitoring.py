"""/health and /metrics of the real bot (METRICS_PORT), and the Docker image's HEALTHCHECK run against it."""

from __future__ import annotations

import math
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.bot_process import BotProcess, Bots
from tests.e2e.faulty_cog import SLOW_STARTED
from tests.e2e.monitoring import free_port, get, health, key, wait_for_health, wait_for_samples
from tests.e2e.stand_in import StandIn
from tests.test_docker import healthcheck_command, image_environment

POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5000}
FAULTY = "tests.e2e.faulty_cog"


def healthcheck(port: int) -> int:
    """The exit code of the Dockerfile's HEALTHCHECK command, run with the image's METRICS_HOST."""
    command = [sys.executable, *healthcheck_command()[1:]]
    env = {
        "METRICS_PORT": str(port),
        "METRICS_HOST": image_environment()["METRICS_HOST"],
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(command, env=env, capture_output=True, timeout=10).returncode


def start_with_metrics(start_bot: Callable[..., BotProcess], **env: str) -> tuple[BotProcess, int]:
    port = free_port()
    return start_bot(env={"METRICS_PORT": str(port), **env}), port


def test_each_command_is_counted_by_outcome_and_each_first_response_timed(
    start_bot: Callable[..., BotProcess], bots: Bots
) -> None:
    bot, port = start_with_metrics(start_bot, EXTRA_EXTENSIONS=FAULTY)
    assert bot.invoke("engagement post", POST).type == 4
    assert bot.invoke("engagement post", {**POST, "log": True}).type == 4
    refused = bot.invoke("engagement post", {**POST, "followers": 0}, strict=False)
    assert refused.ephemeral and refused.text == "Followers must be at least 1."
    assert bot.invoke("explode").ephemeral
    assert bot.invoke("explode-later").followups

    interactions = "pulse_interactions_total"
    samples = wait_for_samples(
        port,
        {
            key(interactions, command="engagement post", outcome="answered"): 2,
            key(interactions, command="engagement post", outcome="refused"): 1,
            key(interactions, command="engagement post", outcome="failed"): 0,
            key(interactions, command="explode", outcome="failed"): 1,
            key(interactions, command="explode-later", outcome="failed"): 1,
            # One first response each: the deferral of explode-later counts, its later error message does not.
            key("pulse_first_response_seconds_count"): 5,
        },
    )
    assert 0 < samples[key("pulse_first_response_seconds_sum")] < 5 * 3.0
    assert samples[key("pulse_first_response_seconds_bucket", le="3.0")] == 5
    # The logged post was committed (and start-up wrote the command hash before it).
    assert samples[key("pulse_database_commit_seconds_count", backend=bots.backend)] >= 2
    # Shards whose first heartbeat is still to come have no figure yet; the ones there are real.
    latencies = {k: v for k, v in samples.items() if k[0] == "pulse_gateway_latency_seconds"}
    assert all(math.isfinite(v) and v >= 0 for v in latencies.values())
    _, content_type, body = get(port, "/metrics")
    assert content_type.startswith("text/plain; version=")
    assert "# HELP pulse_interactions_total " in body


def test_health_is_ready_when_connected_and_says_stopping_while_pulse_drains(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot, port = start_with_metrics(start_bot, EXTRA_EXTENSIONS=FAULTY)
    status, body = health(port)
    assert (status, body) in [
        (200, {"status": "ready"}),
        (503, {"status": "unavailable", "reason": "starting"}),
    ]
    assert wait_for_health(port, 200) == {"status": "ready"}
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(bot.invoke, "slow")
        bot.wait_for_log(SLOW_STARTED)
        bot.send_signal(signal.SIGTERM)
        bot.wait_for_log("finishing 1 interaction")
        assert health(port) == (503, {"status": "unavailable", "reason": "stopping"})
        assert bot.invoke("about").ephemeral
        wait_for_samples(port, {key("pulse_interactions_total", command="about", outcome="stopping"): 1})
        assert slow.result(timeout=15).text == "finished"
    assert bot.wait_exit(10) == 0
    assert "serving /health and /metrics on 127.0.0.1 port" in bot.log


def test_the_images_healthcheck_passes_on_a_ready_bot_and_fails_once_it_stopped(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot, port = start_with_metrics(start_bot)
    wait_for_health(port, 200)
    assert healthcheck(port) == 0
    assert bot.stop() == 0
    assert healthcheck(port) == 1


def test_a_taken_port_is_logged_and_members_are_still_answered(start_bot: Callable[..., BotProcess]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = start_bot(env={"METRICS_PORT": str(port)})
        assert re.search(rf"ERROR .*cannot serve /health and /metrics on 127\.0\.0\.1 port {port}", bot.log)
        assert bot.invoke("engagement post", POST).type == 4


def test_a_rejected_token_in_the_image_waits_unhealthy_instead_of_exiting_into_a_restart_loop(
    start_bot: Callable[..., BotProcess], stand_in: StandIn
) -> None:
    stand_in.reject_token("revoked-token")
    port = free_port()
    env = {"DISCORD_TOKEN": "revoked-token", "METRICS_PORT": str(port), "PULSE_ON_CONFIG_ERROR": "wait"}
    bot = start_bot(env=env, wait=False)
    bot.wait_for_log("PULSE_ON_CONFIG_ERROR=wait: waiting to be stopped")
    assert bot.wait_exit(2) is None
    assert healthcheck(port) == 1
    assert bot.stop() == 2
    assert "Traceback" not in bot.log
    assert [line for line in bot.log.splitlines() if "rejected" in line]
