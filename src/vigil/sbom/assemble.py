"""Turn the package-like elements read from an SBOM into an Inventory.

Both decoders reduce their format to ``Entry`` values and hand them here, so the rules are the
same for CycloneDX and SPDX: the purl decides ecosystem, name and version; Vigil's own
properties, when present, restore what a purl cannot carry; anything that cannot become a
matchable package becomes a warning on the inventory, never a silent drop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from vigil.domain import Ecosystem, Inventory, Package, ScanWarning, UnknownEcosystem
from vigil.sbom.properties import InventoryHints, PackageHints, read_package
from vigil.sbom.purl_ecosystem import PurlFacts, UnsupportedPurl, facts_from_purl, same_pypi_name

# Past this many per-element warnings, the rest are counted in one closing warning.
MAX_WARNINGS = 1000
# Warnings the document states (a Vigil scan's own) are kept as they are, up to this many.
MAX_STATED_WARNINGS = 50_000
# Rolling distributions have no releases; their bare ecosystem is complete.
_ROLLING = frozenset({"Wolfi", "Chainguard"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One package-like element of an SBOM: where it is, and what it says about itself."""

    where: str
    name: str | None
    version: str | None
    purl: str | None
    properties: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """What a decoder found in one SBOM, before the rules of this module apply."""

    decoder: str
    decoder_version: str
    target: str
    entries: tuple[Entry, ...]
    distro: Ecosystem | None = None
    hints: InventoryHints = field(default_factory=InventoryHints)
    notes: tuple[ScanWarning, ...] = ()


def assemble(document: Document) -> Inventory:
    """The Inventory an SBOM describes, with every element that could not be used as a warning."""
    distro = document.distro or _parse(document.hints.distro)
    packages: list[Package] = []
    problems: list[ScanWarning] = list(document.notes)
    unscoped: Counter[str] = Counter()
    for entry in document.entries:
        package, problem, stated = _package(entry, distro, document.decoder)
        if problem is not None:
            problems.append(ScanWarning(entry.where, problem, document.decoder))
        if package is None:
            continue
        eco = package.ecosystem
        # A bare ecosystem stated by Vigil's own property was already warned about at scan time.
        if eco.is_os and not eco.release and eco.name not in _ROLLING and not stated:
            unscoped[eco.name] += 1
        packages.append(package)
    summary = tuple(
        ScanWarning(
            "",
            f"{count} {name} package(s) name no release (no purl distro qualifier and no "
            f"matching operating system in the document); recorded as bare {name!r}",
            document.decoder,
        )
        for name, count in sorted(unscoped.items())
    )
    if distro is None:
        distro = _most_common_release(packages)
    return Inventory(
        target=document.target,
        packages=tuple(packages),
        distro=distro,
        warnings=(
            _capped(list(document.hints.warnings), document.decoder, MAX_STATED_WARNINGS)
            + _capped(problems, document.decoder, MAX_WARNINGS)
            + summary
        ),
        catalogers=document.hints.catalogers or ((document.decoder, document.decoder_version),),
    )


def _package(
    entry: Entry, distro: Ecosystem | None, decoder: str
) -> tuple[Package | None, str | None, bool]:
    """The package, a problem to report, and whether its ecosystem was stated by a property."""
    label = _label(entry)
    if entry.purl is None:
        return None, f"{label} has no purl; it cannot be matched against advisories", False
    try:
        facts = facts_from_purl(entry.purl, distro=distro)
    except UnsupportedPurl as exc:
        return None, f"{label}: {exc}; not matched", False
    version = facts.version or entry.version
    if not version:
        return None, f"{label} has no version; it cannot be matched against advisories", False
    hints = read_package(entry.properties)
    ecosystem, problem = _ecosystem(facts, hints)
    if hints.written_by_vigil:
        source_name, source_version, arch = hints.source_name, hints.source_version, hints.arch
    else:
        source_name, source_version, arch = facts.source_name, facts.source_version, facts.arch
    package = Package(
        name=_name(entry.name, facts),
        version=version,
        ecosystem=ecosystem,
        purl=entry.purl,
        cataloger=hints.cataloger or decoder,
        locations=hints.locations,
        source_name=source_name,
        source_version=source_version,
        arch=arch,
    )
    stated = hints.ecosystem is not None and problem is None
    return package, problem and f"{label}: {problem}", stated


def _ecosystem(facts: PurlFacts, hints: PackageHints) -> tuple[Ecosystem, str | None]:
    if hints.ecosystem is None:
        return facts.ecosystem, None
    stated = _parse(hints.ecosystem)
    if stated is None or stated.base != facts.ecosystem.base:
        # A property that contradicts the purl is not trusted: the purl is what others read.
        return facts.ecosystem, (
            f"ecosystem property {hints.ecosystem!r} ignored; the purl says {facts.ecosystem}"
        )
    return stated, None


def _name(declared: str | None, facts: PurlFacts) -> str:
    # purls lowercase some names (PyPI, npm, Composer); the declared spelling (PyYAML,
    # JSONStream) is kept when it names the same package, as catalogers record it.
    if declared and declared != facts.name:
        if facts.ecosystem.name == "PyPI":
            same = same_pypi_name(declared, facts.name)
        else:
            same = declared.casefold() == facts.name.casefold()
        if same:
            return declared
    return facts.name


def _label(entry: Entry) -> str:
    name = repr(entry.name) if entry.name else "an unnamed element"
    return f"{name} {entry.version}" if entry.version else name


def _parse(text: str | None) -> Ecosystem | None:
    if not text:
        return None
    try:
        return Ecosystem.parse(text)
    except UnknownEcosystem:
        return None


def _most_common_release(packages: Iterable[Package]) -> Ecosystem | None:
    counts = Counter(p.ecosystem for p in packages if p.ecosystem.is_os and p.ecosystem.release)
    return counts.most_common(1)[0][0] if counts else None


def _capped(problems: list[ScanWarning], decoder: str, limit: int) -> tuple[ScanWarning, ...]:
    if len(problems) <= limit:
        return tuple(problems)
    rest = len(problems) - limit
    closing = ScanWarning("", f"{rest} more warning(s) like the above not listed", decoder)
    return (*problems[:limit], closing)
