"""FIRST's daily EPSS scores (CSV, usually gzipped), as ``EpssScore`` values.

The file starts with a comment line naming the model and the score date
(``#model_version:v2025.03.14,score_date:2025-09-03T00:00:00+0000``), then a ``cve,epss,
percentile`` header. Each day's file scores every published CVE, so it is a complete snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

from vigil.advisories.enrichment import EpssScore
from vigil.advisories.errors import CorruptArchive
from vigil.advisories.sources.base import FetchResult, ParseFailure
from vigil.advisories.sources.files import FileSource, open_text

EPSS_URL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
_CVE = re.compile(r"CVE-\d{4}-\d{4,}")


def _score_date(comment: str) -> date | None:
    for item in comment.lstrip("#").split(","):
        key, _, value = item.partition(":")
        if key.strip() == "score_date" and value.strip():
            text = value.strip()
            try:
                return datetime.fromisoformat(text).date()
            except ValueError:
                return date.fromisoformat(text[:10])
    return None


def parse_epss_row(line: str, scored_on: date) -> EpssScore:
    """One ``cve,epss,percentile`` row; ``ValueError`` says what is wrong with it."""
    fields = [f.strip() for f in line.split(",")]
    if len(fields) < 3:
        raise ValueError(f"expected cve,epss,percentile; got {line.strip()!r}")
    cve, score_text, percentile_text = fields[:3]
    if not _CVE.fullmatch(cve):
        raise ValueError(f"{cve!r} is not a CVE id")
    try:
        score, percentile = float(score_text), float(percentile_text)
    except ValueError:
        raise ValueError(f"not numbers: {score_text!r}, {percentile_text!r}") from None
    if not (0.0 <= score <= 1.0 and 0.0 <= percentile <= 1.0):
        raise ValueError(f"out of [0, 1]: {score}, {percentile}")
    return EpssScore(cve, score, percentile, scored_on)


class EpssSource(FileSource):
    """The current EPSS file from FIRST (or a mirror URL, or a local ``.csv``/``.csv.gz``)."""

    kind = "epss"
    default_location = EPSS_URL

    def parse(self, fetched: FetchResult) -> Iterator[EpssScore | ParseFailure]:
        name = fetched.path.name
        scored_on = fetched.fetched_at.date()
        with open_text(fetched.path) as lines:
            header_seen = False
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                if line.startswith("#"):
                    scored_on = _score_date(line) or scored_on
                    continue
                if not header_seen:
                    if not line.lower().startswith("cve,"):
                        raise CorruptArchive(f"{name}: line {number}: no cve,epss header")
                    header_seen = True
                    continue
                try:
                    yield parse_epss_row(line, scored_on)
                except ValueError as exc:
                    cve = line.partition(",")[0].strip()
                    record = cve if _CVE.fullmatch(cve) else None
                    yield ParseFailure(record, f"{name}:{number}", str(exc))
