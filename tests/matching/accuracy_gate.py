"""The accuracy gate: Vigil's matches on labelled targets scored against reference labels.

A finding is keyed (ecosystem, package name, package version, advisory record id); the labels
(``data/accuracy/labels.jsonl``, written by ``scripts/label_match_expectations.py`` with
reference implementations only) say which keys a target should produce. Vigil's side is the
whole pipeline: open the target, catalog it, match the inventory against a store of the real
records. Per ecosystem: true positives, false positives (Vigil reports a key the labels say is
not affected, or does not know), false negatives, true negatives (labelled pairs correctly left
alone), precision and recall. The package lists of both sides are compared too, so that a miss
caused by the inventory is told apart from a wrong version decision.

Used by ``tests/matching/test_accuracy.py`` and ``benchmarks/accuracy.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from scripts.label_match_expectations import LABELS, Label, inventory, label, load_records

from vigil.advisories.store import AdvisoryStore
from vigil.catalog.runner import catalog, wanted_predicate
from vigil.domain import Inventory, Package, parse_osv
from vigil.matching import Matcher, MatchResult
from vigil.targets import open_target

GATED = ("Debian", "PyPI", "npm", "Go")
THRESHOLD = 0.99
# The converted Debian/Alpine records of tests/data/osv carry no ``modified``.
FEED_TIME = datetime(2025, 1, 1, tzinfo=UTC)

Key = tuple[str, str, str, str]  # (ecosystem, name, version, record id)
Coordinate = tuple[str, str, str]  # (ecosystem, name, version)


def read_labels(target: str, path: Path = LABELS) -> list[Label]:
    rows = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return [Label(**row) for row in rows if row["target"] == target]


def fixture_labels(root: Path) -> list[Label]:
    """The committed labels of the Debian 12 fixture, with the Debian part relabelled by dpkg
    when the fixture at ``root`` holds other Debian versions than were labelled (it follows
    the archive's point releases). Empty when the fixture was never labelled."""
    committed = read_labels("debian12-fixture")
    if not committed:
        return []
    packages = inventory(root, ("Debian",))
    basis = {(r.name, r.version) for r in committed if r.ecosystem.startswith("Debian")}
    if basis == {(p.name, p.version) for p in packages}:
        return committed
    fresh, unlabelled = label("debian12-fixture", packages, load_records(), None)
    if unlabelled:
        raise ValueError(f"dpkg could not label: {unlabelled}")
    return [r for r in committed if not r.ecosystem.startswith("Debian")] + fresh


def build_store(path: Path) -> AdvisoryStore:
    """A store of every real record the labels were computed from."""
    store = AdvisoryStore(path)
    with store.batch("accuracy", complete=False) as batch:
        for doc in load_records():
            batch.put(parse_osv(doc, missing_modified=FEED_TIME))
        batch.commit(None)
    return store


def scan(spec: str) -> Inventory:
    with open_target(spec, wanted_predicate()) as fs:
        return catalog(fs, target=spec.partition(":")[0])


def _name(ecosystem: str, name: str) -> str:
    return str(canonicalize_name(name)) if ecosystem == "PyPI" else name


def _coordinate(package: Package) -> Coordinate:
    ecosystem = str(package.ecosystem)
    return ecosystem, _name(ecosystem, package.name), package.version


def _label_key(label: Label) -> Key:
    assert label.record is not None
    return label.ecosystem, _name(label.ecosystem, label.name), label.version, label.record


def _base(ecosystem: str) -> str:
    return ecosystem.partition(":")[0]


@dataclass
class Score:
    ecosystem: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    packages: int = 0
    false_positives: list[Key] = field(default_factory=list)
    false_negatives: list[Key] = field(default_factory=list)
    only_in_labels: list[Coordinate] = field(default_factory=list)
    only_in_vigil: list[Coordinate] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """1.0 when nothing was reported (no false alarm is possible then)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """1.0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        self.packages += other.packages
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives
        self.only_in_labels += other.only_in_labels
        self.only_in_vigil += other.only_in_vigil

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(precision=round(self.precision, 4), recall=round(self.recall, 4))
        return out


@dataclass
class TargetReport:
    target: str
    scores: dict[str, Score]
    warnings: list[str]


def score(
    target: str, labels: list[Label], inventory: Inventory, result: MatchResult
) -> TargetReport:
    """Compare one target's matches with its labels, ecosystem by ecosystem."""
    expected = {_label_key(r) for r in labels if r.record is not None and r.affected}
    negative = {_label_key(r) for r in labels if r.record is not None and not r.affected}
    found = {
        (*_coordinate(m.package), reason.record_id)
        for m in result.matches
        for reason in m.reasons
        if m.package.ecosystem.name in GATED
    }
    labelled = {(r.ecosystem, _name(r.ecosystem, r.name), r.version) for r in labels}
    cataloged = {_coordinate(p) for p in inventory.packages if p.ecosystem.name in GATED}
    scores = {eco: Score(eco) for eco in GATED}
    for key in expected | found:
        slot = scores[_base(key[0])]
        if key in expected and key in found:
            slot.tp += 1
        elif key in found:
            slot.fp += 1
            slot.false_positives.append(key)
        else:
            slot.fn += 1
            slot.false_negatives.append(key)
    for key in negative - found:
        scores[_base(key[0])].tn += 1
    for coordinate in labelled:
        scores[_base(coordinate[0])].packages += 1
    for coordinate in labelled - cataloged:
        scores[_base(coordinate[0])].only_in_labels.append(coordinate)
    for coordinate in cataloged - labelled:
        scores[_base(coordinate[0])].only_in_vigil.append(coordinate)
    for slot in scores.values():
        for listed in (slot.false_positives, slot.false_negatives):
            listed.sort()
        slot.only_in_labels.sort()
        slot.only_in_vigil.sort()
    warnings = [
        f"{w.ecosystem} {w.package} {w.version} {w.record_id}: {w.reason}" for w in result.warnings
    ]
    return TargetReport(target, scores, warnings)


def measure(target: str, spec: str, labels: list[Label], store: AdvisoryStore) -> TargetReport:
    inventory = scan(spec)
    return score(target, labels, inventory, Matcher(store).match(inventory))


def totals(reports: Iterable[TargetReport]) -> dict[str, Score]:
    out = {eco: Score(eco) for eco in GATED}
    for report in reports:
        for eco, slot in report.scores.items():
            out[eco].add(slot)
    return out


def table(reports: list[TargetReport]) -> str:
    head = f"{'target':<22} {'ecosystem':<9} {'pkgs':>5} {'TP':>5} {'FP':>4} {'FN':>4} {'TN':>6}"
    lines = [f"{head} {'precision':>9} {'recall':>7}"]
    rows = [(r.target, r.scores) for r in reports] + [("all targets", totals(reports))]
    for name, scores in rows:
        for eco in GATED:
            s = scores[eco]
            lines.append(
                f"{name:<22} {eco:<9} {s.packages:>5} {s.tp:>5} {s.fp:>4} {s.fn:>4} {s.tn:>6} "
                f"{s.precision:>9.4f} {s.recall:>7.4f}"
            )
    return "\n".join(lines) + "\n"


def as_json(reports: list[TargetReport]) -> dict[str, Any]:
    return {
        "threshold": THRESHOLD,
        "targets": {
            r.target: {
                "scores": {eco: s.as_json() for eco, s in r.scores.items()},
                "warnings": r.warnings,
            }
            for r in reports
        },
        "all_targets": {eco: s.as_json() for eco, s in totals(reports).items()},
    }


def below(reports: list[TargetReport]) -> list[str]:
    """Every (target, ecosystem) whose precision or recall falls under the threshold."""
    failing = []
    rows = [(r.target, r.scores) for r in reports] + [("all targets", totals(reports))]
    for name, scores in rows:
        for eco, s in scores.items():
            if s.precision < THRESHOLD or s.recall < THRESHOLD:
                failing.append(
                    f"{name} {eco}: precision {s.precision:.4f}, recall {s.recall:.4f}; "
                    f"false positives {s.false_positives[:10]}, "
                    f"false negatives {s.false_negatives[:10]}"
                )
    return failing
