"""The job interface every backend implements (ADR 10).

Two sides, so that a backend may implement them with different machinery:
- ``JobQueue``, what the service calls: submit work, look at it, cancel it, list it;
- ``WorkerQueue``, what a runner calls: claim the next job under a lease, keep the lease alive,
  and report the outcome. The embedded backend implements both on one SQLite file; a distributed
  backend implements ``JobQueue`` over its status table and leaves the worker side to its engine
  (docs/adr/0010-jobs.md says how).

Delivery is at least once: a job whose worker dies is run again, so handlers must be idempotent.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Protocol

from vigil.jobs.model import Claim, JobId, JobInfo, JobStatus, JSONValue, Payload


class JobQueue(Protocol):
    def submit(
        self,
        kind: str,
        payload: Payload,
        *,
        key: str | None = None,
        run_after: datetime | None = None,
        priority: int = 0,
        max_attempts: int | None = None,
    ) -> JobId:
        """Queue a job and return its id.

        ``key`` de-duplicates: while a job with the same key is QUEUED or RUNNING, submitting
        again returns that job's id and queues nothing. Higher ``priority`` runs first; equal
        priorities run in submission order. ``run_after`` delays the first run.
        """
        ...

    def get(self, job_id: JobId) -> JobInfo:
        """The job's current record; raises ``JobNotFound``."""
        ...

    def cancel(self, job_id: JobId) -> JobInfo:
        """Cancel a queued job at once; ask a running one to stop (its handler sees it through
        ``JobContext.cancelled``). A finished job is left as it is. Raises ``JobNotFound``."""
        ...

    def list(
        self,
        *,
        status: JobStatus | Collection[JobStatus] | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[JobInfo]:
        """Jobs, newest first, optionally filtered by status(es) and kind."""
        ...


class WorkerQueue(Protocol):
    def claim(self, worker: str, kinds: Collection[str], lease: timedelta) -> Claim | None:
        """Take the most urgent ready job of one of ``kinds``, RUNNING under a lease; or None."""
        ...

    def heartbeat(self, claim: Claim, lease: timedelta) -> bool:
        """Extend the lease. False when the worker should stop: the job's cancellation was
        requested, or the claim was lost (expired and requeued)."""
        ...

    def succeed(self, claim: Claim, result: JSONValue) -> JobInfo:
        """Record success. Raises ``LeaseLost`` when the claim is no longer this worker's."""
        ...

    def fail(self, claim: Claim, error: str, retry_at: datetime | None) -> JobInfo:
        """Record a failed attempt: requeued for ``retry_at`` while attempts remain and
        ``retry_at`` is given, else FAILED (CANCELLED when cancellation was requested).
        Raises ``LeaseLost``."""
        ...

    def release(self, claim: Claim) -> JobInfo:
        """Give the job back unrun (the worker is shutting down): QUEUED again, the attempt not
        counted. Raises ``LeaseLost``."""
        ...

    def recover(self, *, all_running: bool) -> list[JobId]:
        """Requeue RUNNING jobs whose lease expired, or every RUNNING job when the caller knows
        no other worker is alive. A job that has used all its attempts is FAILED instead, so a
        job that kills its worker every time cannot loop forever."""
        ...
