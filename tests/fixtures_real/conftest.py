"""Session fixtures: the Debian 12 fixture (built on first use, then cached), a loopback registry
holding it, and each target's inventory, computed once per session.

Building needs root, the Debian archive, PyPI and the npm registry; where it cannot be built the
tests skip with the builder's reason.
"""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from scripts.fixtures import debian12 as builder
from scripts.fixtures.registry import push, running_registry
from scripts.fixtures.tools import FixtureUnavailable

from tests.fixtures_real.references import DpkgRow, dpkg_rows
from vigil.catalog.runner import catalog, wanted_predicate
from vigil.domain import Inventory
from vigil.targets import RegistryOptions, open_target

KINDS = ("dir", "docker-archive", "oci", "registry")
IMAGE_KINDS = KINDS[1:]
REPOSITORY = "vigil/debian12-fixture"


@dataclass(frozen=True)
class Scan:
    """One target's inventory, with what its opener reported."""

    kind: str
    inventory: Inventory
    complete: bool
    target_warnings: tuple[str, ...]


@pytest.fixture(scope="session")
def debian12() -> builder.Debian12:
    try:
        return builder.ensure()
    except FixtureUnavailable as exc:
        pytest.skip(f"the Debian 12 fixture cannot be built here: {exc}")


@pytest.fixture(scope="session")
def registry_reference(
    debian12: builder.Debian12, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with ExitStack() as stack:
        try:
            host = stack.enter_context(running_registry(tmp_path_factory.mktemp("registry")))
            reference = push(debian12.oci, builder.OCI_TAG, host, REPOSITORY)
        except FixtureUnavailable as exc:
            pytest.skip(f"no loopback registry: {exc}")
        yield reference


class Scans:
    """Each target's scan, made once per test session even across xdist workers: the first
    worker needing one scans and leaves it pickled in the directory the workers share.
    """

    def __init__(self, fixture: builder.Debian12, shared: Path) -> None:
        self.fixture = fixture
        self.shared = shared
        self.done: dict[str, Scan] = {}

    def get(self, kind: str, request: pytest.FixtureRequest) -> Scan:
        if kind not in self.done:
            saved = self.shared / f"debian12-scan-{kind}.pickle"
            with open(self.shared / f"debian12-scan-{kind}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if saved.exists():
                    self.done[kind] = pickle.loads(saved.read_bytes())
                else:
                    self.done[kind] = self._scan(kind, request)
                    saved.write_bytes(pickle.dumps(self.done[kind]))
        return self.done[kind]

    def _scan(self, kind: str, request: pytest.FixtureRequest) -> Scan:
        if kind == "registry":
            spec = f"registry:{request.getfixturevalue('registry_reference')}"
        else:
            spec = self.fixture.target(kind)
        options = RegistryOptions(allow_http=True)
        with open_target(spec, wanted_predicate(), registry=options) as fs:
            # A fixed target name keeps the SBOMs free of the cache path.
            inventory = catalog(fs, target=f"{kind}:debian12-fixture")
            reasons = tuple(w.reason for w in fs.warnings)
            return Scan(kind, inventory, fs.complete, reasons)


@pytest.fixture(scope="session")
def scans(debian12: builder.Debian12, tmp_path_factory: pytest.TempPathFactory) -> Scans:
    base = tmp_path_factory.getbasetemp()
    # xdist workers each get a directory below the run's own; outside xdist, keep to ours.
    return Scans(debian12, base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)


@pytest.fixture(params=KINDS)
def scanned(request: pytest.FixtureRequest, scans: Scans) -> Scan:
    kind: str = request.param
    return scans.get(kind, request)


@pytest.fixture
def directory_scan(request: pytest.FixtureRequest, scans: Scans) -> Scan:
    return scans.get("dir", request)


@pytest.fixture(scope="session")
def dpkg_reference(debian12: builder.Debian12) -> dict[str, DpkgRow]:
    return dpkg_rows(debian12.root)
