"""Peak memory (RSS) of cataloging a ~1 GB image, against a 500 MB target.

Run from the repository root: ``.venv/bin/python -m benchmarks.inventory_memory``. The image (an
OCI layout: the Debian 12 fixture plus filler layers, see ``scripts/fixtures/big_image.py``) is
built once and cached. Vigil runs as ``vigil sbom`` (or the Python pipeline when that command is
missing) in a child process whose peak RSS the kernel reports on exit (``wait4``); syft, when
installed, is measured the same way for reference (``--no-syft`` skips it).

A child's peak RSS on Linux starts from its parent's at fork time, so this process keeps small
(the image's size is measured by streaming) and measures the children first.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scripts.fixtures import big_image

from benchmarks.inventory_vs_syft import SYFT_ENV, vigil_cli, vigil_command

RESULTS = Path(__file__).parent / "results" / "inventory_memory.json"
TARGET_MIB = 500


def peak(command: list[str], env: Mapping[str, str] | None = None) -> dict[str, float]:
    """Run ``command``; its wall time and peak resident set size (MiB) as the kernel saw it."""
    started = time.perf_counter()
    with subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as child:
        assert child.stderr is not None
        errors = child.stderr.read()  # drains the pipe so the child never blocks on it
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {errors.decode()[-2000:]}")
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux reports kilobytes
    }


def image_size(layout: Path) -> dict[str, float]:
    """The image's layers: compressed bytes, and uncompressed bytes (streamed, never held)."""
    index = json.loads((layout / "index.json").read_text())
    blobs = layout / "blobs" / "sha256"
    manifest = json.loads((blobs / index["manifests"][0]["digest"].split(":")[1]).read_text())
    compressed = sum(layer["size"] for layer in manifest["layers"])
    uncompressed = 0
    for layer in manifest["layers"]:
        with gzip.open(blobs / layer["digest"].split(":")[1]) as stream:
            while chunk := stream.read(1 << 20):
                uncompressed += len(chunk)
    return {
        "layers": len(manifest["layers"]),
        "compressed_mib": round(compressed / (1 << 20)),
        "uncompressed_mib": round(uncompressed / (1 << 20)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-syft", action="store_true", help="do not measure syft")
    args = parser.parse_args()
    layout = big_image.ensure()
    spec = f"oci:{layout}:{big_image.TAG}"
    result: dict[str, Any] = {"image": str(layout)}
    how = "the vigil sbom command" if vigil_cli() else "the Python pipeline (no vigil sbom command)"
    result["vigil_runs_as"] = how
    with tempfile.TemporaryDirectory() as scratch:
        result["vigil"] = peak(vigil_command(spec, Path(scratch) / "vigil.json"))
        syft = shutil.which("syft", path=str(Path(sys.executable).parent)) or shutil.which("syft")
        if syft is not None and not args.no_syft:
            out = Path(scratch) / "syft.json"
            command = [syft, "scan", "-q", f"oci-dir:{layout}", "-o", f"syft-json={out}"]
            result["syft"] = peak(command, SYFT_ENV)
    result.update(image_size(layout))
    print(f"image: {spec}: {result['layers']} layers, {result['uncompressed_mib']} MiB "
          f"uncompressed ({result['compressed_mib']} MiB gzip)")  # fmt: skip
    vigil = result["vigil"]
    status = "met" if vigil["peak_rss_mib"] < TARGET_MIB else "NOT met"
    print(f"Vigil ({how}): peak RSS {vigil['peak_rss_mib']} MiB, {vigil['seconds']} s")
    if "syft" in result:
        print(f"syft: peak RSS {result['syft']['peak_rss_mib']} MiB, {result['syft']['seconds']} s")
    print(f"peak memory under {TARGET_MIB} MB: {status}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {RESULTS}")


if __name__ == "__main__":
    main()
