"""Detection accuracy on the labelled targets: precision and recall per ecosystem.

Scans the small committed target (``tests/matching/data/accuracy/debian12-host``) and, unless
``--no-fixture``, the Debian 12 real-image fixture (built first if needed) as a directory,
matches them against a store of the real records of ``tests/data/osv`` and scores the matches
against the reference labels (``tests/matching/data/accuracy/labels.jsonl``), as
``tests/matching/test_accuracy.py`` does. Not a timing benchmark: it prints the figures the
issue's closing note lists, and names every false positive and false negative.

Usage: python -m benchmarks.accuracy [--no-fixture]   (results also written to
benchmarks/results/accuracy.json)
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from scripts.fixtures import debian12
from scripts.fixtures.tools import FixtureUnavailable
from scripts.label_match_expectations import SMALL
from tests.matching.accuracy_gate import (
    TargetReport,
    as_json,
    below,
    build_store,
    fixture_labels,
    measure,
    read_labels,
    table,
)

from vigil.advisories.store import AdvisoryStore

RESULTS = Path(__file__).resolve().parent / "results"


def _fixture_report(store: AdvisoryStore) -> TargetReport | None:
    try:
        fixture = debian12.ensure()
    except FixtureUnavailable as exc:
        print(f"debian12 fixture skipped: {exc}")
        return None
    labels = fixture_labels(fixture.root)
    if not labels:
        print("debian12 fixture skipped: not labelled (scripts/label_match_expectations.py)")
        return None
    return measure("debian12-fixture", fixture.target("dir"), labels, store)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-fixture", action="store_true", help="only the small target")
    args = parser.parse_args()
    reports: list[TargetReport] = []
    with tempfile.TemporaryDirectory() as scratch:
        store = build_store(Path(scratch) / "advisories.db")
        try:
            small = read_labels("debian12-host")
            reports.append(measure("debian12-host", f"dir:{SMALL}", small, store))
            big = None if args.no_fixture else _fixture_report(store)
            if big is not None:
                reports.append(big)
        finally:
            store.close()
    print(table(reports), end="")
    for report in reports:
        for eco, score in report.scores.items():
            for key in score.false_positives:
                print(f"false positive ({report.target}, {eco}): {key}")
            for key in score.false_negatives:
                print(f"false negative ({report.target}, {eco}): {key}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "accuracy.json").write_text(json.dumps(as_json(reports), indent=1) + "\n")
    failing = below(reports)
    for line in failing:
        print(f"BELOW THE GATE: {line}")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
