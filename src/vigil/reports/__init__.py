"""Renderings of findings for people and machines: terminal table, JSON, SARIF, CycloneDX VEX."""
