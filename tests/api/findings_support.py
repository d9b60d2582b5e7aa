"""A live API over findings stored through the real resource and finding stores.

``serve`` starts the API with Vigil's operation registry, optionally with an advisory store (the
``advisories`` member that SearchVulnerabilities and BatchGetFindingDetails read), and
``FleetWriter`` puts resources and their findings in the service database the way ingest does:
``ResourceStore.upsert``, then ``reconcile`` against what is stored, then one bulk ``apply``
per batch, with the suppression rules of each account checked on new findings.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tests.apiserver import LiveApi
from tests.dbfixtures import _admin, _url_for
from vigil.advisories.store import AdvisoryStore
from vigil.api import ServerThread, create_app
from vigil.db.finding_store import FindingStore
from vigil.db.resources import ResourceStore
from vigil.db.suppression import suppression_rules
from vigil.domain import Observation, Resource
from vigil.findings.criteria import Suppressor
from vigil.findings.lifecycle import finding_arns
from vigil.findings.reconcile import reconcile
from vigil.service.api_context import ApiServices, utc_now
from vigil.service.database import open_database
from vigil.service.keys import KeyService
from vigil.service.master_key import load_master_key

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@contextmanager
def serve(
    data_dir: Path,
    *,
    database_url: str | None = None,
    advisories: Path | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Iterator[LiveApi]:
    engine = open_database(data_dir, database_url)
    keys = KeyService(engine, load_master_key(data_dir), clock=clock)
    opener = None if advisories is None else (lambda: AdvisoryStore(advisories, create=False))
    services = ApiServices(engine=engine, keys=keys, clock=clock, advisories=opener)
    try:
        with ServerThread(create_app(services)) as server:
            yield LiveApi(server.url, data_dir, database_url, services)
    finally:
        engine.dispose()


def resource_document(resource: Resource) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": resource.resource_type.value,
        "id": resource.resource_id,
        "partition": resource.partition,
        "region": resource.region,
        "details": dict(resource.details),
    }
    if resource.tags:
        doc["tags"] = dict(resource.tags)
    return doc


class FleetWriter:
    """Writes resources and their observations through the stores, with deterministic ARNs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.resources = ResourceStore(engine, clock=lambda: T0)
        self.findings = FindingStore(engine)
        self._ids = itertools.count(1)

    def _new_id(self) -> str:
        return f"{next(self._ids):032x}"

    def observe(
        self, batch: Sequence[tuple[Resource, Sequence[Mapping[str, Any]]]], now: datetime
    ) -> None:
        """Each resource's complete current findings (documents), observed at ``now``."""
        pks = [self.resources.upsert(resource) for resource, _ in batch]
        with self.findings.transaction() as tx:
            current = tx.load(pks)
            deltas = []
            for pk, (resource, documents) in zip(pks, batch, strict=True):
                rules = Suppressor(suppression_rules(tx.connection, resource.account_id))
                observed = [
                    Observation.of(doc["packageVulnerabilityDetails"]["vulnerabilityId"], doc)
                    for doc in documents
                ]
                deltas.append(
                    reconcile(
                        current[pk],
                        observed,
                        resource_pk=pk,
                        now=now,
                        new_arn=finding_arns(
                            resource.region, resource.account_id, new_id=self._new_id
                        ),
                        suppressed=_check(rules, resource),
                    )
                )
            tx.apply(deltas)


def _check(rules: Suppressor, resource: Resource) -> Callable[[Observation], frozenset[int]]:
    return lambda observation: rules(observation.document, resource)


@contextmanager
def backend_url(backend: str) -> Iterator[str | None]:
    """None for SQLite (the data directory's file), else a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield None
        return
    name = f"vigil_test_{secrets.token_hex(6)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url_for(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
