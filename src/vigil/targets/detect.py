"""``open_target``: a TARGET string to an opened file system.

Explicit kinds: ``dir:PATH``, ``docker-archive:PATH[:TAG]``, ``oci:PATH[:TAG]``,
``zip:FUNCTION.zip[,LAYER.zip...]``, ``registry:[HOST/]REPOSITORY[:TAG|@DIGEST]``. A bare
path is detected: a directory (an OCI layout if it holds ``oci-layout`` and ``index.json``, a
``docker save`` tree if it holds ``manifest.json``), a tar holding ``manifest.json`` (docker
archive) or ``oci-layout`` (OCI layout), or a zip.
"""

from __future__ import annotations

import os

from vigil.targets.base import OpenedTarget, Wanted
from vigil.targets.blobs import TarBlobs
from vigil.targets.directory import DirectoryFS
from vigil.targets.docker_archive import docker_from_blobs, open_docker_archive
from vigil.targets.errors import TargetNotFound, UnknownTargetKind
from vigil.targets.function_zip import FunctionZipFS
from vigil.targets.limits import DEFAULT_LIMITS, Limits
from vigil.targets.oci_layout import oci_from_blobs, open_oci
from vigil.targets.oci_model import DEFAULT_PLATFORM, Platform
from vigil.targets.registry_ref import NO_OPTIONS, RegistryOptions

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def open_target(
    spec: str,
    wanted: Wanted | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    platform: Platform = DEFAULT_PLATFORM,
    registry: RegistryOptions = NO_OPTIONS,
) -> OpenedTarget:
    """Open the target ``spec`` names; raises a ``TargetError`` subclass when it cannot."""
    kind, _, rest = spec.partition(":")
    if kind == "dir":
        return DirectoryFS(_existing(rest), limits=limits)
    if kind == "docker-archive":
        path, tag = _path_and_tag(rest)
        return open_docker_archive(path, tag, wanted, limits=limits)
    if kind == "oci":
        path, tag = _path_and_tag(rest)
        return open_oci(path, tag, wanted, limits=limits, platform=platform)
    if kind == "zip":
        function, *layers = rest.split(",")
        return FunctionZipFS(_existing(function), [_existing(p) for p in layers], limits=limits)
    if kind == "registry":
        from vigil.targets.registry import open_registry  # imports httpx only when needed

        return open_registry(rest, wanted, limits=limits, platform=platform, options=registry)
    return _detect(spec, wanted, limits, platform)


def _detect(path: str, wanted: Wanted | None, limits: Limits, platform: Platform) -> OpenedTarget:
    _existing(path)
    if os.path.isdir(path):
        if _has(path, "oci-layout") and _has(path, "index.json"):
            return open_oci(path, None, wanted, limits=limits, platform=platform)
        if _has(path, "manifest.json"):
            return open_docker_archive(path, None, wanted, limits=limits)
        return DirectoryFS(path, limits=limits)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise TargetNotFound(f"{path}: {exc.strerror}") from exc
    if head in ZIP_MAGIC:
        return FunctionZipFS(path, limits=limits)
    blobs = TarBlobs(path, limits)
    if blobs.exists("manifest.json"):
        return docker_from_blobs(blobs, None, wanted, limits=limits)
    if blobs.exists("oci-layout"):
        return oci_from_blobs(blobs, None, wanted, limits=limits, platform=platform)
    raise UnknownTargetKind(f"{path}: a tar, but neither a docker archive nor an OCI layout")


def _path_and_tag(rest: str) -> tuple[str, str | None]:
    """``PATH`` or ``PATH:TAG``: the longest prefix that exists is the path (tags hold colons)."""
    if os.path.exists(rest):
        return rest, None
    cut = rest.rfind(":")
    while cut > 0:
        if os.path.exists(rest[:cut]) and cut + 1 < len(rest):
            return rest[:cut], rest[cut + 1 :]
        cut = rest.rfind(":", 0, cut)
    raise TargetNotFound(f"{rest}: no such file or directory")


def _existing(path: str) -> str:
    if not path or not os.path.exists(path):
        raise TargetNotFound(f"{path or '(empty)'}: no such file or directory")
    return path


def _has(directory: str, name: str) -> bool:
    return os.path.isfile(os.path.join(directory, name))
