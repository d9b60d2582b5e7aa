"""The bounds every opener applies to untrusted targets, in one place."""

from __future__ import annotations

from dataclasses import dataclass, fields

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what reading one target may cost. Callers may lower any of them.

    ``max_total_bytes`` counts uncompressed bytes over all layers or zips (decompression bombs);
    ``max_file_bytes`` is per file (a larger file is indexed but its content is skipped with a
    warning); ``max_entries`` counts archive members or walked directory entries.
    """

    max_total_bytes: int = 10 * GiB
    max_file_bytes: int = 2 * GiB
    max_entries: int = 5_000_000
    max_symlink_hops: int = 40
    max_metadata_bytes: int = 16 * MiB  # manifest.json, index.json, image configs
    memory_file_bytes: int = 1 * MiB  # wanted files up to this size stay in memory...
    memory_budget_bytes: int = 64 * MiB  # ...until they add up to this; then they spill to disk
    max_index_depth: int = 4  # nested OCI image indexes

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"Limits.{f.name} must not be negative")


DEFAULT_LIMITS = Limits()
