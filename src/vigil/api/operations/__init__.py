"""Handlers of the Inspector operations Vigil implements, one module per group of operations."""
