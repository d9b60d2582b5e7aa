"""Advisory sources: each fetches a blob (or answers "unchanged") and parses it, separately."""
