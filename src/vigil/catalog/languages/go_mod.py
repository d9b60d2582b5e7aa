"""Go module files (``go.mod``): required modules, with ``replace`` directives applied.

Both the single-line and the block forms of ``require`` and ``replace`` are read; comments
(including ``// indirect``) are ignored. A replacement by another module version is reported
instead of the required one; a replacement by a local directory keeps the requirement, as the
Go binary cataloger does. The main module itself has no version and is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vigil.catalog.languages import _coords
from vigil.catalog.languages._support import Collector, FileCataloger, Malformed, MiB

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\S+')


def _tokens(line: str) -> list[str]:
    line = line.split("//", 1)[0]
    return [t.strip('"`') for t in _TOKEN.findall(line)]


def directives(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """``(line number, verb, arguments)`` for each directive, with blocks expanded."""
    block: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        tokens = _tokens(line)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
            else:
                yield number, block, tokens
        elif len(tokens) == 2 and tokens[1] == "(":
            block = tokens[0]
        else:
            yield number, tokens[0], tokens[1:]
    if block is not None:
        raise Malformed(f"unterminated {block} block")


def _parse(text: str, out: Collector) -> None:
    requires: list[tuple[str, str]] = []
    exact: dict[tuple[str, str], tuple[str, str]] = {}
    any_version: dict[str, tuple[str, str]] = {}
    for number, verb, args in directives(text):
        if verb == "require":
            if len(args) != 2:
                out.warn(f"line {number}: require needs a module path and a version")
                continue
            requires.append((args[0], args[1]))
        elif verb == "replace":
            if "=>" not in args:
                out.warn(f"line {number}: replace without '=>'")
                continue
            arrow = args.index("=>")
            old, new = args[:arrow], args[arrow + 1 :]
            if len(old) not in (1, 2) or len(new) not in (1, 2):
                out.warn(f"line {number}: malformed replace")
                continue
            target = (new[0], new[1] if len(new) == 2 else "")
            if len(old) == 2:
                exact[(old[0], old[1])] = target
            else:
                any_version[old[0]] = target
    for path, version in requires:
        new_path, new_version = exact.get((path, version)) or any_version.get(path, ("", ""))
        if new_version:
            out.add(_coords.golang, new_path, new_version)
        else:
            out.add(_coords.golang, path, version)


CATALOGER = FileCataloger(name="go-mod", globs=("**/go.mod",), parse_content=_parse, limit=4 * MiB)
