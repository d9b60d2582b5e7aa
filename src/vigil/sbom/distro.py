"""Operating systems as SBOMs name them (``debian`` ``12``, ``distro=alpine-3.19.1``) to OSV.

Two spellings reach here: a purl's ``distro`` qualifier (``<os-release ID>-<VERSION_ID>`` in
syft's and Vigil's purls, sometimes a bare codename) and an operating-system component's name and
version. Both end as an ``Ecosystem`` with OSV's release naming: ``Debian:12``,
``Ubuntu:22.04:LTS``, ``Alpine:v3.19``, ``Red Hat:enterprise_linux:9``, ``Rocky Linux:9``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from vigil.domain import Ecosystem

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
_QUALIFIER = re.compile(
    r"(?P<id>[a-z][a-z0-9_.]*(?:-[a-z][a-z0-9_.]*)*)?-?(?P<version>\d[\w.~+-]*)?"
)

_Release = Callable[[str], str | None]


def _debian(version: str) -> str | None:
    match = re.match(r"\d+", version)
    return match.group(0) if match else _DEBIAN_CODENAMES.get(version)


def _ubuntu(version: str) -> str | None:
    version = _UBUNTU_CODENAMES.get(version, version)
    match = re.match(r"(\d\d)\.(\d\d)", version)
    if not match:
        return None
    # LTS releases are the even years' April releases; OSV names them "22.04:LTS".
    lts = int(match.group(1)) % 2 == 0 and match.group(2) == "04"
    return f"{match.group(0)}:LTS" if lts else match.group(0)


def _alpine(version: str) -> str | None:
    match = re.match(r"v?(\d+)\.(\d+)", version)
    return f"v{match.group(1)}.{match.group(2)}" if match else None


def _major(version: str) -> str | None:
    match = re.match(r"\d+", version)
    return match.group(0) if match else None


def _red_hat(version: str) -> str | None:
    major = _major(version)
    return f"enterprise_linux:{major}" if major else None


def _rolling(_: str) -> str | None:
    return ""


def _as_given(version: str) -> str | None:
    return version or None


def _suse(product: str) -> _Release:
    def release(version: str) -> str | None:
        match = re.match(r"(\d+)(?:\.(\d+))?", version)
        if not match:
            return None
        service_pack = f" SP{match.group(2)}" if match.group(2) not in (None, "0") else ""
        return f"{product} {match.group(1)}{service_pack}"

    return release


def _leap(version: str) -> str | None:
    return f"Leap {version}" if re.fullmatch(r"\d+\.\d+", version) else None


# os-release ID (or the purl namespace used for it) -> (OSV ecosystem, release from version).
_BY_ID: dict[str, tuple[str, _Release]] = {
    "debian": ("Debian", _debian),
    "ubuntu": ("Ubuntu", _ubuntu),
    "alpine": ("Alpine", _alpine),
    "wolfi": ("Wolfi", _rolling),
    "chainguard": ("Chainguard", _rolling),
    "rhel": ("Red Hat", _red_hat),
    "redhat": ("Red Hat", _red_hat),
    "rocky": ("Rocky Linux", _major),
    "almalinux": ("AlmaLinux", _major),
    "opensuse-leap": ("openSUSE", _leap),
    "opensuse-tumbleweed": ("openSUSE", lambda _: "Tumbleweed"),
    "sles": ("SUSE", _suse("Linux Enterprise Server")),
    "sles_sap": ("SUSE", _suse("Linux Enterprise Server for SAP Applications")),
    "sled": ("SUSE", _suse("Linux Enterprise Desktop")),
    "photon": ("Photon OS", _as_given),
    "mageia": ("Mageia", _major),
}
_CODENAMES = {
    **dict.fromkeys(_DEBIAN_CODENAMES, "debian"),
    **dict.fromkeys(_UBUNTU_CODENAMES, "ubuntu"),
}


def ecosystem_of_os(os_id: str, version: str) -> Ecosystem | None:
    """The OSV ecosystem of an OS named by its os-release ID and VERSION_ID, when OSV has one."""
    os_id = os_id.strip().lower()
    if os_id in _CODENAMES and not version:
        os_id, version = _CODENAMES[os_id], os_id
    entry = _BY_ID.get(os_id)
    if entry is None:
        return None
    name, release = entry
    found = release(version.strip())
    return Ecosystem(name, found) if found is not None else None


def ecosystem_of_qualifier(qualifier: str, namespace: str) -> Ecosystem | None:
    """The ecosystem a purl ``distro`` qualifier names (``debian-12``, ``bookworm``, ``12``).

    A qualifier without an OS name (a bare version) takes the purl's namespace as that name.
    """
    match = _QUALIFIER.fullmatch(qualifier.strip().lower())
    if match is None:
        return None
    return ecosystem_of_os(match.group("id") or namespace, match.group("version") or "")
