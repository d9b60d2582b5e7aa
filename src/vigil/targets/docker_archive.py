"""``docker save`` archives: manifest.json -> config + layer tars (plain or compressed).

Both layouts are read: the classic one (``<id>/layer.tar``) and the OCI-style one of newer Docker
(``blobs/sha256/<hex>``). ``layer_digest`` reports the layer's diff ID from the image config (the
digest of the uncompressed tar), the identifier ``docker inspect`` shows under RootFS.Layers.
"""

from __future__ import annotations

import os
import re
from functools import partial
from typing import Any

from vigil.targets.base import Wanted, want_nothing
from vigil.targets.blobs import Blobs, DirBlobs, TarBlobs, read_json
from vigil.targets.errors import ImageNotFound, MalformedTarget
from vigil.targets.image_fs import ImageFS
from vigil.targets.layers import LayerSource
from vigil.targets.limits import DEFAULT_LIMITS, Limits
from vigil.targets.squash import squash

_BLOB = re.compile(r"(?:\./)?blobs/(sha256)/([a-f0-9]{64})\Z")


def open_docker_archive(
    path: str,
    tag: str | None = None,
    wanted: Wanted | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> ImageFS:
    """Open the image ``tag`` (or the only one) of a ``docker save`` tarball or its unpacked dir."""
    blobs: Blobs = DirBlobs(path) if os.path.isdir(path) else TarBlobs(path, limits)
    return docker_from_blobs(blobs, tag, wanted, limits=limits)


def docker_from_blobs(
    blobs: Blobs, tag: str | None, wanted: Wanted | None, *, limits: Limits
) -> ImageFS:
    entry = _choose(read_json(blobs, "manifest.json", limits), tag)
    config = read_json(blobs, entry["Config"], limits)
    layers: list[str] = entry["Layers"]
    diff_ids = _diff_ids(config, len(layers))
    sources = []
    for i, name in enumerate(layers):
        if not blobs.exists(name):
            raise MalformedTarget(f"manifest.json: layer {name!r} missing from the archive")
        blob = _BLOB.match(name)
        sources.append(
            LayerSource(
                name=f"layer {name}",
                open_raw=partial(blobs.open, name),
                digest=diff_ids[i],
                raw_digest=f"{blob[1]}:{blob[2]}" if blob else None,
                diff_id=diff_ids[i],
            )
        )
    return squash(sources, wanted or want_nothing, limits)


def _choose(manifest: Any, tag: str | None) -> dict[str, Any]:
    if not isinstance(manifest, list) or not manifest:
        raise MalformedTarget("manifest.json: expected a non-empty list of images")
    for i, entry in enumerate(manifest):
        ok = isinstance(entry, dict) and isinstance(entry.get("Config"), str)
        layers = entry.get("Layers") if ok else None
        if not ok or not isinstance(layers, list) or not all(isinstance(x, str) for x in layers):
            raise MalformedTarget(f"manifest.json: image {i} lacks Config or Layers")
    if tag is None:
        if len(manifest) == 1:
            return manifest[0]  # type: ignore[no-any-return]
        raise ImageNotFound(
            f"manifest.json holds {len(manifest)} images; name one: {_tags(manifest)}"
        )
    for entry in manifest:
        tags = entry.get("RepoTags") or []
        if isinstance(tags, list) and any(t == tag or t.endswith(f":{tag}") for t in tags):
            return entry  # type: ignore[no-any-return]
    raise ImageNotFound(f"no image tagged {tag!r}; tags: {_tags(manifest)}")


def _tags(manifest: list[Any]) -> str:
    tags = {t for e in manifest for t in (e.get("RepoTags") or []) if isinstance(t, str)}
    return ", ".join(sorted(tags)) or "none"


def _diff_ids(config: Any, count: int) -> list[str | None]:
    """The config's diff IDs, one per layer; Nones when the config has none to check against."""
    rootfs = config.get("rootfs") if isinstance(config, dict) else None
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if ids is None:
        return [None] * count
    valid = isinstance(ids, list) and all(
        isinstance(x, str) and re.fullmatch(r"sha256:[a-f0-9]{64}", x) for x in ids
    )
    if not valid or len(ids) != count:
        raise MalformedTarget(f"image config: rootfs.diff_ids does not list {count} layer digests")
    return list(ids)
