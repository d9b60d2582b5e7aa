"""The job-queue interface and its backends; knows nothing of scans.

A job is a kind and a JSON payload, run by the handler the service registered for that kind.
``queue.JobQueue`` and ``queue.WorkerQueue`` are the interface; ``embedded.EmbeddedBackend`` is
the default backend (a SQLite file and worker threads in-process); ``schedule`` adds recurring
runs. See docs/adr/0010-jobs.md.
"""

from vigil.jobs.backoff import Backoff
from vigil.jobs.embedded import FILENAME, BackendBusy, EmbeddedBackend
from vigil.jobs.model import (
    Claim,
    InvalidJob,
    JobError,
    JobId,
    JobInfo,
    JobNotFound,
    JobStatus,
    JSONValue,
    LeaseLost,
    Payload,
)
from vigil.jobs.queue import JobQueue, WorkerQueue
from vigil.jobs.registry import Handler, HandlerRegistry, Interrupted, JobContext, PermanentError
from vigil.jobs.runner import Runner, RunnerSettings
from vigil.jobs.schedule import Schedule, Scheduler, ScheduleState, ScheduleStore
from vigil.jobs.sqlite_queue import SqliteJobQueue
from vigil.jobs.sqlite_schedules import SqliteScheduleStore

__all__ = [
    "FILENAME",
    "BackendBusy",
    "Backoff",
    "Claim",
    "EmbeddedBackend",
    "Handler",
    "HandlerRegistry",
    "Interrupted",
    "InvalidJob",
    "JSONValue",
    "JobContext",
    "JobError",
    "JobId",
    "JobInfo",
    "JobNotFound",
    "JobQueue",
    "JobStatus",
    "LeaseLost",
    "Payload",
    "PermanentError",
    "Runner",
    "RunnerSettings",
    "Schedule",
    "ScheduleState",
    "ScheduleStore",
    "Scheduler",
    "SqliteJobQueue",
    "SqliteScheduleStore",
    "WorkerQueue",
]
