"""The values of the jobs room: a job's id, status and record, and the claim a worker holds.

A job is a ``kind`` (a string the service's handler registry knows) and a ``payload`` (a JSON
object). The room never looks inside a payload; it only checks that it is JSON, bounded in size,
and stores it as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import NewType, TypeAlias

JobId = NewType("JobId", str)

JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None
Payload: TypeAlias = Mapping[str, JSONValue]

Clock = Callable[[], datetime]

# Bounds on what a caller may store, so that a hostile or buggy submitter cannot bloat the file.
MAX_KIND = 200
MAX_KEY = 500
# An inventory pushed by an agent may ride in a payload (about 500 bytes a package in vigil-json,
# so 16 MiB holds some 30,000 packages); anything larger should be stored and named instead.
MAX_PAYLOAD_BYTES = 16 << 20
MAX_RESULT_BYTES = 1 << 20
MAX_ERROR_CHARS = 8000
_PRIORITY_BOUND = 1 << 31  # priorities fit a signed 32-bit integer, as brokers' do


def utcnow() -> datetime:
    return datetime.now(UTC)


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        return self in _FINISHED


_FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class JobError(Exception):
    """Base of the room's errors."""


class JobNotFound(JobError, KeyError):
    pass


class InvalidJob(JobError, ValueError):
    """A submit with an unusable kind, key, payload or priority."""


class LeaseLost(JobError):
    """The claim is no longer this worker's: it expired and the job was requeued or finished.

    The worker's outcome is dropped; whoever holds the job now decides it (at-least-once).
    """


@dataclass(frozen=True, slots=True)
class JobInfo:
    id: JobId
    kind: str
    payload: dict[str, JSONValue]
    status: JobStatus
    key: str | None
    priority: int
    attempts: int  # how many times a worker has started it
    max_attempts: int
    error: str | None  # the last attempt's error, kept after a later success for diagnosis
    result: JSONValue
    created_at: datetime
    run_after: datetime  # not claimed before this (a delayed submit, or a retry's backoff)
    started_at: datetime | None  # the latest attempt's start
    finished_at: datetime | None
    updated_at: datetime
    cancel_requested: bool


@dataclass(frozen=True, slots=True)
class Claim:
    """A job handed to one worker until ``lease_expires_at``; ``token`` proves ownership."""

    job_id: JobId
    kind: str
    payload: dict[str, JSONValue]
    attempt: int  # 1 for the first run
    max_attempts: int
    token: str
    lease_expires_at: datetime


def check_kind(kind: str) -> str:
    if not isinstance(kind, str) or not kind or len(kind) > MAX_KIND or not kind.isprintable():
        raise InvalidJob(f"job kind must be a printable string of 1..{MAX_KIND} characters")
    return kind


def encode_payload(payload: Payload) -> str:
    if not isinstance(payload, Mapping):
        raise InvalidJob("job payload must be a JSON object")
    text = _encode(dict(payload), "payload")
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise InvalidJob(f"job payload is larger than {MAX_PAYLOAD_BYTES} bytes")
    return text


def encode_result(result: JSONValue) -> str:
    text = _encode(result, "result")
    if len(text.encode()) > MAX_RESULT_BYTES:
        raise InvalidJob(f"job result is larger than {MAX_RESULT_BYTES} bytes")
    return text


def _encode(value: object, what: str) -> str:
    try:
        # NaN and infinities are not JSON; sort_keys makes equal payloads equal text.
        return json.dumps(value, allow_nan=False, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidJob(f"job {what} is not JSON: {exc}") from exc


def check_key(key: str | None) -> str | None:
    if key is not None and (not isinstance(key, str) or not key or len(key) > MAX_KEY):
        raise InvalidJob(f"job key must be a string of 1..{MAX_KEY} characters")
    return key


def check_priority(priority: int) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise InvalidJob("job priority must be an integer")
    if not -_PRIORITY_BOUND < priority < _PRIORITY_BOUND:
        raise InvalidJob("job priority is out of range")
    return priority


def check_attempts(attempts: int) -> int:
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 1000:
        raise InvalidJob("max_attempts must be an integer between 1 and 1000")
    return attempts


def clip_error(text: str) -> str:
    """Keep the end of a long error: the innermost frames and the message are there."""
    if len(text) <= MAX_ERROR_CHARS:
        return text
    return "…" + text[-(MAX_ERROR_CHARS - 1) :]
