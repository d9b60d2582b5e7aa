"""The merged file tree of an image: one node per final path, with the layer that wrote it.

Layers are applied in order with overlay semantics: a later entry replaces an earlier one, a
whiteout (``.wh.NAME``) removes NAME as lower layers left it, and an opaque marker hides everything
lower layers put in its directory. Whiteouts never hide entries of their own layer (OCI image spec).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from vigil.targets.errors import SymlinkLoop
from vigil.targets.pathres import Kind, resolve, split


class Node:
    """A file, directory or symlink of the merged tree.

    ``layer`` is the index of the last layer that wrote the node (for a directory: that created or
    walked through it, which the opaque rule needs). ``data`` is the kept content of a wanted file
    (bytes in memory, or the name of a spill file). ``source`` locates the bytes of a hardlink:
    the layer and path of the member that carried them. ``mode`` holds the permission bits, None
    where the archive did not record them.
    """

    __slots__ = ("children", "data", "kind", "layer", "link", "mode", "size", "source")

    def __init__(
        self, kind: Kind, layer: int, size: int = 0, link: str = "", mode: int | None = None
    ) -> None:
        self.kind = kind
        self.layer = layer
        self.size = size
        self.link = link
        self.mode = mode
        self.data: bytes | str | None = None
        self.source: tuple[int, str] | None = None
        self.children: dict[str, Node] | None = {} if kind is Kind.DIR else None


class Tree:
    def __init__(self, max_hops: int) -> None:
        self.root = Node(Kind.DIR, -1)
        self._max_hops = max_hops

    def lookup(self, parts: Sequence[str]) -> Node | None:
        """The node at exactly ``parts``, following no symlink."""
        node = self.root
        for part in parts:
            if node.children is None:
                return None
            child = node.children.get(part)
            if child is None:
                return None
            node = child
        return node

    def _kind_of(self, parts: Sequence[str]) -> tuple[Kind, str] | None:
        node = self.lookup(parts)
        return None if node is None else (node.kind, node.link)

    def resolve(self, path: str, *, follow_last: bool = True) -> tuple[str, Node] | None:
        """The canonical path and node ``path`` leads to, following symlinks inside the root."""
        direct = split(path)
        if ".." not in direct:
            # Most paths (all those ``files`` lists) cross no symlink: one walk down the tree.
            node = self.lookup(direct)
            if node is not None and node.kind is not Kind.LINK:
                return "/".join(direct), node
        parts = resolve(path, self._kind_of, self._max_hops, follow_last=follow_last)
        if parts is None:
            return None
        node = self.lookup(parts)
        return None if node is None else ("/".join(parts), node)

    def _parent(self, parts: Sequence[str], layer: int) -> tuple[Node, bool]:
        """The directory that will hold ``parts[-1]``, and whether a symlink led there.

        Directories are created as needed and marked as touched by ``layer``.

        A symlinked parent is followed inside the root, as a container runtime extracting the
        layer would; a parent that is a file, or a link that leads nowhere, becomes a directory.
        """
        node = self.root
        via_link = False
        for i, part in enumerate(parts[:-1]):
            assert node.children is not None
            child = node.children.get(part)
            if child is not None and child.kind is Kind.LINK:
                child = self._link_dir(parts[: i + 1])
                via_link = child is not None
            if child is None or child.kind is not Kind.DIR:
                child = Node(Kind.DIR, layer)
                node.children[part] = child
            child.layer = layer
            node = child
        return node, via_link

    def _link_dir(self, parts: Sequence[str]) -> Node | None:
        try:
            found = self.resolve("/".join(parts))
        except SymlinkLoop:
            return None
        return found[1] if found is not None and found[1].kind is Kind.DIR else None

    def put(self, parts: Sequence[str], node: Node) -> bool:
        """Place ``node``; a directory over a directory keeps the children already there.

        Returns whether a symlinked parent moved the node away from ``parts``.
        """
        parent, via_link = self._parent(parts, node.layer)
        assert parent.children is not None
        old = parent.children.get(parts[-1])
        if node.kind is Kind.DIR and old is not None and old.kind is Kind.DIR:
            old.layer = node.layer
        else:
            parent.children[parts[-1]] = node
        return via_link

    def remove(self, parts: Sequence[str]) -> None:
        parent = self.lookup(parts[:-1])
        if parent is not None and parent.children is not None:
            parent.children.pop(parts[-1], None)

    def whiteout(self, parts: Sequence[str], layer: int) -> None:
        """Remove what layers below ``layer`` left at ``parts``."""
        parent = self.lookup(parts[:-1])
        if parent is None or parent.children is None:
            return
        node = parent.children.get(parts[-1])
        if node is not None and not _keep_only_layer(node, layer):
            del parent.children[parts[-1]]

    def opaque(self, parts: Sequence[str], layer: int) -> None:
        """Hide everything layers below ``layer`` put under the directory ``parts``."""
        node = self.lookup(parts)
        if node is not None and node.kind is Kind.DIR:
            # The directory itself stays (the marker's layer declares it); its lower contents go.
            node.layer = layer
            _keep_only_layer(node, layer)

    def files(self) -> Iterator[tuple[str, Node]]:
        """Every regular file, depth first, with its path."""
        stack: list[tuple[str, Node]] = [("", self.root)]
        while stack:
            prefix, node = stack.pop()
            assert node.children is not None
            for name, child in node.children.items():
                path = prefix + name
                if child.kind is Kind.FILE:
                    yield path, child
                elif child.kind is Kind.DIR:
                    stack.append((path + "/", child))


def _keep_only_layer(node: Node, layer: int) -> bool:
    """Drop from ``node``'s subtree what lower layers wrote; whether anything of ``layer`` is left.

    Iterative: a hostile layer can nest directories deeper than Python's recursion limit.
    """
    if node.layer < layer:
        return False
    stack = [node]
    while stack:
        current = stack.pop()
        if current.children is None:
            continue
        for name, child in list(current.children.items()):
            if child.layer < layer:
                del current.children[name]
            else:
                stack.append(child)
    return True
