"""Embedded job queue throughput with no-op jobs, on a real file in a temporary directory.

For each durability setting (``synchronous=FULL``, the default, and ``NORMAL``):
- submit: jobs/s queued one ``submit`` (one transaction) at a time from one thread;
- run: jobs/s drained from a pre-filled queue by N worker threads (claim, no-op handler, record
  success: two transactions per job), wall time from start until the last job SUCCEEDED;
- end to end: jobs/s when one thread submits while the workers run them.

Usage: python -m benchmarks.jobs [--jobs N] [--workers 1,2,4] [--dir DIR]   (results also
written to benchmarks/results/jobs.json). ``--dir`` chooses the file system measured (the
default temporary directory may be a RAM disk, which hides fsync costs).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from vigil.jobs import EmbeddedBackend, HandlerRegistry, JobContext, JobStatus, RunnerSettings

RESULTS = Path(__file__).resolve().parent / "results"


def noop(ctx: JobContext) -> None:
    return None


def _backend(path: Path, workers: int, synchronous: str) -> EmbeddedBackend:
    settings = RunnerSettings(workers=workers, lease=timedelta(seconds=60), poll_interval=0.01)
    return EmbeddedBackend(path, HandlerRegistry({"noop": noop}), settings, synchronous=synchronous)


def _wait_all_done(backend: EmbeddedBackend) -> None:
    live = (JobStatus.QUEUED, JobStatus.RUNNING)
    while backend.list(status=live, limit=1):
        time.sleep(0.005)
    if backend.list(status=(JobStatus.FAILED, JobStatus.CANCELLED), limit=1):
        raise SystemExit("a no-op job did not succeed")


def measure(directory: Path, jobs: int, workers: int, synchronous: str) -> dict[str, Any]:
    path = directory / f"jobs-{synchronous}-{workers}.sqlite"
    with _backend(path, workers, synchronous) as backend:
        began = time.perf_counter()
        for n in range(jobs):
            backend.queue.submit("noop", {"n": n})
        submit = jobs / (time.perf_counter() - began)

        began = time.perf_counter()
        backend.start()
        _wait_all_done(backend)
        run = jobs / (time.perf_counter() - began)

        began = time.perf_counter()
        for n in range(jobs):
            backend.submit("noop", {"n": n})
        _wait_all_done(backend)
        both = jobs / (time.perf_counter() - began)
        backend.stop(10)
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return {
        "synchronous": synchronous,
        "workers": workers,
        "jobs": jobs,
        "submit_per_s": round(submit),
        "run_per_s": round(run),
        "end_to_end_per_s": round(both),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]

    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="vigil-jobs-bench-") as tmp:
        print(f"file system: {tmp}")
        print(f"{'sync':<7}{'workers':>8}{'submit/s':>10}{'run/s':>8}{'both/s':>8}")
        for synchronous in ("FULL", "NORMAL"):
            for count in workers:
                row = measure(Path(tmp), args.jobs, count, synchronous)
                rows.append(row)
                print(
                    f"{synchronous:<7}{count:>8}{row['submit_per_s']:>10}"
                    f"{row['run_per_s']:>8}{row['end_to_end_per_s']:>8}",
                    flush=True,
                )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "jobs.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
