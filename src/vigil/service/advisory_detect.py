"""What a ``vigil db build --from`` SOURCE is, told from its content rather than its name.

- a directory: OSV JSON records (searched recursively);
- a zip: an OSV export (``all.zip``);
- text (gzipped or not) starting ``#model_version`` or ``cve,epss``: a FIRST EPSS file;
- a JSON object whose head names ``catalogVersion`` or ``cveID``: the CISA KEV catalog;
- a JSON object whose head says ``NVD_CVE``, or lists ``vulnerabilities`` of ``cve`` objects:
  an NVD CVE API 2.0 page or JSON 2.0 feed.

Only the first 256 KiB are looked at (the KEV catalog and NVD files state their kind in the
first few hundred bytes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from vigil.advisories.errors import SourceError
from vigil.advisories.sources.files import open_text

Kind = Literal["osv-dir", "osv-zip", "nvd", "epss", "kev"]
HEAD = 256 * 1024
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NVD_ITEMS = re.compile(r'"vulnerabilities"\s*:\s*\[\s*\{\s*"cve"\s*:')
ACCEPTED = (
    "a directory of OSV JSON files, an OSV zip, an NVD CVE API page or JSON 2.0 feed, "
    "an EPSS CSV (.csv or .csv.gz) or the KEV JSON catalog"
)


class UnknownSourceFormat(SourceError):
    """The content is none of the formats ``vigil db build`` reads."""


def detect(path: Path) -> Kind:
    if path.is_dir():
        return "osv-dir"
    try:
        with path.open("rb") as raw:
            magic = raw.read(4)
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or exc}") from None
    if magic in _ZIP_MAGIC:
        return "osv-zip"
    try:
        with open_text(path, max_bytes=HEAD * 4) as stream:
            head = stream.read(HEAD).lstrip("\ufeff \t\r\n")
    except (OSError, EOFError, SourceError) as exc:
        raise UnknownSourceFormat(f"{path}: unreadable ({exc})") from None
    if head.startswith("#model_version") or head.lower().startswith("cve,epss"):
        return "epss"
    if head.startswith("{"):
        if '"catalogVersion"' in head or '"cveID"' in head:
            return "kev"
        if '"NVD_CVE"' in head or _NVD_ITEMS.search(head):
            return "nvd"
    raise UnknownSourceFormat(f"{path}: not a recognised advisory source; expected {ACCEPTED}")
