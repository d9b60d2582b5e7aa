"""``vigil scan`` through click's runner: every exit code, every format, ignore files, the
threshold, against a real advisory store and real target directories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.scan_support import ALPINE_SBOM, CLEAN, VULNERABLE, ids, scan, store
from tests.reports.validators import sarif_errors, vex_errors

__all__ = ["store"]  # the session fixture, imported for pytest

OPENSSL_HIGH = "CVE-2023-0286"  # the only HIGH finding of the vulnerable target
REQUESTS = ["CVE-2023-32681", "CVE-2024-35195", "CVE-2024-47081", "CVE-2026-25645"]


def findings_of(*args: str | Path) -> list[dict[str, object]]:
    done = scan(*args, "--format", "json")
    assert done.exit_code == 0, done.stderr
    found: list[dict[str, object]] = json.loads(done.stdout)
    return found


# Exit 0


def test_clean_target_passes_even_the_lowest_threshold(store: Path) -> None:
    done = scan(f"dir:{CLEAN}", "--db", store, "--fail-on", "LOW")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == f"No vulnerabilities found in dir:{CLEAN}.\nTotal: 0 findings\n"


def test_findings_without_a_threshold_exit_0_with_the_table(store: Path) -> None:
    done = scan(f"dir:{VULNERABLE}", "--db", store, env={"COLUMNS": "120"})
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("HIGH (1)")
    assert lines[2].split() == [
        OPENSSL_HIGH, "libssl1.1", "1.1.1k-1+deb11u1", "0:1.1.1n-0+deb11u4", "fixed", "—"
    ]  # fmt: skip
    assert lines[-1] == "Total: 13 findings (HIGH 1, MEDIUM 3, UNTRIAGED 9)"
    assert "\x1b[" not in done.stdout  # not a terminal: no colour
    assert done.stderr == ""  # the table on stdout is the whole story


def test_a_threshold_above_every_finding_exits_0(store: Path) -> None:
    done = scan(f"dir:{VULNERABLE}", "--db", store, "--fail-on", "critical", "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert done.stderr == "vigil: 13 findings (HIGH 1, MEDIUM 3, UNTRIAGED 9)\n"


# Exit 1


@pytest.mark.parametrize(("threshold", "tripping"), [("HIGH", 1), ("medium", 4), ("LOW", 4)])
def test_findings_at_or_above_the_threshold_exit_1(
    store: Path, threshold: str, tripping: int
) -> None:
    done = scan(f"dir:{VULNERABLE}", "--db", store, "--fail-on", threshold)
    assert done.exit_code == 1
    noun = "finding" if tripping == 1 else "findings"
    assert done.stderr.endswith(
        f"vigil: error: {tripping} {noun} at or above {threshold.upper()} (--fail-on)\n"
    )
    assert "Total: 13 findings" in done.stdout  # the report is written all the same


def test_untriaged_findings_never_trip_the_threshold(store: Path, tmp_path: Path) -> None:
    sbom = tmp_path / "alpine.cdx.json"
    sbom.write_text(json.dumps(ALPINE_SBOM))
    done = scan("--sbom", sbom, "--db", store, "--fail-on", "LOW", "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert {f["severity"] for f in json.loads(done.stdout)} == {"UNTRIAGED"}


# Exit 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either a TARGET or --sbom FILE"),
        (["dir:x", "--sbom", "x.json"], "give either a TARGET or --sbom FILE"),
        (["dir:x", "--max-db-age", "soon"], "'soon' is not a duration"),
        (["dir:x", "--max-db-age", "-3h"], "'-3h' is not a duration"),
        (["dir:x", "--format", "xml"], "'xml' is not one of"),
        (["dir:x", "--fail-on", "UNTRIAGED"], "'UNTRIAGED' is not one of"),
        (["dir:x", "--ignore", "/nonexistent/ignore.yaml"], "cannot be read"),
        (["dir:x", "-o", "/nonexistent/dir/out.json"], "no such directory"),
    ],
)
def test_usage_errors_exit_2(store: Path, args: list[str], message: str) -> None:
    done = scan(*args, "--db", store)
    assert done.exit_code == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_a_bad_ignore_file_exits_2_before_scanning(store: Path, tmp_path: Path) -> None:
    ignore = tmp_path / ".vigilignore.yaml"
    ignore.write_text("vulnerabilities:\n  - id: CVE-2023-0286\n    expire: 2030-01-01\n")
    done = scan(tmp_path / "no-such-target", "--db", store, "--ignore", ignore)
    assert done.exit_code == 2
    assert "entry 1: unknown key(s) 'expire'" in done.stderr


# Exit 3


def test_an_empty_directory_is_not_a_clean_bill_of_health(store: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = scan(f"dir:{tmp_path / 'empty'}", "--db", store, "--format", "json")
    assert done.exit_code == 3
    assert "nothing could be cataloged" in done.stderr
    assert done.stdout == ""  # no "[]" a pipeline could read as "no vulnerabilities"


@pytest.mark.parametrize("target", ["no-such-dir", "not-an-image.tar"])
def test_a_target_that_cannot_be_opened_exits_3(store: Path, tmp_path: Path, target: str) -> None:
    path = tmp_path / target
    if target.endswith(".tar"):
        path.write_bytes(b"this is not a tar archive" * 40)
    done = scan(path, "--db", store)
    assert done.exit_code == 3
    assert f"vigil: error: cannot catalog {path}" in done.stderr
    assert done.stdout == ""


def test_a_malformed_sbom_exits_3(store: Path, tmp_path: Path) -> None:
    sbom = tmp_path / "broken.json"
    sbom.write_text('{"bomFormat": "CycloneDX", "components": 7')
    done = scan("--sbom", sbom, "--db", store)
    assert done.exit_code == 3
    assert "cannot catalog" in done.stderr


# Exit 4


def test_a_missing_database_exits_4(tmp_path: Path) -> None:
    done = scan(f"dir:{CLEAN}", "--db", tmp_path / "none.db")
    assert done.exit_code == 4
    assert "no advisory database (run `vigil db sync`)" in done.stderr


def test_a_database_older_than_allowed_exits_4(store: Path) -> None:
    done = scan(f"dir:{VULNERABLE}", "--db", store, "--max-db-age", "24h", "--fail-on", "LOW")
    assert done.exit_code == 4
    assert "last updated 2025-01-01T00:00:00+00:00, older than the allowed 1 day" in done.stderr
    assert done.stdout == ""
    assert scan(f"dir:{CLEAN}", "--db", store, "--max-db-age", "36500d").exit_code == 0
    assert scan(f"dir:{CLEAN}", "--db", store, "--max-db-age", "1000000").exit_code == 0


def test_the_default_database_is_the_data_directorys(store: Path, tmp_path: Path) -> None:
    shutil.copy(store, tmp_path / "advisories.db")
    done = scan(f"dir:{CLEAN}", env={"VIGIL_DATA_DIR": str(tmp_path)})
    assert done.exit_code == 0, done.stderr
    empty = tmp_path / "elsewhere"
    done = scan(f"dir:{CLEAN}", env={"VIGIL_DATA_DIR": str(empty)})
    assert done.exit_code == 4
    assert str(empty / "advisories.db") in done.stderr


# Formats, output file, ignoring


def test_json_lists_inspector_findings_most_severe_first(store: Path) -> None:
    found = findings_of(f"dir:{VULNERABLE}", "--db", store)
    assert ids(found)[0] == OPENSSL_HIGH
    assert set(REQUESTS) <= set(ids(found))
    assert {f["type"] for f in found} == {"PACKAGE_VULNERABILITY"}
    assert all(f["findingArn"].startswith("arn:aws:inspector2:local:000000000000:finding/")
               for f in found)  # fmt: skip


def test_sarif_and_vex_of_a_real_scan_validate(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    done = scan(f"dir:{VULNERABLE}", "--db", store, "--format", "sarif", "-o", out)
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == "vigil: 13 findings (HIGH 1, MEDIUM 3, UNTRIAGED 9)\n"
    assert sarif_errors(out.read_bytes()) == []
    results = json.loads(out.read_bytes())["runs"][0]["results"]
    assert len(results) == 13 + 9  # the OpenSSL findings list two packages each
    done = scan(f"dir:{VULNERABLE}", "--db", store, "--format", "cyclonedx-vex")
    assert done.exit_code == 0, done.stderr
    assert vex_errors(done.stdout_bytes) == []
    bom = json.loads(done.stdout)
    assert len(bom["vulnerabilities"]) == 13
    assert {c["name"] for c in bom["components"]} == {"libssl1.1", "openssl", "requests"}


def test_table_to_a_file_also_says_the_summary_on_stderr(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    done = scan(f"dir:{VULNERABLE}", "--db", store, "-o", out)
    assert done.exit_code == 0, done.stderr
    assert out.read_text().splitlines()[-1] == "Total: 13 findings (HIGH 1, MEDIUM 3, UNTRIAGED 9)"
    assert done.stderr == "vigil: 13 findings (HIGH 1, MEDIUM 3, UNTRIAGED 9)\n"


def test_an_sbom_gives_the_findings_of_its_target(store: Path, tmp_path: Path) -> None:
    from tests.cli.test_db_support import run

    sbom = tmp_path / "debian11.cdx.json"
    made = run("sbom", f"dir:{VULNERABLE}", "-o", sbom)
    assert made.exit_code == 0, made.output
    assert ids(findings_of("--sbom", sbom, "--db", store)) == ids(
        findings_of(f"dir:{VULNERABLE}", "--db", store)
    )


def test_the_ignore_file_lowers_the_gate(store: Path, tmp_path: Path) -> None:
    ignore = tmp_path / ".vigilignore.yaml"
    ignore.write_text(
        "vulnerabilities:\n"
        f"  - id: {OPENSSL_HIGH}\n"
        "    reason: no untrusted certificates are parsed here\n"
        "  - id: GHSA-j8r2-6x86-q33q\n"  # CVE-2023-32681, by its GitHub alias
        "    package: {name: requests, version: '2.25.1'}\n"
        "  - id: CVE-2024-35195\n"
        "    expires: 2000-01-01\n"
    )
    done = scan(f"dir:{VULNERABLE}", "--db", store, "--ignore", ignore, "--fail-on", "HIGH")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "Total: 11 findings (MEDIUM 3, UNTRIAGED 8); 2 ignored"
    assert done.stderr.splitlines() == [
        f"vigil: warning: {ignore}: entry 3 (CVE-2024-35195) expired on 2000-01-01 and no "
        "longer applies",
        f"vigil: note: {OPENSSL_HIGH} ignored by {ignore} entry 1: no untrusted certificates "
        "are parsed here",
        f"vigil: note: CVE-2023-32681 ignored by {ignore} entry 2",
    ]
    # The expired entry hid nothing; the others hid exactly their findings.
    kept = ids(findings_of(f"dir:{VULNERABLE}", "--db", store, "--ignore", ignore))
    every = ids(findings_of(f"dir:{VULNERABLE}", "--db", store))
    assert kept == [i for i in every if i not in (OPENSSL_HIGH, "CVE-2023-32681")]
    assert "CVE-2024-35195" in kept


def test_ignore_unfixed_drops_findings_without_any_fix(store: Path, tmp_path: Path) -> None:
    sbom = tmp_path / "alpine.cdx.json"
    sbom.write_text(json.dumps(ALPINE_SBOM))
    every = findings_of("--sbom", sbom, "--db", store)
    assert [f["fixAvailable"] for f in every].count("NO") == 1
    fixable = findings_of("--sbom", sbom, "--db", store, "--ignore-unfixed")
    assert ids(fixable) == [i for i, f in zip(ids(every), every, strict=True)
                            if f["fixAvailable"] != "NO"]  # fmt: skip
    assert "CVE-2021-22897" in ids(every)
    assert "CVE-2021-22897" not in ids(fixable)
    table = scan("--sbom", sbom, "--db", store, "--ignore-unfixed")
    assert table.stdout.splitlines()[-1] == "Total: 7 findings (UNTRIAGED 7); 1 ignored"
