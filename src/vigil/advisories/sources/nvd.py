"""NVD's CVE records (API 2.0 pages or JSON 2.0 feed files), as ``CveRecord`` values.

What Vigil takes from NVD is what OSV records often lack: CVSS vectors and scores (v2, v3.0,
v3.1, v4.0, NVD's own and the CNA's), CWE ids, references and the English description; the CPE
configurations are not read. NVD never deletes a CVE (it marks it ``Rejected``), so every NVD
delivery is an update, never a complete snapshot.

The API is read in windows of ``lastModified`` time (at most 120 days each, NVD's limit) from
the previous sync's watermark, page by page (``startIndex``/``resultsPerPage``), pausing between
requests to stay inside NVD's rate limit (5 requests per 30 s without an API key, 50 with one).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.codec import timestamp
from vigil.advisories.enrichment import CveRecord, CvssScore
from vigil.advisories.errors import CorruptArchive
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.sources.base import FetchResult, ParseFailure, Unchanged
from vigil.advisories.sources.files import fetch_file, open_text
from vigil.advisories.sources.http import Downloader
from vigil.advisories.sources.jsonstream import array_items

NVD_API_URL = "https://services.nvd.nist.gov/rest/json/cves/2.0"
MAX_WINDOW = timedelta(days=120)
_CVE = re.compile(r"CVE-\d{4}-\d{4,}")
_METRICS = (
    ("cvssMetricV40", "4.0"),
    ("cvssMetricV31", "3.1"),
    ("cvssMetricV30", "3.0"),
    ("cvssMetricV2", "2.0"),
)


def _time(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected a timestamp")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field}: {value!r} is not a timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # NVD writes UTC, bare


def _cvss(cve: str, metrics: Any) -> tuple[CvssScore, ...]:
    if not isinstance(metrics, Mapping):
        return ()
    found: dict[tuple[str, str, str], CvssScore] = {}
    for key, version in _METRICS:
        for metric in metrics.get(key) or ():
            data = metric.get("cvssData") if isinstance(metric, Mapping) else None
            if not isinstance(data, Mapping) or not isinstance(data.get("vectorString"), str):
                raise ValueError(f"metrics.{key}: an entry without cvssData.vectorString")
            score = data.get("baseScore")
            severity = data.get("baseSeverity") or metric.get("baseSeverity")
            entry = CvssScore(
                cve=cve,
                version=str(data.get("version") or version),
                vector=data["vectorString"],
                base_score=float(score) if isinstance(score, int | float) else None,
                severity=severity if isinstance(severity, str) else None,
                scorer=str(metric.get("source") or ""),
                primary=metric.get("type") == "Primary",
            )
            found.setdefault((entry.version, entry.scorer, entry.vector), entry)
    return tuple(found.values())


def parse_nvd_cve(cve: Any) -> CveRecord:
    """One ``cve`` object of an API page or feed; ``ValueError`` says what is wrong."""
    if not isinstance(cve, Mapping):
        raise ValueError("expected a JSON object")
    cve_id = cve.get("id")
    if not isinstance(cve_id, str) or not _CVE.fullmatch(cve_id):
        raise ValueError(f"id: {cve_id!r} is not a CVE id")
    descriptions = [
        d.get("value")
        for d in cve.get("descriptions") or ()
        if isinstance(d, Mapping) and d.get("lang") == "en"
    ]
    cwes: dict[str, None] = {}
    for weakness in cve.get("weaknesses") or ():
        for item in weakness.get("description") or () if isinstance(weakness, Mapping) else ():
            value = item.get("value") if isinstance(item, Mapping) else None
            if isinstance(value, str) and value.startswith("CWE-"):  # not NVD-CWE-noinfo
                cwes[value] = None
    references: dict[str, None] = {}
    for reference in cve.get("references") or ():
        url = reference.get("url") if isinstance(reference, Mapping) else None
        if isinstance(url, str):
            references[url] = None
    published = cve.get("published")
    return CveRecord(
        id=cve_id,
        status=str(cve.get("vulnStatus") or "Unknown"),
        published=_time(published, "published") if published is not None else None,
        last_modified=_time(cve.get("lastModified"), "lastModified"),
        description=descriptions[0] if descriptions and isinstance(descriptions[0], str) else None,
        cwes=tuple(cwes),
        references=tuple(references),
        cvss=_cvss(cve_id, cve.get("metrics")),
    )


def read_nvd(path: Path) -> Iterator[CveRecord | ParseFailure]:
    """The records of one API page or feed file (JSON, gzipped or not)."""
    with open_text(path) as stream:
        for index, item in enumerate(array_items(stream, "vulnerabilities", path.name)):
            location = f"{path.name}:vulnerabilities[{index}]"
            cve = item.get("cve") if isinstance(item, Mapping) else None
            try:
                yield parse_nvd_cve(cve)
            except ValueError as exc:
                raw_id = cve.get("id") if isinstance(cve, Mapping) else None
                yield ParseFailure(raw_id if isinstance(raw_id, str) else None, location, str(exc))


def windows(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """``[since, until]`` cut into consecutive windows no longer than NVD allows."""
    out = []
    start = since
    while start < until:
        end = min(start + MAX_WINDOW, until)
        out.append((start, end))
        start = end
    return out


class NvdApiSource:
    """The NVD CVE API 2.0: everything the first time, then what changed since the watermark."""

    kind = "nvd"

    def __init__(
        self,
        *,
        base_url: str = NVD_API_URL,
        api_key: str | None = None,
        downloader: Downloader | None = None,
        page_size: int = 2000,
        pause: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = utcnow,
        name: str = "nvd",
    ) -> None:
        self._base = base_url
        self._api_key = api_key
        self._downloader = downloader or Downloader()
        self._page_size = page_size
        self._pause = pause if pause is not None else (0.6 if api_key else 6.0)
        self._sleep = sleep
        self._clock = clock
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged:
        now = self._clock()
        watermark = previous.get("watermark") if previous else None
        spans: list[tuple[datetime, datetime] | None] = (
            list(windows(datetime.fromisoformat(watermark), now)) if watermark else [None]
        )
        scratch = Path(tempfile.mkdtemp(prefix="vigil-nvd-"))
        try:
            pages = 0
            records = 0
            for span in spans:
                start = 0
                while True:
                    if pages:
                        self._sleep(self._pause)
                    got, total = self._page(scratch / f"page-{pages:05d}.json", span, start)
                    pages += 1
                    records += got
                    start += got
                    if got == 0 or start >= total:
                        break
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        fingerprint = Fingerprint.of(watermark=timestamp(now))
        if records == 0:
            shutil.rmtree(scratch, ignore_errors=True)
            return Unchanged(fingerprint)
        return FetchResult(scratch, "dir", fingerprint, False, now, scratch, size_hint=records)

    def _page(
        self, target: Path, span: tuple[datetime, datetime] | None, start: int
    ) -> tuple[int, int]:
        params: dict[str, str | int] = {"resultsPerPage": self._page_size, "startIndex": start}
        if span is not None:
            params["lastModStartDate"] = span[0].astimezone(UTC).isoformat(timespec="milliseconds")
            params["lastModEndDate"] = span[1].astimezone(UTC).isoformat(timespec="milliseconds")
        headers = {"apiKey": self._api_key} if self._api_key else None
        self._downloader.download(f"{self._base}?{urlencode(params)}", target, headers=headers)
        try:
            page = json.loads(target.read_bytes())
            total = int(page["totalResults"])
            count = len(page["vulnerabilities"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptArchive(
                f"NVD page at startIndex {start} is not a CVE page: {exc}"
            ) from None
        return count, total

    def parse(self, fetched: FetchResult) -> Iterator[CveRecord | ParseFailure]:
        for page in sorted(fetched.path.glob("page-*.json")):
            yield from read_nvd(page)


class NvdFeedSource:
    """An NVD JSON 2.0 feed file (``nvdcve-2.0-2024.json.gz``…), from a URL or a path."""

    kind = "nvd"

    def __init__(
        self,
        location: str,
        *,
        downloader: Downloader | None = None,
        clock: Clock = utcnow,
        name: str | None = None,
    ) -> None:
        self.location = location
        self._downloader = downloader or Downloader()
        self._clock = clock
        self._name = name or f"nvd-feed:{location.rstrip('/').rpartition('/')[2]}"

    @property
    def name(self) -> str:
        return self._name

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged:
        got = fetch_file(self.location, previous, downloader=self._downloader, clock=self._clock)
        return got if isinstance(got, Unchanged) else dataclasses.replace(got, complete=False)

    def parse(self, fetched: FetchResult) -> Iterator[CveRecord | ParseFailure]:
        return read_nvd(fetched.path)
