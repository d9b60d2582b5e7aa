"""Version schemes, one module per ecosystem family, and OSV range evaluation.

``compare`` and ``is_affected`` are the public API other rooms and outside checks rely on.
"""

from vigil.versions.osv_range import CompiledAffected, compile_affected, is_affected
from vigil.versions.registry import (
    UnsupportedEcosystem,
    scheme_for,
    semver_scheme_for,
    supported_ecosystems,
)
from vigil.versions.scheme import InvalidVersion, SortKey, VersionScheme, compare_keys


def compare(ecosystem: str, a: str, b: str) -> int:
    """Compare two versions with the ecosystem's own rules: -1, 0 or 1.

    ``ecosystem`` is an OSV ecosystem name with or without release suffix. Raises
    ``InvalidVersion`` when either version does not parse, ``UnsupportedEcosystem`` when no
    scheme is known.
    """
    return scheme_for(ecosystem).compare(a, b)


__all__ = [
    "CompiledAffected",
    "InvalidVersion",
    "SortKey",
    "UnsupportedEcosystem",
    "VersionScheme",
    "compare",
    "compare_keys",
    "compile_affected",
    "is_affected",
    "scheme_for",
    "semver_scheme_for",
    "supported_ecosystems",
]
