"""The metrics Pulse exposes: names, labels, and what a scrape shows."""

from __future__ import annotations

import math

from prometheus_client import Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import GATEWAY_LATENCY, REGISTRY, CommandCounters


def histogram_count(histogram: Histogram) -> float:
    """How many observations a (labelled) histogram holds so far."""
    for family in histogram.collect():
        for sample in family.samples:
            if sample.name.endswith("_count"):
                return sample.value
    raise AssertionError("no _count sample")


def scraped() -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = generate_latest(REGISTRY).decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(name: str, **labels: str) -> float | None:
    return scraped().get((name, frozenset(labels.items())))


def test_a_commands_counters_count_each_outcome_apart() -> None:
    counters = CommandCounters("metrics test")
    counters.count("answered")
    counters.count("answered")
    counters.count("refused")
    assert value("pulse_interactions_total", command="metrics test", outcome="answered") == 2
    assert value("pulse_interactions_total", command="metrics test", outcome="refused") == 1
    # Every outcome is there from the command's first use, so a rate over it starts at zero, not at a gap.
    assert value("pulse_interactions_total", command="metrics test", outcome="failed") == 0
    assert value("pulse_interactions_total", command="metrics test", outcome="stopping") == 0


def test_gateway_latency_is_read_at_scrape_time_and_skips_shards_without_a_heartbeat() -> None:
    shards = [(0, 0.042), (1, math.inf), (2, math.nan)]
    GATEWAY_LATENCY.source = lambda: shards
    try:
        assert value("pulse_gateway_latency_seconds", shard="0") == 0.042
        assert value("pulse_gateway_latency_seconds", shard="1") is None
        assert value("pulse_gateway_latency_seconds", shard="2") is None
        shards[0] = (0, 0.1)
        assert value("pulse_gateway_latency_seconds", shard="0") == 0.1
    finally:
        GATEWAY_LATENCY.source = None


def test_every_metric_is_in_the_scrape_with_help_text() -> None:
    families = {f.name: f for f in text_string_to_metric_families(generate_latest(REGISTRY).decode())}
    for name, kind in [
        ("pulse_interactions", "counter"),
        ("pulse_first_response_seconds", "histogram"),
        ("pulse_scheduled_jobs", "counter"),
        ("pulse_database_commit_seconds", "histogram"),
        ("pulse_gateway_latency_seconds", "gauge"),
    ]:
        assert families[name].type == kind
        assert families[name].documentation


def test_the_metrics_module_imports_nothing_from_discord() -> None:
    from tests.test_layout import REPO, imported_modules

    assert not {m for m in imported_modules(REPO / "bot" / "metrics.py") if m.split(".")[0] == "discord"}
