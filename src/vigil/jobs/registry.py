"""Handlers and the explicit registry the service passes to a runner.

A handler is a function of a ``JobContext`` returning a JSON value (the job's result). It must be
idempotent: the backend delivers at least once, so a handler may run again after its worker died
halfway, or after it finished but before its success was recorded. Write results with upserts or
keyed on ``ctx.job_id``, never as blind appends.

Raise ``PermanentError`` for a failure a retry cannot fix (bad payload, missing resource); any
other exception is retried with backoff until the job's attempts are used up. A long handler
should look at ``ctx.cancelled()`` between steps and return or raise ``Interrupted`` when it is
set: then a shutting-down runner hands the job back unrun instead of waiting for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from vigil.jobs.model import InvalidJob, JobId, JSONValue, check_kind


class PermanentError(Exception):
    """A failure not worth retrying: the job goes straight to FAILED."""


class Interrupted(Exception):
    """Raised by a handler that stopped because ``ctx.cancelled()`` was set."""


@dataclass(frozen=True, slots=True)
class JobContext:
    job_id: JobId
    kind: str
    payload: Mapping[str, JSONValue]
    attempt: int  # 1 on the first run; above 1 after a failure or a lost worker
    max_attempts: int
    _stop: threading.Event = field(repr=False)

    def cancelled(self) -> bool:
        """True once the job's cancellation was requested, its lease was lost, or the runner is
        stopping: a handler should wind down."""
        return self._stop.is_set()


Handler = Callable[[JobContext], JSONValue]


class HandlerRegistry:
    """Kind → handler, filled explicitly by whoever wires the service (no import side effects)."""

    def __init__(self, handlers: Mapping[str, Handler] | None = None) -> None:
        self._handlers: dict[str, Handler] = {}
        for kind, handler in (handlers or {}).items():
            self.register(kind, handler)

    def register(self, kind: str, handler: Handler) -> None:
        check_kind(kind)
        if kind in self._handlers:
            raise InvalidJob(f"a handler for job kind {kind!r} is already registered")
        self._handlers[kind] = handler

    def handler(self, kind: str) -> Handler | None:
        return self._handlers.get(kind)

    def kinds(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def __contains__(self, kind: object) -> bool:
        return kind in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))
