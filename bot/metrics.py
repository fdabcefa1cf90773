"""Pulse's Prometheus metrics, in a registry of their own; served on /metrics when METRICS_PORT is set.

Nothing here imports discord, so the storage layer can time its commits too. The objects below are always
collected (an increment costs well under a microsecond); only the HTTP endpoint is optional.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

# What became of a slash command: answered as asked; refused with the reason (bad input, no permission, a
# cooldown, nothing saved: the member was told what to change); failed unexpectedly (the member got an error
# id); or turned away because Pulse was shutting down.
OUTCOMES = ("answered", "refused", "failed", "stopping")

INTERACTIONS = Counter(
    "pulse_interactions",
    "Slash commands handled, by command and outcome.",
    ["command", "outcome"],
    registry=REGISTRY,
)
# Discord drops an interaction whose first response has not arrived within 3 s: the buckets close in on that.
FIRST_RESPONSE = Histogram(
    "pulse_first_response_seconds",
    "Time from receiving a slash command to Discord accepting its first response (answer or deferral).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0),
    registry=REGISTRY,
)
SCHEDULED_JOBS = Counter(
    "pulse_scheduled_jobs",
    "Scheduled jobs run (weekly leaderboard posts, check-in reminders, server data purges), by kind and outcome.",
    ["kind", "outcome"],
    registry=REGISTRY,
)
DATABASE_COMMIT = Histogram(
    "pulse_database_commit_seconds",
    "Time the database took to commit a write transaction (the flush to disk included).",
    ["backend"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)


class CommandCounters:
    """One command's interaction counters, one per outcome, looked up once rather than on every interaction."""

    __slots__ = OUTCOMES

    def __init__(self, command: str) -> None:
        for outcome in OUTCOMES:
            setattr(self, outcome, INTERACTIONS.labels(command, outcome))

    def count(self, outcome: str) -> None:
        getattr(self, outcome).inc()


LatencySource = Callable[[], Iterable[tuple[int, float]]]


class GatewayLatency(Collector):
    """Each shard's heartbeat round trip, read from the client when Prometheus scrapes."""

    def __init__(self) -> None:
        self.source: LatencySource | None = None

    def describe(self) -> Iterator[Metric]:
        yield self._family()

    def collect(self) -> Iterator[Metric]:
        family = self._family()
        for shard, seconds in self.source() if self.source is not None else ():
            # A shard that has not had a heartbeat answered yet reports infinity or NaN: no figure yet.
            if math.isfinite(seconds):
                family.add_metric([str(shard)], seconds)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "pulse_gateway_latency_seconds",
            "Time between a gateway heartbeat and Discord's acknowledgement, per shard.",
            labels=["shard"],
        )


GATEWAY_LATENCY = GatewayLatency()
REGISTRY.register(GATEWAY_LATENCY)
