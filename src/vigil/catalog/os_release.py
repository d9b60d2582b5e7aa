"""Identify a target's distribution and name it as an OSV ecosystem (``Debian:12``).

A pure function of file contents: the runner reads the candidate files (``IDENTITY_FILES``) and
passes their bytes to ``identify``. ``os-release`` wins; the older distro files are fallbacks for
roots that lack it (a bare ``etc/debian_version``, CentOS 6's ``etc/redhat-release``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from vigil.catalog.cataloger import Environment
from vigil.domain import Ecosystem, ScanWarning

OS_RELEASE_FILES = ("etc/os-release", "usr/lib/os-release")
IDENTITY_FILES = (
    *OS_RELEASE_FILES,
    "etc/debian_version",
    "etc/alpine-release",
    "etc/redhat-release",
    "etc/lsb-release",
)
IDENTITY_FILE_LIMIT = 64 * 1024

_Handler = Callable[[dict[str, str], Mapping[str, bytes]], Ecosystem | None]

# Codenames for releases whose os-release may lack VERSION_ID (testing, sid, derivatives).
_DEBIAN_CODENAMES = {
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
}
_UBUNTU_CODENAMES = {
    "xenial": "16.04",
    "bionic": "18.04",
    "focal": "20.04",
    "jammy": "22.04",
    "noble": "24.04",
}


@dataclass(frozen=True, slots=True)
class Identification:
    """The environment to parse packages in, and anything that could not be understood."""

    environment: Environment
    warnings: tuple[ScanWarning, ...] = ()


def parse_os_release(text: str) -> dict[str, str]:
    """Parse os-release(5): ``KEY=value`` lines, shell-style quoting, comments ignored."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if not re.fullmatch(r"[A-Z0-9_]+", key):
            continue
        values[key] = _unquote(value.strip())
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        if value[0] == "'":
            return inner
        if inner.endswith('"') and not inner.endswith('\\"'):
            inner = inner[:-1]  # a doubled closing quote, seen in real files
        # Inside double quotes os-release allows backslash escapes of $ " \ and `.
        return re.sub(r"\\([$\"\\`])", r"\1", inner)
    # Unquoted values may carry a trailing comment or stray quote (seen in the wild).
    return value.split(" #", 1)[0].strip().strip("\"'")


def identify(contents: Mapping[str, bytes]) -> Identification:
    """Identify the distribution from the bytes of whichever ``IDENTITY_FILES`` exist."""
    for path in OS_RELEASE_FILES:
        if path in contents:
            fields = parse_os_release(contents[path].decode("utf-8", "replace"))
            if fields.get("ID") or fields.get("NAME"):
                return _from_os_release(path, fields, contents)
    return _from_distro_files(contents)


def _from_os_release(
    path: str, fields: dict[str, str], contents: Mapping[str, bytes]
) -> Identification:
    pairs = tuple(sorted(fields.items()))
    distro = _ecosystem(fields, contents)
    if distro is None:
        reason = (
            f"distribution {fields.get('ID') or fields.get('NAME')!r} "
            f"(VERSION_ID={fields.get('VERSION_ID', '')!r}) has no OSV ecosystem; "
            "OS packages cannot be scoped to a release"
        )
        return Identification(Environment(None, pairs), (ScanWarning(path, reason),))
    return Identification(Environment(distro, pairs))


def _ecosystem(fields: dict[str, str], contents: Mapping[str, bytes]) -> Ecosystem | None:
    os_id = fields.get("ID", "").lower()
    like = fields.get("ID_LIKE", "").lower().split()
    handler = _BY_ID.get(os_id)
    if handler is not None:
        return handler(fields, contents)
    # Derivatives (Pop!_OS, Mint, Raspbian) use their parent's packages and advisories.
    if "ubuntu" in like:
        return _ubuntu(fields, contents)
    if "debian" in like:
        return _debian(fields, contents)
    return None


def _debian(fields: dict[str, str], contents: Mapping[str, bytes]) -> Ecosystem | None:
    version_id = fields.get("VERSION_ID", "")
    if re.fullmatch(r"\d+(\.\d+)*", version_id):
        return Ecosystem("Debian", version_id.split(".")[0])
    codename = fields.get("VERSION_CODENAME", "")
    if codename in _DEBIAN_CODENAMES:
        return Ecosystem("Debian", _DEBIAN_CODENAMES[codename])
    return _debian_version_file(contents)


def _debian_version_file(contents: Mapping[str, bytes]) -> Ecosystem | None:
    raw = contents.get("etc/debian_version")
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace").strip()
    match = re.match(r"(\d+)(\.\d+)*$", text)
    if match:
        return Ecosystem("Debian", match.group(1))
    # Testing and unstable write "trixie/sid".
    codename = text.split("/", 1)[0]
    if codename in _DEBIAN_CODENAMES:
        return Ecosystem("Debian", _DEBIAN_CODENAMES[codename])
    return None


def _ubuntu(fields: dict[str, str], _: Mapping[str, bytes]) -> Ecosystem | None:
    version = fields.get("VERSION_ID", "") if fields.get("ID", "").lower() == "ubuntu" else ""
    if not version:
        version = _UBUNTU_CODENAMES.get(fields.get("UBUNTU_CODENAME", ""), "")
    if not version and fields.get("ID", "").lower() != "ubuntu":
        version = fields.get("VERSION_ID", "")
    match = re.fullmatch(r"(\d\d)\.(\d\d)", version)
    if not match:
        return None
    described = f"{fields.get('VERSION', '')} {fields.get('PRETTY_NAME', '')}"
    # Ubuntu LTS releases are the even years' April releases; os-release also says "LTS".
    lts = "LTS" in described or (int(match.group(1)) % 2 == 0 and match.group(2) == "04")
    return Ecosystem("Ubuntu", f"{version}:LTS" if lts else version)


def _alpine(fields: dict[str, str], contents: Mapping[str, bytes]) -> Ecosystem | None:
    return _alpine_branch(fields.get("VERSION_ID", "")) or _alpine_release_file(contents)


def _alpine_branch(version: str) -> Ecosystem | None:
    match = re.match(r"(\d+)\.(\d+)", version)
    return Ecosystem("Alpine", f"v{match.group(1)}.{match.group(2)}") if match else None


def _alpine_release_file(contents: Mapping[str, bytes]) -> Ecosystem | None:
    raw = contents.get("etc/alpine-release")
    return _alpine_branch(raw.decode("utf-8", "replace").strip()) if raw is not None else None


def _major(name: str, version: str) -> Ecosystem | None:
    match = re.match(r"(\d+)", version)
    return Ecosystem(name, match.group(1)) if match else None


def _rhel(fields: dict[str, str], _: Mapping[str, bytes]) -> Ecosystem | None:
    # OSV scopes Red Hat by CPE without its "cpe:/o:redhat:" prefix
    # ("Red Hat:enterprise_linux:9::appstream"). A host mixes repositories (baseos, appstream),
    # so the release keeps the product stream only: "enterprise_linux:9".
    cpe = re.match(r"cpe:/o:redhat:([a-z_]+):(\d+)", fields.get("CPE_NAME", ""))
    if cpe:
        return Ecosystem("Red Hat", f"{cpe.group(1)}:{cpe.group(2)}")
    major = re.match(r"(\d+)", fields.get("VERSION_ID", ""))
    return Ecosystem("Red Hat", f"enterprise_linux:{major.group(1)}") if major else None


def _suse_family(fields: dict[str, str], _: Mapping[str, bytes]) -> Ecosystem | None:
    # OSV keys SUSE products by PRETTY_NAME with the vendor word as the ecosystem
    # ("openSUSE Leap 15.5" -> "openSUSE:Leap 15.5").
    pretty = fields.get("PRETTY_NAME", "").strip()
    for vendor in ("openSUSE", "SUSE"):
        if pretty.startswith(vendor + " ") and len(pretty) > len(vendor) + 1:
            return Ecosystem(vendor, pretty[len(vendor) + 1 :])
    return None


def _bare(name: str) -> _Handler:
    return lambda _fields, _contents: Ecosystem(name)


def _with_major(name: str) -> _Handler:
    return lambda fields, _contents: _major(name, fields.get("VERSION_ID", ""))


def _with_version(name: str) -> _Handler:
    def handler(fields: dict[str, str], _: Mapping[str, bytes]) -> Ecosystem | None:
        version = fields.get("VERSION_ID", "")
        return Ecosystem(name, version) if version else None

    return handler


def _openeuler(fields: dict[str, str], _: Mapping[str, bytes]) -> Ecosystem | None:
    # VERSION="22.03 (LTS-SP1)" is OSV's "openEuler:22.03-LTS-SP1".
    match = re.fullmatch(r"([\d.]+)(?: \(([\w-]+)\))?", fields.get("VERSION", "").strip())
    if not match:
        return None
    return Ecosystem("openEuler", "-".join(p for p in match.groups() if p))


_BY_ID: dict[str, _Handler] = {
    "debian": _debian,
    "ubuntu": _ubuntu,
    "alpine": _alpine,
    "rhel": _rhel,
    "rocky": _with_major("Rocky Linux"),
    "almalinux": _with_major("AlmaLinux"),
    "opensuse-leap": _suse_family,
    "opensuse-tumbleweed": _suse_family,
    "opensuse-leap-micro": _suse_family,
    "sles": _suse_family,
    "sles_sap": _suse_family,
    "sled": _suse_family,
    "sle-micro": _suse_family,
    "wolfi": _bare("Wolfi"),
    "chainguard": _bare("Chainguard"),
    "photon": _with_version("Photon OS"),
    "mageia": _with_version("Mageia"),
    "openeuler": _openeuler,
}


def _from_distro_files(contents: Mapping[str, bytes]) -> Identification:
    """Fallbacks for roots without os-release; ID and VERSION_ID are derived for purls."""
    found = _debian_version_file(contents)
    if found is not None:
        return _derived(found, "debian", found.release)
    found = _alpine_release_file(contents)
    if found is not None:
        version = contents["etc/alpine-release"].decode("utf-8", "replace").strip()
        return _derived(found, "alpine", version)
    if "etc/redhat-release" in contents:
        return _redhat_release(contents["etc/redhat-release"].decode("utf-8", "replace"))
    if "etc/lsb-release" in contents:
        fields = parse_os_release(contents["etc/lsb-release"].decode("utf-8", "replace"))
        if fields.get("DISTRIB_ID", "").lower() == "ubuntu":
            converted = {
                "ID": "ubuntu",
                "VERSION_ID": fields.get("DISTRIB_RELEASE", ""),
                "PRETTY_NAME": fields.get("DISTRIB_DESCRIPTION", ""),
            }
            distro = _ubuntu(converted, contents)
            if distro is not None:
                return _derived(distro, "ubuntu", converted["VERSION_ID"])
    return Identification(Environment())


_REDHAT_RELEASE = re.compile(r"^(.*?) release (\d+)(?:\.(\d+))?")
_REDHAT_FAMILY = {
    "Red Hat Enterprise Linux": ("rhel", "Red Hat"),
    "Rocky Linux": ("rocky", "Rocky Linux"),
    "AlmaLinux": ("almalinux", "AlmaLinux"),
}


def _redhat_release(text: str) -> Identification:
    # "Red Hat Enterprise Linux Server release 7.9 (Maipo)", "Rocky Linux release 9.3 (Blue Onyx)"
    match = _REDHAT_RELEASE.match(text.strip())
    if not match:
        return Identification(Environment())
    product, major, minor = match.groups()
    version = f"{major}.{minor}" if minor else major
    for prefix, (os_id, name) in _REDHAT_FAMILY.items():
        if product.startswith(prefix):
            release = f"enterprise_linux:{major}" if name == "Red Hat" else major
            return _derived(Ecosystem(name, release), os_id, version)
    reason = f"distribution {product!r} has no OSV ecosystem; OS packages cannot be scoped"
    env = Environment(None, (("ID", product.split()[0].lower()), ("VERSION_ID", version)))
    return Identification(env, (ScanWarning("etc/redhat-release", reason),))


def _derived(distro: Ecosystem, os_id: str, version: str) -> Identification:
    return Identification(Environment(distro, (("ID", os_id), ("VERSION_ID", version))))
