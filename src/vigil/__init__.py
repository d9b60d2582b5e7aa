"""Vigil: self-hosted continuous vulnerability management."""

__version__ = "0.1.0"
