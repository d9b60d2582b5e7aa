"""Pull an image from an OCI registry over the distribution API, without writing it to disk.

``REF`` is ``[HOST[:PORT]/]REPOSITORY[:TAG|@DIGEST]`` (Docker Hub when no host is given). The
manifest (or the index, resolved to a platform) is fetched and checked against its digest; the
layers stream through the same squashing as archives, each verified against its digest. HTTPS
is the default; plain HTTP only when explicitly allowed.
"""

from __future__ import annotations

import json
import ssl
from functools import partial
from typing import Any

import httpx

from vigil.targets.base import Wanted, want_nothing
from vigil.targets.errors import AccessDenied, ImageNotFound, MalformedTarget, TargetNotFound
from vigil.targets.image_fs import ImageFS
from vigil.targets.layers import LayerSource
from vigil.targets.limits import DEFAULT_LIMITS, Limits
from vigil.targets.oci_model import (
    DEFAULT_PLATFORM,
    INDEX_TYPES,
    MANIFEST_TYPES,
    Descriptor,
    Platform,
    check_digest,
    choose_platform,
    descriptors,
    image_layers,
    is_index,
)
from vigil.targets.registry_auth import RegistryAuth
from vigil.targets.registry_body import BlobBody
from vigil.targets.registry_ref import NO_OPTIONS, Reference, RegistryOptions
from vigil.targets.squash import squash

ACCEPT = ", ".join(sorted(MANIFEST_TYPES | INDEX_TYPES))


def open_registry(
    ref: str,
    wanted: Wanted | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    platform: Platform = DEFAULT_PLATFORM,
    options: RegistryOptions = NO_OPTIONS,
) -> ImageFS:
    reference = Reference.parse(ref)
    scheme = "http" if options.allow_http else "https"
    base = f"{scheme}://{reference.host}/v2/{reference.repository}"
    client = httpx.Client(
        auth=RegistryAuth(options.credentials, allow_http=options.allow_http),
        verify=ssl.create_default_context(cafile=options.ca_file),
        timeout=options.timeout,
        follow_redirects=True,
    )
    try:
        layers = _resolve(client, base, reference, limits, platform)
        sources = [
            LayerSource(
                name=f"layer {d.digest}",
                open_raw=partial(BlobBody, client, f"{base}/blobs/{d.digest}"),
                digest=d.digest,
                raw_digest=d.digest,
                raw_size=d.size,
            )
            for d in layers
        ]
        fs = squash(sources, wanted or want_nothing, limits)
    except BaseException:
        client.close()
        raise
    fs.closers.append(client.close)
    return fs


def _resolve(
    client: httpx.Client, base: str, ref: Reference, limits: Limits, platform: Platform
) -> list[Descriptor]:
    doc, media_type = _manifest(client, base, ref.digest or str(ref.tag), ref.digest, limits)
    for _ in range(limits.max_index_depth + 1):
        if not is_index(media_type, doc):
            return image_layers(doc, f"{ref.repository} manifest")
        chosen = choose_platform(descriptors(doc, "manifests", "index"), platform, ref.repository)
        doc, media_type = _manifest(client, base, chosen.digest, chosen.digest, limits)
    raise MalformedTarget(f"indexes nested deeper than {limits.max_index_depth}")


def _manifest(
    client: httpx.Client, base: str, ref: str, digest: str | None, limits: Limits
) -> tuple[Any, str]:
    url = f"{base}/manifests/{ref}"
    try:
        with client.stream("GET", url, headers={"Accept": ACCEPT}) as response:
            _check_status(response, url)
            data = b""
            for chunk in response.iter_raw():
                data += chunk
                if len(data) > limits.max_metadata_bytes:
                    raise MalformedTarget(f"{url}: manifest larger than the metadata limit")
    except httpx.HTTPError as exc:
        raise TargetNotFound(f"{url}: {exc}") from exc
    if digest is not None:
        check_digest(data, Descriptor("", digest, len(data), {}))
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise MalformedTarget(f"{url}: invalid JSON ({exc})") from exc
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if isinstance(doc, dict) and isinstance(doc.get("mediaType"), str):
        media_type = doc["mediaType"]
    return doc, media_type


def _check_status(response: httpx.Response, url: str) -> None:
    if response.status_code in (401, 403):
        raise AccessDenied(f"{url}: access denied ({response.status_code})")
    if response.status_code == 404:
        raise ImageNotFound(f"{url}: not found")
    if response.status_code != 200:
        raise TargetNotFound(f"{url}: HTTP {response.status_code}")
