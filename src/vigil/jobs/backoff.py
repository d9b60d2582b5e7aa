"""When a failed attempt runs again: exponential backoff with a bounded, reproducible jitter.

The jitter spreads retries of many jobs that failed together (a registry outage) so they do not
come back in one burst; it is derived from the job id and attempt, not from a global random
source, so a test with an injected clock knows exactly when a retry is due.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Backoff:
    initial: timedelta = timedelta(seconds=2)
    factor: float = 2.0
    maximum: timedelta = timedelta(minutes=10)
    jitter: float = 0.1  # up to this fraction of the delay is added

    def __post_init__(self) -> None:
        if self.initial < timedelta(0) or self.maximum < self.initial:
            raise ValueError("backoff needs 0 <= initial <= maximum")
        if self.factor < 1 or not 0 <= self.jitter <= 1:
            raise ValueError("backoff needs factor >= 1 and 0 <= jitter <= 1")

    def delay(self, job_id: str, attempt: int) -> timedelta:
        """The wait after failed attempt number ``attempt`` (1-based) of ``job_id``."""
        exponent = max(attempt - 1, 0)
        seconds = self.initial.total_seconds()
        cap = self.maximum.total_seconds()
        # Stop multiplying once over the cap: a large attempt count must not overflow a float.
        for _ in range(exponent):
            seconds *= self.factor
            if seconds >= cap:
                break
        seconds = min(seconds, cap)
        digest = hashlib.blake2b(f"{job_id}:{attempt}".encode(), digest_size=8).digest()
        fraction = int.from_bytes(digest, "big") / 2**64
        return timedelta(seconds=seconds * (1 + self.jitter * fraction))
