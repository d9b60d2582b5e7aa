from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.catalog.languages.dirfs import FIXTURES, reasons, scan, triples
from vigil.catalog.languages import cargo_lock, rust_auditable

RUST = FIXTURES / "rust"
LOCKED = [
    ("itoa", "1.0.1", "pkg:cargo/itoa@1.0.1"),
    ("memchr", "2.5.0", "pkg:cargo/memchr@2.5.0"),
    ("semver", "1.0.14", "pkg:cargo/semver@1.0.14"),
]


@pytest.mark.parametrize("fixture", ["lock-v3", "lock-v4"])
def test_cargo_lock_skips_the_workspace_member(fixture: str) -> None:
    result = scan(cargo_lock.CATALOGER, RUST / fixture)
    assert triples(result.packages) == LOCKED
    assert result.warnings == []


def test_cargo_lock_v1_with_metadata_table_and_other_sources(tmp_path: Path) -> None:
    # Version 1 has no version line and keeps checksums in [metadata]; git and other
    # registries are not crates.io.
    crates_io = "registry+https://github.com/rust-lang/crates.io-index"
    (tmp_path / "Cargo.lock").write_text(
        f'[[package]]\nname = "app"\nversion = "0.1.0"\n\n'
        f'[[package]]\nname = "libc"\nversion = "0.2.40"\nsource = "{crates_io}"\n\n'
        '[[package]]\nname = "fork"\nversion = "1.0.0"\n'
        'source = "git+https://example.org/fork#0123abc"\n\n'
        '[[package]]\nname = "internal"\nversion = "2.0.0"\n'
        'source = "registry+https://registry.example.org/index"\n\n'
        '[[package]]\nname = "sparse"\nversion = "3.0.0"\nsource = "sparse+https://index.crates.io/"\n\n'
        f'[metadata]\n"checksum libc 0.2.40 ({crates_io})" = "6fd41f33"\n'
    )
    result = scan(cargo_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("libc", "0.2.40", "pkg:cargo/libc@0.2.40"),
        ("sparse", "3.0.0", "pkg:cargo/sparse@3.0.0"),
    ]


def test_bad_cargo_lock_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "Cargo.lock").write_text('[[package]]\nname = "x"\nversion = 1.0.0\n')
    result = scan(cargo_lock.CATALOGER, tmp_path)
    [warning] = result.warnings
    assert warning.reason.startswith("invalid TOML: ")


def _auditable_binary(tmp_path: Path, section: bytes) -> Path:
    """A real ELF executable with ``section`` added as ``.dep-v0`` by binutils' objcopy."""
    objcopy, true = shutil.which("objcopy"), shutil.which("true")
    if objcopy is None or true is None:
        pytest.skip("binutils' objcopy is not installed")
    (tmp_path / "dep-v0.bin").write_bytes(section)
    target = tmp_path / "bin" / "app"
    target.parent.mkdir()
    subprocess.run(
        [objcopy, "--add-section", f".dep-v0={tmp_path / 'dep-v0.bin'}", true, str(target)],
        check=True,
    )
    return target.parent


def test_real_cargo_auditable_data_of_uvx(tmp_path: Path) -> None:
    section = (RUST / "uvx-0.13.9.dep-v0").read_bytes()
    result = scan(rust_auditable.CATALOGER, _auditable_binary(tmp_path, section))
    assert result.warnings == []
    # The section lists 567 crates: 446 runtime ones from crates.io are reported; the 86 local
    # workspace crates and the 35 build-only dependencies are not.
    names = triples(result.packages)
    assert len(names) == 446
    assert ("tokio", "1.53.2", "pkg:cargo/tokio@1.53.2") in names
    assert ("serde_json", "1.0.151", "pkg:cargo/serde_json@1.0.151") in names
    assert not any(name.startswith("uv-") for name, _, _ in names)  # local workspace crates
    assert {p.locations[0].path for p in result.packages} == {"app"}


def test_auditable_sources_and_kinds(tmp_path: Path) -> None:
    document = {
        "format": 1,
        "packages": [
            {"name": "app", "version": "0.1.0", "source": "local", "root": True},
            {"name": "libc", "version": "0.2.150", "source": "crates.io"},
            {"name": "cc", "version": "1.0.83", "source": "crates.io", "kind": "build"},
            {"name": "forked", "version": "1.0.0", "source": "git"},
            {"name": "nover", "source": "crates.io"},
        ],
    }
    section = zlib.compress(json.dumps(document).encode())
    result = scan(rust_auditable.CATALOGER, _auditable_binary(tmp_path, section))
    assert triples(result.packages) == [("libc", "0.2.150", "pkg:cargo/libc@0.2.150")]
    assert reasons(result.warnings) == [("app", "package #5 has no name or version")]


@pytest.mark.parametrize(
    ("section", "reason"),
    [
        (b"not zlib at all", "dependency section is not valid zlib data: "),
        (zlib.compress(b"{" * 10), "invalid JSON at line 1 column 2"),
        (zlib.compress(b" " * (40 * 1024 * 1024)), "dependency section inflates past"),
    ],
)
def test_hostile_auditable_sections_are_warnings(
    tmp_path: Path, section: bytes, reason: str
) -> None:
    result = scan(rust_auditable.CATALOGER, _auditable_binary(tmp_path, section))
    assert result.packages == []
    [warning] = result.warnings
    assert (warning.path, warning.cataloger) == ("app", "rust-auditable-binary")
    assert warning.reason.startswith(reason), warning.reason


def test_binary_without_audit_data_yields_nothing(tmp_path: Path) -> None:
    true = shutil.which("true")
    assert true is not None
    shutil.copy(true, tmp_path / "true")
    result = scan(rust_auditable.CATALOGER, tmp_path)
    assert (result.packages, result.warnings) == ([], [])
