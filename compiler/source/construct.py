"""Turns composed YAML nodes into plain data: duplicate keys refused (E102), values the YAML
types cannot read reported (E101), alias expansion bounded (E105), dates kept as written.

Two builders make the same data. `read` records no positions (positions.NodePositions reads them
from the nodes when a message needs one); `record` stores every key's and value's position as it
goes, for the files `read` hands back (merge keys `<<:` and mappings as keys, whose positions the
node tree alone does not give)."""
from __future__ import annotations

import yaml
from yaml.constructor import SafeConstructor

from ..diagnostics import Collector, Location

# Alias bombs ("billion laughs") expand a tiny file into billions of nodes; no real spec
# file comes near this many values.
MAX_NODES = 200_000
MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
TEXT_TAGS = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary")   # kept as the text written
_CONSTRUCTORS = {tag: SafeConstructor.yaml_constructors[tag] for tag in
                 ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                  "tag:yaml.org,2002:float")}
ScalarNode, MappingNode, SequenceNode = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


class Budget(Exception):
    """More than MAX_NODES values."""


class NeedsRecording(Exception):
    """A merge key or a mapping as a key: `record` builds this file."""


def pos(node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def key_text(node, constructor: SafeConstructor) -> str:
    """The dictionary key a scalar key node becomes (`1` -> "1", `true` -> "True"), quietly."""
    try:
        key = scalar(node, constructor)
    except (ValueError, TypeError, yaml.YAMLError):
        key = str(node.value)
    return key if isinstance(key, str) else str(key)


def scalar(node, constructor: SafeConstructor):
    """The value of a scalar node. The common tags skip construct_object's bookkeeping; a
    failure is repeated through construct_object, so its error and state are exactly its own."""
    tag = node.tag
    if tag == STR_TAG:
        return node.value
    if tag in TEXT_TAGS:
        return str(node.value)   # dates are literals for the compiler: keep the text as written
    fast = _CONSTRUCTORS.get(tag)
    if fast is not None:
        try:
            return fast(constructor, node)
        except Exception:
            pass
    return constructor.construct_object(node)


class _Reader:
    """The data of one file; duplicate keys and unreadable values go to the collector."""

    def __init__(self, path: str, collector: Collector):
        self.path = path
        self.collector = collector
        self.nodes = 0
        self.constructor = SafeConstructor()

    def value(self, node):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Budget()
        kind = node.__class__
        if kind is ScalarNode:
            try:
                return scalar(node, self.constructor)
            except (ValueError, TypeError, yaml.YAMLError) as exc:
                self.collector.error("E101", f"invalid YAML value {node.value!r}: {exc}",
                                     Location(self.path, *pos(node)))
                return str(node.value)
        if kind is MappingNode:
            return self.mapping(node)
        if kind is SequenceNode:
            return [self.value(item) for item in node.value]
        raise NeedsRecording()   # pragma: no cover - the composer makes only these three

    def mapping(self, node) -> dict:
        result: dict = {}
        value = self.value
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode or key_node.tag == MERGE_TAG:
                raise NeedsRecording()
            if key_node.tag == STR_TAG:   # value() of a plain string key, in line (most nodes)
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise Budget()
                key = key_node.value
            else:
                key = value(key_node)
                key = key if isinstance(key, str) else str(key)
            if key in result:   # without merge keys, the keys so far are the result's
                first = next(k for k, _ in node.value if key_text(k, self.constructor) == key)
                self.collector.error("E102", f"duplicate key '{key}' (first defined at {self.at(first)})",
                                     self.at(key_node))
                continue
            if value_node.__class__ is ScalarNode and value_node.tag == STR_TAG:   # the same for a value
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise Budget()
                result[key] = value_node.value
            else:
                result[key] = value(value_node)
        return result

    def at(self, node) -> Location:
        return Location(self.path, *pos(node))


def read(node, path: str, collector: Collector):
    """The data of the file whose root is `node`; raises NeedsRecording (nothing collected then)."""
    own = Collector()
    try:
        return _Reader(path, own).value(node)
    except NeedsRecording:
        own.diagnostics.clear()
        raise
    finally:
        collector.diagnostics += own.diagnostics


class Recorder(_Reader):
    """The same data as `read`, storing each key's and value's position under its key path."""

    def __init__(self, path: str, collector: Collector, where):
        super().__init__(path, collector)
        self.where = where   # (keys) -> Location, from the positions recorded so far
        self.key_pos: dict[tuple, tuple[int, int]] = {}
        self.value_pos: dict[tuple, tuple[int, int]] = {}

    def build(self, node, keys: tuple):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Budget()
        self.value_pos.setdefault(keys, pos(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, keys)
        if isinstance(node, SequenceNode):
            return [self.build(item, keys + (i,)) for i, item in enumerate(node.value)]
        try:
            return scalar(node, self.constructor)
        except (ValueError, TypeError, yaml.YAMLError) as exc:
            self.collector.error("E101", f"invalid YAML value {node.value!r}: {exc}", Location(self.path, *pos(node)))
            return str(node.value)

    def _mapping(self, node, keys: tuple) -> dict:
        result: dict = {}
        seen: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merged = self.build(value_node, keys)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        for k, v in part.items():
                            result.setdefault(k, v)
                continue
            key = self.build(key_node, keys + ("<key>",))
            if isinstance(key, (list, dict)):
                self.collector.error("E201", "a mapping key must be a plain value", self.where(keys))
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in seen:
                first = seen[key]
                self.collector.error("E102", f"duplicate key '{key}' (first defined at {first})",
                                     Location(self.path, *pos(key_node)))
                continue
            seen[key] = Location(self.path, *pos(key_node))
            self.key_pos[keys + (key,)] = pos(key_node)
            result[key] = self.build(value_node, keys + (key,))
        return result
