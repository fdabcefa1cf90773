from bot.domain.shards import ALL_SHARDS, Shards, shard_of

# Discord's own example: this server id is on shard 0 of 1 and, by its timestamp bits, on shard 1 of 2.
GUILD = 197038439483310086


def test_the_shard_of_a_server_follows_discords_rule() -> None:
    assert shard_of(GUILD, 1) == 0
    assert shard_of(GUILD, 2) == (GUILD >> 22) % 2
    assert [shard_of(n << 22, 4) for n in range(6)] == [0, 1, 2, 3, 0, 1]


def test_a_process_owns_only_the_servers_of_its_shards() -> None:
    first, second = Shards(2, (0,)), Shards(2, (1,))
    servers = [n << 22 for n in range(10)]
    assert [g for g in servers if first.owns(g)] == servers[0::2]
    assert [g for g in servers if second.owns(g)] == servers[1::2]
    assert all(ALL_SHARDS.owns(g) and Shards(2, (0, 1)).owns(g) for g in servers)


def test_only_the_process_with_shard_zero_leads() -> None:
    assert ALL_SHARDS.leads
    assert Shards(4, (0, 1)).leads
    assert not Shards(4, (2, 3)).leads
    assert Shards(4, (2, 3)).describe() == "shards 2, 3 of 4"
    assert ALL_SHARDS.describe() == "all shards"
