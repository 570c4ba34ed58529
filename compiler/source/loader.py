"""Reads every spec file under the schema folder into plain data with source positions.

YAML is composed into nodes (C parser when available) and constructed by construct.py, so that
we keep the line and column of every key and value (positions.py), refuse duplicate keys, and
bound alias expansion.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import Collector, Location
from .construct import MAX_NODES, Budget, NeedsRecording, Recorder, pos, read
from .positions import CachedPositions, NodePositions, RecordedPositions

try:
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _Parser = yaml.SafeLoader
_TAGS: dict = {}   # (node kind, scalar text, implicit) -> tag, for every file of the process


class _Loader(_Parser):
    """The C parser, with the resolver's answer for each scalar remembered: the composer asks
    for every node, and a spec repeats the same few hundred words (the resolver has no path
    resolvers, so the tag depends on these three alone)."""

    def resolve(self, kind, value, implicit, _tags=_TAGS, _resolve=_Parser.resolve):
        key = (kind, value, implicit)
        tag = _tags.get(key)
        if tag is None:
            tag = _tags[key] = _resolve(self, kind, value, implicit)
        return tag

    if not _Parser.yaml_path_resolvers:
        # The composer calls these two around every node to follow path resolvers, of which this
        # loader has none: C callables that only build a throwaway value (slice(parent, index),
        # tuple()) spare two Python calls per node, a tenth of a load.
        descend_resolver = staticmethod(slice)
        ascend_resolver = staticmethod(tuple)

MAX_FILE_BYTES = 5_000_000
# Deeply nested collections overflow the parser's stack (libyaml recurses); no spec nests deeper
# than a few levels.
MAX_DEPTH = 64
SECTIONS = ("project", "enums", "functions", "tables", "views")


@dataclass
class SourceFile:
    """One parsed spec file: its data and where each key and value sits."""

    path: str
    data: dict
    positions: NodePositions | RecordedPositions | CachedPositions | None = None   # None: an empty file
    digest: bytes | None = None   # of the file's bytes: its key in the load cache (cache.py)
    checked: bool = False         # its shape passed when the cache took it: not checked again

    def where(self, keys: tuple = (), prefer_value: bool = False) -> Location:
        """Location of the key at `keys` (or its value), else of the nearest enclosing one."""
        keys = tuple(keys)
        while self.positions is not None:
            key, value = self.positions.find(keys)
            found = (value or key) if prefer_value else (key or value)
            if found is not None:
                return Location(self.path, *found)
            if not keys:
                break
            keys = keys[:-1]
        return Location(self.path, 1, 1)

    def has_key(self, keys: tuple) -> bool:
        """Whether the last of `keys` is a key written in the file (not a list item, nor absent)."""
        return self.positions is not None and self.positions.find(tuple(keys))[0] is not None


_FLOW = re.compile(r"[\n'\"\[\]{}]")   # the characters the depth scan reads; the rest only move the column
_DEEP_INDENT = re.compile(rf"^[ -]{{{4 * MAX_DEPTH + 1},}}", re.MULTILINE)


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, col) where flow brackets or block indentation go deeper than MAX_DEPTH, checked
    on the text before the parser sees it."""
    if text.count("[") + text.count("{") > MAX_DEPTH:
        depth, line, line_start, quote = 0, 1, 0, None
        for match in _FLOW.finditer(text):
            char, at = match[0], match.start()
            if char == "\n":
                line, line_start = line + 1, at + 1
                if quote != '"':
                    quote = None
                continue
            if quote:
                if char == quote:
                    quote = None
                continue
            if char in "'\"":
                quote = char
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return line, at - line_start + 1
            else:
                depth = max(depth - 1, 0)
    deep = _DEEP_INDENT.search(text)
    if deep is not None:
        return text.count("\n", 0, deep.start()) + 1, deep.end() - deep.start()
    return None


def display_path(path: Path) -> str:
    """Paths in diagnostics are relative to the working directory when that is shorter."""
    rel = os.path.relpath(path)
    return rel if not rel.startswith("..") else str(path)


def spec_files(folder: Path) -> list[Path]:
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def load_file(path: Path, collector: Collector, cache=None) -> SourceFile | None:
    """The file's data and positions, from the load cache (cache.LoadCache) when it holds these
    bytes; else parsed, with every problem in the collector."""
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        collector.error("E106", f"cannot read spec file: {exc.strerror}", Location(shown))
        return None
    if len(raw) > MAX_FILE_BYTES:
        collector.error("E105", f"spec file is larger than {MAX_FILE_BYTES} bytes", Location(shown))
        return None
    digest = hashlib.sha256(raw).digest() if cache is not None else None
    cached = cache.get(digest) if cache is not None else None
    if cached is not None:
        data, top = cached
        composed = CachedPositions(top, lambda: yaml.compose(raw.decode("utf-8-sig"), Loader=_Loader))
        return SourceFile(shown, data, composed if top is not None else None, digest, checked=True)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        collector.error("E104", f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})", Location(shown, line, col))
        return None
    source = SourceFile(shown, {}, digest=digest)
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
            Location(shown, *pos(node)),
        )
        return None
    try:
        _construct(source, node, collector)
    except RecursionError:
        collector.error("E105", "YAML nests too deeply", Location(shown, *pos(node)))
        return None
    except Budget:
        collector.error(
            "E105",
            f"YAML expands to more than {MAX_NODES} values (aliases nested too deep?)",
            Location(shown, *pos(node)),
        )
        return None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        collector.error("E101", f"invalid YAML value: {exc}", Location(shown))
        return None
    return source


def _construct(source: SourceFile, node, collector: Collector) -> None:
    """The file's data and positions: read from the nodes, or recorded for a file with merge keys."""
    try:
        source.data = read(node, source.path, collector)
        source.positions = NodePositions(node)
        return
    except NeedsRecording:
        pass
    recorder = Recorder(source.path, collector, source.where)
    source.positions = RecordedPositions(recorder.key_pos, recorder.value_pos)
    source.data = recorder.build(node, ())


def _indentation_tab(text: str, index: int) -> int | None:
    """The column of the first tab in the leading whitespace of line `index`, if any: libyaml's
    own message for it ("found character that cannot start any token") does not say tab."""
    lines = text.splitlines()
    if index >= len(lines):
        return None
    line = lines[index]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return indent.index("\t") + 1 if "\t" in indent else None


def load_folder(folder: Path, cache=None) -> list[SourceFile]:
    """Every spec file of the folder, in sorted path order; raises CompileError on any problem.
    `cache`: a cache.LoadCache to take unchanged files from."""
    collector = Collector()
    if not folder.is_dir():
        collector.error("E106", f"schema folder '{display_path(folder)}' does not exist", Location(display_path(folder)))
        collector.raise_if_any()
    files = spec_files(folder)
    if not files:
        collector.error("E106", "no *.yaml or *.yml files in the schema folder", Location(display_path(folder)))
    sources = [s for s in (load_file(p, collector, cache) for p in files) if s is not None]
    collector.raise_if_any()
    return sources
