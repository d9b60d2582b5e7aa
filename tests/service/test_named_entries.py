"""The named packages of an inventory are remembered with it, so that re-evaluation after a
restart (an empty in-memory cache) reads a few entries instead of every document, on SQLite and
PostgreSQL; a key the diff made named, or a re-read, goes back to the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from tests.service.ingest_support import (
    ACCOUNT,
    AIOHTTP_OLD,
    T0,
    StepClock,
    finding_rows,
    host,
    inventory,
    new_record,
    pypi,
    sync_records,
)
from vigil.advisories.store import AdvisoryStore
from vigil.db.engine import write_transaction
from vigil.db.resources import ResourceStore
from vigil.db.tables import inventories
from vigil.service.evaluation import Evaluator
from vigil.service.ingest import Ingestor, stored_inventory
from vigil.service.package_cache import NamedPackages
from vigil.service.reevaluate import Reevaluator, diff_scope
from vigil.service.resources import ResourceService

QUIET = pypi("vigil-quiet-project", "1.0")  # no advisory names it (yet)


@pytest.fixture
def ingested(db_engine: Engine, store_path: Path) -> tuple[int, StepClock]:
    clock = StepClock()
    pk = ResourceService(db_engine, clock=clock).register(host(1))
    with AdvisoryStore(store_path, create=False) as store:
        Ingestor(db_engine, lambda: Evaluator(store), clock=clock).ingest(
            ACCOUNT, host(1).resource_id, inventory(AIOHTTP_OLD, QUIET)
        )
    return pk, clock


def _named(engine: Engine, pk: int) -> list[tuple[str, str]]:
    stored = ResourceStore(engine, clock=StepClock()).inventory(pk)
    assert stored is not None
    assert stored.named is not None
    assert [p["name"] for p in stored.named.packages] == [k[1] for k in stored.named.keys]
    return list(stored.named.keys)


def _empty_document(engine: Engine, pk: int) -> None:
    """Leave the stored document without packages: only the remembered entries still hold them."""
    with write_transaction(engine) as connection:
        connection.execute(
            update(inventories)
            .where(inventories.c.resource_pk == pk)
            .values(document={"packages": []})
        )


def _reevaluate(
    engine: Engine, store_path: Path, clock: StepClock, records: list[dict[str, object]], drop: Path
) -> None:
    diff = sync_records(store_path, drop, records)
    clock.advance()
    with AdvisoryStore(store_path, create=False) as store:
        reevaluator = Reevaluator(engine, Evaluator(store), clock=clock, cache=NamedPackages())
        reevaluator.run(reevaluator.holding(diff.keys), diff_scope(store, diff.changed), diff.keys)


def test_ingest_remembers_the_named_entries_with_the_inventory(
    db_engine: Engine, ingested: tuple[int, StepClock]
) -> None:
    pk, _ = ingested
    assert _named(db_engine, pk) == [("PyPI", "aiohttp")]


def test_after_a_restart_reevaluation_reads_the_remembered_entries(
    db_engine: Engine, store_path: Path, ingested: tuple[int, StepClock], tmp_path: Path
) -> None:
    pk, clock = ingested
    _empty_document(db_engine, pk)
    record = new_record("PYSEC-2099-1", "CVE-2099-0001", "aiohttp", "PyPI", "3.99.1")
    _reevaluate(db_engine, store_path, clock, [record], tmp_path / "drop")
    # The document says nothing of aiohttp any more: the finding came from the entries.
    assert finding_rows(db_engine, pk)["CVE-2099-0001"]["status"] == "ACTIVE"

    # A re-read (a new build) believes the document: aiohttp is gone, and so are its findings.
    with AdvisoryStore(store_path, create=False) as store:
        reevaluator = Reevaluator(db_engine, Evaluator(store), clock=clock, cache=NamedPackages())
        reevaluator.run(reevaluator.everything(), reread=True)
    assert finding_rows(db_engine, pk)["CVE-2099-0001"]["status"] == "CLOSED"
    assert _named(db_engine, pk) == []


def test_a_key_the_diff_made_named_sends_reevaluation_back_to_the_document(
    db_engine: Engine, store_path: Path, ingested: tuple[int, StepClock], tmp_path: Path
) -> None:
    pk, clock = ingested
    record = new_record("PYSEC-2099-3", "CVE-2099-0003", "vigil-quiet-project", "PyPI", "2.0")
    _reevaluate(db_engine, store_path, clock, [record], tmp_path / "drop")
    assert finding_rows(db_engine, pk)["CVE-2099-0003"]["status"] == "ACTIVE"
    assert sorted(_named(db_engine, pk)) == [("PyPI", "aiohttp"), ("PyPI", "vigil-quiet-project")]


def test_an_inventory_stored_without_them_is_read_from_its_document_then_remembered(
    db_engine: Engine, store_path: Path
) -> None:
    clock = StepClock()
    resources = ResourceStore(db_engine, clock=clock)
    with write_transaction(db_engine) as connection:
        pk = resources.upsert_in(connection, host(2))
        resources.save_inventory(connection, pk, stored_inventory(inventory(AIOHTTP_OLD), T0))
    with db_engine.connect() as connection:
        stored = connection.execute(
            select(inventories.c.named_keys.is_(None), inventories.c.named_packages.is_(None))
        ).one()
    assert tuple(stored) == (True, True)  # SQL NULL, not a JSON null
    with AdvisoryStore(store_path, create=False) as store:
        reevaluator = Reevaluator(db_engine, Evaluator(store), clock=clock, cache=NamedPackages())
        reevaluator.run([pk])
    assert finding_rows(db_engine, pk)["CVE-2021-21330"]["status"] == "ACTIVE"
    assert _named(db_engine, pk) == [("PyPI", "aiohttp")]
