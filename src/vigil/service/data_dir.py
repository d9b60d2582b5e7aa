"""Where Vigil keeps its data: ``--data-dir``, else ``VIGIL_DATA_DIR``, else the XDG data home.

The XDG Base Directory rules apply: ``$XDG_DATA_HOME/vigil`` when that variable holds an
absolute path (a relative one is ignored, as the specification says), else
``~/.local/share/vigil``. The advisory store is ``advisories.db`` in that directory unless a
file is named explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DATA_DIR_ENV = "VIGIL_DATA_DIR"
STORE_FILE = "advisories.db"


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get(DATA_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_DATA_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "vigil"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".local" / "share" / "vigil"


def advisory_store_path(
    data_dir: Path | None = None, db: Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The advisory store file: ``db`` if given, else ``advisories.db`` in the data directory."""
    if db is not None:
        return db
    return (data_dir if data_dir is not None else default_data_dir(env)) / STORE_FILE
