"""A worker process for the crash and multi-process tests: ``python -m tests.jobs.worker_process``.

Arguments: JOBS_FILE MODE LEASE_SECONDS EXCLUSIVE(0|1)
- MODE ``block``: run jobs; the ``mark`` handler blocks forever after its side effect on a first
  attempt (so the test can kill the process mid-job);
- MODE ``drain``: run jobs until none is queued or running, then stop and exit 0.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

from vigil.jobs import EmbeddedBackend, HandlerRegistry, JobContext, JobStatus, JSONValue
from vigil.jobs.runner import RunnerSettings


def append_line(path: Path, line: str) -> None:
    # One O_APPEND write per line: lines from several processes never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def mark(ctx: JobContext, block_first: bool) -> JSONValue:
    """The idempotent side effect: create the job's marker once; count only real creations."""
    workdir = Path(str(ctx.payload["dir"]))
    append_line(workdir / "starts.log", f"{os.getpid()} {ctx.job_id} {ctx.attempt}")
    try:
        fd = os.open(workdir / f"marker-{ctx.job_id}", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        pass  # done by an earlier attempt: doing it again would duplicate the effect
    else:
        os.close(fd)
        append_line(workdir / "effects.log", ctx.job_id)
    if block_first and ctx.attempt == 1:
        (workdir / f"started-{ctx.job_id}").write_text(str(os.getpid()))
        while True:  # the long rest of the job, cut short by SIGKILL
            time.sleep(1)
    return {"pid": os.getpid(), "attempt": ctx.attempt}


def registry(block_first: bool) -> HandlerRegistry:
    return HandlerRegistry({"mark": lambda ctx: mark(ctx, block_first)})


def main(argv: list[str]) -> int:
    jobs_file, mode, lease, exclusive = Path(argv[0]), argv[1], float(argv[2]), argv[3] == "1"
    settings = RunnerSettings(
        workers=2, lease=timedelta(seconds=lease), heartbeat_every=lease / 4, poll_interval=0.02
    )
    backend = EmbeddedBackend(jobs_file, registry(mode == "block"), settings, exclusive=exclusive)
    backend.start()
    if mode == "block":
        while True:
            time.sleep(1)
    live = (JobStatus.QUEUED, JobStatus.RUNNING)
    while backend.list(status=live, limit=1):
        time.sleep(0.05)
    backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
