"""Worker threads that run jobs from any ``WorkerQueue`` with the handlers of a registry.

Each worker loops: claim a job of a registered kind, run its handler, record the outcome. A
keeper thread renews the leases of running jobs (so a live job is never taken for a dead one)
and tells a handler to wind down once its job's cancellation is requested or its lease was lost.
When ``reap_every`` is set the keeper also requeues jobs whose lease expired, for queues shared
by several worker processes.

``stop(timeout)`` stops claiming, waits for running handlers until the deadline, and then asks
the rest to wind down and leaves them RUNNING: their leases lapse and the next start resumes
them.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import timedelta

from vigil.jobs.backoff import Backoff
from vigil.jobs.model import Claim, Clock, InvalidJob, LeaseLost, utcnow
from vigil.jobs.queue import WorkerQueue
from vigil.jobs.registry import HandlerRegistry, Interrupted, JobContext, PermanentError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    workers: int = 2
    lease: timedelta = timedelta(seconds=60)
    heartbeat_every: float | None = None  # seconds; a third of the lease when None
    poll_interval: float = 0.5  # seconds between looks at an idle queue
    reap_every: float | None = None  # seconds; None: never requeue others' expired leases
    backoff: Backoff = field(default_factory=Backoff)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("a runner needs at least one worker")
        if self.lease <= timedelta(0) or self.poll_interval <= 0:
            raise ValueError("lease and poll_interval must be positive")


class Runner:
    def __init__(
        self,
        queue: WorkerQueue,
        registry: HandlerRegistry,
        settings: RunnerSettings | None = None,
        *,
        clock: Clock = utcnow,
        name: str = "worker",
    ) -> None:
        self.queue = queue
        self.registry = registry
        self.settings = settings or RunnerSettings()
        self.clock = clock
        self.name = name
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._keeper_stop = threading.Event()
        self._inflight: dict[str, tuple[Claim, threading.Event]] = {}
        self._inflight_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._keeper: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            raise RuntimeError("runner already started")
        self._stopping.clear()
        self._keeper_stop.clear()
        for index in range(self.settings.workers):
            thread = threading.Thread(
                target=self._work, args=(f"{self.name}-{index}",), name=f"{self.name}-{index}"
            )
            thread.daemon = True  # a stop that timed out must not keep the process alive
            thread.start()
            self._threads.append(thread)
        self._keeper = threading.Thread(target=self._keep, name=f"{self.name}-keeper")
        self._keeper.daemon = True
        self._keeper.start()

    def wake(self) -> None:
        """Look at the queue now (a job was submitted in this process)."""
        self._wakeup.set()

    def stop(self, timeout: float) -> bool:
        """Stop claiming; wait up to ``timeout`` seconds for running jobs. True if none is left."""
        self._stopping.set()
        self._wakeup.set()
        deadline = time.monotonic() + max(timeout, 0)
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))
        finished = not any(thread.is_alive() for thread in self._threads)
        if not finished:
            with self._inflight_lock:
                for _, stop in self._inflight.values():
                    stop.set()
        self._keeper_stop.set()
        if self._keeper is not None:
            self._keeper.join(max(deadline - time.monotonic(), 0.1))
        self._threads = []
        self._keeper = None
        return finished

    def running(self) -> list[Claim]:
        with self._inflight_lock:
            return [claim for claim, _ in self._inflight.values()]

    def run_until_idle(self, worker: str | None = None) -> int:
        """Run ready jobs in the calling thread until none is ready; returns how many ran."""
        done = 0
        while (claim := self._claim(worker or f"{self.name}-inline")) is not None:
            self._execute(claim)
            done += 1
        return done

    # -- threads ----------------------------------------------------------------------------

    def _work(self, worker: str) -> None:
        while not self._stopping.is_set():
            try:
                claim = self._claim(worker)
            except Exception:
                # A locked or full disk must not kill the worker; it tries again later.
                log.exception("job worker %s could not claim a job", worker)
                claim = None
            if claim is None:
                self._wakeup.wait(self.settings.poll_interval)
                self._wakeup.clear()
                continue
            self._execute(claim)

    def _claim(self, worker: str) -> Claim | None:
        return self.queue.claim(worker, self.registry.kinds(), self.settings.lease)

    def _keep(self) -> None:
        beat = self.settings.heartbeat_every or self.settings.lease.total_seconds() / 3
        reap = self.settings.reap_every
        last_reap = time.monotonic()
        while not self._keeper_stop.wait(beat):
            for claim, stop in self._snapshot():
                try:
                    if not self.queue.heartbeat(claim, self.settings.lease):
                        stop.set()
                except Exception:
                    log.exception("could not renew the lease of job %s", claim.job_id)
            if reap is not None and time.monotonic() - last_reap >= reap:
                last_reap = time.monotonic()
                try:
                    if self.queue.recover(all_running=False):
                        self._wakeup.set()
                except Exception:
                    log.exception("could not requeue jobs with expired leases")

    def _snapshot(self) -> list[tuple[Claim, threading.Event]]:
        with self._inflight_lock:
            return list(self._inflight.values())

    # -- one job ----------------------------------------------------------------------------

    def _execute(self, claim: Claim) -> None:
        stop = threading.Event()
        with self._inflight_lock:
            self._inflight[claim.job_id] = (claim, stop)
        context = JobContext(
            job_id=claim.job_id,
            kind=claim.kind,
            payload=claim.payload,
            attempt=claim.attempt,
            max_attempts=claim.max_attempts,
            _stop=stop,
        )
        try:
            self._outcome(claim, context)
        except LeaseLost:
            log.warning("job %s: lease lost, its outcome here is dropped", claim.job_id)
        except Exception:
            # The outcome could not be written (disk, lock): the lease lapses and the job runs
            # again, which idempotent handlers allow.
            log.exception("job %s: could not record its outcome", claim.job_id)
        finally:
            with self._inflight_lock:
                self._inflight.pop(claim.job_id, None)

    def _outcome(self, claim: Claim, context: JobContext) -> None:
        handler = self.registry.handler(claim.kind)
        if handler is None:
            self.queue.fail(claim, f"no handler for job kind {claim.kind!r}", None)
            return
        try:
            result = handler(context)
        except Interrupted:
            self.queue.release(claim)
            return
        except PermanentError as exc:
            self.queue.fail(claim, _describe(exc), None)
            return
        except Exception as exc:
            delay = self.settings.backoff.delay(claim.job_id, claim.attempt)
            self.queue.fail(claim, _describe(exc), self.clock() + delay)
            return
        try:
            self.queue.succeed(claim, result)
        except InvalidJob as exc:  # the handler returned something that is not JSON
            self.queue.fail(claim, str(exc), None)


def _describe(exc: BaseException) -> str:
    """The exception's last frames and message (the stored error keeps the tail if long)."""
    return "".join(traceback.format_exception(exc, limit=-8)).rstrip()
