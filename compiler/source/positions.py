"""Where a key path of a spec file was written: (line, col) of the key, and of its value.

A build with no errors asks for few positions (the place of each object, a warning's key), so
they are read from the composed nodes on demand: a walk down the key path, each mapping indexed
the first time a walk passes through it. Files with merge keys keep the positions recorded while
they were built (construct.Recorder). Both answer exactly as the recorded dictionaries would:
the first of duplicate keys, `<key>` for the first key node of a mapping."""
from __future__ import annotations

from yaml.constructor import SafeConstructor

from .construct import MappingNode, SequenceNode, key_text, pos

KEY = "<key>"   # the path component under which the first key node of a mapping was recorded


class RecordedPositions:
    """Positions stored by construct.Recorder."""

    def __init__(self, key_pos: dict, value_pos: dict):
        self.key_pos, self.value_pos = key_pos, value_pos

    def find(self, keys: tuple) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        return self.key_pos.get(keys), self.value_pos.get(keys)


class NodePositions:
    """Positions read from the node tree of a file built by construct.read."""

    def __init__(self, root):
        self.root = root
        self.indexes: dict[int, dict] = {}
        self.constructor = SafeConstructor()

    def _index(self, node) -> dict:
        """key -> (key node, value node) of a mapping node, the first of duplicates."""
        index = self.indexes.get(id(node))
        if index is None:
            index = {}
            for key_node, value_node in node.value:
                index.setdefault(key_text(key_node, self.constructor), (key_node, value_node))
            self.indexes[id(node)] = index
        return index

    def find(self, keys: tuple) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """(key position, value position) of `keys`; None for each that is not there."""
        node, key_node = self.root, None
        last = len(keys) - 1
        for i, key in enumerate(keys):
            if node.__class__ is MappingNode:
                entry = self._index(node).get(key) if isinstance(key, str) else None
                if key == KEY and i == last:   # a real key spelt <key>, and the first key node
                    first = node.value[0][0] if node.value else None
                    return (pos(entry[0]) if entry else None), (pos(first) if first is not None else None)
                if entry is None:
                    return None, None
                key_node, node = entry
            elif node.__class__ is SequenceNode and isinstance(key, int):
                if not 0 <= key < len(node.value):
                    return None, None
                key_node, node = None, node.value[key]
            else:
                return None, None
        return (pos(key_node) if key_node is not None else None), pos(node)


class CachedPositions:
    """Positions of a file whose data came from the cache (cache.py): the top paths it stored,
    and any other read from the file's nodes, composed again the first time one is asked."""

    def __init__(self, top: dict, compose):
        self.top, self.compose, self.nodes = top, compose, None

    def find(self, keys: tuple) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        found = self.top.get(keys)
        if found is not None:
            return found
        if self.nodes is None:
            self.nodes = NodePositions(self.compose())
        return self.nodes.find(keys)
