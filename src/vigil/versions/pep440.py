"""PyPI versions (PEP 440), ordered by ``packaging``, the reference implementation itself."""

from __future__ import annotations

from packaging.version import InvalidVersion as _PackagingInvalid
from packaging.version import Version

from vigil.versions.scheme import InvalidVersion, VersionScheme


def parse(version: str) -> Version:
    try:
        return Version(version)
    except _PackagingInvalid as exc:
        raise InvalidVersion("pep440", version, str(exc)) from None


SCHEME = VersionScheme("pep440", parse)
