"""Orchestration of scans and re-evaluation; the only place adapters are wired together."""
