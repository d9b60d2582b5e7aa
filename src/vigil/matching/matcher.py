"""The matcher: candidates from the index, decisions from parsed versions.

Compiled entries are kept per (record id, affected index), vulnerability ids per record, and the
answer for each (ecosystem, name, version) asked, for the life of the matcher: like its index, a
matcher belongs to one state of the store (build a new one after a sync).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cmp_to_key

from vigil.advisories.store import AdvisoryStore, Candidate
from vigil.domain import Inventory, Package
from vigil.matching.evaluate import CompiledEntry, Keys
from vigil.matching.fix_state import wont_fix
from vigil.matching.index import CandidateIndex
from vigil.matching.model import FixState, Match, MatchReason, MatchResult, MatchWarning
from vigil.matching.scope import Scope, Unscoped, scope_of
from vigil.versions import InvalidVersion, UnsupportedEcosystem, scheme_for

_WITHDRAWN = object()
_VERDICTS = 200_000  # remembered (ecosystem, name, version) answers; a fleet repeats them

_Decided = tuple[str, FixState, tuple[str, ...], tuple[MatchReason, ...]]
_Verdict = tuple[tuple[_Decided, ...], tuple[tuple[str, str], ...]]


@dataclass(slots=True)
class _Found:
    reasons: list[MatchReason] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    wont_fix: bool = False


class Matcher:
    def __init__(self, store: AdvisoryStore, index: CandidateIndex | None = None) -> None:
        self._store = store
        self._index = index or CandidateIndex(store)
        self._entries: dict[tuple[str, int], CompiledEntry | str | object] = {}
        self._vulns: dict[str, tuple[str, ...]] = {}
        self._verdicts: dict[tuple[str, str, str, str], _Verdict] = {}

    def match(self, packages: Inventory | Iterable[Package]) -> MatchResult:
        """Every (package, vulnerability) match of an inventory, and what could not be decided."""
        items = packages.packages if isinstance(packages, Inventory) else packages
        matches: list[Match] = []
        warnings: list[MatchWarning] = []
        for package in items:
            found, problems = self.match_package(package)
            matches.extend(found)
            warnings.extend(problems)
        return MatchResult(tuple(matches), tuple(warnings))

    def match_package(self, package: Package) -> tuple[list[Match], list[MatchWarning]]:
        try:
            scope = scope_of(package)
        except Unscoped as exc:
            return [], [_warning(package, None, str(exc))]
        memo_key = (scope.lookup_ecosystem, scope.release, scope.name, scope.version)
        verdict = self._verdicts.get(memo_key)
        if verdict is None:
            verdict = self._decide(scope)
            if len(self._verdicts) >= _VERDICTS:
                self._verdicts.clear()
            self._verdicts[memo_key] = verdict
        found, problems = verdict
        matches = [
            Match(package, vid, state, fixed, reasons) for vid, state, fixed, reasons in found
        ]
        return matches, [_warning(package, record_id, reason) for record_id, reason in problems]

    def _decide(self, scope: Scope) -> _Verdict:
        """The matches of one (ecosystem, name, version), independent of where it was found."""
        problems: list[tuple[str, str]] = []
        found: dict[str, _Found] = {}
        keys: Keys = {}
        for candidate in self._index.candidates(scope.lookup_ecosystem, scope.name):
            if not scope.accepts(candidate.ecosystem):
                continue
            entry = self._entry(candidate)
            if entry is _WITHDRAWN:
                continue
            if not isinstance(entry, CompiledEntry):
                problems.append((candidate.record_id, str(entry)))
                continue
            try:
                hit = entry.check(scope.version, keys)
            except InvalidVersion as exc:
                problems.append((candidate.record_id, str(exc)))
                continue
            if hit is None:
                continue
            reason = MatchReason(
                candidate.record_id,
                candidate.affected_index,
                candidate.ecosystem,
                hit.range_index,
                hit.events,
                hit.listed_version,
            )
            marked = hit.fixed is None and wont_fix(candidate.ecosystem, entry.affected)
            for vulnerability in self._vulnerabilities(candidate.record_id):
                slot = found.setdefault(vulnerability, _Found())
                slot.reasons.append(reason)
                if hit.fixed is not None and hit.fixed not in slot.fixed:
                    slot.fixed.append(hit.fixed)
                slot.wont_fix = slot.wont_fix or marked
        decided = tuple(_decided(scope, vid, slot) for vid, slot in sorted(found.items()))
        return decided, tuple(problems)

    def _entry(self, candidate: Candidate) -> CompiledEntry | str | object:
        key = (candidate.record_id, candidate.affected_index)
        entry = self._entries.get(key)
        if entry is None:
            advisory = candidate.advisory
            if advisory.is_withdrawn:
                entry = _WITHDRAWN
            else:
                try:
                    entry = CompiledEntry(candidate.ecosystem, candidate.affected)
                except (InvalidVersion, UnsupportedEcosystem) as exc:
                    entry = f"advisory cannot be evaluated: {exc}"
            self._entries[key] = entry
        return entry

    def _vulnerabilities(self, record_id: str) -> tuple[str, ...]:
        """The vulnerability ids a record's match is reported under.

        The store's group id (the CVE where one exists); a bundle advisory (a DSA fixing several
        CVEs) is reported under each CVE it covers, as distributions' scanners do.
        """
        found = self._vulns.get(record_id)
        if found is None:
            group = self._store.group(record_id)
            if group is None:
                found = (record_id,)
            elif group.covers:
                found = group.covers
            else:
                found = (group.id,)
            self._vulns[record_id] = found
        return found


def _decided(scope: Scope, vulnerability: str, slot: _Found) -> _Decided:
    if slot.fixed:
        state = FixState.FIXED
    elif slot.wont_fix:
        state = FixState.WONT_FIX
    else:
        state = FixState.NOT_FIXED
    fixed = slot.fixed
    if len(fixed) > 1:
        fixed = sorted(fixed, key=cmp_to_key(scheme_for(scope.base).compare))
    return vulnerability, state, tuple(fixed), tuple(slot.reasons)


def _warning(package: Package, record_id: str | None, reason: str) -> MatchWarning:
    return MatchWarning(
        package.match_name if package.ecosystem.is_os else package.name,
        package.match_version if package.ecosystem.is_os else package.version,
        str(package.ecosystem),
        record_id,
        reason,
    )
