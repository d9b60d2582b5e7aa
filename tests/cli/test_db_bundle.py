"""``vigil db keygen``, ``export`` and ``import``: a signed store carried to another place."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import Result

from tests.cli.test_db_support import build_args, run
from vigil.advisories.store import AdvisoryStore


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("built")
    out = folder / "advisories.db"
    done = run("db", "build", "-o", out, *build_args(folder / "inputs"))
    assert done.exit_code == 0, done.output
    return out


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    prefix = tmp_path_factory.mktemp("keys") / "release"
    done = run("db", "keygen", "--out", prefix)
    assert done.exit_code == 0, done.output
    return prefix.with_suffix(".key"), prefix.with_suffix(".pub"), done


def key_body(private: Path) -> str:
    return "".join(private.read_text().splitlines()[1:-1])


def test_keygen(keys: tuple[Path, Path, Result]) -> None:
    private, public, done = keys
    assert private.stat().st_mode & 0o777 == 0o600
    assert done.stdout.startswith("key ")
    assert done.stdout.endswith(f": private {private}, public {public}\n")
    assert key_body(private) not in done.output
    again = run("db", "keygen", "--out", private.with_suffix(""))
    assert again.exit_code == 1
    assert again.stderr == f"vigil: error: {private}: already exists; not overwriting a key\n"


def test_export_then_import_elsewhere(
    tmp_path: Path, built: Path, keys: tuple[Path, Path, Result]
) -> None:
    private, public, _ = keys
    bundle = tmp_path / "advisories.tar"
    exported = run("db", "export", "--db", built, "--signing-key", private, bundle, "--json")
    imported = run("db", "import", "--data-dir", tmp_path / "site", bundle, "--trusted-key", public)

    assert exported.exit_code == 0, exported.output
    assert exported.stderr == ""
    manifest = json.loads(exported.stdout)
    key_id = keys[2].stdout.split()[1].rstrip(":")
    assert manifest["signed_by"] == key_id
    assert manifest["store"]["records"] == 3107
    assert manifest["store"]["ecosystems"]["Debian"] == 863
    assert {s["name"] for s in manifest["store"]["sources"]} >= {"epss", "kev"}
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == (
        f"imported 3,107 records into {tmp_path / 'site' / 'advisories.db'} "
        f"(signature by key {key_id} verified)\n"
    )
    for done in (exported, imported):
        assert key_body(private) not in done.output
    checked = run("db", "verify", bundle, "--trusted-key", public)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"{bundle}: sound; 3,107 records built ")
    assert checked.stdout.endswith(f"; signature by key {key_id} verified\n")
    with AdvisoryStore(tmp_path / "site" / "advisories.db", create=False) as store:
        assert store.info().records == 3107


def test_a_tampered_bundle_is_refused_and_the_store_kept(
    tmp_path: Path, built: Path, keys: tuple[Path, Path, Result]
) -> None:
    private, public, _ = keys
    site = tmp_path / "site" / "advisories.db"
    site.parent.mkdir()
    shutil.copyfile(built, site)
    before = site.read_bytes()
    bundle = tmp_path / "b.tar"
    assert run("db", "export", "--db", built, "--signing-key", private, bundle).exit_code == 0
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x40
    bundle.write_bytes(bytes(data))

    done = run("db", "import", "--db", site, bundle, "--trusted-key", public)

    assert done.exit_code == 1
    assert done.stderr == (
        "vigil: error: import refused: the payload's SHA-256 differs from the manifest's: "
        "the bundle was altered; the store was not changed\n"
    )
    assert site.read_bytes() == before
    checked = run("db", "verify", bundle, "--trusted-key", public)
    assert checked.exit_code == 1
    assert "refused: the payload's SHA-256 differs" in checked.stderr

    bundle.write_bytes(bytes(data[:5000]))
    cut = run("db", "import", "--db", site, bundle, "--trusted-key", public)
    assert cut.exit_code == 1
    assert "the bundle is truncated: the payload has" in cut.stderr
    assert site.read_bytes() == before


def test_unsigned_bundles(tmp_path: Path, built: Path, keys: tuple[Path, Path, Result]) -> None:
    bundle = tmp_path / "unsigned.tar"
    exported = run("db", "export", "--db", built, bundle)
    refused = run("db", "import", "--data-dir", tmp_path / "a", bundle, "--trusted-key", keys[1])
    no_key = run("db", "import", "--data-dir", tmp_path / "a", bundle)
    assert not (tmp_path / "a" / "advisories.db").exists()
    allowed = run("db", "import", "--data-dir", tmp_path / "a", bundle, "--allow-unsigned")

    assert exported.exit_code == 0
    assert "the bundle is NOT signed" in exported.stderr
    assert refused.exit_code == 1
    assert "the bundle is not signed; refusing it" in refused.stderr
    assert no_key.exit_code == 2
    assert "give --trusted-key PUB" in no_key.stderr
    assert allowed.exit_code == 0
    assert "IMPORTED WITHOUT SIGNATURE CHECK" in allowed.stderr
    assert (tmp_path / "a" / "advisories.db").exists()


def test_an_exposed_key_is_warned_about_and_a_missing_store_refused(
    tmp_path: Path, built: Path
) -> None:
    prefix = tmp_path / "loose"
    assert run("db", "keygen", "--out", prefix).exit_code == 0
    prefix.with_suffix(".key").chmod(0o644)
    done = run("db", "export", "--db", built, "--signing-key", prefix.with_suffix(".key"),
               tmp_path / "b.tar")  # fmt: skip
    assert done.exit_code == 0
    assert "the private key is readable by other users" in done.stderr
    missing = run("db", "export", "--data-dir", tmp_path / "none", tmp_path / "c.tar")
    assert missing.exit_code == 1
    assert "no advisory store here" in missing.stderr
    assert not (tmp_path / "c.tar").exists()
