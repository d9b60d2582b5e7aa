"""Advisory sources (fetch and parse kept apart), the advisory store, sync diffs and enrichment."""
