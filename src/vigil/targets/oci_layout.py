"""OCI image layouts, as a directory or a tar: index.json -> (index ->) manifest -> layers.

An image is picked by its ``org.opencontainers.image.ref.name`` tag, or is the only one; a
multi-platform index is resolved to the requested platform (default linux/amd64). ``layer_digest``
reports each layer's digest as the manifest names it (the compressed blob's digest).
"""

from __future__ import annotations

import os
from functools import partial
from typing import Any

from vigil.targets.base import Wanted, want_nothing
from vigil.targets.blobs import Blobs, DirBlobs, TarBlobs, parse_json, read_json, read_small
from vigil.targets.errors import ImageNotFound, MalformedTarget
from vigil.targets.image_fs import ImageFS
from vigil.targets.layers import LayerSource
from vigil.targets.limits import DEFAULT_LIMITS, Limits
from vigil.targets.oci_model import (
    DEFAULT_PLATFORM,
    REF_NAME,
    Descriptor,
    Platform,
    check_digest,
    choose_platform,
    descriptors,
    image_layers,
    is_index,
)
from vigil.targets.squash import squash


def open_oci(
    path: str,
    tag: str | None = None,
    wanted: Wanted | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    platform: Platform = DEFAULT_PLATFORM,
) -> ImageFS:
    """Open the image ``tag`` (or the only one) of the OCI layout at ``path``."""
    blobs: Blobs = DirBlobs(path) if os.path.isdir(path) else TarBlobs(path, limits)
    return oci_from_blobs(blobs, tag, wanted, limits=limits, platform=platform)


def oci_from_blobs(
    blobs: Blobs,
    tag: str | None,
    wanted: Wanted | None,
    *,
    limits: Limits,
    platform: Platform,
) -> ImageFS:
    layout = read_json(blobs, "oci-layout", limits)
    if not isinstance(layout, dict) or not isinstance(layout.get("imageLayoutVersion"), str):
        raise MalformedTarget("oci-layout: no imageLayoutVersion")
    index = read_json(blobs, "index.json", limits)
    chosen = _by_tag(descriptors(index, "manifests", "index.json"), tag, platform)
    layers = _layers(blobs, chosen, limits, platform)
    sources = [
        LayerSource(
            name=f"layer {d.digest}",
            open_raw=partial(blobs.open, d.blob_path),
            digest=d.digest,
            raw_digest=d.digest,
            raw_size=d.size,
        )
        for d in layers
    ]
    for d in layers:
        if not blobs.exists(d.blob_path):
            raise MalformedTarget(f"layer {d.digest}: blob missing from the layout")
    return squash(sources, wanted or want_nothing, limits)


def _by_tag(manifests: list[Descriptor], tag: str | None, platform: Platform) -> Descriptor:
    if tag is not None:
        named = [d for d in manifests if _tag_of(d) == tag]
        if not named:
            tags = sorted({t for d in manifests if (t := _tag_of(d))})
            raise ImageNotFound(f"no image tagged {tag!r}; tags: {', '.join(tags) or 'none'}")
        manifests = named
    if len(manifests) == 1:
        return manifests[0]
    if manifests and all(d.platform is not None for d in manifests):
        return choose_platform(manifests, platform, "index.json")
    tags = sorted({_tag_of(d) or d.digest for d in manifests})
    raise ImageNotFound(f"index.json holds {len(manifests)} images; name one: {', '.join(tags)}")


def _tag_of(desc: Descriptor) -> str | None:
    return desc.annotations.get(REF_NAME)


def _layers(blobs: Blobs, desc: Descriptor, limits: Limits, platform: Platform) -> list[Descriptor]:
    """Follow nested indexes down to one image manifest and return its layers."""
    for _ in range(limits.max_index_depth + 1):
        doc = _blob_json(blobs, desc, limits)
        if not is_index(desc.media_type, doc):
            return image_layers(doc, f"manifest {desc.digest}")
        manifests = descriptors(doc, "manifests", f"index {desc.digest}")
        desc = (
            manifests[0]
            if len(manifests) == 1
            else choose_platform(manifests, platform, f"index {desc.digest}")
        )
    raise MalformedTarget(f"indexes nested deeper than {limits.max_index_depth}")


def _blob_json(blobs: Blobs, desc: Descriptor, limits: Limits) -> Any:
    if desc.size > limits.max_metadata_bytes:
        raise MalformedTarget(f"{desc.digest}: {desc.size} bytes is too large for a manifest")
    data = read_small(blobs, desc.blob_path, limits)
    check_digest(data, desc)
    return parse_json(data, desc.digest)
