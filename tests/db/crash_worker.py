"""A process that ingests findings in a loop until it is killed (used by test_crash.py).

``python -m tests.db.crash_worker URL`` ingests batches of 40 resources, each observing a window
of vulnerability ids that moves every round, and prints ``round N`` after each commit.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from tests.db.findings_support import T0, Harness, host, observe
from vigil.db.engine import open_engine

RESOURCES = 40
VULNERABILITIES = 60


def observed_in(round_: int) -> list[str]:
    """The vulnerability ids a resource shows in a round: 30 of 60, shifting by 7 each round."""
    return [f"CVE-2025-{(round_ * 7 + n) % VULNERABILITIES:05d}" for n in range(30)]


def main(url: str) -> None:
    engine = open_engine(url)
    harness = Harness(engine, random_arns=True)
    pks = [harness.resources.upsert(host(n)) for n in range(RESOURCES)]
    round_ = 0
    while True:
        round_ += 1
        observations = [observe(v) for v in observed_in(round_)]
        harness.ingest(dict.fromkeys(pks, observations), T0 + timedelta(hours=round_))
        sys.stdout.write(f"round {round_}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
