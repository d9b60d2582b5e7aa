"""Parsing ``vigil scan``'s own option values: durations and severity thresholds."""

from __future__ import annotations

import re
from datetime import timedelta

import click

from vigil.domain import Severity

FAIL_ON = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
_DURATION = re.compile(r"(\d{1,9}(?:\.\d{1,6})?)\s*([mhdw]?)")
_UNIT = {"m": "minutes", "h": "hours", "": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``90m``, ``24h``, ``7d``, ``2w``, or a bare number of hours (``36``, ``1.5``)."""
    found = _DURATION.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError(
            f"{text!r} is not a duration: use a number of hours or a number with m, h, d or w "
            "(24h, 7d)"
        )
    number, unit = found.groups()
    try:
        return timedelta(**{_UNIT[unit]: float(number)})
    except OverflowError:
        raise ValueError(f"{text!r} is too long a duration") from None


def duration_option(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def at_or_above(severity: Severity, threshold: Severity) -> bool:
    """Whether a finding of ``severity`` trips ``--fail-on threshold``. UNTRIAGED (no score)
    and INFORMATIONAL rank below LOW, as in Inspector's ordering, so they never trip it."""
    return severity.rank >= threshold.rank
