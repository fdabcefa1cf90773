"""Which servers a process looks after when Pulse runs its shards over several processes."""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int, count: int) -> int:
    """Discord's rule: a server belongs to the shard its id's timestamp bits land on."""
    return (guild_id >> 22) % count


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards of one process: `count` over all processes, `ids` this one runs; no count means all of them."""

    count: int | None = None
    ids: tuple[int, ...] = ()

    @property
    def everything(self) -> bool:
        return self.count is None or len(self.ids) == self.count

    def owns(self, guild_id: int) -> bool:
        return self.everything or shard_of(guild_id, self.count or 1) in self.ids

    @property
    def leads(self) -> bool:
        """The one process that does what must happen once for the whole bot (syncing commands): shard 0's."""
        return self.count is None or 0 in self.ids

    def describe(self) -> str:
        if self.count is None:
            return "all shards"
        return f"shards {', '.join(map(str, self.ids))} of {self.count}"


# A process that runs every shard: one process, or a bot not split at all.
ALL_SHARDS = Shards()
