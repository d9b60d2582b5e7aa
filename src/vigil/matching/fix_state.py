"""Won't-fix markers: where a distribution's record says a vulnerability will not be fixed.

OSV has no field for it, so converters carry the distribution's own triage words in the entry's
``ecosystem_specific`` or ``database_specific``. Recognised (and only when the matching range
has no fixed version above the installed one):

- Debian security tracker: ``nodsa_reason: "ignored"`` (the security team will not fix it in
  that release; ``"postponed"`` still means a fix may come, so it stays NOT_FIXED).
- Ubuntu CVE tracker: ``status: "ignored"`` (Ubuntu's word for "will not be fixed" in a
  release; ``deferred``/``needed`` stay NOT_FIXED).

None of the real Debian or Alpine records in tests/data/osv carry such a marker: the DSA/DLA
records only list fixed releases, and Alpine's secdb has no triage words.
"""

from __future__ import annotations

from typing import Any

from vigil.domain import Affected

_MARKERS: dict[str, dict[str, frozenset[str]]] = {
    "Debian": {"nodsa_reason": frozenset({"ignored"})},
    "Ubuntu": {"status": frozenset({"ignored"})},
}


def wont_fix(ecosystem: str, affected: Affected) -> bool:
    """Whether the entry marks the vulnerability as not going to be fixed in its release."""
    markers = _MARKERS.get(ecosystem.partition(":")[0])
    if not markers:
        return False
    return any(
        _marked(block, markers)
        for block in (affected.ecosystem_specific, affected.database_specific)
    )


def _marked(block: dict[str, Any] | None, markers: dict[str, frozenset[str]]) -> bool:
    if not block:
        return False
    for key, words in markers.items():
        value = block.get(key)
        if isinstance(value, str) and value.strip().lower() in words:
            return True
    return False
