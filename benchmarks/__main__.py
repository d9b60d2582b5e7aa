"""Run every benchmark: ``python -m benchmarks`` (or ``make bench``)."""

from __future__ import annotations

from benchmarks import versions


def main() -> None:
    versions.main()


if __name__ == "__main__":
    main()
