"""Crash recovery and sharing across REAL processes: a worker killed with SIGKILL mid-job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tests.jobs.conftest import wait_until
from tests.jobs.worker_process import registry
from vigil.jobs import EmbeddedBackend, JobStatus, RunnerSettings, SqliteJobQueue

ROOT = Path(__file__).resolve().parents[2]


def _spawn(jobs_file: Path, mode: str, lease: float, exclusive: bool) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.jobs.worker_process",
            str(jobs_file),
            mode,
            str(lease),
            "1" if exclusive else "0",
        ],
        cwd=ROOT,
    )


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("exclusive", [True, False], ids=["restart", "lease-expiry"])
def test_a_job_killed_mid_run_is_resumed_and_takes_effect_once(
    jobs_file: Path, tmp_path: Path, exclusive: bool
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    queue = SqliteJobQueue(jobs_file)
    job_id = queue.submit("mark", {"dir": str(workdir)}, max_attempts=3)
    other = queue.submit(
        "mark", {"dir": str(workdir)}, run_after=queue.clock() + timedelta(hours=1)
    )

    lease = 30.0 if exclusive else 1.0
    worker = _spawn(jobs_file, "block", lease, exclusive)
    try:
        wait_until(lambda: (workdir / f"started-{job_id}").exists())
    finally:
        _kill(worker)

    # Killed mid-job: the effect happened, the job is still RUNNING in the file.
    info = queue.get(job_id)
    assert (info.status, info.attempts) == (JobStatus.RUNNING, 1)
    assert _lines(workdir / "effects.log") == [job_id]
    queue.close()

    settings = RunnerSettings(workers=2, lease=timedelta(seconds=lease), poll_interval=0.05)
    with EmbeddedBackend(jobs_file, registry(False), settings, exclusive=exclusive) as backend:
        recovered = backend.start()
        if exclusive:
            # The lock proves the old owner dead: the job is requeued at once.
            assert recovered == [job_id]
        wait_until(lambda: backend.get(job_id).status.finished)
        info = backend.get(job_id)
        assert info.status is JobStatus.SUCCEEDED
        assert info.attempts == 2
        assert info.result == {"pid": os.getpid(), "attempt": 2}
        assert info.error == "worker lost during attempt 1 of 3"
        assert backend.get(other).status is JobStatus.QUEUED  # untouched by recovery

    starts = [line.split() for line in _lines(workdir / "starts.log")]
    assert [(s[1], s[2]) for s in starts] == [(job_id, "1"), (job_id, "2")]  # at least once ...
    assert starts[0][0] == str(worker.pid)
    assert starts[1][0] == str(os.getpid())
    assert _lines(workdir / "effects.log") == [job_id]  # ... and once in effect


@pytest.mark.slow
def test_a_job_that_kills_its_worker_every_time_ends_failed(
    jobs_file: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    queue = SqliteJobQueue(jobs_file)
    job_id = queue.submit("mark", {"dir": str(workdir)}, max_attempts=1)
    queue.close()
    worker = _spawn(jobs_file, "block", 30, True)
    try:
        wait_until(lambda: (workdir / f"started-{job_id}").exists())
    finally:
        _kill(worker)
    with EmbeddedBackend(jobs_file, registry(False)) as backend:
        assert backend.start() == [job_id]
        info = backend.get(job_id)
        assert (info.status, info.error) == (JobStatus.FAILED, "worker lost during attempt 1 of 1")


@pytest.mark.slow
def test_worker_processes_sharing_a_file_run_each_job_exactly_once(
    jobs_file: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    queue = SqliteJobQueue(jobs_file)
    ids = [queue.submit("mark", {"dir": str(workdir)}) for _ in range(200)]
    workers = [_spawn(jobs_file, "drain", 30, False) for _ in range(3)]
    assert [w.wait(120) for w in workers] == [0, 0, 0]

    assert {info.status for info in queue.list(limit=1000)} == {JobStatus.SUCCEEDED}
    starts = Counter(line.split()[1] for line in _lines(workdir / "starts.log"))
    assert starts == Counter(dict.fromkeys(ids, 1))
    assert sorted(_lines(workdir / "effects.log")) == sorted(ids)
    results = [queue.get(job_id).result for job_id in ids]
    pids = {r["pid"] for r in results if isinstance(r, dict)}
    assert len(results) == 200
    assert pids <= {w.pid for w in workers}
    queue.close()
