"""The fair work pool: members take turns, the pool stays bounded, results and failures reach their callers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable

import pytest

from bot.work import FairPool, default_workers


@pytest.fixture
async def pool() -> AsyncIterator[FairPool]:
    made = FairPool(workers=1)
    yield made
    made.close()


def recorder(done: list[str], gate: threading.Event | None = None) -> Callable[[str], str]:
    def job(name: str) -> str:
        if gate is not None:
            assert gate.wait(10), "the test never opened the gate"
        done.append(name)
        return name

    return job


async def settle() -> None:
    """Let tasks created so far reach their first await (and the pool hand out what it can)."""
    for _ in range(3):
        await asyncio.sleep(0)


async def test_a_member_with_one_job_goes_before_the_rest_of_a_flood(pool: FairPool) -> None:
    done: list[str] = []
    gate = threading.Event()
    blocker = asyncio.create_task(pool.run("flooder", recorder(done, gate), "busy"))
    await settle()
    flood = [asyncio.create_task(pool.run("flooder", recorder(done), f"flood{n}")) for n in range(1, 6)]
    await settle()
    calm = asyncio.create_task(pool.run("calm", recorder(done), "calm"))
    other = asyncio.create_task(pool.run("other", recorder(done), "other"))
    await settle()
    assert (pool.running, pool.waiting("flooder"), pool.waiting()) == (1, 5, 7)
    gate.set()
    await asyncio.gather(blocker, *flood, calm, other)
    # Round-robin: after the job in the thread, one of each waiting member's, then the flood's remainder.
    assert done == ["busy", "flood1", "calm", "other", "flood2", "flood3", "flood4", "flood5"]
    assert (pool.running, pool.waiting()) == (0, 0)


async def test_a_key_that_comes_back_waits_its_turn_behind_the_others(pool: FairPool) -> None:
    done: list[str] = []
    gate = threading.Event()
    blocker = asyncio.create_task(pool.run("a", recorder(done, gate), "a0"))
    await settle()
    jobs = [
        asyncio.create_task(pool.run(key, recorder(done), name))
        for key, name in (("a", "a1"), ("a", "a2"), ("b", "b1"), ("b", "b2"), ("c", "c1"))
    ]
    await settle()
    gate.set()
    await asyncio.gather(blocker, *jobs)
    assert done == ["a0", "a1", "b1", "c1", "a2", "b2"]


async def test_never_more_jobs_in_threads_than_workers() -> None:
    pool = FairPool(workers=2)
    gate = threading.Event()
    inside, most = 0, 0
    lock = threading.Lock()

    def job(number: int) -> int:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        assert gate.wait(10)
        with lock:
            inside -= 1
        return number * 2

    try:
        tasks = [asyncio.create_task(pool.run(f"member{n}", job, n)) for n in range(6)]
        await settle()
        assert (pool.running, pool.waiting()) == (2, 4)
        gate.set()
        assert await asyncio.gather(*tasks) == [0, 2, 4, 6, 8, 10]
        assert most == 2
    finally:
        pool.close()


async def test_a_failure_reaches_only_its_own_caller(pool: FairPool) -> None:
    def fail() -> None:
        raise ValueError("bad file")

    failing = asyncio.create_task(pool.run("a", fail))
    fine = asyncio.create_task(pool.run("b", lambda: 42))
    with pytest.raises(ValueError, match="bad file"):
        await failing
    assert await fine == 42


async def test_a_cancelled_caller_s_waiting_job_never_runs(pool: FairPool) -> None:
    done: list[str] = []
    gate = threading.Event()
    blocker = asyncio.create_task(pool.run("a", recorder(done, gate), "first"))
    await settle()
    gone = asyncio.create_task(pool.run("b", recorder(done), "gone"))
    kept = asyncio.create_task(pool.run("c", recorder(done), "kept"))
    await settle()
    gone.cancel()
    gate.set()
    await asyncio.gather(blocker, kept)
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert done == ["first", "kept"]


async def test_closing_drops_waiting_jobs_and_refuses_new_ones() -> None:
    pool = FairPool(workers=1)
    gate = threading.Event()
    done: list[str] = []
    running = asyncio.create_task(pool.run("a", recorder(done, gate), "running"))
    waiting = asyncio.create_task(pool.run("b", recorder(done), "waiting"))
    await settle()
    pool.close()
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await running == "running"
    assert done == ["running"]
    with pytest.raises(RuntimeError, match="closed"):
        await pool.run("c", recorder(done), "late")


def test_the_pool_has_at_least_one_and_at_most_two_threads_by_default() -> None:
    assert 1 <= default_workers() <= 2
    with pytest.raises(ValueError):
        FairPool(workers=0)
