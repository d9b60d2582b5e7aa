"""Debian packages from dpkg's database, and the files each installed package owns.

``var/lib/dpkg/status`` (or one file per package under distroless images'
``var/lib/dpkg/status.d/``) lists packages in deb822 stanzas. Ownership comes from
``var/lib/dpkg/info/<pkg>[:<arch>].list`` and, on distroless images,
``status.d/<pkg>.md5sums``; each such file is parsed on its own, so the runner's single pass
over the target's paths is enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vigil.catalog import purls
from vigil.catalog.cataloger import Environment, ParseResult
from vigil.catalog.fs import FileTooLarge, TargetFS, read_bounded
from vigil.catalog.problems import capped
from vigil.domain import Ecosystem, Location, Package, ScanWarning

STATUS_LIMIT = 50 * 1024 * 1024
FILE_LIST_LIMIT = 16 * 1024 * 1024

# dpkg's package states (the third word of Status) in which the package's files are on disk.
# "config-files" leaves only conffiles and "not-installed" nothing; a half-installed package may
# have some files unpacked, and reporting it errs on the side of a finding.
_PRESENT_STATES = frozenset(
    {"installed", "unpacked", "half-configured", "half-installed", "triggers-awaited",
     "triggers-pending"}
)  # fmt: skip
_WANTS = frozenset({"unknown", "install", "hold", "deinstall", "purge"})
_FIELD = re.compile(r"([!-9;-~][!-9;-~]*):(.*)")
_SOURCE = re.compile(r"([a-z0-9][a-z0-9+.\-]*)(?:\s*\((\S+)\))?$")


@dataclass(frozen=True, slots=True)
class Stanza:
    """One deb822 paragraph: its fields (case-folded names) and the line it starts on."""

    line: int
    fields: dict[str, str]


class DpkgCataloger:
    """Installed Debian and Ubuntu packages, with their source package for advisory matching."""

    name = "dpkg"
    version = "1"
    globs = (
        "var/lib/dpkg/status",
        "var/lib/dpkg/status.d/*",
        "var/lib/dpkg/info/*.list",
    )

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        if path.endswith((".list", ".md5sums")):
            return _file_list(fs, path)
        return _status(fs, path, env)


def parse_stanzas(text: str) -> tuple[list[Stanza], list[str]]:
    """Split deb822 text into stanzas; problems come back as messages naming the line."""
    stanzas: list[Stanza] = []
    problems: list[str] = []
    fields: dict[str, str] = {}
    start = 0
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if fields:
                stanzas.append(Stanza(start, fields))
            fields, last = {}, None
            continue
        if line[0] in " \t":
            if last is None:
                problems.append(f"line {number}: continuation line outside a field")
            else:
                fields[last] += "\n" + line.strip()
            continue
        match = _FIELD.fullmatch(line)
        if match is None:
            problems.append(f"line {number}: not a 'Field: value' line: {line[:60]!r}")
            continue
        if not fields:
            start = number
        last = match.group(1).lower()
        fields[last] = match.group(2).strip()
    if fields:
        stanzas.append(Stanza(start, fields))
    return stanzas, problems


def _status(fs: TargetFS, path: str, env: Environment) -> ParseResult:
    result = ParseResult()
    try:
        data = read_bounded(fs, path, STATUS_LIMIT)
    except FileTooLarge:
        result.warnings.append(_warn(path, f"larger than {STATUS_LIMIT} bytes; not read"))
        return result
    if b"\x00" in data:
        result.warnings.append(_warn(path, "binary content; not a dpkg status file"))
        return result
    stanzas, problems = parse_stanzas(data.decode("utf-8", "replace"))
    ecosystem, distro_problem = _ecosystem(env)
    if distro_problem and stanzas:
        problems.append(distro_problem)
    location = Location(path, fs.layer_digest(path))
    for stanza in stanzas:
        package, problem = _package(stanza, ecosystem, env, location)
        if problem:
            problems.append(problem)
        if package is not None:
            result.packages.append(package)
    result.warnings.extend(capped(path, problems, DpkgCataloger.name))
    return result


def _package(
    stanza: Stanza, ecosystem: Ecosystem, env: Environment, location: Location
) -> tuple[Package | None, str | None]:
    fields = stanza.fields
    name, version = fields.get("package", ""), fields.get("version", "")
    where = f"stanza at line {stanza.line}" + (f" ({name})" if name else "")
    if not name or not version:
        missing = " and ".join(f for f, v in (("Package", name), ("Version", version)) if not v)
        return None, f"{where}: no {missing} field; skipped"
    status = fields.get("status")
    if status is not None:
        words = status.split()
        if len(words) != 3 or words[0] not in _WANTS:
            return None, f"{where}: unreadable Status {status!r}; skipped"
        if words[2] not in _PRESENT_STATES:
            return None, None
    source_name, source_version, upstream = name, version, None
    if "source" in fields:
        match = _SOURCE.match(fields["source"])
        if match is None:
            return None, f"{where}: unreadable Source {fields['source']!r}; skipped"
        # "Source: util-linux (2.38.1-5)" when the source version differs from the binary's.
        source_name, source_version = match.group(1), match.group(2) or version
        upstream = f"{source_name}@{match.group(2)}" if match.group(2) else source_name
    arch = fields.get("architecture") or None
    purl = purls.build(
        "deb",
        ecosystem.name.lower(),
        name,
        version,
        {"arch": arch, "distro": purls.distro_qualifier(env), "upstream": upstream},
    )
    package = Package(
        name=name,
        version=version,
        ecosystem=ecosystem,
        purl=purl,
        cataloger=DpkgCataloger.name,
        locations=(location,),
        source_name=source_name,
        source_version=source_version,
        arch=arch,
    )
    return package, None


def _ecosystem(env: Environment) -> tuple[Ecosystem, str | None]:
    if env.distro is not None and env.distro.name in ("Debian", "Ubuntu"):
        return env.distro, None
    seen = f"identified as {env.distro}" if env.distro else "not identified"
    return Ecosystem("Debian"), (
        f"distribution {seen}; dpkg packages recorded as bare 'Debian' without a release"
    )


def _file_list(fs: TargetFS, path: str) -> ParseResult:
    """Paths owned by one package: ``info/<pkg>.list`` or distroless ``<pkg>.md5sums``."""
    result = ParseResult()
    if path.startswith("var/lib/dpkg/info/") and not path.endswith(".list"):
        return result
    try:
        data = read_bounded(fs, path, FILE_LIST_LIMIT)
    except FileTooLarge:
        result.warnings.append(_warn(path, f"larger than {FILE_LIST_LIMIT} bytes; not read"))
        return result
    base = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    owner = base.split(":", 1)[0]
    lines = data.decode("utf-8", "replace").splitlines()
    if path.endswith(".md5sums"):
        # "<md5>  <path relative to the root>"
        entries = [ln.split(None, 1)[1] for ln in lines if len(ln.split(None, 1)) == 2]
    else:
        entries = lines
    cleaned = [e.strip().lstrip("/") for e in entries]
    for index, entry in enumerate(cleaned):
        if not entry or entry == ".":
            continue
        following = cleaned[index + 1] if index + 1 < len(cleaned) else ""
        # .list files name each directory just before its contents; directories are shared by
        # many packages and own nothing worth attributing.
        if following.startswith(entry + "/"):
            continue
        result.owned_paths.setdefault(entry, owner)
    return result


def _warn(path: str, reason: str) -> ScanWarning:
    return ScanWarning(path, reason, DpkgCataloger.name)
