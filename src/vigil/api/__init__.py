"""HTTP: the Inspector-compatible API, agent ingest and authentication."""

from vigil.api.app import create_app
from vigil.api.server import ServerThread, serve

__all__ = ["ServerThread", "create_app", "serve"]
