"""Apply image layers in order into one merged tree, in a single streaming pass per layer.

Every path is indexed (kind, size, mode, writing layer); only wanted files' contents are copied
out, since a compressed tar cannot be read again without starting over.
"""

from __future__ import annotations

from collections.abc import Sequence

from vigil.domain import ScanWarning
from vigil.targets.base import Wanted
from vigil.targets.errors import LimitExceeded
from vigil.targets.image_fs import ImageFS
from vigil.targets.layers import LayerSource, LayerStream
from vigil.targets.limits import Limits
from vigil.targets.pathres import Kind, clean_member
from vigil.targets.spill import ContentStore
from vigil.targets.streams import Budget
from vigil.targets.tarstream import Member
from vigil.targets.tree import Node, Tree

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


def squash(layers: Sequence[LayerSource], wanted: Wanted, limits: Limits) -> ImageFS:
    """Index ``layers`` (lowest first) into an ``ImageFS``; raises ``TargetError`` subclasses."""
    store = ContentStore(limits)
    fs = ImageFS(Tree(limits.max_symlink_hops), list(layers), store, limits)
    try:
        _Applier(fs, wanted, limits).run()
    except BaseException:
        fs.close()
        raise
    return fs


class _Applier:
    def __init__(self, fs: ImageFS, wanted: Wanted, limits: Limits) -> None:
        self.fs = fs
        self.tree = fs.tree
        self.wanted = wanted
        self.limits = limits
        self.budget = Budget(limits.max_total_bytes)
        self.entries = 0

    def warn(self, path: str, reason: str) -> None:
        self.fs.warnings.append(ScanWarning(path, reason))

    def run(self) -> None:
        for index, source in enumerate(self.fs.layers):
            with LayerStream(source, self.budget, verify=True) as stream:
                for member in stream.members():
                    self.entries += 1
                    if self.entries > self.limits.max_entries:
                        raise LimitExceeded(
                            f"{source.name}: more than {self.limits.max_entries} entries"
                        )
                    self.apply(index, stream, member)
                computed = stream.finish()
            self.fs.digests.append(source.digest or computed or source.name)

    def apply(self, layer: int, stream: LayerStream, member: Member) -> None:
        parts = clean_member(member.name)
        if parts is None:
            self.warn(member.name, f"{stream.source.name}: member name leaves the root; skipped")
            return
        base = parts[-1]
        if base.startswith(WHITEOUT):
            if base == OPAQUE:
                self.tree.opaque(parts[:-1], layer)
            elif len(base) > len(WHITEOUT):
                self.tree.whiteout([*parts[:-1], base[len(WHITEOUT) :]], layer)
            return
        if member.isreg():
            path = "/".join(parts)
            node = self.regular(layer, stream, member, path)
            if self.tree.put(parts, node):
                node.source = (layer, path)  # its member name is not where it ended up
        elif member.isdir():
            self.tree.put(parts, Node(Kind.DIR, layer))
        elif member.issym():
            self.tree.put(parts, Node(Kind.LINK, layer, link=member.linkname))
        elif member.islnk():
            self.hardlink(layer, parts, member)
        elif member.sparse:
            self.warn(member.name, "sparse file; content not reconstructed, skipped")
            self.tree.remove(parts)
        else:
            # Devices, fifos: nothing to read, but they still replace what lower layers had.
            self.tree.remove(parts)

    def regular(self, layer: int, stream: LayerStream, member: Member, path: str) -> Node:
        node = Node(Kind.FILE, layer, size=member.size, mode=member.mode)
        if not self.wanted(path, member.mode, member.size):
            return node
        if member.size > self.limits.max_file_bytes:
            self.warn(path, f"{member.size} bytes, over the per-file limit; content skipped")
            return node
        node.data = self.fs.store.keep(stream.content(member), member.size)
        return node

    def hardlink(self, layer: int, parts: list[str], member: Member) -> None:
        target_parts = clean_member(member.linkname)
        target = self.tree.lookup(target_parts) if target_parts else None
        if target_parts is None or target is None or target.kind is not Kind.FILE:
            self.warn("/".join(parts), f"hardlink to missing {member.linkname!r}; skipped")
            return
        # A hardlink shares its target's inode, hence its mode, whatever its own header says.
        node = Node(Kind.FILE, layer, size=target.size, mode=target.mode)
        node.data = target.data
        node.source = target.source or (target.layer, "/".join(target_parts))
        self.tree.put(parts, node)
