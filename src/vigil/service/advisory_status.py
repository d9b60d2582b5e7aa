"""``vigil db status``: what the advisory store holds and whether it is fresh enough to trust.

A source is stale when its last check (a sync, or a fetch that found nothing new) is older than
the allowed age; the store is stale when any source is, or when it has none at all. Staleness is
reported, never repaired here: ``vigil db sync`` (or an import of a newer bundle) fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from vigil.advisories.bundle_manifest import summarize
from vigil.advisories.codec import parse_timestamp


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    records: int
    watermark: str | None
    synced_at: datetime | None
    checked_at: datetime | None
    age: timedelta | None  # since the last check
    stale: bool


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    path: Path
    size: int
    schema_version: int
    created_at: datetime | None
    built_at: datetime | None
    records: int
    withdrawn: int
    sources: tuple[SourceStatus, ...]
    ecosystems: tuple[tuple[str, int], ...]
    max_age: timedelta

    @property
    def stale_sources(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sources if s.stale)

    @property
    def stale(self) -> bool:
        return not self.sources or bool(self.stale_sources)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "size_bytes": self.size,
            "schema_version": self.schema_version,
            "created_at": _iso(self.created_at),
            "built_at": _iso(self.built_at),
            "records": self.records,
            "withdrawn": self.withdrawn,
            "max_age_seconds": int(self.max_age.total_seconds()),
            "stale": self.stale,
            "stale_sources": list(self.stale_sources),
            "sources": [
                {
                    "name": s.name,
                    "records": s.records,
                    "watermark": s.watermark,
                    "synced_at": _iso(s.synced_at),
                    "checked_at": _iso(s.checked_at),
                    "age_seconds": int(s.age.total_seconds()) if s.age is not None else None,
                    "stale": s.stale,
                }
                for s in self.sources
            ],
            "ecosystems": dict(self.ecosystems),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _time(text: str | None) -> datetime | None:
    return parse_timestamp(text) if text else None


def database_status(path: Path, *, now: datetime, max_age: timedelta) -> DatabaseStatus:
    """The store's status; ``StoreError`` when there is no store at ``path``."""
    summary = summarize(path)
    sources = []
    for source in summary.sources:
        checked = _time(source.checked_at) or _time(source.synced_at)
        age = now - checked if checked is not None else None
        sources.append(
            SourceStatus(
                name=source.name,
                records=source.records,
                watermark=source.watermark,
                synced_at=_time(source.synced_at),
                checked_at=checked,
                age=age,
                stale=age is None or age > max_age,
            )
        )
    return DatabaseStatus(
        path=path,
        size=path.stat().st_size,
        schema_version=summary.schema_version,
        created_at=_time(summary.created_at),
        built_at=_time(summary.built_at),
        records=summary.records,
        withdrawn=summary.withdrawn,
        sources=tuple(sources),
        ecosystems=summary.ecosystems,
        max_age=max_age,
    )


def parse_age(text: str) -> timedelta:
    """``90s``, ``30m``, ``24h``, ``7d`` (a bare number is hours); ``ValueError`` otherwise."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    cleaned = text.strip().lower()
    unit = cleaned[-1:] if cleaned[-1:] in units else "h"
    number = cleaned[:-1] if cleaned[-1:] in units else cleaned
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{text!r} is not an age such as 90m, 24h or 7d") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{text!r} is not an age such as 90m, 24h or 7d")
    return timedelta(seconds=value * units[unit])
