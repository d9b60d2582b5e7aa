"""Time and peak memory of indexing a ~1 GB image with a ``wanted`` predicate selecting ~1%.

Run as ``python benchmarks/targets_index.py``. The image (an OCI layout of gzipped layers, many
small files) is generated once under the system temporary directory and reused; indexing runs in
a fresh child process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

LAYERS = 4
FILES_PER_LAYER = 25_000
FILE_BYTES = 10_000  # 4 x 25,000 x 10 kB = 1 GB uncompressed
WANTED_EVERY = 100  # one file in a hundred is "wanted" (a package-metadata name)
DEFAULT_DIR = Path(tempfile.gettempdir()) / "vigil-bench-image"


def wanted(path: str, mode: int = 0o644, size: int = 0) -> bool:
    return path.endswith("/METADATA")


def _blob(layout: Path, data_path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with open(data_path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    hexdigest = digest.hexdigest()
    size = data_path.stat().st_size
    data_path.rename(layout / "blobs/sha256" / hexdigest)
    return f"sha256:{hexdigest}", size


def _json_blob(layout: Path, doc: object) -> tuple[str, int]:
    data = json.dumps(doc).encode()
    hexdigest = hashlib.sha256(data).hexdigest()
    (layout / "blobs/sha256" / hexdigest).write_bytes(data)
    return f"sha256:{hexdigest}", len(data)


def generate(layout: Path) -> None:
    """Write the image: each file is a distinct slice of a random pool (barely compressible)."""
    (layout / "blobs/sha256").mkdir(parents=True, exist_ok=True)
    pool = os.urandom(1 << 20)
    layers, diff_ids = [], []
    for layer in range(LAYERS):
        tmp = layout / f"layer{layer}.tmp"
        plain = hashlib.sha256()
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as gz:
            tee = _Tee(gz, plain)
            with tarfile.open(fileobj=tee, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                for i in range(FILES_PER_LAYER):
                    name = "METADATA" if i % WANTED_EVERY == 0 else f"f{i}.py"
                    info = tarfile.TarInfo(f"usr/lib/l{layer}/pkg{i // 50}/{name}")
                    start = (i * 7919) % (len(pool) - FILE_BYTES)
                    info.size = FILE_BYTES
                    tar.addfile(info, io.BytesIO(pool[start : start + FILE_BYTES]))
        digest, size = _blob(layout, tmp)
        diff_ids.append(f"sha256:{plain.hexdigest()}")
        layers.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": digest,
                "size": size,
            }
        )
    config = {
        "os": "linux",
        "architecture": "amd64",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    config_digest, config_size = _json_blob(layout, config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": config_size,
        },
        "layers": layers,
    }
    digest, size = _json_blob(layout, manifest)
    entry = {"mediaType": manifest["mediaType"], "digest": digest, "size": size}
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [entry]}))
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')


class _Tee(io.RawIOBase):
    """Writes to ``out`` while hashing: the uncompressed digest is the layer's diff ID."""

    def __init__(self, out: gzip.GzipFile, digest: hashlib._Hash) -> None:
        self._out = out
        self._digest = digest

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._digest.update(data)
        return self._out.write(data)


def measure(layout: Path) -> dict[str, float | int]:
    from vigil.targets import open_oci

    started = time.perf_counter()
    with open_oci(str(layout), wanted=wanted) as fs:
        indexed = time.perf_counter() - started
        paths = list(fs.paths())
        kept = [p for p in paths if wanted(p)]
        read_bytes = 0
        for path in kept:
            with fs.open(path) as fh:
                read_bytes += len(fh.read())
        total = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "files": len(paths),
        "wanted": len(kept),
        "wanted_bytes": read_bytes,
        "index_seconds": round(indexed, 2),
        "index_and_read_seconds": round(total, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the image lives")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.dir)))
        return
    if not (args.dir / "index.json").exists():
        print(f"generating the image in {args.dir} (once)...", file=sys.stderr)
        generate(args.dir)
    compressed = sum(p.stat().st_size for p in (args.dir / "blobs/sha256").iterdir())
    child = subprocess.run(
        [sys.executable, __file__, "--measure", "--dir", str(args.dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(child.stdout)
    result["uncompressed_mib"] = round(LAYERS * FILES_PER_LAYER * FILE_BYTES / (1 << 20))
    result["compressed_mib"] = round(compressed / (1 << 20))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
