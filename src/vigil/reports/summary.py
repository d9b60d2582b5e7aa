"""Counts per severity and the one-line summary a CI log shows."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable

from vigil.domain import Severity

# Highest first, UNTRIAGED (no score known) last: the order people read a report in.
SEVERITY_ORDER = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))


def severity_counts(severities: Iterable[Severity]) -> dict[Severity, int]:
    """Every severity, in report order, with how many findings have it (zeros included)."""
    counted = Counter(severities)
    return {severity: counted[severity] for severity in SEVERITY_ORDER}


def summary_line(severities: Iterable[Severity], ignored: int = 0) -> str:
    counts = severity_counts(severities)
    total = sum(counts.values())
    noun = "finding" if total == 1 else "findings"
    parts = ", ".join(f"{severity.value} {count}" for severity, count in counts.items() if count)
    line = f"{total} {noun}" + (f" ({parts})" if parts else "")
    if ignored:
        line += f"; {ignored} ignored"
    return line


def printable(text: str) -> str:
    """``text`` with control and format characters shown as escapes: names come from targets,
    and a terminal must not obey an escape sequence hidden in a package name."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch == " " or unicodedata.category(ch)[0] not in "CZ" else ascii(ch)[1:-1]
        for ch in text
    )
