"""Package URLs for OS packages, following syft's qualifier conventions.

``distro`` is ``<os-release ID>-<VERSION_ID>`` (``debian-12``, ``alpine-3.19.1``); ``upstream``
names the source package (``SRC@SRCVER`` for dpkg, the origin for apk, the source RPM's file name
for rpm), which grype and others use to match distribution advisories keyed by source.
"""

from __future__ import annotations

from packageurl import PackageURL

from vigil.catalog.cataloger import Environment


def os_release_field(env: Environment, key: str) -> str:
    return dict(env.os_release).get(key, "")


def distro_qualifier(env: Environment) -> str | None:
    os_id = os_release_field(env, "ID").lower()
    version = os_release_field(env, "VERSION_ID")
    return f"{os_id}-{version}" if os_id and version else None


def vendor(env: Environment, default: str) -> str:
    """The purl namespace: the os-release ID, lowercased, or ``default`` when unknown."""
    return os_release_field(env, "ID").lower() or default


def build(
    purl_type: str,
    namespace: str,
    name: str,
    version: str,
    qualifiers: dict[str, str | None],
) -> str:
    """A purl string; empty qualifier values are left out, keys sorted (purl canonical form)."""
    kept = {key: value for key, value in sorted(qualifiers.items()) if value}
    return PackageURL(
        type=purl_type, namespace=namespace, name=name, version=version, qualifiers=kept
    ).to_string()
