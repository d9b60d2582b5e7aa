"""CISA's Known Exploited Vulnerabilities catalog (JSON), as ``KevEntry`` values.

The catalog is one small JSON document republished whole, so every fetch is a complete
snapshot: a CVE that leaves the catalog leaves the store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from vigil.advisories.enrichment import KevEntry
from vigil.advisories.sources.base import FetchResult, ParseFailure
from vigil.advisories.sources.files import FileSource, open_text
from vigil.advisories.sources.jsonstream import array_items

KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"


def parse_kev_entry(entry: Any) -> KevEntry:
    """One catalog entry; ``ValueError`` names the first missing or malformed field."""
    if not isinstance(entry, Mapping):
        raise ValueError("an entry must be a JSON object")

    def text(key: str, *, required: bool = True) -> str:
        value = entry.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise ValueError(f"{key}: expected a non-empty string")
        return value.strip()

    def day(key: str) -> date | None:
        raw = text(key, required=False)
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            raise ValueError(f"{key}: {raw!r} is not a date") from None

    cve = text("cveID")
    added = day("dateAdded")
    if added is None:
        raise ValueError("dateAdded: missing")
    cwes = entry.get("cwes") or ()
    return KevEntry(
        cve=cve,
        vendor=text("vendorProject", required=False),
        product=text("product", required=False),
        name=text("vulnerabilityName", required=False),
        date_added=added,
        due_date=day("dueDate"),
        required_action=text("requiredAction", required=False),
        ransomware=text("knownRansomwareCampaignUse", required=False) or "Unknown",
        notes=text("notes", required=False),
        cwes=tuple(str(c) for c in cwes if isinstance(c, str)),
    )


class KevSource(FileSource):
    """The KEV catalog from CISA (or a mirror URL, or a local copy)."""

    kind = "kev"
    default_location = KEV_URL

    def parse(self, fetched: FetchResult) -> Iterator[KevEntry | ParseFailure]:
        with open_text(fetched.path) as stream:
            for index, entry in enumerate(
                array_items(stream, "vulnerabilities", fetched.path.name)
            ):
                location = f"{fetched.path.name}:vulnerabilities[{index}]"
                try:
                    yield parse_kev_entry(entry)
                except ValueError as exc:
                    cve = entry.get("cveID") if isinstance(entry, Mapping) else None
                    yield ParseFailure(cve if isinstance(cve, str) else None, location, str(exc))
