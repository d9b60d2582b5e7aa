"""Advisory sources (fetch and parse kept apart), the advisory store, sync diffs and enrichment.

Where things are:

- ``store.AdvisoryStore``: the versioned SQLite store; ``lookup``/``get``/``group``/
  ``document``/``enrichment`` to read, ``batch``/``enrichment_batch`` to write.
- ``sync.sync`` / ``enrich.sync_enrichment``: bring one source in, get a ``SyncDiff`` /
  ``EnrichmentDiff`` back.
- ``sources``: the ``AdvisorySource`` seam and its OSV (directory, zip, HTTP export), NVD, EPSS
  and KEV implementations.
- ``normalize.index_key``: the (ecosystem, package name) key both the store and matchers use.

Modules are imported where used; this package imports nothing on its own, so that reading the
store does not pull in the HTTP client.
"""
