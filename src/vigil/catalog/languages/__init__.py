"""Catalogers for language ecosystems: installed packages and lock files (PyPI, npm, Go, ...).

``LANGUAGE_CATALOGERS`` is the explicit list ``vigil.catalog.registry`` combines with the OS
catalogers; each language cataloger lives in its own module of this package.
"""

from vigil.catalog.cataloger import Cataloger

LANGUAGE_CATALOGERS: tuple[Cataloger, ...] = ()

__all__ = ["LANGUAGE_CATALOGERS"]
