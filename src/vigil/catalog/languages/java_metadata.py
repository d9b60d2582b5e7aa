"""The metadata inside Java archives: ``pom.properties`` and ``META-INF/MANIFEST.MF``.

Maven writes ``pom.properties`` for every artifact it packages (and shading keeps those of the
artifacts bundled inside); it is the reliable source. The manifest is a fallback: its
``Implementation-*`` and ``Bundle-*`` headers name a version; the group comes from
``Implementation-Vendor-Id``, else from an OSGi ``Bundle-SymbolicName`` or a Java
``Automatic-Module-Name`` written as a reverse domain name (``org.hamcrest``), since a Maven
coordinate without a group matches no advisory. Jenkins plugins (``.hpi``/``.jpi``) name
themselves in ``Group-Id``/``Short-Name``/``Plugin-Version``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PROPERTY = re.compile(r"^(?P<key>[^=:\s]+)\s*[=:]\s*(?P<value>.*)$")
_REVERSE_DOMAIN = re.compile(r"^[a-z][a-z0-9]*(?:\.[A-Za-z_][\w-]*)+$")
_FILE_NAME = re.compile(r"^(?P<artifact>.+?)-(?P<version>\d[\w.+~-]*)\.(?:[jwe]ar|[hj]pi)$", re.I)


@dataclass(frozen=True, slots=True)
class Artifact:
    group: str
    artifact: str
    version: str


def parse_properties(text: str) -> dict[str, str]:
    """Java properties as Maven writes them: ``key=value`` lines, ``#`` comments."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        match = _PROPERTY.match(line)
        if match:
            values[match["key"]] = match["value"].strip()
    return values


def from_pom_properties(text: str, entry_path: str) -> Artifact | None:
    """The artifact a ``META-INF/maven/<group>/<artifact>/pom.properties`` describes."""
    values = parse_properties(text)
    parts = entry_path.split("/")
    group = values.get("groupId") or (parts[-3] if len(parts) >= 5 else "")
    artifact = values.get("artifactId") or (parts[-2] if len(parts) >= 5 else "")
    version = values.get("version", "")
    if not artifact or not version:
        return None
    return Artifact(group, artifact, version)


def parse_manifest(text: str) -> dict[str, str]:
    """Main-section headers of a manifest; continuation lines start with one space."""
    headers: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line:
            break  # the main section ends at the first blank line
        if line.startswith(" ") and last:
            headers[last] += line[1:]
            continue
        key, sep, value = line.partition(":")
        if sep:
            last = key.strip()
            headers.setdefault(last, value.strip())
    return headers


def from_manifest(headers: dict[str, str], file_name: str) -> Artifact | None:
    """The artifact an archive without ``pom.properties`` claims to be, or None."""
    if headers.get("Short-Name") and headers.get("Plugin-Version"):
        version = headers["Plugin-Version"].split(" ", 1)[0]
        return Artifact(headers.get("Group-Id", ""), headers["Short-Name"], version)
    named = _FILE_NAME.match(file_name)
    version = (
        headers.get("Implementation-Version")
        or headers.get("Bundle-Version")
        or headers.get("Specification-Version")
        or (named["version"] if named else "")
    )
    # The file name is what people and Maven repositories call the artifact; a title such as
    # "Apache Commons Lang" is prose.
    artifact = named["artifact"] if named else file_name.rpartition(".")[0]
    if not artifact or not version:
        return None
    return Artifact(_manifest_group(headers), artifact, version)


def _manifest_group(headers: dict[str, str]) -> str:
    if headers.get("Implementation-Vendor-Id"):
        return headers["Implementation-Vendor-Id"]
    for header in ("Bundle-SymbolicName", "Automatic-Module-Name"):
        # OSGi directives follow the name: "org.example.core;singleton:=true".
        name = headers.get(header, "").split(";", 1)[0].strip()
        if _REVERSE_DOMAIN.match(name):
            return name
    return ""
