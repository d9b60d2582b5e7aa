"""RPM databases read without an rpm binary: sqlite, BerkeleyDB hash and ndb backends."""

from vigil.catalog.rpm.cataloger import RpmCataloger

__all__ = ["RpmCataloger"]
