"""CPU-heavy work (charts, reading uploaded files) in a few threads, shared fairly between members.

Each job belongs to a key (a member, or the server for scheduled work). Free threads take the next job round-robin
across keys: one job of every waiting key before a second of any, so a member's hundred queued charts cost
another member at most one chart's wait per thread. Few threads on purpose: they share the interpreter's lock with
the event loop, and every extra one takes time from the loop that answers everyone's interactions.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def default_workers() -> int:
    """Two threads, or one on a single core: more would only take turns at the interpreter's lock."""
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(slots=True)
class _Job:
    call: Callable[[], Any]
    done: asyncio.Future[Any]


class FairPool:
    """A bounded thread pool that serves its waiting keys in turn (see the module docstring)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise ValueError("a FairPool needs at least one worker")
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="pulse-work")
        # The keys with jobs waiting, in the order they get their next turn; each with its jobs in arrival order.
        self._waiting: OrderedDict[Hashable, deque[_Job]] = OrderedDict()
        self._running = 0
        self._closed = False

    @property
    def running(self) -> int:
        """Jobs in a thread right now."""
        return self._running

    def waiting(self, key: Hashable | None = None) -> int:
        """Jobs queued (of `key`, or of everyone)."""
        if key is not None:
            return len(self._waiting.get(key, ()))
        return sum(len(jobs) for jobs in self._waiting.values())

    async def run(self, key: Hashable, function: Callable[..., T], *args: Any) -> T:
        """Run `function(*args)` in a thread when `key`'s turn comes; its result (or exception).

        Cancelling the caller drops a job still waiting; one already running finishes and is ignored.
        """
        if self._closed:
            raise RuntimeError("the work pool is closed")
        context = contextvars.copy_context()
        job = _Job(lambda: context.run(function, *args), asyncio.get_running_loop().create_future())
        self._waiting.setdefault(key, deque()).append(job)
        self._start_next()
        return await job.done

    def close(self) -> None:
        """Take no new jobs and drop the waiting ones; running jobs finish in their threads."""
        self._closed = True
        for jobs in self._waiting.values():
            for job in jobs:
                job.done.cancel()
        self._waiting.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _next_job(self) -> _Job | None:
        while self._waiting:
            key, jobs = next(iter(self._waiting.items()))
            job = jobs.popleft()
            if jobs:
                self._waiting.move_to_end(key)  # its next job waits until every other key had a turn
            else:
                del self._waiting[key]
            if not job.done.done():  # skip jobs whose caller went away
                return job
        return None

    def _start_next(self) -> None:
        while self._running < self.workers and (job := self._next_job()) is not None:
            self._running += 1
            loop = asyncio.get_running_loop()
            thread_future = loop.run_in_executor(self._executor, job.call)
            thread_future.add_done_callback(functools.partial(self._finished, job))

    def _finished(self, job: _Job, finished: asyncio.Future[Any]) -> None:
        self._running -= 1
        if not job.done.done():
            if finished.cancelled():
                job.done.cancel()
            elif (error := finished.exception()) is not None:
                job.done.set_exception(error)
            else:
                job.done.set_result(finished.result())
        if not self._closed:
            self._start_next()
