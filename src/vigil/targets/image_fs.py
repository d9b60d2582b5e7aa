"""The TargetFS of a squashed image: kept contents served at once, others re-read their layer."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO

from vigil.catalog import FileTooLarge
from vigil.domain import ScanWarning
from vigil.targets.base import Closing
from vigil.targets.layers import LayerSource, LayerStream
from vigil.targets.limits import Limits
from vigil.targets.pathres import Kind, clean_member
from vigil.targets.spill import ContentStore, copy
from vigil.targets.tree import Node, Tree


class ImageFS(Closing):
    """Files of an image after all layers; ``close`` removes spilled contents."""

    def __init__(
        self, tree: Tree, layers: list[LayerSource], store: ContentStore, limits: Limits
    ) -> None:
        self.tree = tree
        self.layers = layers
        self.store = store
        self.limits = limits
        self.digests: list[str] = []  # per layer, filled as layers are applied
        self.warnings: list[ScanWarning] = []
        self.complete = True
        self.closers: list[Callable[[], None]] = []  # what else the image holds open

    def paths(self) -> Iterator[str]:
        return (path for path, _ in self.tree.files())

    def open(self, path: str) -> IO[bytes]:
        canonical, node = self._file(path)
        if node.size > self.limits.max_file_bytes:
            raise FileTooLarge(f"{path}: {node.size} bytes, over the per-file limit")
        if node.data is not None:
            return self.store.open(node.data)
        return self._reread(canonical, node)

    def size(self, path: str) -> int:
        return self._file(path)[1].size

    def mode(self, path: str) -> int | None:
        return self._file(path)[1].mode

    def layer_digest(self, path: str) -> str | None:
        return self.digests[self._file(path)[1].layer]

    def close(self) -> None:
        self.store.close()
        while self.closers:
            self.closers.pop()()

    def _file(self, path: str) -> tuple[str, Node]:
        found = self.tree.resolve(path)
        if found is None or found[1].kind is not Kind.FILE:
            raise FileNotFoundError(path)
        return found

    def _reread(self, canonical: str, node: Node) -> IO[bytes]:
        """Stream the layer again up to the member (the slow path, for paths not wanted)."""
        layer, member_path = node.source or (node.layer, canonical)
        with LayerStream(self.layers[layer], None, verify=False) as stream:
            for member in stream.members():
                parts = clean_member(member.name)
                # A layer naming one path twice is hostile; the first copy is served here.
                if member.isreg() and parts is not None and "/".join(parts) == member_path:
                    small = member.size <= self.limits.memory_file_bytes
                    out = io.BytesIO() if small else self.store.temporary()
                    copy(stream.content(member), out, member.size)
                    out.seek(0)
                    return out
        raise FileNotFoundError(f"{canonical}: no longer found in its layer")
