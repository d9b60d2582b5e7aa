"""``vigil sbom`` in process (click's CliRunner) on targets built from real files."""

from __future__ import annotations

import gzip
import json
import os
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.sboms import PURLS, purls
from tests.sbom.validators import cyclonedx_errors, spdx_errors
from tests.service.targets import (
    PYPI,
    SITE_PACKAGES,
    directory,
    docker_archive,
    function_package,
    oci_layout,
    rootfs_entries,
)
from tests.targets.fixtures.images import Image, write_oci
from tests.targets.fixtures.layers import RawName, Whiteout
from vigil.cli.main import cli
from vigil.sbom import decode_sbom


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    result = CliRunner(env=env).invoke(cli, ["sbom", *args], input=stdin)
    assert "Traceback" not in result.stderr
    return result


def test_directory_to_stdout_is_valid_cyclonedx_1_6(tmp_path: Path) -> None:
    result = run(f"dir:{directory(tmp_path / 'root')}")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert cyclonedx_errors(result.stdout_bytes, "1.6") == []
    document = json.loads(result.stdout_bytes)
    assert document["specVersion"] == "1.6"
    assert purls(document) == PURLS


@pytest.mark.parametrize("spec", ["1.5", "1.4"])
def test_older_cyclonedx_versions(tmp_path: Path, spec: str) -> None:
    archive = docker_archive(tmp_path / "image.tar")

    result = run(f"docker-archive:{archive}", "--format", f"cyclonedx-json@{spec}")

    assert result.exit_code == 0, result.stderr
    assert cyclonedx_errors(result.stdout_bytes, spec) == []
    assert purls(json.loads(result.stdout_bytes)) == PURLS


def test_spdx_from_an_oci_layout_by_tag(tmp_path: Path) -> None:
    layout = oci_layout(tmp_path / "layout", tag="v1")

    result = run(f"oci:{layout}:v1", "--format", "spdx-json")

    assert result.exit_code == 0, result.stderr
    assert spdx_errors(result.stdout_bytes) == []
    assert purls(json.loads(result.stdout_bytes)) == PURLS


def test_vigil_json_of_a_function_package_reads_back(tmp_path: Path) -> None:
    function, layer = function_package(tmp_path)

    result = run(f"zip:{function},{layer}", "--format", "vigil-json")

    assert result.exit_code == 0, result.stderr
    inventory = decode_sbom(result.stdout_bytes)
    assert [(p.name, p.version) for p in inventory.packages] == PYPI
    assert inventory.target == f"zip:{function},{layer}"


def test_output_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    root = directory(tmp_path / "root")
    out = tmp_path / "out" / "sbom.json"
    out.parent.mkdir()
    out.write_text("previous")
    out.chmod(0o640)

    result = run(f"dir:{root}", "-o", str(out))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert cyclonedx_errors(out.read_bytes(), "1.6") == []
    assert out.stat().st_mode & 0o777 == 0o640
    assert os.listdir(out.parent) == ["sbom.json"]  # no temporary file left behind


def test_new_output_file_gets_the_umask_default(tmp_path: Path) -> None:
    out = tmp_path / "new.spdx.json"
    old = os.umask(0o027)
    try:
        result = run(f"dir:{directory(tmp_path / 'root')}", "-o", str(out), "--format", "spdx-json")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o640
    assert spdx_errors(out.read_bytes()) == []


def test_warnings_go_to_stderr_and_into_the_sbom(tmp_path: Path) -> None:
    archive = docker_archive(tmp_path / "image.tar", [RawName("../../etc/evil", b"x")])

    result = run(str(archive))

    assert result.exit_code == 0, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("vigil: warning: ../../etc/evil: layer ")
    assert line.endswith(": member name leaves the root; skipped")
    properties = json.loads(result.stdout_bytes)["metadata"]["properties"]
    warning = next(p["value"] for p in properties if p["name"] == "vigil:warning:0")
    assert warning == line.removeprefix("vigil: warning: ")


def test_platform_picks_the_image_of_a_multi_platform_index(tmp_path: Path) -> None:
    h11 = f"{SITE_PACKAGES}/h11-0.16.0.dist-info"
    images = {
        "multi": [
            Image([rootfs_entries()], platform=("linux", "amd64")),
            Image([rootfs_entries(), [Whiteout(h11)]], platform=("linux", "arm64")),
        ]
    }
    layout = write_oci(tmp_path / "layout", images)

    amd64 = run(f"oci:{layout}:multi")
    arm64 = run(f"oci:{layout}:multi", "--platform", "linux/arm64")
    s390x = run(f"oci:{layout}:multi", "--platform", "linux/s390x")

    assert (amd64.exit_code, arm64.exit_code) == (0, 0)
    assert purls(json.loads(amd64.stdout_bytes)) == PURLS
    assert purls(json.loads(arm64.stdout_bytes)) == PURLS - {"pkg:pypi/h11@0.16.0"}
    assert s390x.exit_code == 2
    assert "no image for linux/s390x; offered: linux/amd64, linux/arm64" in s390x.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{tmp}/absent"], "no such target: {tmp}/absent: no such file or directory"),
        (["dir:{tmp}/absent"], "no such target: {tmp}/absent: no such file or directory"),
        (["{root}", "--format", "cyclonedx-xml"], "Invalid value for '--format'"),
        (["{root}", "--platform", "linux"], "expected OS/ARCH[/VARIANT]"),
        (["{root}", "-o", "{tmp}/absent/sbom.json"], "{tmp}/absent: no such directory"),
        (["{root}", "--registry-password-stdin"], "needs --registry-username"),
    ],
)
def test_usage_errors_and_missing_targets_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    root = directory(tmp_path / "root")
    values = {"tmp": str(tmp_path), "root": str(root)}

    result = run(*(a.format(**values) for a in args))

    assert result.exit_code == 2, result.stderr
    assert message.format(**values) in result.stderr
    assert result.stdout == ""


def test_registry_reference_that_does_not_parse_exits_3() -> None:
    result = run("registry:Not A Reference")

    assert result.exit_code == 3
    assert "cannot open registry:Not A Reference: " in result.stderr
    assert "invalid repository name" in result.stderr


def test_nothing_understood_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "srv").mkdir(parents=True)
    (empty / "srv/readme.txt").write_text("no packages here\n")
    out = tmp_path / "sbom.json"

    result = run(f"dir:{empty}", "-o", str(out))

    assert result.exit_code == 3
    assert "no operating system identified and no package found; no SBOM written" in result.stderr
    assert not out.exists()
    assert result.stdout == ""

    out.write_text("an earlier SBOM")
    assert run(f"dir:{empty}", "-o", str(out)).exit_code == 3
    assert out.read_text() == "an earlier SBOM"


def test_a_tar_that_is_no_image_exits_3(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.add(__file__, arcname="notes.py")

    result = run(str(bogus))

    assert result.exit_code == 3
    assert "neither a docker archive nor an OCI layout" in result.stderr


def test_a_truncated_layer_exits_3(tmp_path: Path) -> None:
    layout = oci_layout(tmp_path / "layout")
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads((layout / "blobs/sha256" / manifest_digest).read_text())
    blob = layout / "blobs/sha256" / manifest["layers"][0]["digest"].split(":")[1]
    data = blob.read_bytes()
    assert gzip.decompress(data)  # a whole gzip stream before it is cut
    blob.write_bytes(data[: len(data) // 2])

    result = run(f"oci:{layout}")

    assert result.exit_code == 3
    assert result.stderr.startswith(f"vigil: error: cannot open oci:{layout}: ")
    assert result.stdout == ""


def test_an_output_that_cannot_be_written_exits_1(tmp_path: Path) -> None:
    # /proc/self is a directory no file can be created in, even by root.
    result = run(f"dir:{directory(tmp_path / 'root')}", "-o", "/proc/self/sbom.json")

    assert result.exit_code == 1
    assert result.stderr.startswith("vigil: error: cannot write /proc/self/sbom.json: ")
