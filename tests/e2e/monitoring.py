"""Reading a bot's /health and /metrics (METRICS_PORT) from a test."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def free_port() -> int:
    """A port nothing listens on right now, for a bot's METRICS_PORT."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, str, str]:
    """Status, Content-Type and body of GET http://127.0.0.1:{port}{path}; a 503 is an answer, not an error."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def health(port: int) -> tuple[int, dict[str, Any]]:
    status, _, body = get(port, "/health")
    return status, json.loads(body)


def scrape(port: int) -> Samples:
    """Every sample of /metrics by name and labels, read with Prometheus' own parser."""
    _, _, body = get(port, "/metrics")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def key(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return name, frozenset(labels.items())


def wait_for_samples(
    port: int, expected: Mapping[tuple[str, frozenset[tuple[str, str]]], float], timeout: float = 5.0
) -> Samples:
    """Scrape until every expected sample has its value (a command is counted just after its answer went out)."""
    deadline = time.monotonic() + timeout
    while True:
        samples = scrape(port)
        found = {k: samples.get(k) for k in expected}
        if found == dict(expected):
            return samples
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {dict(expected)}, scraped {found}")
        time.sleep(0.1)


def wait_for_health(port: int, status: int = 200, timeout: float = 10.0) -> dict[str, Any]:
    """Ask /health until it answers `status`; its body then.

    discord.py calls the bot ready a moment after the servers arrived (it waits for more of them first), while
    commands are already answered: /health says "starting" until then.
    """
    deadline = time.monotonic() + timeout
    while True:
        found, body = health(port)
        if found == status:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"/health answered {found} {body}, not {status}")
        time.sleep(0.1)
