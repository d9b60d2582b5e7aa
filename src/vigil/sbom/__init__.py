"""CycloneDX and SPDX encoding and decoding of inventories.

Writers are listed in ``FORMATS`` (name -> ``SbomFormat``); ``decode_sbom`` reads CycloneDX
1.2-1.7, SPDX 2.2/2.3 and ``vigil-json`` documents, recognising the format from the content.
"""

from vigil.sbom.decode import decode_sbom, detect_format
from vigil.sbom.info import DocumentInfo
from vigil.sbom.jsonio import MAX_SBOM_BYTES, InvalidSbom
from vigil.sbom.registry import DEFAULT_FORMAT, FORMATS, SbomFormat
from vigil.sbom.vigil_json import inventory_from_vigil_json

__all__ = [
    "DEFAULT_FORMAT",
    "FORMATS",
    "MAX_SBOM_BYTES",
    "DocumentInfo",
    "InvalidSbom",
    "SbomFormat",
    "decode_sbom",
    "detect_format",
    "inventory_from_vigil_json",
]
