"""``vigil db sync`` against a loopback server publishing OSV exports, NVD, EPSS and KEV."""

from __future__ import annotations

import json
from pathlib import Path

from tests.advisories.conftest import load_docs
from tests.advisories.export_server import build_listing, build_zip, corrupt_member
from tests.cli.test_db_support import advisory_server, run, source_args
from vigil.advisories.store import AdvisoryStore

ALL = ["--ecosystem", "PyPI", "--ecosystem", "Go"]


def sources_of(stdout: str) -> dict[str, dict[str, object]]:
    return {s["source"]: s for s in json.loads(stdout)["sources"]}


def test_first_sync_then_nothing_new(tmp_path: Path) -> None:
    with advisory_server() as server:
        first = run("db", "sync", "--data-dir", tmp_path, *ALL, *source_args(server), "--json")
        again = run("db", "sync", "--data-dir", tmp_path, *ALL, *source_args(server), "--json")

    assert first.exit_code == 0, first.output
    found = sources_of(first.stdout)
    assert list(found) == ["osv:PyPI", "osv:Go", "nvd", "epss", "kev"]
    pypi = found["osv:PyPI"]["diff"]
    assert isinstance(pypi, dict)
    assert len(pypi["added"]) == 1034
    assert len(pypi["withdrawn"]) == 18  # records that arrive withdrawn are listed as such
    assert {"ecosystem": "PyPI", "name": "aiohttp"} in pypi["keys"]
    kev = found["kev"]["diff"]
    assert isinstance(kev, dict)
    assert len(kev["added"]) == 1404
    assert found["nvd"]["diff"] == {
        "source": "nvd",
        "kind": "nvd",
        "added": ["CVE-2021-21330", "CVE-2025-0168", "CVE-2025-48384"],
        "changed": [],
        "removed": [],
    }
    assert [s["failure_count"] for s in found.values()] == [0, 0, 0, 0, 0]
    assert first.stderr == ""  # no progress drawn when stderr is not a terminal

    assert again.exit_code == 0, again.output
    repeat = sources_of(again.stdout)
    assert [name for name, s in repeat.items() if s["unchanged"]] == [
        "osv:PyPI", "osv:Go", "epss", "kev",
    ]  # fmt: skip
    nvd = repeat["nvd"]["diff"]
    assert isinstance(nvd, dict)
    assert nvd["added"] == nvd["changed"] == []  # the same three CVEs again: no change
    with AdvisoryStore(tmp_path / "advisories.db", create=False) as store:
        assert store.info().records == 1052 + 488
        assert store.enrichment("CVE-2021-21330").nvd is not None


def test_the_human_summary_names_each_source_and_malformed_records(tmp_path: Path) -> None:
    with advisory_server() as server:
        docs = load_docs("go")
        broken = docs[0]["id"]
        del docs[0]["affected"][0]["ranges"][0]["events"]
        server.files["/osv/Go/all.zip"] = build_zip(docs)
        done = run(
            "db", "sync", "--db", tmp_path / "x.db", "--source", "osv", "--source", "kev",
            "--ecosystem", "Go", *source_args(server),
        )  # fmt: skip
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["osv:Go", "+485", "~0", "withdrawn", "2", "-0", "1", "malformed"]
    assert lines[1].split() == ["kev", "+1404", "~0", "-0"]
    assert done.stderr == (
        f"vigil: warning: osv:Go: malformed record {broken} (all.zip:{broken}.json): "
        "affected[0].ranges[0].events: Field required\n"
    )


def test_a_corrupt_export_fails_its_source_only_and_keeps_the_store(tmp_path: Path) -> None:
    with advisory_server() as server:
        assert run("db", "sync", "--data-dir", tmp_path, *ALL, *source_args(server)).exit_code == 0
        docs = load_docs("pypi")
        docs[0]["modified"] = "2099-01-01T00:00:00Z"  # newer than the watermark: refetch
        zipped = build_zip(docs)
        server.files["/osv/PyPI/all.zip"] = corrupt_member(zipped, f"{docs[5]['id']}.json")
        server.files["/osv/PyPI/modified_id.csv"] = b"not,a listing\nbad-time,PYSEC-1\n"
        server.files["/kev.json"] = b'{"vulnerabilities": [{"cveID": "CVE-2099-0001"'  # cut short

        done = run("db", "sync", "--data-dir", tmp_path, *ALL, *source_args(server), "--json")

    assert done.exit_code == 1
    found = sources_of(done.stdout)
    assert [name for name, s in found.items() if not s["ok"]] == ["osv:PyPI", "kev"]
    assert "bad timestamp" in str(found["osv:PyPI"]["error"])
    assert "kev.json: broken JSON" in str(found["kev"]["error"])
    assert "vigil: error: kev: " in done.stderr
    assert done.stderr.rstrip().endswith("2 of 5 sources failed; their previous data is kept")
    with AdvisoryStore(tmp_path / "advisories.db", create=False) as store:
        assert store.info().records == 1052 + 488
        assert store.enrichment("CVE-2025-48384").kev is not None


def test_a_corrupt_zip_on_first_sync(tmp_path: Path) -> None:
    with advisory_server() as server:
        docs = load_docs("go")
        server.files["/osv/Go/all.zip"] = corrupt_member(build_zip(docs), f"{docs[3]['id']}.json")
        server.files["/osv/Go/modified_id.csv"] = build_listing(docs)
        done = run(
            "db", "sync", "--data-dir", tmp_path, "--source", "osv", *ALL, *source_args(server)
        )
    assert done.exit_code == 1
    assert f"member {docs[3]['id']}.json fails its integrity check" in done.stderr
    with AdvisoryStore(tmp_path / "advisories.db", create=False) as store:
        assert [s.name for s in store.info().sources] == ["osv:PyPI"]


def test_an_unreachable_server_is_a_clear_failure(tmp_path: Path) -> None:
    done = run(
        "db", "sync", "--data-dir", tmp_path, "--source", "kev",
        "--kev-url", "http://127.0.0.1:9/kev.json", "--timeout", "1", "--attempts", "2",
    )  # fmt: skip
    assert done.exit_code == 1
    assert "vigil: error: kev: http://127.0.0.1:9/kev.json: ConnectError" in done.stderr
    assert "(gave up after 2 attempts)" in done.stderr
    assert "Traceback" not in done.output


def test_usage_errors(tmp_path: Path) -> None:
    assert run("db", "sync", "--source", "nope", "--data-dir", tmp_path).exit_code == 2
    assert run("db", "sync", "--timeout", "0", "--data-dir", tmp_path).exit_code == 2
