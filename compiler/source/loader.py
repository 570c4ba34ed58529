"""Reads every spec file under the schema folder into plain data with source positions.

YAML is composed into nodes (C parser when available) and constructed here, so that we keep
the line and column of every key and value, refuse duplicate keys, and bound alias expansion.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from ..diagnostics import Collector, Location

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _Loader = yaml.SafeLoader

# Alias bombs ("billion laughs") expand a tiny file into billions of nodes; no real spec
# file comes near this many values.
MAX_NODES = 200_000
MAX_FILE_BYTES = 5_000_000
# Deeply nested collections overflow the parser's stack (libyaml recurses); no spec nests deeper
# than a few levels.
MAX_DEPTH = 64
SECTIONS = ("project", "enums", "functions", "tables", "views")
MERGE_TAG = "tag:yaml.org,2002:merge"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
BINARY_TAG = "tag:yaml.org,2002:binary"


@dataclass
class SourceFile:
    """One parsed spec file: its data and where each key and value sits."""

    path: str
    data: dict
    key_pos: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    value_pos: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, keys: tuple = (), prefer_value: bool = False) -> Location:
        """Location of the key at `keys` (or its value), else of the nearest enclosing one."""
        keys = tuple(keys)
        while True:
            first, second = (self.value_pos, self.key_pos) if prefer_value else (self.key_pos, self.value_pos)
            for table in (first, second):
                if keys in table:
                    line, col = table[keys]
                    return Location(self.path, line, col)
            if not keys:
                return Location(self.path, 1, 1)
            keys = keys[:-1]


class _Budget(Exception):
    pass


class _Builder:
    """Turns composed YAML nodes into Python data, recording positions as it goes."""

    def __init__(self, source: SourceFile, collector: Collector):
        self.source = source
        self.collector = collector
        self.nodes = 0
        self.scalars = SafeConstructor()

    def build(self, node, keys: tuple):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Budget()
        self.source.value_pos.setdefault(keys, _pos(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, keys)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, keys + (i,)) for i, item in enumerate(node.value)]
        if node.tag in (TIMESTAMP_TAG, BINARY_TAG):
            return str(node.value)  # dates are literals for the compiler: keep the text as written
        try:
            return self.scalars.construct_object(node)
        except (ValueError, TypeError, yaml.YAMLError) as exc:
            self.collector.error("E101", f"invalid YAML value {node.value!r}: {exc}",
                                 Location(self.source.path, *_pos(node)))
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
                self.collector.error("E201", "a mapping key must be a plain value", self.source.where(keys))
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in seen:
                first = seen[key]
                self.collector.error(
                    "E102",
                    f"duplicate key '{key}' (first defined at {first})",
                    Location(self.source.path, *_pos(key_node)),
                )
                continue
            seen[key] = Location(self.source.path, *_pos(key_node))
            self.source.key_pos[keys + (key,)] = _pos(key_node)
            result[key] = self.build(value_node, keys + (key,))
        return result


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, col) where flow brackets or block indentation go deeper than MAX_DEPTH, checked
    on the text before the parser sees it."""
    depth, line, col, quote = 0, 1, 0, None
    for char in text:
        col += 1
        if char == "\n":
            line, col = line + 1, 0
            if quote != '"':
                quote = None
            continue
        if quote:
            if char == quote:
                quote = None
            continue
        if char in "'\"" and col > 0:
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, col
        elif char in "]}":
            depth = max(depth - 1, 0)
    for number, row in enumerate(text.split("\n"), start=1):
        indent = len(row) - len(row.lstrip(" -"))
        if indent > 4 * MAX_DEPTH:
            return number, indent
    return None


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def display_path(path: Path) -> str:
    """Paths in diagnostics are relative to the working directory when that is shorter."""
    rel = os.path.relpath(path)
    return rel if not rel.startswith("..") else str(path)


def spec_files(folder: Path) -> list[Path]:
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def load_file(path: Path, collector: Collector) -> SourceFile | None:
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        collector.error("E106", f"cannot read spec file: {exc.strerror}", Location(shown))
        return None
    if len(raw) > MAX_FILE_BYTES:
        collector.error("E105", f"spec file is larger than {MAX_FILE_BYTES} bytes", Location(shown))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        collector.error("E104", f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})", Location(shown, line, col))
        return None
    source = SourceFile(shown, {})
    too_deep = _too_deep(text)
    if too_deep is not None:
        collector.error("E105", f"collections nested more than {MAX_DEPTH} levels deep", Location(shown, *too_deep))
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        tab = _indentation_tab(text, line - 1) if mark else None
        if tab is not None:
            collector.error("E101", "invalid YAML: a tab in the indentation (YAML indents with spaces only)",
                            Location(shown, line, tab), "replace the tab with spaces")
        else:
            collector.error("E101", f"invalid YAML: {problem}", Location(shown, line, col))
        return None
    except yaml.YAMLError as exc:
        collector.error("E101", f"invalid YAML: {exc}", Location(shown))
        return None
    if node is None:
        return source  # an empty file is allowed: it defines nothing
    if not isinstance(node, yaml.MappingNode):
        collector.error(
            "E103",
            "a spec file must be a mapping with any of: " + ", ".join(SECTIONS),
            Location(shown, *_pos(node)),
        )
        return None
    builder = _Builder(source, collector)
    try:
        source.data = builder.build(node, ())
    except RecursionError:
        collector.error("E105", "YAML nests too deeply", Location(shown, *_pos(node)))
        return None
    except _Budget:
        collector.error(
            "E105",
            f"YAML expands to more than {MAX_NODES} values (aliases nested too deep?)",
            Location(shown, *_pos(node)),
        )
        return None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        collector.error("E101", f"invalid YAML value: {exc}", Location(shown))
        return None
    return source


def _indentation_tab(text: str, index: int) -> int | None:
    """The column of the first tab in the leading whitespace of line `index`, if any: libyaml's
    own message for it ("found character that cannot start any token") does not say tab."""
    lines = text.splitlines()
    if index >= len(lines):
        return None
    line = lines[index]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return indent.index("\t") + 1 if "\t" in indent else None


def load_folder(folder: Path) -> list[SourceFile]:
    """Every spec file of the folder, in sorted path order; raises CompileError on any problem."""
    collector = Collector()
    if not folder.is_dir():
        collector.error("E106", f"schema folder '{display_path(folder)}' does not exist", Location(display_path(folder)))
        collector.raise_if_any()
    files = spec_files(folder)
    if not files:
        collector.error("E106", "no *.yaml or *.yml files in the schema folder", Location(display_path(folder)))
    sources = [s for s in (load_file(p, collector) for p in files) if s is not None]
    collector.raise_if_any()
    return sources
