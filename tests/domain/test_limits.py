"""Per-member limits on the heavy commands: who waits, for how long, and who does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.limits import COOLDOWNS, Cooldown, Cooldowns, scaled

T0 = datetime(2026, 3, 20, 12, 0, 0, tzinfo=UTC)
A, B = 1_000_000_000_000_000_001, 1_000_000_000_000_000_002


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_heavy_commands_and_their_limits() -> None:
    assert dict(COOLDOWNS) == {
        "progress": Cooldown(1, timedelta(seconds=15)),
        "besttime": Cooldown(1, timedelta(seconds=15)),
        "log import": Cooldown(1, timedelta(seconds=30)),
        "ask": Cooldown(3, timedelta(seconds=30)),
        "privacy export": Cooldown(1, timedelta(minutes=10)),
    }
    assert Cooldowns().limits == COOLDOWNS


def test_first_start_is_allowed_then_wait_the_rest_of_the_window() -> None:
    limits = Cooldowns()
    assert limits.take("progress", A, at(0)) == 0
    assert limits.take("progress", A, at(0)) == 15
    assert limits.take("progress", A, at(1)) == 14
    # Seconds left are rounded up: 5.3 s to wait is said as 6.
    assert limits.take("progress", A, at(9.7)) == 6
    assert limits.take("progress", A, at(14)) == 1
    # Less than a second left still says one second, never zero (zero means "go ahead").
    assert limits.take("progress", A, at(14.999)) == 1
    # A refused start is not counted: the window still runs from the first start.
    assert limits.take("progress", A, at(15)) == 0
    assert limits.take("progress", A, at(16)) == 14


def test_after_the_window_the_member_may_start_again() -> None:
    limits = Cooldowns()
    assert limits.take("privacy export", A, at(0)) == 0
    assert limits.take("privacy export", A, at(599)) == 1
    assert limits.take("privacy export", A, at(300)) == 300
    assert limits.take("privacy export", A, at(600)) == 0
    assert limits.take("privacy export", A, at(601)) == 599
    assert limits.take("privacy export", A, at(3600)) == 0


def test_members_and_commands_have_their_own_turns() -> None:
    limits = Cooldowns()
    assert limits.take("log import", A, at(0)) == 0
    assert limits.take("log import", B, at(1)) == 0
    assert limits.take("progress", A, at(2)) == 0
    assert limits.take("privacy export", A, at(3)) == 0
    assert limits.take("log import", A, at(4)) == 26
    assert limits.take("log import", B, at(4)) == 27
    assert limits.take("progress", A, at(4)) == 13
    assert limits.take("progress", B, at(4)) == 0
    assert limits.take("ask", A, at(4)) == 0


def test_give_back_restores_the_turn() -> None:
    limits = Cooldowns()
    start = at(0)
    assert limits.take("log import", A, start) == 0
    assert limits.take("log import", A, at(1)) == 29
    limits.give_back("log import", A, start)
    assert limits.take("log import", A, at(2)) == 0
    assert limits.take("log import", A, at(3)) == 29
    # Giving back what was never taken, or someone else's, changes nothing.
    limits.give_back("log import", A, at(1))
    limits.give_back("log import", B, at(2))
    limits.give_back("progress", A, at(2))
    assert limits.take("log import", A, at(4)) == 28


def test_give_back_only_the_start_that_was_refused_later() -> None:
    limits = Cooldowns()
    for second in (0, 5, 10):
        assert limits.take("ask", A, at(second)) == 0
    limits.give_back("ask", A, at(5))
    assert limits.take("ask", A, at(11)) == 0
    # Starts at 0, 10 and 11 now count: the next turn comes when the one at 0 leaves the window.
    assert limits.take("ask", A, at(12)) == 18


def test_several_uses_within_a_sliding_window() -> None:
    limits = Cooldowns()
    assert [limits.take("ask", A, at(s)) for s in (0, 10, 20)] == [0, 0, 0]
    assert limits.take("ask", A, at(25)) == 5
    assert limits.take("ask", A, at(29.5)) == 1
    # At 30 the start at 0 leaves the window: one more, and then wait for the one at 10.
    assert limits.take("ask", A, at(30)) == 0
    assert limits.take("ask", A, at(31)) == 9
    assert limits.take("ask", A, at(40)) == 0
    assert limits.take("ask", A, at(50)) == 0
    assert limits.take("ask", A, at(55)) == 5
    # Long after, the whole window is free again.
    assert [limits.take("ask", A, at(s)) for s in (200, 200, 200)] == [0, 0, 0]
    assert limits.take("ask", A, at(200)) == 30


def test_custom_limits() -> None:
    limits = Cooldowns({"slow": Cooldown(2, timedelta(minutes=1))})
    assert limits.take("slow", A, at(0)) == 0
    assert limits.take("slow", A, at(0)) == 0
    assert limits.take("slow", A, at(0.25)) == 60
    assert limits.take("slow", A, at(60)) == 0


def test_many_members_are_forgotten_once_their_window_passed() -> None:
    limits = Cooldowns()
    for user in range(3000):
        assert limits.take("progress", user, at(user * 0.001)) == 0
    # Much later: pruning never forgets a member still within their window.
    assert limits.take("progress", 1, at(100)) == 0
    for user in range(5000, 7100):
        assert limits.take("progress", user, at(100)) == 0
    assert limits.take("progress", 1, at(101)) == 14
    assert limits.take("progress", 2999, at(101)) == 0
    # Memory follows recent use: the 3 000 members of long ago are gone, the 2 100 of now are there.
    assert 2100 <= len(limits._starts) < 3000


def test_scaled_limits() -> None:
    assert scaled(COOLDOWNS, 2)["privacy export"] == Cooldown(1, timedelta(minutes=20))
    assert scaled(COOLDOWNS, 0.5)["ask"] == Cooldown(3, timedelta(seconds=15))
    assert scaled(COOLDOWNS, 1) == COOLDOWNS
    # Zero: no limit at all.
    free = Cooldowns(scaled(COOLDOWNS, 0))
    assert [free.take("privacy export", A, T0) for _ in range(5)] == [0] * 5
    half = Cooldowns(scaled(COOLDOWNS, 0.5))
    assert half.take("progress", A, at(0)) == 0
    assert half.take("progress", A, at(0)) == 8  # 7.5 s, rounded up
    assert half.take("progress", A, at(7.5)) == 0
