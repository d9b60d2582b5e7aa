"""What matching produces: matches with their fix state and the evidence behind them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from vigil.domain import Package


class FixState(Enum):
    """Whether a fix exists for a match; Inspector shows it as ``fixAvailable``."""

    FIXED = "FIXED"  # a fixed version exists above the installed one
    NOT_FIXED = "NOT_FIXED"  # no fixed version (yet)
    WONT_FIX = "WONT_FIX"  # the distribution decided not to fix it


@dataclass(frozen=True, slots=True)
class MatchReason:
    """Why one advisory entry matched: the entry, and the range or listed version that held.

    ``range_index`` counts the entry's ranges as the record lists them (GIT ones included);
    ``events`` are that range's events as ``(kind, version)``. When the version matched only
    the entry's ``versions`` list, ``range_index`` is None and ``listed_version`` says which.
    """

    record_id: str
    affected_index: int
    ecosystem: str
    range_index: int | None = None
    events: tuple[tuple[str, str], ...] = ()
    listed_version: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """One package affected by one vulnerability, with every advisory entry that says so."""

    package: Package
    vulnerability_id: str  # the store's group id: the CVE where one exists
    fix_state: FixState
    fixed_versions: tuple[str, ...]  # smallest fixed version above the installed one, per record
    reasons: tuple[MatchReason, ...]

    @property
    def record_ids(self) -> tuple[str, ...]:
        return tuple(sorted({r.record_id for r in self.reasons}))


@dataclass(frozen=True, slots=True)
class MatchWarning:
    """A package an advisory could not be decided for; never a silent "not affected"."""

    package: str
    version: str
    ecosystem: str
    record_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: tuple[Match, ...]
    warnings: tuple[MatchWarning, ...] = ()

    def by_vulnerability(self) -> dict[str, tuple[Match, ...]]:
        """Matches grouped by vulnerability id, in id order."""
        grouped: dict[str, list[Match]] = {}
        for match in self.matches:
            grouped.setdefault(match.vulnerability_id, []).append(match)
        return {vid: tuple(grouped[vid]) for vid in sorted(grouped)}
