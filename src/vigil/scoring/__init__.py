"""CVSS scoring, Inspector's severity table and the context-adjusted score."""
