"""The catalogers a scan runs, as explicit lists (no registration by import side effects)."""

from __future__ import annotations

from vigil.catalog.apk import ApkCataloger
from vigil.catalog.cataloger import Cataloger
from vigil.catalog.dpkg import DpkgCataloger
from vigil.catalog.languages import LANGUAGE_CATALOGERS
from vigil.catalog.rpm import RpmCataloger

OS_CATALOGERS: tuple[Cataloger, ...] = (DpkgCataloger(), ApkCataloger(), RpmCataloger())
DEFAULT_CATALOGERS: tuple[Cataloger, ...] = OS_CATALOGERS + LANGUAGE_CATALOGERS
