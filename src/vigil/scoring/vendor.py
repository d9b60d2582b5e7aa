"""The severity a distribution gives a vulnerability, where its records carry one.

Where it lives, in real records:

- Ubuntu: the record's ``severity`` entry of type ``Ubuntu`` (osv.dev) and each entry's
  ``ecosystem_specific.ubuntu_priority`` (Canonical's own OSV feed), words from Ubuntu's
  priority scale: negligible, low, medium, high, critical.
- Debian's DSA/DLA and Alpine's secdb records (tests/data/osv) carry no severity at all; their
  findings are scored from CVSS.
"""

from __future__ import annotations

from vigil.domain import Advisory, Affected, Severity

_WORDS = {
    "negligible": Severity.INFORMATIONAL,
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
    "untriaged": Severity.UNTRIAGED,
}


def vendor_severity(advisory: Advisory, affected: Affected) -> tuple[str, Severity] | None:
    """The vendor's own word and its Inspector severity, or None when the vendor gives none."""
    specific = affected.ecosystem_specific or {}
    word = specific.get("ubuntu_priority")
    if not isinstance(word, str):
        word = next(
            (s.score for s in (*affected.severity, *advisory.severity) if s.type == "Ubuntu"),
            None,
        )
    if word is None:
        return None
    severity = _WORDS.get(word.strip().lower())
    return None if severity is None else (word.strip().lower(), severity)
