"""The matcher: candidates from the index, decisions from parsed versions.

Compiled entries are kept per (record id, affected index), vulnerability ids per record, and the
answer for each (ecosystem, name, version) asked, for the life of the matcher: like its index, a
matcher belongs to one state of the store (build a new one after a sync).

An inventory is matched in three passes so that the store is asked in bulk: every package not
answered before has its candidates fetched (one query per ecosystem and few hundred names) and
its entries decided; the records that matched have their vulnerability ids resolved together;
then the matches are assembled in the inventory's order.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from vigil.advisories.errors import StoreError
from vigil.advisories.match_entry import unpack
from vigil.advisories.store import AdvisoryStore, Candidate
from vigil.domain import Inventory, Package
from vigil.matching.evaluate import CompiledEntry, Hit, Keys, Parsed
from vigil.matching.fix_state import wont_fix
from vigil.matching.index import CandidateIndex
from vigil.matching.model import FixState, Match, MatchReason, MatchResult, MatchWarning
from vigil.matching.scope import Scope, Unscoped, scope_of
from vigil.versions import InvalidVersion, UnsupportedEcosystem, scheme_for

_VERDICTS = 200_000  # remembered (ecosystem, name, version) answers; a fleet repeats them
_ENTRIES = 500_000  # compiled entries, and parsed event versions, kept between lookups

_Decided = tuple[str, FixState, tuple[str, ...], tuple[MatchReason, ...]]
_Verdict = tuple[tuple[_Decided, ...], tuple[tuple[str, str], ...]]
_MemoKey = tuple[str, str, str, str]
_NOTHING: _Verdict = ((), ())
_Problems = list[tuple[str, str]]  # (record id, reason)


@dataclass(slots=True)
class _Found:
    reasons: list[MatchReason] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    wont_fix: bool = False


class Matcher:
    def __init__(self, store: AdvisoryStore, index: CandidateIndex | None = None) -> None:
        self._store = store
        self._index = index or CandidateIndex(store)
        self._entries: dict[tuple[str, int], CompiledEntry | str] = {}
        self._parsed: Parsed = {}
        self._vulns: dict[str, tuple[str, ...]] = {}
        self._verdicts: dict[_MemoKey, _Verdict] = {}

    def match(
        self, packages: Inventory | Iterable[Package], only: Collection[str] | None = None
    ) -> MatchResult:
        """Every (package, vulnerability) match of an inventory, and what could not be decided.

        ``only`` keeps the matches of those vulnerability ids (a re-evaluation scoped to an
        advisory diff needs no others); the decisions and warnings are the same either way.
        """
        items = packages.packages if isinstance(packages, Inventory) else tuple(packages)
        with _collector_paused():
            return self._match(items, only)

    def _match(self, items: Iterable[Package], only: Collection[str] | None) -> MatchResult:
        scoped: list[tuple[Package, _MemoKey | str]] = []
        verdicts: dict[_MemoKey, _Verdict] = {}
        pending: dict[_MemoKey, Scope] = {}
        for package in items:
            try:
                scope = scope_of(package)
            except Unscoped as exc:
                scoped.append((package, str(exc)))
                continue
            key = (scope.lookup_ecosystem, scope.release, scope.name, scope.version)
            scoped.append((package, key))
            if key in verdicts or key in pending:
                continue
            known = self._verdicts.get(key)
            if known is None:
                pending[key] = scope
            else:
                verdicts[key] = known
        if pending:
            decided = self._decide_all(pending)
            verdicts.update(decided)
            if len(self._verdicts) + len(decided) > _VERDICTS:
                self._verdicts.clear()
            self._verdicts.update(decided)
        matches: list[Match] = []
        warnings: list[MatchWarning] = []
        for package, asked in scoped:
            if isinstance(asked, str):
                warnings.append(_warning(package, None, asked))
                continue
            found, problems = verdicts[asked]
            matches.extend(
                Match(package, vid, state, fixed, reasons)
                for vid, state, fixed, reasons in found
                if only is None or vid in only
            )
            warnings.extend(_warning(package, record_id, why) for record_id, why in problems)
        return MatchResult(tuple(matches), tuple(warnings))

    def match_package(self, package: Package) -> tuple[list[Match], list[MatchWarning]]:
        result = self.match((package,))
        return list(result.matches), list(result.warnings)

    def _decide_all(self, pending: dict[_MemoKey, Scope]) -> dict[_MemoKey, _Verdict]:
        """The answers for packages not seen before, their store queries made in bulk."""
        by_ecosystem: dict[str, list[str]] = {}
        for scope in pending.values():
            by_ecosystem.setdefault(scope.lookup_ecosystem, []).append(scope.name)
        candidates = {
            ecosystem: self._index.candidates_many(ecosystem, names)
            for ecosystem, names in by_ecosystem.items()
        }
        hits: dict[_MemoKey, tuple[list[tuple[Candidate, Hit]], _Problems]] = {}
        unknown: set[str] = set()
        for key, scope in pending.items():
            listed = candidates[scope.lookup_ecosystem][scope.name]
            if not listed:
                continue  # most packages: no advisory names them
            found = hits[key] = self._hits(scope, listed)
            unknown.update(c.record_id for c, _ in found[0] if c.record_id not in self._vulns)
        if unknown:
            self._resolve(unknown)
        if len(self._entries) > _ENTRIES or sum(map(len, self._parsed.values())) > _ENTRIES:
            self._entries.clear()  # bounded like the other caches; refilled on demand
            self._parsed.clear()
        return {
            key: self._verdict(scope, *hits[key]) if key in hits else _NOTHING
            for key, scope in pending.items()
        }

    def _hits(
        self, scope: Scope, candidates: tuple[Candidate, ...]
    ) -> tuple[list[tuple[Candidate, Hit]], _Problems]:
        """The entries that hold for one (ecosystem, name, version), and those undecidable."""
        problems: _Problems = []
        found: list[tuple[Candidate, Hit]] = []
        keys: Keys = {}
        entries, release, version = self._entries, scope.release, scope.version
        for candidate in candidates:
            if release and not scope.accepts(candidate.ecosystem):
                continue
            entry = entries.get((candidate.record_id, candidate.affected_index))
            if entry is None:
                entry = self._entry(candidate)
            if isinstance(entry, str):
                problems.append((candidate.record_id, entry))
                continue
            try:
                hit = entry.check(version, keys)
            except InvalidVersion as exc:
                problems.append((candidate.record_id, str(exc)))
                continue
            if hit is not None:
                found.append((candidate, hit))
        return found, problems

    def _verdict(
        self, scope: Scope, hits: list[tuple[Candidate, Hit]], problems: _Problems
    ) -> _Verdict:
        """The matches of one (ecosystem, name, version), independent of where it was found."""
        found: dict[str, _Found] = {}
        for candidate, hit in hits:
            reason = MatchReason(
                candidate.record_id,
                candidate.affected_index,
                candidate.ecosystem,
                hit.range_index,
                hit.events,
                hit.listed_version,
            )
            marked = hit.fixed is None and self._wont_fix(candidate, problems)
            for vulnerability in self._vulns.get(candidate.record_id, (candidate.record_id,)):
                slot = found.setdefault(vulnerability, _Found())
                slot.reasons.append(reason)
                if hit.fixed is not None and hit.fixed not in slot.fixed:
                    slot.fixed.append(hit.fixed)
                slot.wont_fix = slot.wont_fix or marked
        decided = tuple(self._decided(scope, vid, slot) for vid, slot in sorted(found.items()))
        return decided, tuple(problems)

    def _decided(self, scope: Scope, vulnerability: str, slot: _Found) -> _Decided:
        if slot.fixed:
            state = FixState.FIXED
        elif slot.wont_fix:
            state = FixState.WONT_FIX
        else:
            state = FixState.NOT_FIXED
        fixed = slot.fixed
        if len(fixed) > 1:
            # Sorted by parsed version; the keys are those compiling the entries made.
            scheme = scheme_for(scope.base)
            memo = self._parsed.setdefault(scheme.name, {})
            keys = [memo.get(v) or memo.setdefault(v, scheme.parse(v)) for v in fixed]
            fixed = [v for _, v in sorted(zip(keys, fixed, strict=True), key=itemgetter(0))]
        return vulnerability, state, tuple(fixed), tuple(slot.reasons)

    def _entry(self, candidate: Candidate) -> CompiledEntry | str:
        """Compile a candidate's entry (or say why it cannot be) and remember it."""
        entry: CompiledEntry | str
        try:
            entry = CompiledEntry(candidate.ecosystem, unpack(candidate.entry), self._parsed)
        except (InvalidVersion, UnsupportedEcosystem, StoreError) as exc:
            entry = f"advisory cannot be evaluated: {exc}"
        self._entries[(candidate.record_id, candidate.affected_index)] = entry
        return entry

    @staticmethod
    def _wont_fix(candidate: Candidate, problems: _Problems) -> bool:
        # The triage words live in fields the match entry leaves out: read the whole record,
        # which only an unfixed match needs.
        try:
            return wont_fix(candidate.ecosystem, candidate.affected)
        except (LookupError, StoreError) as exc:
            problems.append((candidate.record_id, f"advisory cannot be read: {exc}"))
            return False

    def _resolve(self, record_ids: set[str]) -> None:
        """The vulnerability ids each record's match is reported under.

        The store's group id (the CVE where one exists); a bundle advisory (a DSA fixing several
        CVEs) is reported under each CVE it covers, as distributions' scanners do.
        """
        heads = self._store.group_heads(record_ids)
        for record_id in record_ids:
            head = heads.get(record_id)
            if head is None:
                self._vulns[record_id] = (record_id,)
            else:
                self._vulns[record_id] = head.covers or (head.id,)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is decided.

    Deciding allocates many small objects that outlive the call (compiled entries, candidate
    lists, answers): every few hundred allocations the collector walks the young ones, and as
    the caches grow it walks them all again, which was a third of a cold match. None of them
    form reference cycles, so reference counting frees whatever the matcher drops, and nothing
    is lost by collecting only after the batch. The previous state is restored, so a caller
    that disabled the collector keeps it disabled.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _warning(package: Package, record_id: str | None, reason: str) -> MatchWarning:
    return MatchWarning(
        package.match_name if package.ecosystem.is_os else package.name,
        package.match_version if package.ecosystem.is_os else package.version,
        str(package.ecosystem),
        record_id,
        reason,
    )
