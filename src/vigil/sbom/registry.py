"""The SBOM formats Vigil writes and reads, listed explicitly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from vigil.domain import Inventory
from vigil.sbom.cyclonedx_decode import decode_cyclonedx, is_cyclonedx
from vigil.sbom.cyclonedx_encode import encode_cyclonedx
from vigil.sbom.info import DocumentInfo
from vigil.sbom.spdx_decode import decode_spdx, is_spdx
from vigil.sbom.spdx_encode import encode_spdx
from vigil.sbom.vigil_json import decode_vigil_json, encode_vigil_json, is_vigil_json

Encoder = Callable[[Inventory, DocumentInfo], bytes]
Decoder = Callable[[Mapping[str, Any], str], Inventory]


@dataclass(frozen=True, slots=True)
class SbomFormat:
    """A format Vigil can write: its name on the command line, its media type, its encoder."""

    name: str
    media_type: str
    extension: str
    encode: Encoder


@dataclass(frozen=True, slots=True)
class SbomReader:
    """A format Vigil can read: how to recognise a parsed document, and how to decode it."""

    name: str
    recognises: Callable[[Mapping[str, Any]], bool]
    decode: Decoder


def _cyclonedx(spec: str) -> Encoder:
    def encode(inventory: Inventory, info: DocumentInfo) -> bytes:
        return encode_cyclonedx(inventory, info, spec=spec)

    return encode


DEFAULT_FORMAT = "cyclonedx-json"
FORMATS: Mapping[str, SbomFormat] = MappingProxyType(
    {
        "cyclonedx-json": SbomFormat(
            "cyclonedx-json",
            "application/vnd.cyclonedx+json; version=1.6",
            ".cdx.json",
            _cyclonedx("1.6"),
        ),
        "cyclonedx-json@1.5": SbomFormat(
            "cyclonedx-json@1.5",
            "application/vnd.cyclonedx+json; version=1.5",
            ".cdx.json",
            _cyclonedx("1.5"),
        ),
        "cyclonedx-json@1.4": SbomFormat(
            "cyclonedx-json@1.4",
            "application/vnd.cyclonedx+json; version=1.4",
            ".cdx.json",
            _cyclonedx("1.4"),
        ),
        "spdx-json": SbomFormat("spdx-json", "application/spdx+json", ".spdx.json", encode_spdx),
        "vigil-json": SbomFormat(
            "vigil-json", "application/vnd.vigil.inventory+json", ".vigil.json", encode_vigil_json
        ),
    }
)

READERS: tuple[SbomReader, ...] = (
    SbomReader("cyclonedx-json", is_cyclonedx, lambda d, t: decode_cyclonedx(d, default_target=t)),
    SbomReader("spdx-json", is_spdx, lambda d, t: decode_spdx(d, default_target=t)),
    SbomReader("vigil-json", is_vigil_json, lambda d, _t: decode_vigil_json(d)),
)
