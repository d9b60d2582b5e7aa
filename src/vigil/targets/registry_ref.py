"""Registry image references and the options for pulling them (no HTTP client needed here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vigil.targets.errors import MalformedTarget

_DIGEST = re.compile(r"sha256:[a-f0-9]{64}\Z")


@dataclass(frozen=True, slots=True)
class Reference:
    host: str
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, ref: str) -> Reference:
        name, _, digest = ref.partition("@")
        if digest and not _DIGEST.match(digest):
            raise MalformedTarget(f"{ref}: invalid digest")
        first, sep, rest = name.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            host, path = first, rest
        else:
            host, path = "docker.io", name
        tag = ""
        if path.rfind(":") > path.rfind("/"):
            path, _, tag = path.rpartition(":")
        if host == "docker.io":
            host = "registry-1.docker.io"
            path = path if "/" in path else f"library/{path}"
        if not re.fullmatch(r"[a-z0-9]+(?:[._/-][a-z0-9]+)*", path):
            raise MalformedTarget(f"{ref}: invalid repository name {path!r}")
        return cls(host, path, tag or (None if digest else "latest"), digest or None)


@dataclass(frozen=True, slots=True)
class RegistryOptions:
    # Kept out of repr so that a logged or printed options value never shows the password.
    credentials: tuple[str, str] | None = field(default=None, repr=False)
    allow_http: bool = False
    ca_file: str | None = None  # a private registry's CA bundle
    timeout: float = 60.0


NO_OPTIONS = RegistryOptions()
