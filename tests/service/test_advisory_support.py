"""The advisory service's small parts: data directory, format detection, ages, CVSS, ranges."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from tests.advisories.conftest import OSV
from tests.cli.test_db_support import EPSS_CSV, KEV, nvd_page
from vigil.service.advisory_detect import UnknownSourceFormat, detect
from vigil.service.advisory_status import parse_age
from vigil.service.data_dir import advisory_store_path, default_data_dir
from vigil.service.vuln_views import cvss_view, intervals


def test_the_data_directory_follows_xdg() -> None:
    assert default_data_dir({"VIGIL_DATA_DIR": "/srv/vigil", "XDG_DATA_HOME": "/x"}) == Path(
        "/srv/vigil"
    )
    assert default_data_dir({"XDG_DATA_HOME": "/x", "HOME": "/home/a"}) == Path("/x/vigil")
    # A relative XDG_DATA_HOME is invalid and ignored, as the specification says.
    assert default_data_dir({"XDG_DATA_HOME": "rel", "HOME": "/home/a"}) == Path(
        "/home/a/.local/share/vigil"
    )
    assert advisory_store_path(Path("/d")) == Path("/d/advisories.db")
    assert advisory_store_path(Path("/d"), Path("/other.db")) == Path("/other.db")
    assert advisory_store_path(env={"HOME": "/h"}) == Path("/h/.local/share/vigil/advisories.db")


def test_formats_are_told_from_content(tmp_path: Path) -> None:
    def file(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("X.json", "{}")
    page = json.dumps(nvd_page()).encode()
    assert detect(OSV / "go") == "osv-dir"
    assert detect(file("export.bin", buffer.getvalue())) == "osv-zip"
    assert detect(KEV) == "kev"
    assert detect(file("scores", gzip.compress(EPSS_CSV.read_bytes()))) == "epss"
    assert detect(file("plain.csv", b"cve,epss,percentile\nCVE-1999-0001,0.1,0.2\n")) == "epss"
    assert detect(file("feed.gz", gzip.compress(page))) == "nvd"
    unformatted = json.dumps({"vulnerabilities": [{"cve": {"id": "CVE-1"}}]}).encode()
    assert detect(file("api-page", unformatted)) == "nvd"
    with pytest.raises(UnknownSourceFormat, match="not a recognised advisory source"):
        detect(file("record.json", (OSV / "go" / "GO-2020-0001.json").read_bytes()))
    with pytest.raises(UnknownSourceFormat, match="unreadable"):
        detect(file("cut.gz", gzip.compress(page)[:100]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("90m", timedelta(minutes=90)),
        ("7d", timedelta(days=7)),
        ("1.5h", timedelta(minutes=90)),
        ("30s", timedelta(seconds=30)),
        ("2w", timedelta(weeks=2)),
        ("6", timedelta(hours=6)),
    ],
)
def test_ages(text: str, expected: timedelta) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["", "h", "soon", "-1h", "nanh", "infd"])
def test_bad_ages(text: str) -> None:
    with pytest.raises(ValueError, match="is not an age"):
        parse_age(text)


@pytest.mark.parametrize(
    ("vector", "version", "score", "severity"),
    [
        # NVD's own scores for these vectors (tests/advisories/fixtures/nvd).
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "3.1", 6.1, "MEDIUM"),
        ("AV:N/AC:M/Au:N/C:P/I:P/A:N", "2.0", 5.8, "MEDIUM"),
        ("(AV:N/AC:L/Au:N/C:C/I:C/A:C)", "2.0", 10.0, "CRITICAL"),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.0", 9.8, "CRITICAL"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 9.3, "CRITICAL"),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N", "3.1", 0.0, "INFORMATIONAL"),
    ],
)
def test_assessments_are_scored_from_their_vectors(
    vector: str, version: str, score: float, severity: str
) -> None:
    view = cvss_view(vector, "NVD: nvd@nist.gov (primary)", stated=1.0)
    assert (view.version, view.base_score, view.severity, view.error) == (
        version,
        score,
        severity,
        None,
    )
    assert (view.stated_score, view.source) == (1.0, "NVD: nvd@nist.gov (primary)")


def test_bad_vectors_say_why() -> None:
    broken = cvss_view("CVSS:3.1/AV:Q/AC:L", "GHSA-x")
    assert (broken.base_score, broken.severity) == (None, None)
    assert broken.error is not None
    assert "CVSS:3.1/AV:Q/AC:L" in broken.error
    assert cvss_view("HIGH", "x").error == "not a CVSS vector: 'HIGH'"


def test_ranges_read_as_intervals() -> None:
    assert intervals([("introduced", "0"), ("fixed", "1.2")]) == ("<1.2",)
    assert intervals(
        [("introduced", "1.0"), ("fixed", "1.2"), ("introduced", "2.0"), ("last_affected", "2.3")]
    ) == (">=1.0, <1.2", ">=2.0, <=2.3")
    assert intervals([("introduced", "3.0")]) == (">=3.0",)
    assert intervals([("introduced", "0")]) == ("all versions",)
    assert intervals([("introduced", "0"), ("limit", "5")]) == ("<5",)
