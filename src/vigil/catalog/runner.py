"""One scan of one target: identify the OS, run every cataloger on its files, de-duplicate.

Paths are listed once; each is dispatched to the catalogers whose globs match it, deciding by
its last segment first (a dictionary lookup, ``str.endswith`` and one combined expression) so
that whole-path expressions run only for candidates. A cataloger that raises is reported as a
warning naming it and the scan goes on. Output order is deterministic: paths are visited
sorted and packages sorted at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from vigil.catalog.cataloger import Cataloger, Environment
from vigil.catalog.fs import FileTooLarge, TargetFS, read_bounded
from vigil.catalog.globbing import compile_glob
from vigil.catalog.os_release import IDENTITY_FILE_LIMIT, IDENTITY_FILES, identify
from vigil.catalog.ownership import apply_ownership
from vigil.catalog.registry import DEFAULT_CATALOGERS
from vigil.domain import Inventory, Package, ScanWarning


@dataclass(frozen=True, slots=True)
class _Rule:
    """One glob of one cataloger, tested on the path's last segment before the whole path."""

    cataloger: int  # index into the cataloger sequence, which fixes the dispatch order
    last: re.Pattern[str]
    full: re.Pattern[str] | None  # None when the last segment decides alone ("**/NAME")


class _Dispatch:
    """Which catalogers want a path. Most paths are turned away by one dictionary lookup and
    one match on their last segment; whole-path expressions run only for candidates.
    """

    def __init__(self, catalogers: Sequence[Cataloger]) -> None:
        self.catalogers = tuple(catalogers)
        self.exact: dict[str, list[_Rule]] = {}
        self.always: list[_Rule] = []
        self.suffixes: dict[str, list[_Rule]] = {}  # "*.jar" and the like: str.endswith
        wild: list[_Rule] = []
        for index, cataloger in enumerate(self.catalogers):
            for glob in cataloger.globs:
                head, _, last = glob.rpartition("/")
                # "**/" spans any depth, so "**/NAME" is decided by the last segment alone.
                full = None if head == "**" and "**" not in last else compile_glob(glob)
                rule = _Rule(index, compile_glob(last), full)
                if last == "*":
                    self.always.append(rule)
                elif not _WILDCARDS.search(last):
                    self.exact.setdefault(last, []).append(rule)
                elif last.startswith("*") and not _WILDCARDS.search(last[1:]):
                    self.suffixes.setdefault(last[1:], []).append(rule)
                else:
                    wild.append(rule)
        self.wild = tuple(wild)
        self.any_wild = _union(r.last for r in wild)
        self.any_suffix = tuple(self.suffixes)

    def catalogers_for(self, path: str) -> list[Cataloger]:
        name = path.rpartition("/")[2]
        rules = list(self.exact.get(name, ()))
        if name.endswith(self.any_suffix):
            rules += [r for s, found in self.suffixes.items() if name.endswith(s) for r in found]
        if self.any_wild.match(name):
            rules += [r for r in self.wild if r.last.match(name)]
        rules += self.always
        chosen = sorted({r.cataloger for r in rules if r.full is None or r.full.match(path)})
        return [self.catalogers[i] for i in chosen]


_WILDCARDS = re.compile(r"[*?\[]")


def _union(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str]:
    alternatives = [f"(?:{p.pattern})" for p in patterns]
    return re.compile("|".join(alternatives) if alternatives else r"(?!)")


def wanted_predicate(catalogers: Sequence[Cataloger] = DEFAULT_CATALOGERS) -> Callable[[str], bool]:
    """Whether a path's contents are needed by ``catalogers`` or by OS identification."""
    dispatch = _Dispatch(catalogers)
    identity = frozenset(IDENTITY_FILES)
    return lambda path: path in identity or bool(dispatch.catalogers_for(path))


def catalog(
    fs: TargetFS, catalogers: Sequence[Cataloger] = DEFAULT_CATALOGERS, *, target: str
) -> Inventory:
    """The inventory of ``fs``: its distribution, packages, warnings and the catalogers run."""
    warnings: list[ScanWarning] = []
    env = _identify(fs, warnings)
    dispatch = _Dispatch(catalogers)
    packages: list[Package] = []
    owned: dict[str, str] = {}
    for path in sorted(set(fs.paths())):
        for cataloger in dispatch.catalogers_for(path):
            try:
                result = cataloger.parse(fs, path, env)
            except Exception as exc:  # a cataloger bug must not end the scan
                reason = f"cataloger {cataloger.name} failed: {type(exc).__name__}: {exc}"
                warnings.append(ScanWarning(path, reason, cataloger.name))
                continue
            packages.extend(result.packages)
            warnings.extend(result.warnings)
            for owned_path, owner in result.owned_paths.items():
                owned.setdefault(owned_path, owner)
    kept, _attributed = apply_ownership(_merge_duplicates(packages), owned)
    return Inventory(
        target=target,
        packages=tuple(sorted(kept, key=_order)),
        distro=env.distro,
        warnings=tuple(sorted(warnings, key=lambda w: w.path)),
        catalogers=tuple((c.name, c.version) for c in catalogers),
    )


def _identify(fs: TargetFS, warnings: list[ScanWarning]) -> Environment:
    contents: dict[str, bytes] = {}
    for path in IDENTITY_FILES:
        try:
            contents[path] = read_bounded(fs, path, IDENTITY_FILE_LIMIT)
        except FileNotFoundError:
            continue
        except FileTooLarge:
            warnings.append(ScanWarning(path, f"larger than {IDENTITY_FILE_LIMIT} bytes; ignored"))
        except OSError as exc:
            warnings.append(ScanWarning(path, f"unreadable: {exc}"))
    found = identify(contents)
    warnings.extend(found.warnings)
    return found.environment


def _merge_duplicates(packages: list[Package]) -> list[Package]:
    """One package per identity, with the evidence of every copy (e.g. two rpm databases)."""
    merged: dict[tuple[str, ...], Package] = {}
    for package in packages:
        key = (str(package.ecosystem), package.name, package.version, package.purl,
               package.cataloger, package.arch or "")  # fmt: skip
        first = merged.get(key)
        if first is None:
            merged[key] = package
        else:
            locations = tuple(dict.fromkeys(first.locations + package.locations))
            merged[key] = replace(first, locations=locations)
    return list(merged.values())


def _order(package: Package) -> tuple[str, str, str, str, str]:
    first = package.locations[0].path if package.locations else ""
    return (str(package.ecosystem), package.name, package.version, package.purl, first)
