"""Alpine, Wolfi and Chainguard packages from apk's installed database.

``lib/apk/db/installed`` holds one paragraph per package of ``X:value`` lines, the letters of
apk-tools' v2 index format (apk-package(5)): ``P`` name, ``V`` version, ``A`` arch, ``o`` origin
(the source package, which Alpine's advisories are keyed by), ``F`` a directory and ``R`` a file
in the last ``F``; the ``F``/``R`` pairs are the paths the package owns.
"""

from __future__ import annotations

from vigil.catalog import purls
from vigil.catalog.cataloger import Environment, ParseResult
from vigil.catalog.fs import FileTooLarge, TargetFS, read_bounded
from vigil.catalog.problems import capped
from vigil.domain import Ecosystem, Location, Package, ScanWarning

INSTALLED_LIMIT = 64 * 1024 * 1024
_APK_DISTROS = ("Alpine", "Wolfi", "Chainguard")


class ApkCataloger:
    """Installed apk packages with their origin (source) package and owned files."""

    name = "apk"
    version = "1"
    globs = ("lib/apk/db/installed",)

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        result = ParseResult()
        try:
            data = read_bounded(fs, path, INSTALLED_LIMIT)
        except FileTooLarge:
            result.warnings.append(_warn(path, f"larger than {INSTALLED_LIMIT} bytes; not read"))
            return result
        if b"\x00" in data:
            result.warnings.append(_warn(path, "binary content; not an apk installed database"))
            return result
        problems: list[str] = []
        ecosystem = _ecosystem(env, problems)
        location = Location(path, fs.layer_digest(path))
        for start, fields, files in _paragraphs(data.decode("utf-8", "replace"), problems):
            package = _package(start, fields, ecosystem, env, location, problems)
            if package is None:
                continue
            result.packages.append(package)
            for owned in files:
                result.owned_paths.setdefault(owned, package.name)
        result.warnings.extend(capped(path, problems, ApkCataloger.name))
        return result


_Paragraph = tuple[int, dict[str, str], list[str]]


def _paragraphs(text: str, problems: list[str]) -> list[_Paragraph]:
    """Paragraphs as (first line, single-valued fields, owned file paths)."""
    found: list[_Paragraph] = []
    fields: dict[str, str] = {}
    files: list[str] = []
    directory: str | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if fields or files:
                found.append((start, fields, files))
            fields, files, directory, start = {}, [], None, 0
            continue
        if len(line) < 2 or line[1] != ":":
            problems.append(f"line {number}: not an 'X:value' line: {line[:60]!r}")
            continue
        start = start or number
        key, value = line[0], line[2:]
        if key == "F":
            directory = value.strip("/")
        elif key == "R":
            if directory is None:
                problems.append(f"line {number}: file {value!r} before any F: directory")
            else:
                files.append(f"{directory}/{value}" if directory else value)
        elif key in "PVAo":
            fields.setdefault(key, value)
    if fields or files:
        found.append((start, fields, files))
    return found


def _package(
    start: int,
    fields: dict[str, str],
    ecosystem: Ecosystem,
    env: Environment,
    location: Location,
    problems: list[str],
) -> Package | None:
    name, version = fields.get("P", ""), fields.get("V", "")
    if not name or not version:
        missing = " and ".join(k for k, v in (("P:", name), ("V:", version)) if not v)
        label = f" ({name})" if name else ""
        problems.append(f"package at line {start}{label}: no {missing} field; skipped")
        return None
    arch = fields.get("A") or None
    origin = fields.get("o") or name
    purl = purls.build(
        "apk",
        purls.vendor(env, ecosystem.name.lower()),
        name,
        version,
        {
            "arch": arch,
            "distro": purls.distro_qualifier(env),
            "upstream": origin if origin != name else None,
        },
    )
    return Package(
        name=name,
        version=version,
        ecosystem=ecosystem,
        purl=purl,
        cataloger=ApkCataloger.name,
        locations=(location,),
        source_name=origin,
        source_version=version,
        arch=arch,
    )


def _ecosystem(env: Environment, problems: list[str]) -> Ecosystem:
    if env.distro is not None and env.distro.name in _APK_DISTROS:
        return env.distro
    seen = f"identified as {env.distro}" if env.distro else "not identified"
    problems.append(f"distribution {seen}; apk packages recorded as bare 'Alpine'")
    return Ecosystem("Alpine")


def _warn(path: str, reason: str) -> ScanWarning:
    return ScanWarning(path, reason, ApkCataloger.name)
