"""OCI and Docker image descriptors, indexes and manifests: parsing, checking, choosing a platform.

Shared by the OCI layout reader and the registry client. Everything here comes from the target,
so every field is type-checked and digests are validated before they name a blob.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from vigil.targets.errors import CorruptArchive, ImageNotFound, MalformedTarget

INDEX_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
MANIFEST_TYPES = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }
)
CONFIG_TYPES = frozenset(
    {
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.docker.container.image.v1+json",
    }
)
REF_NAME = "org.opencontainers.image.ref.name"
_DIGEST = re.compile(r"(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})\Z")
_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64"}


@dataclass(frozen=True, slots=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    annotations: dict[str, str]
    platform: Platform | None = None

    @property
    def blob_path(self) -> str:
        algorithm, hexdigest = self.digest.split(":", 1)
        return f"blobs/{algorithm}/{hexdigest}"


@dataclass(frozen=True, slots=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""

    @classmethod
    def parse(cls, text: str) -> Platform:
        """``linux/amd64`` or ``linux/arm64/v8``."""
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"platform {text!r}: expected OS/ARCH[/VARIANT]")
        arch = _ARCH_ALIASES.get(parts[1], parts[1])
        return cls(parts[0], arch, parts[2] if len(parts) == 3 else "")

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def accepts(self, other: Platform) -> bool:
        arch = _ARCH_ALIASES.get(other.architecture, other.architecture)
        if (self.os, self.architecture) != (other.os, arch):
            return False
        return not self.variant or self.variant == other.variant


DEFAULT_PLATFORM = Platform("linux", "amd64")


def parse_descriptor(raw: Any, where: str) -> Descriptor:
    if not isinstance(raw, dict):
        raise MalformedTarget(f"{where}: descriptor is not an object")
    digest, size = raw.get("digest"), raw.get("size")
    media_type = raw.get("mediaType", "")
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise MalformedTarget(f"{where}: invalid digest {digest!r}")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise MalformedTarget(f"{where}: invalid size {size!r}")
    if not isinstance(media_type, str):
        raise MalformedTarget(f"{where}: invalid mediaType")
    annotations = raw.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise MalformedTarget(f"{where}: invalid annotations")
    clean = {str(k): str(v) for k, v in annotations.items()}
    return Descriptor(media_type, digest, size, clean, _parse_platform(raw.get("platform"), where))


def _parse_platform(raw: Any, where: str) -> Platform | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("os"), str):
        raise MalformedTarget(f"{where}: invalid platform")
    arch, variant = raw.get("architecture"), raw.get("variant", "")
    if not isinstance(arch, str) or not isinstance(variant, str):
        raise MalformedTarget(f"{where}: invalid platform")
    return Platform(raw["os"], arch, variant)


def descriptors(doc: Any, key: str, where: str) -> list[Descriptor]:
    """The descriptors listed under ``key`` (``manifests`` or ``layers``) of a JSON document."""
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        raise MalformedTarget(f"{where}: no {key} list")
    return [parse_descriptor(d, f"{where} {key}[{i}]") for i, d in enumerate(doc[key])]


def is_index(desc_media_type: str, doc: Any) -> bool:
    if desc_media_type in INDEX_TYPES:
        return True
    if desc_media_type in MANIFEST_TYPES:
        return False
    return isinstance(doc, dict) and "manifests" in doc and "layers" not in doc


def choose_platform(manifests: list[Descriptor], platform: Platform, where: str) -> Descriptor:
    """The manifest of an index for ``platform``; attestations (unknown/unknown) never match."""
    for desc in manifests:
        if desc.platform is not None and platform.accepts(desc.platform):
            return desc
    offered = sorted(
        {str(d.platform) for d in manifests if d.platform and d.platform.os != "unknown"}
    )
    raise ImageNotFound(
        f"{where}: no image for {platform}; offered: {', '.join(offered) or 'none'}"
    )


def image_layers(manifest: Any, where: str) -> list[Descriptor]:
    """The layers of an image manifest, refusing artifacts that are not container images."""
    if not isinstance(manifest, dict):
        raise MalformedTarget(f"{where}: manifest is not an object")
    config = parse_descriptor(manifest.get("config"), f"{where} config")
    if config.media_type and config.media_type not in CONFIG_TYPES:
        raise MalformedTarget(f"{where}: an artifact ({config.media_type}), not a container image")
    return descriptors(manifest, "layers", where)


def check_digest(data: bytes, desc: Descriptor) -> None:
    algorithm, expected = desc.digest.split(":", 1)
    if len(data) != desc.size or hashlib.new(algorithm, data).hexdigest() != expected:
        raise CorruptArchive(f"{desc.digest}: content does not match its descriptor")
