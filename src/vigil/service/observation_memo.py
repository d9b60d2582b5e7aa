"""Finding documents built once per (vulnerability, matches), then stamped per resource.

Across a fleet the same vulnerable package gives the same finding on every resource except for
the ``resources`` member. The memo keeps, per (vulnerability id, matches), the document without
it and a SHA-256 state over its canonical JSON up to where ``resources`` goes (keys are sorted),
so each resource costs a shallow copy and hashing its own few hundred bytes. The hash is exactly
``document_hash`` of the whole document (tests compare the two), so a finding observed through
the memo and one observed through ``Observation.of`` never differ.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from vigil.domain import Observation
from vigil.domain.finding_state import STATE_KEYS, EncodedDocument
from vigil.findings import ResourceRef, build_package_finding, epoch_time, finding_document
from vigil.matching import Match
from vigil.service.vulnerability_facts import FactsCollector

_RESOURCES = "resources"
_MEMO = 100_000  # remembered findings; cleared when full (a fleet's set refills it fast)


def canonical(value: Any) -> str:
    """The canonical JSON ``document_hash`` hashes (sorted keys, no spaces, UTF-8)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def resource_document(ref: ResourceRef) -> list[dict[str, Any]]:
    """The ``resources`` member of a finding about ``ref`` (as ``finding_document`` writes it)."""
    doc: dict[str, Any] = {
        "type": ref.resource_type,
        "id": ref.resource_id,
        "partition": ref.partition,
        "region": ref.region,
    }
    if ref.tags:
        doc["tags"] = dict(ref.tags)
    if ref.details:
        doc["details"] = _plain(ref.details)
    return [doc]


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return epoch_time(value)
    return value


class _Template:
    __slots__ = ("document", "head", "head_text", "tail", "tail_text")

    def __init__(self, document: Mapping[str, Any]) -> None:
        stateless = {k: v for k, v in document.items() if k not in STATE_KEYS}
        stateless.pop(_RESOURCES, None)
        self.document = stateless
        before = canonical({k: v for k, v in stateless.items() if k < _RESOURCES})[1:-1]
        after = canonical({k: v for k, v in stateless.items() if k > _RESOURCES})[1:-1]
        self.head_text = "{" + before + ("," if before else "") + f'"{_RESOURCES}":'
        self.head = hashlib.sha256(self.head_text.encode("utf-8"))
        self.tail_text = (("," + after) if after else "") + "}"
        self.tail = self.tail_text.encode("utf-8")

    def observe(
        self, vulnerability_id: str, resources: list[dict[str, Any]], text: str, encoded: bytes
    ) -> Observation:
        digest = self.head.copy()
        digest.update(encoded)
        digest.update(self.tail)
        document = dict(self.document)
        document[_RESOURCES] = resources
        # The text hashed is the whole document's canonical JSON: the store writes it as is.
        whole = EncodedDocument(document, self.head_text + text + self.tail_text)
        return Observation(vulnerability_id, whole, digest.hexdigest())


class ObservationMemo:
    """Observations of matches, for one advisory snapshot (its facts are in the documents)."""

    def __init__(self, collector: FactsCollector) -> None:
        self._collector = collector
        self._templates: dict[tuple[str, tuple[Match, ...]], _Template] = {}

    def observations(
        self,
        ref: ResourceRef,
        matches: Iterable[Match],
        now: datetime,
        only: Collection[str] | None = None,
    ) -> list[Observation]:
        """One observation per vulnerability matched (of those in ``only``, when given)."""
        grouped: dict[str, list[Match]] = {}
        for match in matches:
            if only is None or match.vulnerability_id in only:
                grouped.setdefault(match.vulnerability_id, []).append(match)
        if not grouped:
            return []
        resources = resource_document(ref)
        text = canonical(resources)
        encoded = text.encode("utf-8")
        found = []
        for vid, group in grouped.items():
            key = (vid, tuple(group))
            template = self._templates.get(key)
            if template is None:
                template = self._template(ref, vid, group, now)
                if len(self._templates) >= _MEMO:
                    self._templates.clear()
                self._templates[key] = template
            found.append(template.observe(vid, resources, text, encoded))
        return found

    def _template(
        self, ref: ResourceRef, vid: str, group: Sequence[Match], now: datetime
    ) -> _Template:
        records = dict.fromkeys(r.record_id for m in group for r in m.reasons)
        facts = self._collector.facts(vid, records)
        finding = build_package_finding(ref, group, facts, observed_at=now)
        return _Template(finding_document(finding, epoch_time))
