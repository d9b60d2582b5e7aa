"""Turning a file's parse problems into warnings, without flooding an inventory."""

from __future__ import annotations

from vigil.domain import ScanWarning

MAX_WARNINGS_PER_FILE = 20


def capped(path: str, problems: list[str], cataloger: str) -> list[ScanWarning]:
    """One warning per problem up to a cap, then one that counts the rest."""
    warnings = [ScanWarning(path, p, cataloger) for p in problems[:MAX_WARNINGS_PER_FILE]]
    if len(problems) > MAX_WARNINGS_PER_FILE:
        extra = len(problems) - MAX_WARNINGS_PER_FILE
        warnings.append(ScanWarning(path, f"{extra} more problems not shown", cataloger))
    return warnings
