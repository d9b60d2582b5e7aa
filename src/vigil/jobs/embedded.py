"""The embedded backend: a persistent queue in ``jobs.sqlite`` run by worker threads in-process.

``start()`` takes an exclusive lock on ``<file>.lock`` (``flock``: the kernel drops it when the
process dies, SIGKILL included). Holding it proves that no other process runs workers on this
file, so every job still RUNNING was left by a dead process and is requeued at once (or FAILED
if that was its last attempt); work resumes right after a restart instead of after a lease
expires. With ``exclusive=False`` several processes may run workers on one file; then only
expired leases are requeued, at start and periodically.

Delivery is at least once (a job interrupted by a crash runs again): handlers must be
idempotent (see registry.py).
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from vigil.jobs.model import (
    Clock,
    InvalidJob,
    JobError,
    JobId,
    JobInfo,
    JobStatus,
    Payload,
    utcnow,
)
from vigil.jobs.queue import JobQueue, WorkerQueue
from vigil.jobs.registry import HandlerRegistry
from vigil.jobs.runner import Runner, RunnerSettings
from vigil.jobs.schedule import Schedule, Scheduler, ScheduleStore
from vigil.jobs.sqlite_queue import DEFAULT_MAX_ATTEMPTS, SqliteJobQueue, new_job_id
from vigil.jobs.sqlite_schedules import SqliteScheduleStore

FILENAME = "jobs.sqlite"


class BackendBusy(JobError):
    """Another live process already runs workers on this job file."""


class EmbeddedBackend:
    """``JobQueue`` with in-process workers and schedules over one job file."""

    def __init__(
        self,
        path: Path,
        registry: HandlerRegistry,
        settings: RunnerSettings | None = None,
        *,
        schedules: Sequence[Schedule] = (),
        exclusive: bool = True,
        clock: Clock = utcnow,
        new_id: Callable[[], str] = new_job_id,
        default_max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        synchronous: str = "NORMAL",
    ) -> None:
        settings = settings or RunnerSettings()
        if not exclusive and settings.reap_every is None:
            # Workers of other processes may die: take their jobs back once their lease lapses.
            settings = replace(settings, reap_every=settings.lease.total_seconds() / 2)
        for schedule in schedules:
            if schedule.kind not in registry:
                raise InvalidJob(f"schedule {schedule.name!r} runs unknown kind {schedule.kind!r}")
        self.path = path
        self.exclusive = exclusive
        self.registry = registry
        self.queue = SqliteJobQueue(
            path,
            clock=clock,
            new_id=new_id,
            default_max_attempts=default_max_attempts,
            synchronous=synchronous,
        )
        name = f"{socket.gethostname()}:{os.getpid()}"
        self.runner = Runner(self.queue, registry, settings, clock=clock, name=name)
        self.scheduler = Scheduler(
            SqliteScheduleStore(self.queue), schedules, clock=clock, on_submit=self.runner.wake
        )
        self._lock_file: IO[bytes] | None = None
        self._started = False

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> list[JobId]:
        """Recover jobs left by a dead process, then start workers and schedules.

        Returns the ids of the jobs recovered (requeued, or failed on their last attempt).
        Raises ``BackendBusy`` when exclusive and another process holds the file.
        """
        if self._started:
            raise RuntimeError("backend already started")
        if self.exclusive:
            self._lock()
        try:
            recovered = self.queue.recover(all_running=self.exclusive)
            self.runner.start()
            self.scheduler.start()
        except BaseException:
            self.runner.stop(0)
            self._unlock()
            raise
        self._started = True
        return recovered

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop schedules and claiming; let running jobs finish within ``timeout`` seconds.

        True when every running job finished. Otherwise the rest stay RUNNING and are resumed
        by the next start; the process should then exit, since their threads still run.
        """
        if not self._started:
            return True
        self.scheduler.stop()
        finished = self.runner.stop(timeout)
        self._unlock()
        self._started = False
        return finished

    def close(self) -> None:
        self.stop()
        self.queue.close()

    def __enter__(self) -> EmbeddedBackend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _lock(self) -> None:
        handle = open(self.path.with_name(self.path.name + ".lock"), "ab")  # noqa: SIM115
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise BackendBusy(f"another process runs the jobs of {self.path}") from None
        self._lock_file = handle

    def _unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing the descriptor releases the flock
            self._lock_file = None

    # -- JobQueue ---------------------------------------------------------------------------

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
        """Queue a job; its kind must have a handler here (else it would wait forever)."""
        if kind not in self.registry:
            raise InvalidJob(f"no handler is registered for job kind {kind!r}")
        job_id = self.queue.submit(
            kind,
            payload,
            key=key,
            run_after=run_after,
            priority=priority,
            max_attempts=max_attempts,
        )
        self.runner.wake()
        return job_id

    def get(self, job_id: JobId) -> JobInfo:
        return self.queue.get(job_id)

    def cancel(self, job_id: JobId) -> JobInfo:
        return self.queue.cancel(job_id)

    def list(
        self,
        *,
        status: JobStatus | Collection[JobStatus] | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[JobInfo]:
        return self.queue.list(status=status, kind=kind, limit=limit)

    def trigger_now(self, name: str) -> JobId:
        """Run schedule ``name`` now (the on-demand advisory sync)."""
        return self.scheduler.trigger_now(name)


if TYPE_CHECKING:
    # Checked by mypy only: each class implements the protocols the ADR says it does.
    def _implements(
        backend: EmbeddedBackend, queue: SqliteJobQueue
    ) -> tuple[JobQueue, JobQueue, WorkerQueue, ScheduleStore]:
        return backend, queue, queue, SqliteScheduleStore(queue)
