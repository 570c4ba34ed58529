"""Positions read from the nodes on demand (compiler/source/positions.NodePositions) are the ones
recorded while building (construct.Recorder, the loader's way before issue 11, still used for
files with merge keys): the same data, the same diagnostics and, for every key path of every case
file, of the example and of mutations of it, the same key and value positions."""
from __future__ import annotations

import random

import pytest
import yaml
from helpers import CASES, ROOT
from test_malformed_inputs import mutate

from compiler.diagnostics import Collector
from compiler.source.construct import Budget, NeedsRecording, Recorder, read
from compiler.source.loader import SourceFile, load_file
from compiler.source.positions import NodePositions, RecordedPositions

EDGES = {
    "duplicates and odd keys": "a: 1\na: 2\n<key>: {x: 1}\ntrue: 3\n1: {b: [1, {c: 2}]}\nnull: 4\n",
    "aliases": "d: &x {e: [1, 2]}\nf: *x\ng: [*x, *x]\n",
    "values": "a: !!int x\nb: 2001-01-01\nc: !!binary aGVsbG8=\nd:\ne: ''\n",
    "empty mappings": "a: {}\nb: []\nc: {<key>: 1}\n",
}


def _texts() -> dict[str, str]:
    files = sorted(p for p in CASES.rglob("*") if p.suffix in (".yaml", ".yml"))
    texts = {str(p.relative_to(ROOT)): p.read_bytes().decode("utf-8", "replace") for p in files}
    example = sorted((ROOT / "schema").glob("*.yaml"))
    for seed in range(200):
        rng = random.Random(seed)
        text = rng.choice(example).read_text()
        for _ in range(rng.randint(1, 3)):
            text = mutate(text, rng)
        texts[f"mutation {seed}"] = text
    return {**texts, **EDGES}


def _paths(data, keys=()):
    yield keys
    for more in ("zz", 0, 99, "<key>"):
        yield keys + (more,)
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield from _paths(value, keys + (key,))


def _both(text: str):
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, UnicodeError):   # the loader reports these before building
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    fast_errors, recorded_errors = Collector(), Collector()
    try:
        fast = SourceFile("f", read(node, "f", fast_errors), NodePositions(node))
    except (NeedsRecording, RecursionError, Budget):   # the Recorder's own file; E105 for both
        return None
    recorded = SourceFile("f", None)
    recorder = Recorder("f", recorded_errors, recorded.where)
    recorded.positions = RecordedPositions(recorder.key_pos, recorder.value_pos)
    recorded.data = recorder.build(node, ())
    return fast, recorded, fast_errors.diagnostics, recorded_errors.diagnostics, recorder


@pytest.mark.parametrize("chunk", range(4))
def test_positions_read_from_nodes_are_the_recorded_ones(chunk):
    texts = sorted(_texts().items())[chunk::4]
    compared = 0
    for name, text in texts:
        both = _both(text)
        if both is None:
            continue
        fast, recorded, fast_errors, recorded_errors, recorder = both
        assert fast.data == recorded.data and fast_errors == recorded_errors, name
        paths = set(_paths(recorded.data)) | set(recorder.key_pos) | set(recorder.value_pos)
        for keys in paths:
            assert fast.positions.find(keys) == recorded.positions.find(keys), (name, keys)
            assert fast.where(keys, True) == recorded.where(keys, True), (name, keys)
        compared += 1
    assert compared > 100


def test_a_file_with_merge_keys_keeps_recorded_positions(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("base: &b {x: 1}\nt:\n  <<: *b\n  y: 2\n")
    source = load_file(path, Collector())
    assert isinstance(source.positions, RecordedPositions)
    assert source.data == {"base": {"x": 1}, "t": {"x": 1, "y": 2}}
    assert (source.where(("t", "y")).line, source.where(("t", "y")).col) == (4, 3)
