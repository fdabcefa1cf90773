"""Per-member limits on the commands that cost the most: one member's flood must not slow anyone else down."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Cooldown:
    """At most `uses` starts per member within any `per`."""

    uses: int
    per: timedelta


# The heavy commands: a chart, a file of up to 5 000 rows or a zip of several, a search of the guides, a full export.
COOLDOWNS: dict[str, Cooldown] = {
    "progress": Cooldown(1, timedelta(seconds=15)),
    "besttime": Cooldown(1, timedelta(seconds=15)),
    "log import": Cooldown(1, timedelta(seconds=30)),
    "ask": Cooldown(3, timedelta(seconds=30)),
    "privacy export": Cooldown(1, timedelta(minutes=10)),
}
# A member runs these one at a time: a second start while the first is under way would only queue up behind it
# (and a flood of them behind each other), for an answer the first is about to give.
ONE_AT_A_TIME = frozenset({"progress", "besttime", "log import"})
# Every this many starts, forget the members whose window has passed: memory follows recent use only.
_PRUNE_EVERY = 1024


def scaled(limits: dict[str, Cooldown], factor: float) -> dict[str, Cooldown]:
    """The same limits with every window multiplied by `factor` (0: no limit at all)."""
    return {command: Cooldown(c.uses, c.per * factor) for command, c in limits.items()}


class Cooldowns:
    """Counts starts per command and member in memory (a restart forgives everyone, which is fine), and which
    members have a run of a one-at-a-time command under way."""

    def __init__(
        self, limits: dict[str, Cooldown] | None = None, alone: frozenset[str] = ONE_AT_A_TIME
    ) -> None:
        self.limits = COOLDOWNS if limits is None else limits
        self.alone = alone
        self._starts: dict[tuple[str, int], deque[datetime]] = {}
        self._running: set[tuple[str, int]] = set()
        self._since_prune = 0

    def begin(self, command: str, user_id: int) -> bool:
        """Mark the member's run of `command` as under way; False when a one-at-a-time run of theirs already is."""
        if command not in self.alone:
            return True
        if (command, user_id) in self._running:
            return False
        self._running.add((command, user_id))
        return True

    def end(self, command: str, user_id: int) -> None:
        """The member's run of `command` is over (answered, refused or failed)."""
        self._running.discard((command, user_id))

    def take(self, command: str, user_id: int, now: datetime) -> float:
        """Count a start of `command` by the member; returns 0, or the seconds to wait (nothing counted then)."""
        limit = self.limits[command]
        starts = self._starts.setdefault((command, user_id), deque())
        while starts and now - starts[0] >= limit.per:
            starts.popleft()
        if len(starts) >= limit.uses:
            return max(1.0, math.ceil((starts[0] + limit.per - now).total_seconds()))
        starts.append(now)
        self._prune(now)
        return 0.0

    def give_back(self, command: str, user_id: int, at: datetime) -> None:
        """Uncount the start made at `at` (the command was refused before it did its heavy work)."""
        starts = self._starts.get((command, user_id))
        if starts and at in starts:
            starts.remove(at)

    def _prune(self, now: datetime) -> None:
        self._since_prune += 1
        if self._since_prune < _PRUNE_EVERY:
            return
        self._since_prune = 0
        for key, starts in list(self._starts.items()):
            if not starts or now - starts[-1] >= self.limits[key[0]].per:
                del self._starts[key]
