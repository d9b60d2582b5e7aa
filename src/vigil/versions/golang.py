"""Go module versions, ordered as ``golang.org/x/mod/semver.Compare`` orders them.

x/mod requires a ``v`` prefix, but OSV "Go" records omit it (``1.2.3``), so a missing ``v`` is
added before parsing; everything else is ``semver.IsValid``:

- shorthands ``v1`` and ``v1.2`` are valid and equal ``v1.0.0`` and ``v1.2.0``; they cannot carry
  a prerelease or build suffix (``v1.2-pre`` is invalid);
- no leading zeros in major/minor/patch or in numeric prerelease identifiers;
- build metadata is ignored for ordering. ``+incompatible`` (a v2+ module without a go.mod) is
  just build metadata to ``semver.Compare``, so ``v2.0.0+incompatible`` equals ``v2.0.0``, which
  is how Go itself and its vulnerability database compare such versions. Which majors may carry
  it is a module-path rule (``module.Check``), not an ordering one, so it is not enforced here.

Pseudo-versions (``v0.0.0-20240625155419-9ac102336200``) are ordinary prereleases and order by
their timestamp, as in Go.
"""

from __future__ import annotations

import re

from vigil.versions.scheme import InvalidVersion, VersionScheme
from vigil.versions.semver import (
    BUILD,
    NUMBER,
    NUMBERS,
    PRERELEASE,
    Key,
    check_length,
    precedence_key,
)

# An optional ``v`` is the same as adding the prefix when missing: "vv1" stays invalid.
_VERSION = re.compile(
    rf"v?({NUMBER})(?:\.({NUMBER})(?:\.({NUMBER})(?:-({PRERELEASE}))?(?:\+{BUILD})?)?)?"
)


def parse(version: str) -> Key:
    """The sort key of a Go module version, with or without its ``v`` prefix."""
    check_length("go", version)
    m = _VERSION.fullmatch(version)
    if m is None:
        raise InvalidVersion("go", version, "not valid per golang.org/x/mod/semver.IsValid")
    major, minor, patch, pre = m.group(1, 2, 3, 4)
    if pre is None:
        return (NUMBERS[major], NUMBERS[minor or "0"], NUMBERS[patch or "0"], 1)
    return precedence_key(NUMBERS[major], NUMBERS[minor], NUMBERS[patch], pre)


SCHEME = VersionScheme("go", parse)
