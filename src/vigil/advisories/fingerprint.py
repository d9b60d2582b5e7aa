"""What a source saw on its last fetch, so that the next fetch can answer "unchanged"."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Named strings (ETag, Last-Modified, a digest, a watermark…); only the source reads them.

    The store keeps the fingerprint of the last successful sync per source and hands it back.
    """

    items: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, **values: str | None) -> Fingerprint:
        return cls(tuple(sorted((k, v) for k, v in values.items() if v is not None)))

    def get(self, key: str) -> str | None:
        return dict(self.items).get(key)

    def replace(self, **values: str | None) -> Fingerprint:
        merged: dict[str, str | None] = {**dict(self.items), **values}
        return Fingerprint.of(**merged)

    def to_json(self) -> str:
        return json.dumps(dict(self.items), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Fingerprint:
        data = json.loads(text)
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ValueError("a fingerprint is a JSON object of strings")
        return cls.of(**data)
