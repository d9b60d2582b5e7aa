"""A server-like process running the service's jobs on the embedded backend (test_ingest_crash).

``python -m tests.service.ingest_worker DATABASE_URL ADVISORY_DB JOBS_FILE MODE``

MODE ``serve`` runs jobs until the process is killed; ``drain`` runs them until none is queued
or running, then stops and exits 0. The service's clock is fixed (``T0``), so two runs of the
same jobs write the same timestamps and their findings tables can be compared.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.service.ingest_support import T0
from vigil.db.engine import open_engine
from vigil.jobs import EmbeddedBackend, JobStatus, RunnerSettings
from vigil.service.job_handlers import ServiceJobs


def main(argv: list[str]) -> int:
    url, advisory_db, jobs_file, mode = argv
    engine = open_engine(url)
    service = ServiceJobs(engine, Path(advisory_db), clock=lambda: T0)
    backend = EmbeddedBackend(
        Path(jobs_file), service.registry(), RunnerSettings(workers=2, poll_interval=0.01)
    )
    service.attach(backend)
    backend.start()
    pending = (JobStatus.QUEUED, JobStatus.RUNNING)
    while mode == "serve" or backend.list(status=pending, limit=1):
        time.sleep(0.05)
    backend.close()
    service.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
