from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.catalog.languages.dirfs import FIXTURES, reasons, scan, triples
from tests.catalog.languages.fixtures.binaries import binary
from vigil.catalog.languages import go_binary, go_mod
from vigil.catalog.languages.go_buildinfo import parse_modinfo, stdlib_version

X_SYS_2022 = (
    "golang.org/x/sys",
    "0.0.0-20220715151400-c0bba94af5f8",
    "pkg:golang/golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8",
)
STDLIB_1_20_4 = ("stdlib", "1.20.4", "pkg:golang/stdlib@1.20.4")


def _esbuild(name: str, tmp_path: Path) -> Path:
    found = binary(name)
    if found is None:
        pytest.skip(f"{name} could not be fetched with npm (npm absent or registry unreachable)")
    shutil.copy(found, tmp_path / "esbuild")
    (tmp_path / "esbuild").chmod(0o755)
    return tmp_path


# Expected lists agree with `go version -m` (Go 1.19) on the same files.
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("esbuild-0.17.19-linux-x64", [X_SYS_2022, STDLIB_1_20_4]),
        ("esbuild-0.17.19-darwin-x64", [X_SYS_2022, STDLIB_1_20_4]),
        ("esbuild-0.17.19-win32-x64.exe", [STDLIB_1_20_4]),
        (
            "esbuild-0.13.15-linux-x64",
            [
                (
                    "golang.org/x/sys",
                    "0.0.0-20210908233432-aa78b53d3365",
                    "pkg:golang/golang.org/x/sys@v0.0.0-20210908233432-aa78b53d3365",
                ),
                ("stdlib", "1.17.2", "pkg:golang/stdlib@1.17.2"),
            ],
        ),
    ],
)
def test_real_go_binaries(name: str, expected: list[tuple[str, str, str]], tmp_path: Path) -> None:
    result = scan(go_binary.CATALOGER, _esbuild(name, tmp_path), layer="sha256:l1")
    assert triples(result.packages) == expected
    assert result.warnings == []
    assert {p.locations[0].path for p in result.packages} == {"esbuild"}
    assert {p.cataloger for p in result.packages} == {"go-binary"}


def test_truncated_go_binary_is_a_warning(tmp_path: Path) -> None:
    source = _esbuild("esbuild-0.17.19-linux-x64", tmp_path) / "esbuild"
    (tmp_path / "cut").write_bytes(source.read_bytes()[: 4 * 1024 * 1024])
    (tmp_path / "cut").chmod(0o755)
    source.unlink()
    result = scan(go_binary.CATALOGER, tmp_path)
    assert result.packages == []
    assert [w.path for w in result.warnings] == ["cut"]
    assert result.warnings[0].reason.startswith("truncated:")


def test_garbage_elf_is_a_warning_and_other_files_are_ignored(tmp_path: Path) -> None:
    # An ELF header claiming 1000 section headers of 64 bytes at an offset past the end.
    header = bytearray(b"\x7fELF\x02\x01\x01" + bytes(57))
    header[0x28:0x30] = (10_000).to_bytes(8, "little")
    header[0x3A:0x40] = (64).to_bytes(2, "little") + (1000).to_bytes(2, "little") + b"\x01\x00"
    (tmp_path / "garbage").write_bytes(bytes(header) + bytes(1024))
    (tmp_path / "notes.txt").write_text("just text\n" * 100)
    (tmp_path / "tiny").write_bytes(b"\x7fELF")
    for name in ("garbage", "notes.txt", "tiny"):
        (tmp_path / name).chmod(0o755)  # candidates by mode; their size and magic rule them out
    result = scan(go_binary.CATALOGER, tmp_path)
    assert result.packages == []
    assert reasons(result.warnings) == [
        ("garbage", "truncated: 64000 bytes at offset 10000 lie past the end")
    ]


def test_modinfo_replacements() -> None:
    info = parse_modinfo(
        "go1.21.5",
        "path\texample.com/app\nmod\texample.com/app\tv1.2.0\th1:x=\n"
        "dep\tgithub.com/a/b\tv1.0.0\th1:y=\n=>\tgithub.com/fork/b\tv1.0.1\th1:z=\n"
        "dep\tgithub.com/c/d\tv0.3.0\th1:w=\n=>\t../local/d\t(devel)\t\n"
        "build\tGOOS=linux\n",
    )
    from vigil.catalog.languages._support import Collector

    out = Collector("go-binary", "app", None)
    go_binary.add_build_info(info, out)
    assert triples(out.packages) == [
        ("example.com/app", "1.2.0", "pkg:golang/example.com/app@v1.2.0"),
        ("github.com/c/d", "0.3.0", "pkg:golang/github.com/c/d@v0.3.0"),
        ("github.com/fork/b", "1.0.1", "pkg:golang/github.com/fork/b@v1.0.1"),
        ("stdlib", "1.21.5", "pkg:golang/stdlib@1.21.5"),
    ]


@pytest.mark.parametrize(
    ("toolchain", "expected"),
    [
        ("go1.21.5", "1.21.5"),
        ("go1.21", "1.21.0"),
        ("go1.21rc2", "1.21.0-rc.2"),
        ("go1.22.0 X:boringcrypto", "1.22.0"),
        ("go1.20.4-bigcorp", "1.20.4"),
        ("devel go1.22-abc Tue", None),
        ("gccgo", None),
    ],
)
def test_stdlib_versions(toolchain: str, expected: str | None) -> None:
    assert stdlib_version(toolchain) == expected


def test_go_mod_of_the_real_go_1_19_standard_library() -> None:
    result = scan(go_mod.CATALOGER, FIXTURES / "go" / "std")
    assert triples(result.packages) == [
        (
            "golang.org/x/crypto",
            "0.0.0-20220516162934-403b01795ae8",
            "pkg:golang/golang.org/x/crypto@v0.0.0-20220516162934-403b01795ae8",
        ),
        (
            "golang.org/x/net",
            "0.0.0-20230214200805-d99f623d45a4",
            "pkg:golang/golang.org/x/net@v0.0.0-20230214200805-d99f623d45a4",
        ),
        (
            "golang.org/x/sys",
            "0.0.0-20220614162138-6c1b26c55098",
            "pkg:golang/golang.org/x/sys@v0.0.0-20220614162138-6c1b26c55098",
        ),
        (
            "golang.org/x/text",
            "0.3.8-0.20220509174342-b4bca84b0361",
            "pkg:golang/golang.org/x/text@v0.3.8-0.20220509174342-b4bca84b0361",
        ),
    ]
    assert result.warnings == []


def test_go_mod_replace_directives(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(
        "module example.com/app\n\ngo 1.21\n\n"
        "require github.com/single/line v1.0.0\n"
        "require (\n"
        "\tgithub.com/a/b v1.2.3 // indirect\n"
        "\tgithub.com/c/d v0.1.0\n"
        '\t"github.com/quoted/e" v2.0.0+incompatible\n'
        "\tgithub.com/f/g v1.0.0\n"
        ")\n\n"
        "replace github.com/a/b => github.com/fork/b v1.2.4\n"
        "replace (\n"
        "\tgithub.com/c/d v0.1.0 => ../d\n"
        "\tgithub.com/f/g v0.9.0 => github.com/other/g v9.9.9\n"
        ")\n"
        "replace broken\n"
        "exclude github.com/x/y v1.0.0\n"
    )
    result = scan(go_mod.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("github.com/c/d", "0.1.0", "pkg:golang/github.com/c/d@v0.1.0"),
        ("github.com/f/g", "1.0.0", "pkg:golang/github.com/f/g@v1.0.0"),
        ("github.com/fork/b", "1.2.4", "pkg:golang/github.com/fork/b@v1.2.4"),
        (
            "github.com/quoted/e",
            "2.0.0+incompatible",
            "pkg:golang/github.com/quoted/e@v2.0.0%2Bincompatible",
        ),
        ("github.com/single/line", "1.0.0", "pkg:golang/github.com/single/line@v1.0.0"),
    ]
    assert reasons(result.warnings) == [("go.mod", "line 18: replace without '=>'")]


def test_go_mod_unterminated_block_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module m\nrequire (\n\tgithub.com/a/b v1.0.0\n")
    result = scan(go_mod.CATALOGER, tmp_path)
    assert result.packages == []
    assert reasons(result.warnings) == [("go.mod", "unterminated require block")]


def test_go_binary_without_section_headers_is_found_through_segments(tmp_path: Path) -> None:
    # What sstrip and some packers leave: no section header table, only program headers.
    path = _esbuild("esbuild-0.17.19-linux-x64", tmp_path) / "esbuild"
    data = bytearray(path.read_bytes())
    data[0x28:0x30] = bytes(8)  # e_shoff
    data[0x3C:0x40] = bytes(4)  # e_shnum, e_shstrndx
    path.write_bytes(bytes(data))
    result = scan(go_binary.CATALOGER, tmp_path)
    assert triples(result.packages) == [X_SYS_2022, STDLIB_1_20_4]
    assert result.warnings == []
