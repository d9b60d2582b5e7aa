"""What the HTTP API's handlers are given: the services they call and who is calling.

The API room never opens a database or reads a key file itself; the process that serves it
(``vigil server``, or a test) builds one :class:`ApiServices` and hands it to
``vigil.api.create_app``. Rooms that add operations add their own fields here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from vigil.advisories.store import AdvisoryStore
from vigil.jobs import JobQueue
from vigil.service.keys import KeyService


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Caller:
    """The authenticated principal of one request: whose data it may see and what it may do."""

    account_id: str
    role: str
    access_key_id: str


@dataclass(frozen=True)
class ApiServices:
    """The services one API process shares between all requests."""

    engine: Engine
    keys: KeyService
    clock: Callable[[], datetime] = utc_now
    # Where reports and SBOM exports are queued; None in a process that runs no jobs.
    jobs: JobQueue | None = None
    # Opens the current advisory store for one request (a store belongs to one thread); None
    # when the process has none, and the operations that need one say so.
    advisories: Callable[[], AdvisoryStore] | None = None
