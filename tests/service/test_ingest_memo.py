"""The shortcuts of evaluation give exactly what the plain path gives: documents stamped from
the memo hash like ``Observation.of``, and matching only the packages some advisory names
observes what matching every package observes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.service.ingest_support import (
    ACCOUNT,
    AIOHTTP_OLD,
    APACHE_OLD,
    JINJA_OLD,
    OPENSSL_OLD,
    T0,
    build_store,
    deb,
    inventory,
    pypi,
)
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Observation, Resource
from vigil.domain.finding_state import EncodedDocument
from vigil.findings import epoch_time, finding_document
from vigil.service import resource_shapes as shapes
from vigil.service.evaluation import Evaluator, resource_ref
from vigil.service.findings_build import package_findings
from vigil.service.ingest import stored_inventory
from vigil.service.observation_memo import canonical

RESOURCES = [
    shapes.host(ACCOUNT, "i-0abc", region="eu-west-1", tags={"team": "web", "ünï": "çødé"}),
    shapes.image(
        ACCOUNT,
        region="us-east-1",
        repository="shop/api",
        image_hash="sha256:" + "ab" * 32,
        image_tags=["1.2", "latest"],
        pushed_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        architecture="amd64",
    ),
    shapes.function(
        ACCOUNT,
        region="eu-west-1",
        name="resize",
        runtime="PYTHON_3_11",
        code_sha256="c29tZQ==",
        execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/resize",
        layers=[f"arn:aws:lambda:eu-west-1:{ACCOUNT}:layer:pillow:3"],
    ),
]
PACKAGES = inventory(
    APACHE_OLD,
    OPENSSL_OLD,
    AIOHTTP_OLD,
    JINJA_OLD,
    deb("libvigil-none", "1.0-1"),
    deb("bash", "5.1-2+deb11u1", "bash"),
    pypi("not-a-vulnerable-project", "0.1"),
)


@pytest.fixture(scope="module")
def evaluator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Evaluator]:
    with AdvisoryStore(build_store(tmp_path_factory.mktemp("adv")), create=False) as store:
        yield Evaluator(store)


def _plain(evaluator: Evaluator, resource: Resource) -> dict[str, Observation]:
    """Observations the long way: build every finding, render it, hash it whole."""
    result = evaluator.matcher.match(PACKAGES)
    found = package_findings(
        evaluator.store, resource_ref(resource), result.matches, observed_at=T0
    )
    return {
        f.vulnerability_id: Observation.of(f.vulnerability_id, finding_document(f, epoch_time))
        for f in found
    }


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.resource_type.value)
def test_memo_documents_and_hashes_equal_the_plain_ones(
    evaluator: Evaluator, resource: Resource
) -> None:
    expected = _plain(evaluator, resource)
    # Twice: the first call fills the memo from another resource, the second stamps from it.
    evaluator.observe(RESOURCES[(RESOURCES.index(resource) + 1) % 3], PACKAGES, T0)
    observed, _ = evaluator.observe(resource, PACKAGES, T0)
    assert len(expected) > 20
    assert {o.vulnerability_id: o for o in observed} == expected
    for o in observed:
        assert json.loads(json.dumps(dict(o.document))) == dict(
            expected[o.vulnerability_id].document
        )
        # The text the store writes is exactly the canonical JSON the hash was taken over.
        assert isinstance(o.document, EncodedDocument)
        assert o.document.json == canonical(dict(expected[o.vulnerability_id].document))


def test_matching_only_named_packages_observes_the_same(evaluator: Evaluator) -> None:
    document = stored_inventory(PACKAGES, T0).document
    kept = evaluator.relevance.keep(document["packages"])
    assert {p["name"] for p in kept} == {"apache2-bin", "libssl1.1", "bash", "aiohttp", "jinja2"}
    for resource in RESOURCES:
        observed = evaluator.observe_stored(resource, document, T0)
        full, _ = evaluator.observe(resource, PACKAGES, T0)
        assert sorted(observed, key=lambda o: o.vulnerability_id) == sorted(
            full, key=lambda o: o.vulnerability_id
        )
