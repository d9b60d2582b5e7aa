"""Pulling from a real registry (Debian's docker-registry) on loopback: tags, digests, platforms,
anonymous, Basic and Bearer authentication, HTTPS with a private CA, and plain HTTP only on request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.targets.fixtures.images import Image, write_oci
from tests.targets.fixtures.layers import File, Opaque, Whiteout, rootfs_entries
from tests.targets.fixtures.registry import (
    BINARY,
    PASSWORD,
    USER,
    Registry,
    push_layout,
    running_registry,
)
from vigil.targets import (
    AccessDenied,
    ImageFS,
    ImageNotFound,
    MalformedTarget,
    Platform,
    Reference,
    RegistryOptions,
    TargetNotFound,
    open_oci,
    open_target,
)

httpx = pytest.importorskip("httpx", reason="httpx is not installed")
pytestmark = pytest.mark.skipif(
    BINARY is None, reason="docker-registry is not installed (apt-get install docker-registry)"
)

LAYERS = [rootfs_entries(), [Whiteout("var/lib/dpkg/status"), Opaque("usr/lib/python3")]]
HTTP = RegistryOptions(allow_http=True)
DIGEST = "sha256:" + "a" * 64


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    images = {
        "1": [Image(LAYERS)],
        "multi": [
            Image([[File("arch", b"amd64")]], platform=("linux", "amd64")),
            Image([[File("arch", b"arm64")]], platform=("linux", "arm64")),
        ],
    }
    return write_oci(tmp_path_factory.mktemp("layout") / "layout", images)


@pytest.fixture(scope="module")
def anonymous(tmp_path_factory: pytest.TempPathFactory, layout: Path) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("anon")) as registry:
        push_layout(registry, layout, "vigil/test")
        yield registry


def contents(fs: ImageFS) -> dict[str, bytes]:
    out = {}
    for path in fs.paths():
        with fs.open(path) as fh:
            out[path] = fh.read()
    return out


def test_pull_by_tag_matches_the_layout(anonymous: Registry, layout: Path) -> None:
    spec = f"registry:{anonymous.host}/vigil/test:1"
    with open_target(spec, lambda p, m, s: p.endswith("METADATA"), registry=HTTP) as pulled:
        assert isinstance(pulled, ImageFS)
        with open_oci(str(layout), "1") as local:
            assert contents(pulled) == contents(local)
            assert pulled.digests == local.digests
            assert pulled.layer_digest("usr/lib/os-release") == local.digests[0]


def test_pull_by_digest_and_platform(anonymous: Registry, layout: Path) -> None:
    index = json.loads((layout / "index.json").read_text())
    digest = next(
        m["digest"] for m in index["manifests"] if set(m["annotations"].values()) == {"1"}
    )
    with open_target(f"registry:{anonymous.host}/vigil/test@{digest}", registry=HTTP) as fs:
        assert "usr/lib/os-release" in set(fs.paths())
    for platform, expected in (("linux/amd64", b"amd64"), ("linux/arm64", b"arm64")):
        spec = f"registry:{anonymous.host}/vigil/test:multi"
        chosen = Platform.parse(platform)
        with open_target(spec, platform=chosen, registry=HTTP) as fs, fs.open("arch") as fh:
            assert fh.read() == expected


def test_missing_tag_repository_and_bad_digest(anonymous: Registry) -> None:
    with pytest.raises(ImageNotFound):
        open_target(f"registry:{anonymous.host}/vigil/test:nope", registry=HTTP)
    with pytest.raises(ImageNotFound):
        open_target(f"registry:{anonymous.host}/vigil/other:1", registry=HTTP)
    with pytest.raises(ImageNotFound):
        open_target(f"registry:{anonymous.host}/vigil/test@sha256:{'0' * 64}", registry=HTTP)
    with pytest.raises(MalformedTarget):
        open_target(f"registry:{anonymous.host}/vigil/test@sha256:short", registry=HTTP)


def test_https_is_the_default(anonymous: Registry) -> None:
    with pytest.raises(TargetNotFound):
        open_target(f"registry:{anonymous.host}/vigil/test:1")


def test_basic_auth(tmp_path: Path, layout: Path) -> None:
    with running_registry(tmp_path, auth="basic") as registry:
        push_layout(registry, layout, "vigil/test", auth=True)
        spec = f"registry:{registry.host}/vigil/test:1"
        with pytest.raises(AccessDenied):
            open_target(spec, registry=HTTP)
        wrong = RegistryOptions(credentials=(USER, "wrong"), allow_http=True)
        with pytest.raises(AccessDenied):
            open_target(spec, registry=wrong)
        right = RegistryOptions(credentials=(USER, PASSWORD), allow_http=True)
        with open_target(spec, registry=right) as fs:
            assert "usr/lib/os-release" in set(fs.paths())


def test_bearer_token_auth(tmp_path: Path, layout: Path) -> None:
    with running_registry(tmp_path, auth="token") as registry:
        push_layout(registry, layout, "vigil/test", auth=True)
        spec = f"registry:{registry.host}/vigil/test:1"
        with pytest.raises(AccessDenied):
            open_target(spec, registry=HTTP)
        right = RegistryOptions(credentials=(USER, PASSWORD), allow_http=True)
        with open_target(spec, registry=right) as fs, fs.open("etc/os-release") as fh:
            assert fh.read().startswith(b'PRETTY_NAME="Debian')


def test_https_with_a_private_ca(tmp_path: Path, layout: Path) -> None:
    with running_registry(tmp_path, tls=True) as registry:
        push_layout(registry, layout, "vigil/test")
        spec = f"registry:{registry.host}/vigil/test:1"
        with pytest.raises(TargetNotFound, match="CERTIFICATE_VERIFY_FAILED"):
            open_target(spec)
        with open_target(spec, registry=RegistryOptions(ca_file=registry.ca_file)) as fs:
            assert "usr/lib/os-release" in set(fs.paths())


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("debian", ("registry-1.docker.io", "library/debian", "latest", None)),
        ("debian:12", ("registry-1.docker.io", "library/debian", "12", None)),
        ("ghcr.io/org/app:1.0", ("ghcr.io", "org/app", "1.0", None)),
        ("localhost:5000/a/b", ("localhost:5000", "a/b", "latest", None)),
        (
            f"127.0.0.1:5000/a@{DIGEST}",
            ("127.0.0.1:5000", "a", None, DIGEST),
        ),
    ],
)
def test_reference_parsing(ref: str, expected: tuple[str, str, str | None, str | None]) -> None:
    parsed = Reference.parse(ref)
    assert (parsed.host, parsed.repository, parsed.tag, parsed.digest) == expected


def test_invalid_references() -> None:
    for ref in ("Upper/Case", "a//b", "x@sha256:zz"):
        with pytest.raises(MalformedTarget):
            Reference.parse(ref)
