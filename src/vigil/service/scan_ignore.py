"""Ignore files for ``vigil scan``: read from disk with a bound, parsed and applied by
``vigil.findings.ignore``. Named here so that the CLI reaches them through the service."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from vigil.findings.ignore import (
    IgnoredFinding,
    IgnoreFileError,
    IgnoreOutcome,
    IgnoreRule,
    IgnoreRules,
    apply_ignore_rules,
    parse_ignore_file,
)

__all__ = [
    "MAX_IGNORE_FILE_BYTES",
    "IgnoreFileError",
    "IgnoreOutcome",
    "IgnoreRule",
    "IgnoreRules",
    "IgnoredFinding",
    "apply_ignore_rules",
    "load_ignore_file",
]

MAX_IGNORE_FILE_BYTES = 1 << 20  # a list of accepted risks, not a data set


def load_ignore_file(path: Path, *, today: date) -> IgnoreRules:
    """The rules in ``path``; any reason it cannot be used is an ``IgnoreFileError``."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_IGNORE_FILE_BYTES + 1)
    except OSError as exc:
        raise IgnoreFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_IGNORE_FILE_BYTES:
        raise IgnoreFileError(f"{path}: larger than {MAX_IGNORE_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise IgnoreFileError(f"{path}: not UTF-8 text") from None
    try:
        return parse_ignore_file(text, today=today)
    except IgnoreFileError as exc:
        raise IgnoreFileError(f"{path}: {exc}") from None
