"""Parsing a large blob in worker processes.

Validating records into the domain model and encoding them for the store is CPU-bound Python;
writing them is not. For a big snapshot, ``encoded_items`` runs a source's ``EncodedParse`` in
``workers`` spawned processes (spawn, not fork: the parent holds an SQLite connection and HTTP
client threads) and streams the encoded records back through a bounded queue, while the caller
writes them. A worker's failure is re-raised in the caller, and every worker is stopped on the
way out, whatever happened.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Iterator
from multiprocessing.queues import Queue
from typing import Any

from vigil.advisories.codec import EncodedRecord
from vigil.advisories.errors import AdvisoryError, SourceError
from vigil.advisories.sources.base import EncodedParse, FetchResult, ParseFailure

_BATCH = 256

Item = EncodedRecord | ParseFailure


def encoded_items(parse: EncodedParse, fetched: FetchResult, workers: int) -> Iterator[Item]:
    context = multiprocessing.get_context("spawn")
    channel: Queue[tuple[str, Any]] = context.Queue(maxsize=workers * 8)
    processes = [
        context.Process(target=_work, args=(parse, fetched, shard, workers, channel), daemon=True)
        for shard in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        finished = 0
        while finished < workers:
            try:
                kind, payload = channel.get(timeout=1.0)
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise SourceError("a parse worker died; nothing was written") from None
                continue
            if kind == "items":
                yield from payload
            elif kind == "done":
                finished += 1
            else:
                raise payload
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()
        channel.close()


def _work(
    parse: EncodedParse,
    fetched: FetchResult,
    shard: int,
    shards: int,
    channel: Queue[tuple[str, Any]],
) -> None:
    batch: list[Item] = []
    try:
        for item in parse(fetched, shard, shards):
            batch.append(item)
            if len(batch) >= _BATCH:
                channel.put(("items", batch))
                batch = []
        channel.put(("items", batch))
        channel.put(("done", None))
    except AdvisoryError as exc:
        channel.put(("error", exc))
    except Exception as exc:  # a bug or an I/O error: report it rather than die silently
        channel.put(("error", SourceError(f"parse worker: {type(exc).__name__}: {exc}")))
