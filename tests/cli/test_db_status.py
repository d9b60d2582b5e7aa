"""``vigil db status``: contents, per-source ages, and the stale warning and exit code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.advisories.conftest import OSV
from tests.cli.test_db_support import KEV, run
from vigil.advisories.enrich import sync_enrichment
from vigil.advisories.schema import SCHEMA_VERSION
from vigil.advisories.sources.kev import KevSource
from vigil.advisories.sources.osv_local import OsvDirectorySource
from vigil.advisories.store import AdvisoryStore
from vigil.advisories.sync import sync


def make_store(path: Path, synced: datetime) -> Path:
    with AdvisoryStore(path, clock=lambda: synced) as store:
        sync(store, OsvDirectorySource(OSV / "npm", name="osv:npm", clock=lambda: synced))
        sync_enrichment(store, KevSource(str(KEV), clock=lambda: synced))
    return path


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    return make_store(tmp_path / "fresh.db", datetime.now(UTC) - timedelta(hours=1))


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return make_store(tmp_path / "old.db", datetime(2025, 9, 1, tzinfo=UTC))


def test_status_as_json(fresh: Path) -> None:
    done = run("db", "status", "--db", fresh, "--json")

    assert done.exit_code == 0, done.output
    assert done.stderr == ""
    status = json.loads(done.stdout)
    counts = (status["schema_version"], status["records"], status["withdrawn"])
    assert counts == (SCHEMA_VERSION, 12, 0)
    assert status["ecosystems"] == {"npm": 12}
    assert [(s["name"], s["records"], s["stale"]) for s in status["sources"]] == [
        ("kev", 1404, False),
        ("osv:npm", 12, False),
    ]
    assert 3500 <= status["sources"][0]["age_seconds"] <= 3700
    assert status["sources"][0]["watermark"] == "2025-08-25"  # the newest dateAdded
    assert (status["stale"], status["max_age_seconds"]) == (False, 86400)
    assert status["size_bytes"] == fresh.stat().st_size


def test_status_as_tables(fresh: Path) -> None:
    done = run("db", "status", "--db", fresh, env={"COLUMNS": "120"})
    assert done.exit_code == 0
    out = done.stdout
    assert f"Schema version  {SCHEMA_VERSION}" in out
    assert "Records         12 (0 withdrawn)" in out
    assert "│ osv:npm " in out
    assert "1h ago" in out
    assert "│ npm       │      12 │" in out


def test_a_stale_store_warns_and_fails_only_when_asked(old: Path) -> None:
    warned = run("db", "status", "--db", old)
    failing = run("db", "status", "--db", old, "--fail-if-stale", "--json")
    lenient = run("db", "status", "--db", old, "--fail-if-stale", "--max-age", "100000d")

    assert warned.exit_code == 0
    assert warned.stderr == (
        "vigil: warning: the advisory store is stale: not checked within 1d: kev, osv:npm "
        "(run `vigil db sync`, or import a newer bundle)\n"
    )
    assert failing.exit_code == 1
    assert json.loads(failing.stdout)["stale_sources"] == ["kev", "osv:npm"]
    assert (lenient.exit_code, lenient.stderr) == (0, "")


def test_an_empty_store_is_stale(tmp_path: Path) -> None:
    AdvisoryStore(tmp_path / "empty.db").close()
    done = run("db", "status", "--db", tmp_path / "empty.db", "--fail-if-stale")
    assert done.exit_code == 1
    assert "the advisory store is empty" in done.stderr


def test_no_store_and_bad_ages(tmp_path: Path) -> None:
    missing = run("db", "status", "--data-dir", tmp_path / "nothing")
    assert missing.exit_code == 1
    assert missing.stderr == (
        f"vigil: error: {tmp_path / 'nothing' / 'advisories.db'}: no advisory store here "
        "(run `vigil db sync`, or `vigil db import` a bundle)\n"
    )
    not_a_store = tmp_path / "text.db"
    not_a_store.write_text("hello")
    assert "not an advisory store" in run("db", "status", "--db", not_a_store).stderr
    bad = run("db", "status", "--db", tmp_path / "x.db", "--max-age", "soon")
    assert bad.exit_code == 2
    assert "'soon' is not an age such as 90m, 24h or 7d" in bad.stderr


def test_the_data_dir_comes_from_the_environment(tmp_path: Path, fresh: Path) -> None:
    (tmp_path / "data").mkdir()
    fresh.rename(tmp_path / "data" / "advisories.db")
    done = run("db", "status", "--json", env={"VIGIL_DATA_DIR": str(tmp_path / "data")})
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["path"] == str(tmp_path / "data" / "advisories.db")
