"""Installed RPM packages, read from the rpm database without an rpm binary.

The three backends rpm has used are recognised by their content, whatever the file is called:
sqlite (``rpmdb.sqlite``), the BerkeleyDB hash ``Packages`` and SUSE's ndb ``Packages.db``.
Each stores one header blob per package; the header gives name, epoch, version, release, arch,
the source RPM (for advisories keyed by source) and the file list (for ownership).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

from vigil.catalog import purls
from vigil.catalog.cataloger import Environment, ParseResult
from vigil.catalog.fs import FileTooLarge, TargetFS, read_bounded
from vigil.catalog.problems import capped
from vigil.catalog.rpm.bdb import BTREE_MAGIC, HASH_MAGIC, BdbError, bdb_values
from vigil.catalog.rpm.header import HeaderError, RpmHeader, parse_header
from vigil.catalog.rpm.ndb import NdbError, ndb_blobs
from vigil.catalog.rpm.sqlite import SqliteError, sqlite_blobs
from vigil.domain import Ecosystem, Location, Package, ScanWarning

RPMDB_LIMIT = 256 * 1024 * 1024
_RPM_DISTROS = frozenset(
    {"Red Hat", "Rocky Linux", "AlmaLinux", "openSUSE", "SUSE", "Photon OS", "Mageia", "openEuler"}
)
# syft's purl namespaces for RPM distributions whose os-release ID is not the vendor.
_NAMESPACES = {"rhel": "redhat", "sles": "suse", "sles_sap": "suse", "sled": "suse"}
_SOURCE_RPM = re.compile(r"(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$")


class RpmCataloger:
    """Installed RPMs with their source RPM and the files they own."""

    name = "rpm"
    version = "1"
    globs = (
        "var/lib/rpm/rpmdb.sqlite",
        "var/lib/rpm/Packages",
        "var/lib/rpm/Packages.db",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages",
        "usr/lib/sysimage/rpm/Packages.db",
    )

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        result = ParseResult()
        try:
            data = read_bounded(fs, path, RPMDB_LIMIT)
        except FileTooLarge:
            result.warnings.append(_warn(path, f"larger than {RPMDB_LIMIT} bytes; not read"))
            return result
        problems: list[str] = []
        headers = list(_headers(data, problems))
        if headers:
            ecosystem = _ecosystem(env, problems)
            location = Location(path, fs.layer_digest(path))
            for header in headers:
                result.packages.append(_package(header, ecosystem, env, location))
                for owned in header.files:
                    result.owned_paths.setdefault(owned, header.name)
        if data.startswith(b"SQLite") and _has_wal(fs, path):
            problems.append("a non-empty -wal file sits beside it; its changes are not read")
        result.warnings.extend(capped(path, problems, RpmCataloger.name))
        return result


def _headers(data: bytes, problems: list[str]) -> Iterator[RpmHeader]:
    for label, blob in _blobs(data, problems):
        try:
            header = parse_header(blob)
        except HeaderError as exc:
            problems.append(f"{label}: {exc}; skipped")
            continue
        # Imported signing keys appear as pseudo-packages named gpg-pubkey; they are not software.
        if header.name != "gpg-pubkey":
            yield header


def _blobs(data: bytes, problems: list[str]) -> Iterator[tuple[str, bytes]]:
    """Header blobs labelled for messages; format problems go to ``problems``."""
    try:
        if data.startswith(b"SQLite format 3\x00"):
            for hnum, blob in sqlite_blobs(data):
                yield f"package {hnum}", blob
        elif data[:4] == b"RpmP":
            for pkgidx, found in ndb_blobs(data):
                if isinstance(found, NdbError):
                    problems.append(f"{found}; skipped")
                else:
                    yield f"package {pkgidx}", found
        elif len(data) >= 16 and _bdb_magic(data):
            for number, value in enumerate(bdb_values(data), start=1):
                if isinstance(value, BdbError):
                    problems.append(f"{value}; skipped")
                else:
                    yield f"record {number}", value
        else:
            problems.append("not an rpm database: neither sqlite, BerkeleyDB hash nor ndb")
    except (SqliteError, BdbError, NdbError) as exc:
        problems.append(str(exc))


def _bdb_magic(data: bytes) -> bool:
    return any(
        struct.unpack_from(order + "I", data, 12)[0] in (HASH_MAGIC, BTREE_MAGIC) for order in "<>"
    )


def _package(
    header: RpmHeader, ecosystem: Ecosystem, env: Environment, location: Location
) -> Package:
    epoch = f"{header.epoch}:" if header.epoch is not None else ""
    source_name, source_version = header.name, None
    if header.source_rpm:
        match = _SOURCE_RPM.match(header.source_rpm)
        if match:
            source_name = match.group(1)
            source_version = f"{epoch}{match.group(2)}-{match.group(3)}"
    version = f"{epoch}{header.version}-{header.release}"
    namespace = purls.os_release_field(env, "ID").lower()
    namespace = _NAMESPACES.get(namespace, namespace)
    if namespace.startswith("opensuse"):
        namespace = "opensuse"
    purl = purls.build(
        "rpm",
        namespace or ecosystem.name.lower().replace(" ", ""),
        header.name,
        f"{header.version}-{header.release}",
        {
            "arch": header.arch,
            "epoch": str(header.epoch) if header.epoch is not None else None,
            "upstream": header.source_rpm,
            "distro": purls.distro_qualifier(env),
        },
    )
    return Package(
        name=header.name,
        version=version,
        ecosystem=ecosystem,
        purl=purl,
        cataloger=RpmCataloger.name,
        locations=(location,),
        source_name=source_name,
        source_version=source_version or version,
        arch=header.arch,
    )


def _ecosystem(env: Environment, problems: list[str]) -> Ecosystem:
    if env.distro is not None and env.distro.name in _RPM_DISTROS:
        return env.distro
    seen = f"identified as {env.distro}" if env.distro else "not identified"
    problems.append(f"distribution {seen}; rpm packages recorded as bare 'Red Hat'")
    return Ecosystem("Red Hat")


def _has_wal(fs: TargetFS, path: str) -> bool:
    try:
        return fs.size(path + "-wal") > 0
    except OSError:
        return False


def _warn(path: str, reason: str) -> ScanWarning:
    return ScanWarning(path, reason, RpmCataloger.name)
