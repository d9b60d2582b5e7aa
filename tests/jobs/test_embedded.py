"""The embedded backend with real worker threads on a real file."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tests.jobs.conftest import wait_until
from vigil.jobs import (
    BackendBusy,
    EmbeddedBackend,
    HandlerRegistry,
    Interrupted,
    InvalidJob,
    JobContext,
    JobStatus,
    JSONValue,
    RunnerSettings,
)

FAST = RunnerSettings(workers=2, lease=timedelta(seconds=30), poll_interval=0.05)


def _finished(backend: EmbeddedBackend, job_id: str) -> bool:
    return backend.get(job_id).status.finished  # type: ignore[arg-type]


def test_submitted_jobs_run_and_keep_their_results(jobs_file: Path) -> None:
    def add(ctx: JobContext) -> JSONValue:
        numbers = ctx.payload["numbers"]
        assert isinstance(numbers, list)
        return {"sum": sum(n for n in numbers if isinstance(n, int)), "job": ctx.job_id}

    with EmbeddedBackend(jobs_file, HandlerRegistry({"add": add}), FAST) as backend:
        backend.start()
        ids = [backend.submit("add", {"numbers": [n, n, 1]}) for n in range(20)]
        wait_until(lambda: all(_finished(backend, i) for i in ids))
        for n, job_id in enumerate(ids):
            info = backend.get(job_id)
            assert info.status is JobStatus.SUCCEEDED
            assert info.result == {"sum": 2 * n + 1, "job": job_id}
            assert info.attempts == 1
        assert backend.stop(5) is True


def test_submit_refuses_a_kind_without_a_handler(jobs_file: Path) -> None:
    with EmbeddedBackend(jobs_file, HandlerRegistry({"a": lambda ctx: None}), FAST) as backend:
        with pytest.raises(InvalidJob, match="no handler"):
            backend.submit("b", {})
        assert backend.list() == []


def test_a_second_process_style_start_on_the_same_file_is_refused(jobs_file: Path) -> None:
    registry = HandlerRegistry({"a": lambda ctx: None})
    with EmbeddedBackend(jobs_file, registry, FAST) as first:
        first.start()
        second = EmbeddedBackend(jobs_file, registry, FAST)
        try:
            with pytest.raises(BackendBusy):
                second.start()
            first.stop(5)
            second.start()  # the lock was released by the first stop
        finally:
            second.close()


def test_stop_waits_for_running_jobs_to_finish(jobs_file: Path) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(ctx: JobContext) -> JSONValue:
        started.set()
        release.wait(10)
        return "finished"

    backend = EmbeddedBackend(jobs_file, HandlerRegistry({"slow": slow}), FAST)
    backend.start()
    job_id = backend.submit("slow", {})
    queued = backend.submit("slow", {}, run_after=backend.queue.clock() + timedelta(hours=1))
    assert started.wait(10)

    threading.Timer(0.3, release.set).start()
    began = time.monotonic()
    assert backend.stop(timeout=10) is True
    assert time.monotonic() - began >= 0.25  # it did wait for the handler
    assert backend.get(job_id).status is JobStatus.SUCCEEDED
    assert backend.get(job_id).result == "finished"
    assert backend.get(queued).status is JobStatus.QUEUED  # not claimed while stopping
    backend.close()


def test_stop_after_its_timeout_leaves_the_job_to_the_next_start(jobs_file: Path) -> None:
    started = threading.Event()
    release = threading.Event()
    runs: list[int] = []

    def stubborn(ctx: JobContext) -> JSONValue:
        runs.append(ctx.attempt)
        if ctx.attempt == 1:
            started.set()
            release.wait(10)  # ignores cancelled(): keeps running past the stop timeout
        return ctx.attempt

    registry = HandlerRegistry({"stubborn": stubborn})
    backend = EmbeddedBackend(jobs_file, registry, FAST)
    backend.start()
    job_id = backend.submit("stubborn", {})
    assert started.wait(10)
    assert backend.stop(timeout=0.2) is False
    assert backend.get(job_id).status is JobStatus.RUNNING
    backend.close()  # as the process would exit now; the abandoned handler is still blocked

    try:
        with EmbeddedBackend(jobs_file, registry, FAST) as again:
            assert again.start() == [job_id]
            wait_until(lambda: _finished(again, job_id))
            info = again.get(job_id)
            assert (info.status, info.result, info.attempts) == (JobStatus.SUCCEEDED, 2, 2)
    finally:
        release.set()
    assert runs == [1, 2]


def test_a_cooperative_handler_hands_its_job_back_when_stop_times_out(jobs_file: Path) -> None:
    started = threading.Event()

    def cooperative(ctx: JobContext) -> JSONValue:
        started.set()
        while not ctx.cancelled():
            time.sleep(0.01)
        raise Interrupted

    backend = EmbeddedBackend(jobs_file, HandlerRegistry({"c": cooperative}), FAST)
    backend.start()
    job_id = backend.submit("c", {})
    assert started.wait(10)
    assert backend.stop(timeout=0.1) is False
    wait_until(lambda: backend.get(job_id).status is JobStatus.QUEUED)
    assert backend.get(job_id).attempts == 0  # handing back is not a failed attempt
    backend.close()


def test_cancelling_a_running_job_reaches_its_handler(jobs_file: Path) -> None:
    started = threading.Event()

    def long(ctx: JobContext) -> JSONValue:
        started.set()
        while not ctx.cancelled():
            time.sleep(0.01)
        raise Interrupted

    settings = RunnerSettings(workers=1, lease=timedelta(seconds=3), heartbeat_every=0.05)
    with EmbeddedBackend(jobs_file, HandlerRegistry({"long": long}), settings) as backend:
        backend.start()
        job_id = backend.submit("long", {})
        assert started.wait(10)
        assert backend.cancel(job_id).cancel_requested is True
        wait_until(lambda: backend.get(job_id).status is JobStatus.CANCELLED)
        assert backend.get(job_id).finished_at is not None


def test_many_workers_never_run_one_job_twice(jobs_file: Path) -> None:
    """Three backends on one file (as three processes would share it), four threads each."""
    running: set[str] = set()
    runs: Counter[str] = Counter()
    overlaps: list[str] = []
    lock = threading.Lock()

    def track(ctx: JobContext) -> JSONValue:
        with lock:
            if ctx.job_id in running:
                overlaps.append(ctx.job_id)
            running.add(ctx.job_id)
            runs[ctx.job_id] += 1
        time.sleep(0.002)
        with lock:
            running.discard(ctx.job_id)
        return None

    registry = HandlerRegistry({"t": track})
    settings = RunnerSettings(workers=4, lease=timedelta(seconds=30), poll_interval=0.02)
    backends = [EmbeddedBackend(jobs_file, registry, settings, exclusive=False) for _ in range(3)]
    try:
        for backend in backends:
            backend.start()
        ids = [backends[n % 3].submit("t", {"n": n}) for n in range(300)]
        wait_until(lambda: len(backends[0].list(status=JobStatus.SUCCEEDED, limit=1000)) == 300)
    finally:
        for backend in backends:
            backend.close()
    assert overlaps == []
    assert runs == Counter(dict.fromkeys(ids, 1))
