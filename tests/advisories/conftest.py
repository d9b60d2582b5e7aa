from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from vigil.advisories.store import AdvisoryStore
from vigil.domain import Advisory, parse_osv

OSV = Path(__file__).parent.parent / "data" / "osv"
FOLDERS = ("pypi", "npm", "go", "alpine", "debian")
# The converted Alpine and Debian records carry no ``modified``; tests stamp them with this.
FEED_TIME = datetime(2025, 1, 1, tzinfo=UTC)


def record_paths(*folders: str) -> list[Path]:
    """Real OSV record files (named by their upper-case ids; index.json and friends are not)."""
    return sorted(
        p for f in folders or FOLDERS for p in (OSV / f).glob("*.json") if p.stem[0].isupper()
    )


@cache
def _docs(*folders: str) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(p.read_text()) for p in record_paths(*folders))


def load_docs(*folders: str) -> list[dict[str, Any]]:
    """The real records as JSON documents (fresh copies: tests may change them)."""
    return copy.deepcopy(list(_docs(*folders)))


@cache
def _docs_by_id() -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc for doc in _docs()}


def doc_of(record_id: str) -> dict[str, Any]:
    return copy.deepcopy(_docs_by_id()[record_id])


@cache
def _advisories(*folders: str) -> tuple[Advisory, ...]:
    return tuple(parse_osv(doc, missing_modified=FEED_TIME) for doc in _docs(*folders))


def load_advisories(*folders: str) -> list[Advisory]:
    return list(_advisories(*folders))


class Clock:
    """A deterministic clock that moves one minute per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def open_store(tmp_path: Path, clock: Clock) -> Iterator[Callable[..., AdvisoryStore]]:
    opened: list[AdvisoryStore] = []

    def make(name: str = "advisories.db") -> AdvisoryStore:
        store = AdvisoryStore(tmp_path / name, clock=clock)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
