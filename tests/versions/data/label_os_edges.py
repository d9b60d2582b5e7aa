"""Regenerate debian_edge.jsonl, debian_invalid.jsonl and rpm_edge.jsonl from the real tools.

Run by hand on a Debian machine with dpkg and python3-rpm:
``python3 label_os_edges.py debian`` and ``/usr/bin/python3 label_os_edges.py rpm``.
The tests only read the files it writes. The inputs are deliberately awkward: tildes, carets,
trailing zeros, separators, epochs in every spelling, letters against digits, bytes above 0x7F.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20260522


def _random(alphabet: str, count: int, rng: random.Random) -> list[str]:
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(count)]


DEBIAN_CURATED = [
    "1.0",
    "1.0.",
    "1.0~",
    "1.0~~",
    "1.0~~a",
    "1.0a",
    "1.0+",
    "1.0-0",
    "1.0-00",
    "1.0-0~",
    "0",
    "00",
    "0:0",
    "0~",
    "~",
    "1:1.0",
    "+1:1.0",
    "-0:1.0",
    "01:1.0",
    "2147483647:1",
    "1.0-1",
    "1.0-1.1",
    "1.0-a",
    "1:2:3",
    "1-2-3",
    "1.0-~",
    "a",
    "a1",
    "1.2.3-1+deb12u1",
    "2.30-1ubuntu0.1",
    "1:9.18.24-1",
    "7.88.1-10+deb12u5",
    "1.0é",
    "1.0\u00ff",
    "1.0\u20ac",
    "1.0/2",
    "1.0|2",
    "1.0\x7f",
    "1.0\x01",
    " 1.0",
    "1.0 ",
    "\t1.0\t",
    "\n1:2",
    "1.0\n",
    "2.0-",
    "1:",
    ":1",
    "a:1",
    "1.0:2",
    "-1",
    "-1:1",
    "2147483648:1",
    "1.0 a",
    "0000000000001:2",
    "1.0-0.0",
]


def _dpkg(a: str, op: str, b: str) -> subprocess.CompletedProcess[str]:
    argv = ["dpkg", "--compare-versions", "--", a, op, b]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def _dpkg_label(a: str, b: str) -> int | str:
    less = _dpkg(a, "lt", b)
    if less.returncode == 2:
        return less.stderr.strip().splitlines()[-1]
    if less.returncode == 0:
        return -1
    return 0 if _dpkg(a, "eq", b).returncode == 0 else 1


def debian() -> None:
    rng = random.Random(SEED)
    strings = DEBIAN_CURATED + _random("0011299~~+-..:aAzZé", 120, rng)
    strings += _random("0123456789.~-+abz", 80, rng)
    pairs = [(rng.choice(strings), rng.choice(strings)) for _ in range(700)]
    pairs += list(itertools.pairwise(DEBIAN_CURATED))
    good, bad = [], []
    for a, b in dict.fromkeys(pairs):
        if not a or not b:
            continue  # dpkg reads an empty argument as "no version" rather than parsing it
        label = _dpkg_label(a, b)
        source = "generated:dpkg --compare-versions 1.21.22"
        if isinstance(label, str):
            bad.append({"a": a, "b": b, "source": source, "error": label})
        else:
            good.append({"a": a, "b": b, "cmp": label, "source": source})
    _write("debian_edge.jsonl", good)
    _write("debian_invalid.jsonl", bad)


RPM_CURATED = [
    "1.0",
    "1.0~rc1",
    "1.0^",
    "1.0^git1",
    "1.0~rc1^git1",
    "1.0.",
    "1..0",
    "1_0",
    "1.0a",
    "1.a",
    "a",
    "A",
    "Z",
    "1.0-1",
    "1.0-",
    "0:1.0-1",
    "00:1.0-1",
    ":1.0",
    "1:1.0",
    "a:1",
    "1.0-1:2",
    "1.0-1-2",
    "1.0^~",
    "1.0~^",
    "1.0é",
    "1.0éa",
    "0.0",
    "000",
    "1.001",
    "1.01",
    "1.1",
    "2.4.21-9.EL",
    "3.10.0-229.1.2.ael7b",
    "1:2.0.0-3.el9_1.1",
    "1.0+git20200101",
    "+",
    "_",
]


def rpm() -> None:
    import rpm as rpmlib  # python3-rpm, the reference; only needed to relabel

    def split(text: str) -> tuple[str | None, str, str | None]:
        epoch, colon, rest = text.partition(":")
        if not colon:
            epoch, rest = None, text  # type: ignore[assignment]
        version, hyphen, release = rest.rpartition("-")
        return (epoch, version, release) if hyphen else (epoch, release, None)

    rng = random.Random(SEED)
    strings = RPM_CURATED + _random("0012399aAzZ.~^-:_+é", 150, rng)
    rows = []
    for a, b in dict.fromkeys((rng.choice(strings), rng.choice(strings)) for _ in range(900)):
        source = f"generated:python3-rpm {rpmlib.__version__}"
        try:
            label = rpmlib.labelCompare(split(a), split(b))
        except ValueError as exc:
            rows.append({"a": a, "b": b, "source": source, "mode": "evr", "error": str(exc)})
        else:
            rows.append({"a": a, "b": b, "cmp": label, "source": source, "mode": "evr"})
        if a and b:
            label = rpmlib.labelCompare((None, a, None), (None, b, None))
            rows.append({"a": a, "b": b, "cmp": label, "source": source, "mode": "vercmp"})
    _write("rpm_edge.jsonl", rows)


def _write(name: str, rows: list[dict[str, object]]) -> None:
    with (HERE / name).open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    sys.stderr.write(f"{name}: {len(rows)} rows\n")


if __name__ == "__main__":
    if "debian" in sys.argv[1:]:
        debian()
    if "rpm" in sys.argv[1:]:
        rpm()
