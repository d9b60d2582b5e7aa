"""``vigil db build``: a fresh store from directories, zips, URLs and enrichment files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.advisories.conftest import OSV, load_docs
from tests.advisories.export_server import ExportServer, build_zip
from tests.cli.test_db_support import KEV, run, write_inputs
from vigil.advisories.store import AdvisoryStore


def test_every_kind_of_source_detected_and_built(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "in")
    go_zip = tmp_path / "in" / "all.zip"
    go_zip.write_bytes(build_zip(load_docs("go")))
    out = tmp_path / "out.db"

    done = run(
        "db", "build", "-o", out, "--json",
        "--from", inputs["kev"], "--from", inputs["nvd"], "--from", OSV / "pypi",
        "--from", go_zip, "--from", inputs["epss"],
    )  # fmt: skip

    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert [(i["source"], i["format"]) for i in report["inputs"]] == [
        (str(OSV / "pypi"), "osv-dir"),
        (str(go_zip), "osv-zip"),
        (str(inputs["nvd"]), "nvd"),
        (str(inputs["epss"]), "epss"),
        (str(KEV), "kev"),
    ]  # OSV first, then enrichment
    names = [s["source"] for s in report["sources"]]
    assert names == [
        "osv-dir:pypi",
        "osv-zip:all.zip",
        "nvd:nvdcve-2.0-modified.json.gz",
        "epss",
        "kev",
    ]
    failures = {s["source"]: s["failure_count"] for s in report["sources"]}
    assert failures["osv-dir:pypi"] == 1  # pypi/index.json, which is not a record
    with AdvisoryStore(out, create=False) as store:
        assert store.info().records == 1052 + 488
        enrichment = store.enrichment("CVE-2022-0778")
        assert enrichment.epss is not None
        assert (enrichment.epss.score, enrichment.epss.percentile) == (0.73188, 0.99444)
        assert store.enrichment("CVE-2021-21330").nvd is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.db"]  # nothing left over


def test_a_url_is_downloaded_and_detected(tmp_path: Path) -> None:
    server = ExportServer()
    server.files["/exports/PyPI/all.zip"] = build_zip(load_docs("pypi")[:40])
    server.files["/kev"] = KEV.read_bytes()
    with server.running():
        done = run(
            "db", "build", "-o", tmp_path / "web.db",
            "--from", f"{server.base_url}/exports/PyPI/all.zip", "--from", f"{server.base_url}/kev",
        )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[:2] == [
        f"{server.base_url}/exports/PyPI/all.zip: osv-zip",
        f"{server.base_url}/kev: kev",
    ]
    assert done.stdout.splitlines()[-1] == f"wrote {tmp_path / 'web.db'}"
    with AdvisoryStore(tmp_path / "web.db", create=False) as store:
        assert store.info().records == 40


def test_a_failed_build_writes_nothing_and_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "keep.db"
    out.write_bytes(b"previous build")
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello\n")
    broken_kev = tmp_path / "kev.json"
    broken_kev.write_text('{"catalogVersion": "1", "vulnerabilities": [{"cveID": ')

    refused = run("db", "build", "-o", out, "--from", OSV / "npm", "--from", unknown)
    failed = run("db", "build", "-o", out, "--from", OSV / "npm", "--from", broken_kev)
    missing = run("db", "build", "-o", out, "--from", tmp_path / "absent")
    twice = run("db", "build", "-o", out, "--from", KEV, "--from", KEV)

    assert [r.exit_code for r in (refused, failed, missing, twice)] == [1, 1, 1, 1]
    assert refused.stderr.startswith(f"vigil: error: build failed: {unknown}: not a recognised")
    assert "kev: kev.json: " in failed.stderr
    assert failed.stderr.rstrip().endswith("no store written")
    assert f"{tmp_path / 'absent'}: no such file or directory" in missing.stderr
    assert "a second KEV file; give one" in twice.stderr
    assert out.read_bytes() == b"previous build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.db", "kev.json", "notes.txt"]


def test_from_is_required() -> None:
    assert run("db", "build", "-o", "x.db").exit_code == 2
