"""One scan of one target: identify the OS, run every cataloger on its files, de-duplicate.

Paths are listed once; each is dispatched to the catalogers whose globs match it, deciding by
its last segment first (a dictionary lookup, ``str.endswith`` and one combined expression) so
that whole-path expressions run only for candidates. Catalogers that want executables get the
files with an execute bit whose size and first bytes they accept; the head is read once per file
for all of them. A cataloger that raises is reported as a warning naming it and the scan goes
on. Output order is deterministic: paths are visited sorted and packages sorted at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from vigil.catalog.cataloger import Cataloger, Environment, ExecutableFiles, executables_of
from vigil.catalog.fs import FileTooLarge, TargetFS, Wanted, may_execute, read_bounded
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
        return [self.catalogers[i] for i in self.indexes(path)]

    def indexes(self, path: str) -> list[int]:
        """The positions of the catalogers whose globs match ``path``, in order."""
        name = path.rpartition("/")[2]
        rules = list(self.exact.get(name, ()))
        if name.endswith(self.any_suffix):
            rules += [r for s, found in self.suffixes.items() if name.endswith(s) for r in found]
        if self.any_wild.match(name):
            rules += [r for r in self.wild if r.last.match(name)]
        rules += self.always
        return sorted({r.cataloger for r in rules if r.full is None or r.full.match(path)})


class _Executables:
    """Which catalogers want a file as an executable: by mode and size, then by its first bytes,
    read once for every cataloger sharing an ``ExecutableFiles``."""

    def __init__(self, catalogers: Sequence[Cataloger]) -> None:
        groups: dict[ExecutableFiles, list[int]] = {}
        for index, cataloger in enumerate(catalogers):
            declared = executables_of(cataloger)
            if declared is not None:
                groups.setdefault(declared, []).append(index)
        self.groups = tuple(groups.items())
        self.head_size = max((files.head_size for files, _ in self.groups), default=0)

    def admits(self, mode: int, size: int) -> bool:
        return any(files.admits(mode, size) for files, _ in self.groups)

    def indexes(self, fs: TargetFS, path: str, warnings: list[ScanWarning]) -> list[int]:
        try:
            mode = fs.mode(path)
            if not may_execute(mode):  # most files: decided without another lookup
                return []
            size = fs.size(path)
            candidates = [(files, at) for files, at in self.groups if files.admits(mode, size)]
            if not candidates:
                return []
            with fs.open(path) as fh:
                head = fh.read(self.head_size)
        except FileNotFoundError:
            return []  # listed but gone (a live host), or a symlink loop: nothing to read
        except OSError as exc:
            warnings.append(ScanWarning(path, f"cannot read executable: {exc}"))
            return []
        return [i for files, at in candidates if files.magic(head[: files.head_size]) for i in at]


_WILDCARDS = re.compile(r"[*?\[]")


def _union(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str]:
    alternatives = [f"(?:{p.pattern})" for p in patterns]
    return re.compile("|".join(alternatives) if alternatives else r"(?!)")


def wanted_predicate(catalogers: Sequence[Cataloger] = DEFAULT_CATALOGERS) -> Wanted:
    """Whether a file's contents may be needed by ``catalogers`` or by OS identification.

    Executables are judged on mode and size alone: their first bytes are not known yet.
    """
    dispatch = _Dispatch(catalogers)
    executables = _Executables(catalogers)
    identity = frozenset(IDENTITY_FILES)

    def wanted(path: str, mode: int, size: int) -> bool:
        return path in identity or executables.admits(mode, size) or bool(dispatch.indexes(path))

    return wanted


# Called with (paths done, paths in all) as the scan goes, at most every PROGRESS_STEP paths.
Progress = Callable[[int, int], None]
PROGRESS_STEP = 512


def catalog(
    fs: TargetFS,
    catalogers: Sequence[Cataloger] = DEFAULT_CATALOGERS,
    *,
    target: str,
    progress: Progress | None = None,
) -> Inventory:
    """The inventory of ``fs``: its distribution, packages, warnings and the catalogers run."""
    warnings: list[ScanWarning] = []
    env = _identify(fs, warnings)
    dispatch = _Dispatch(catalogers)
    executables = _Executables(catalogers)
    packages: list[Package] = []
    owned: dict[str, str] = {}
    paths = sorted(set(fs.paths()))
    for done, path in enumerate(paths):
        if progress is not None and done % PROGRESS_STEP == 0:
            progress(done, len(paths))
        chosen = dispatch.indexes(path)
        if executables.groups:
            more = executables.indexes(fs, path, warnings)
            chosen = sorted({*chosen, *more}) if more else chosen
        for cataloger in (catalogers[i] for i in chosen):
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
    if progress is not None:
        progress(len(paths), len(paths))
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
