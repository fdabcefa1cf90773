"""The one dispatcher for scheduled work: due times are rows; it sleeps until the earliest and runs what is due.

Each job is claimed in a transaction, run, then marked finished together with the job that follows it. A job
whose claim was never finished (the process died mid-way) is handed to its handler again after the claim's lease
ran out, flagged as abandoned, so the handler can find out what was already done instead of doing it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol, get_args

from bot.clock import Clock
from bot.metrics import SCHEDULED_JOBS
from bot.storage.jobs import Job, JobStore, PlannedJob

log = logging.getLogger(__name__)

# A job that keeps failing is tried this many times, waiting longer each time, then given up (and logged).
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(minutes=1)
# After the dispatcher itself failed (the database was busy, say), wait this long before looking again.
FAULT_PAUSE = 5.0


State = Literal["done", "skipped", "failed", "retry"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a handler did with a job; `then` is the job that follows it (planned in the same transaction)."""

    state: State
    detail: str = ""
    then: PlannedJob | None = None


class JobHandler(Protocol):
    async def run(self, job: Job) -> Outcome:
        """Do the job. `job.abandoned_by` is set when an earlier claim may have done part of it."""
        ...

    async def following(self, job: Job) -> PlannedJob | None:
        """The job to plan when this one is given up, so that one bad week does not end the series."""
        ...


def retry_delay(attempts: int) -> timedelta:
    return RETRY_BASE * 2 ** max(0, attempts - 1)


class Dispatcher:
    """Runs the jobs in `store` with the handler registered for their kind."""

    def __init__(self, store: JobStore, clock: Clock, owner: str | None = None) -> None:
        self.store = store
        self.clock = clock
        # Identifies this process's claims: a restart is a new owner, so its predecessor's claims are abandoned.
        self.owner = owner or secrets.token_hex(8)
        self.handlers: dict[str, JobHandler] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def register(self, kind: str, handler: JobHandler) -> None:
        self.handlers[kind] = handler
        # Every outcome's series exists from the start, so the first failure shows as an increase from zero.
        for state in get_args(State):
            SCHEDULED_JOBS.labels(kind, state)

    def wake(self) -> None:
        """Look at the table again now (a job was planned or moved)."""
        self._wake.set()

    async def plan(self, job: PlannedJob) -> bool:
        planned = await self.store.plan(job)
        self.wake()
        return planned

    async def cancel(self, kind: str, guild_id: int) -> int:
        cancelled = await self.store.cancel(kind, guild_id)
        self.wake()
        return cancelled

    async def run_due(self) -> list[tuple[Job, Outcome]]:
        """Claim and run every job due now; one job's failure never stops the others."""
        results = []
        for job in await self.store.claim_due(self.clock.now(), self.owner):
            outcome = await self._run(job)
            results.append((job, outcome))
        return results

    async def _run(self, job: Job) -> Outcome:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for jobs of kind {job.kind!r}")
            outcome = await handler.run(job)
        except Exception as exc:
            log.exception("job %s (%s, guild %s, %s) failed", job.id, job.kind, job.guild_id, job.key)
            outcome = Outcome("retry", f"{type(exc).__name__}: {exc}")
        now = self.clock.now()
        state = outcome.state
        if state == "retry":
            if job.attempts < MAX_ATTEMPTS:
                await self.store.retry(job, self.owner, now + retry_delay(job.attempts), outcome.detail)
                SCHEDULED_JOBS.labels(job.kind, "retry").inc()
                return outcome
            log.error(
                "job %s (%s, guild %s) gave up after %d attempts",
                job.id,
                job.kind,
                job.guild_id,
                job.attempts,
            )
            outcome = Outcome("failed", outcome.detail, await self._following(handler, job))
            state = "failed"
        finished = await self.store.finish(job, self.owner, state, outcome.detail, now, outcome.then)
        SCHEDULED_JOBS.labels(job.kind, state).inc()
        if not finished:
            log.warning("job %s was claimed by another process before it finished here", job.id)
        return outcome

    async def _following(self, handler: JobHandler | None, job: Job) -> PlannedJob | None:
        if handler is None:
            return None
        try:
            return await handler.following(job)
        except Exception:
            log.exception("planning what follows job %s failed", job.id)
            return None

    async def run_forever(self) -> None:
        """Run due jobs, then sleep until the next one is due or `wake()` is called; never ends on an error."""
        while True:
            self._wake.clear()
            try:
                await self.run_due()
                wake_at = await self.store.next_wake()
            except Exception:
                log.exception("the dispatcher failed; looking again in %s s", FAULT_PAUSE)
                await asyncio.sleep(FAULT_PAUSE)
                continue
            delay = None if wake_at is None else max(0.0, (wake_at - self.clock.now()).total_seconds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run_forever(), name="dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
