"""HTTP: the Inspector-compatible API, agent ingest and authentication."""
