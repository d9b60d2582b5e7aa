from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.advisories.conftest import FEED_TIME, load_advisories
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Ecosystem, Package, parse_osv

MakeStore = Callable[[list[dict[str, Any]]], AdvisoryStore]


def put(store: AdvisoryStore, docs: list[dict[str, Any]], source: str = "extra") -> None:
    with store.batch(source, complete=False) as batch:
        for doc in docs:
            batch.put(parse_osv(doc, missing_modified=FEED_TIME))
        batch.commit(None)


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdvisoryStore]:
    """Every real record of tests/data/osv in one store (read-only for tests)."""
    store = AdvisoryStore(tmp_path_factory.mktemp("store") / "advisories.db")
    with store.batch("fixtures", complete=False) as batch:
        for advisory in load_advisories():
            batch.put(advisory)
        batch.commit(None)
    yield store
    store.close()


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[MakeStore]:
    """A fresh store holding just the given OSV documents."""
    opened: list[AdvisoryStore] = []

    def make(docs: list[dict[str, Any]]) -> AdvisoryStore:
        store = AdvisoryStore(tmp_path / f"store{len(opened)}.db")
        opened.append(store)
        put(store, docs)
        return store

    yield make
    for store in opened:
        store.close()


def pkg(
    ecosystem: str,
    name: str,
    version: str,
    *,
    source: tuple[str, str] | None = None,
) -> Package:
    eco = Ecosystem.parse(ecosystem)
    return Package(
        name=name,
        version=version,
        ecosystem=eco,
        purl=f"pkg:generic/{name}@{version}",
        cataloger="test",
        source_name=source[0] if source else None,
        source_version=source[1] if source else None,
    )
