"""How an API request reaches the advisory store, which is not shared between threads.

The serving process gives :class:`~vigil.service.api_context.ApiServices` an ``advisories``
member: a callable that opens the current advisory store (read-only use; the caller closes it).
Each request opens its own, since handlers run on a pool of worker threads and an
:class:`~vigil.advisories.store.AdvisoryStore` belongs to one thread. A process without an
advisory store (none given, none synced yet) leaves it None, and the operations that need
one answer with what the findings themselves carry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from vigil.advisories.store import AdvisoryStore

AdvisoryOpener = Callable[[], AdvisoryStore]


@contextmanager
def opened(opener: AdvisoryOpener | None) -> Iterator[AdvisoryStore | None]:
    """The store for the length of one request (None without one); always closed after."""
    if opener is None:
        yield None
        return
    store = opener()
    try:
        yield store
    finally:
        store.close()
