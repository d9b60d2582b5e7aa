"""Who publishes a vulnerability id, from its prefix, for CycloneDX ``references[].source``."""

from __future__ import annotations

# Prefix → (publisher, URL template or None where ids have no stable public page pattern).
_SOURCES: dict[str, tuple[str, str | None]] = {
    "CVE": ("NVD", "https://nvd.nist.gov/vuln/detail/{id}"),
    "GHSA": ("GitHub Advisories", "https://github.com/advisories/{id}"),
    "GO": ("Go Vulnerability Database", "https://pkg.go.dev/vuln/{id}"),
    "PYSEC": ("PyPA Advisory Database", None),
    "RUSTSEC": ("RustSec", "https://rustsec.org/advisories/{id}.html"),
    "DSA": ("Debian", "https://security-tracker.debian.org/tracker/{id}"),
    "DLA": ("Debian", "https://security-tracker.debian.org/tracker/{id}"),
    "DTSA": ("Debian", "https://security-tracker.debian.org/tracker/{id}"),
    "USN": ("Ubuntu", "https://ubuntu.com/security/notices/{id}"),
    "ALPINE": ("Alpine", None),
}


def reference_source(vulnerability_id: str) -> dict[str, str]:
    prefix = vulnerability_id.partition("-")[0].upper()
    name, template = _SOURCES.get(prefix, (prefix or "unknown", None))
    source = {"name": name}
    if template is not None and _plain(vulnerability_id):
        source["url"] = template.format(id=vulnerability_id)
    return source


def _plain(identifier: str) -> bool:
    """Ids put into a URL only when made of the characters real ids use."""
    return identifier.isascii() and all(c.isalnum() or c in "-_.:" for c in identifier)
