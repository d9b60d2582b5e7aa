"""Paths resolve inside the target's root the way the kernel resolves them inside a chroot."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from vigil.targets.errors import SymlinkLoop
from vigil.targets.pathres import Kind, clean_member, resolve

# A small tree: dirs, files and links, keyed by path.
TREE: dict[str, tuple[Kind, str]] = {
    "etc": (Kind.DIR, ""),
    "etc/os-release": (Kind.LINK, "../usr/lib/os-release"),
    "etc/abs": (Kind.LINK, "/usr/lib/os-release"),
    "etc/climb": (Kind.LINK, "../../../../usr/lib/os-release"),
    "etc/loop1": (Kind.LINK, "loop2"),
    "etc/loop2": (Kind.LINK, "/etc/loop1"),
    "etc/self": (Kind.LINK, "."),
    "lib": (Kind.LINK, "usr/lib"),
    "usr": (Kind.DIR, ""),
    "usr/lib": (Kind.DIR, ""),
    "usr/lib/os-release": (Kind.FILE, ""),
}


def lookup(parts: Sequence[str]) -> tuple[Kind, str] | None:
    return TREE.get("/".join(parts))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("usr/lib/os-release", "usr/lib/os-release"),
        ("/usr/lib/os-release", "usr/lib/os-release"),
        ("etc/os-release", "usr/lib/os-release"),
        ("etc/abs", "usr/lib/os-release"),
        ("etc/climb", "usr/lib/os-release"),
        ("../../usr/./lib//os-release", "usr/lib/os-release"),
        ("lib/os-release", "usr/lib/os-release"),
        ("etc/self/self/os-release", "usr/lib/os-release"),
    ],
)
def test_resolves_inside_the_root(path: str, expected: str) -> None:
    assert resolve(path, lookup, 40) == expected.split("/")


@pytest.mark.parametrize("path", ["usr/lib/missing", "usr/lib/os-release/x", "nope/os-release"])
def test_absent(path: str) -> None:
    assert resolve(path, lookup, 40) is None


def test_loop_is_detected_by_the_hop_limit() -> None:
    with pytest.raises(SymlinkLoop):
        resolve("etc/loop1", lookup, 40)
    assert issubclass(SymlinkLoop, FileNotFoundError)


def test_final_link_kept_when_not_following() -> None:
    assert resolve("etc/os-release", lookup, 40, follow_last=False) == ["etc", "os-release"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("./usr/bin/x", "usr/bin/x"),
        ("/etc/passwd", "etc/passwd"),
        ("usr//lib/./x", "usr/lib/x"),
        ("../etc/passwd", None),
        ("usr/../../etc/passwd", None),
        ("usr/lib/..", None),
        ("", None),
        ("./", None),
        ("a\x00b", None),
        ("a/" * 3000 + "x", None),
    ],
)
def test_clean_member(name: str, expected: str | None) -> None:
    parts = clean_member(name)
    assert ("/".join(parts) if parts is not None else None) == expected
