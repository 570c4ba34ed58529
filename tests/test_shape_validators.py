"""The two shape validators (compiler/source/shape.py) agree: jsonschema-rs on the fast path,
jsonschema for the located messages. Every spec file of the cases (good and bad), the example and
mutations of it go through both and must pass or fail alike; every pattern of the schema must
match the same strings in Rust's regex dialect as in Python's. Where they may differ (a string
ending in a newline, which Python's `$` accepts), the fast validator is the stricter one and
jsonschema's verdict is the one a build keeps."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest
from helpers import CASES, ROOT
from jsonschema import Draft202012Validator
from test_malformed_inputs import mutate

from compiler.diagnostics import Collector, CompileError
from compiler.source.loader import load_file, load_folder
from compiler.source.shape import check_shape, passes_fast, schema_text

SCHEMA = json.loads(schema_text())
PRECISE = Draft202012Validator(SCHEMA)
EXAMPLE = ROOT / "schema"


def _loaded(path: Path):
    source = load_file(path, Collector())
    return None if source is None else source.data


def _case_files() -> list[Path]:
    return sorted(p for p in CASES.rglob("*") if p.suffix in (".yaml", ".yml") and p.name != "case.yaml")


def _mutations(tmp: Path, count: int = 150) -> list:
    files = sorted(EXAMPLE.glob("*.yaml"))
    found = []
    for seed in range(count):
        rng = random.Random(seed)
        target = tmp / f"m{seed}.yaml"
        target.write_bytes(mutate(rng.choice(files).read_text(), rng).encode("utf-8", "surrogateescape"))
        found.append(_loaded(target))
    return [data for data in found if data is not None]


def test_both_validators_judge_every_spec_file_alike(tmp_path):
    datas = [_loaded(p) for p in _case_files() + sorted(EXAMPLE.glob("*.yaml"))]
    datas = [d for d in datas if d is not None] + _mutations(tmp_path)
    verdicts = [(passes_fast(d), PRECISE.is_valid(d)) for d in datas]
    differ = [d for d, (fast, precise) in zip(datas, verdicts) if fast != precise]
    assert not differ, f"{len(differ)} specs judged differently, the first: {differ[0]!r}"
    assert len(datas) > 700
    assert any(not fast for fast, _ in verdicts) and any(fast for fast, _ in verdicts)


def _patterns(node) -> set[str]:
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                found.add(value)
            elif key == "patternProperties":
                found |= set(value)
            found |= _patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= _patterns(value)
    return found


def _strings(node) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_strings(v) | {k} for k, v in node.items()), set())
    if isinstance(node, list):
        return set().union(*(_strings(v) for v in node), set())
    return {node} if isinstance(node, str) else set()


PROBES = ["", "a", "_a", "A", "1a", "a-b", "a b", "a.b", "a..b", "public.x", "atlas_private.x", "auth.users",
          "x" * 63, "x" * 64, "a.b.c", "ab asc", "ab desc nulls last", "ab nulls first", "ab DESC", "member",
          "role:admin", "role:", "role:Admin", "/x", "\\x", "é", "a\u0301", "a\tb", "owner ", " owner",
          "x\ny", "migrations/x", "ß", "٣", "a\u200bb"]


@pytest.mark.parametrize("pattern", sorted(_patterns(SCHEMA)))
def test_each_pattern_matches_alike_in_rust_and_python(pattern):
    subschema = {"type": "string", "pattern": pattern}
    fast, precise = jsonschema_rs.validator_for(subschema), Draft202012Validator(subschema)
    strings = set(PROBES)
    for path in _case_files():
        strings |= _strings(_loaded(path))
    differ = sorted(s for s in strings if fast.is_valid(s) != precise.is_valid(s))
    assert not differ, f"{pattern!r} differs on {differ[:5]}"


def test_where_the_fast_validator_is_stricter_jsonschema_decides(tmp_path):
    """Python's `$` matches before a final newline, Rust's does not: the fast validator refuses
    such a name, jsonschema accepts it, and the shape check follows jsonschema."""
    (tmp_path / "a.yaml").write_text('tables:\n  "items\\n":\n    columns: {id: {type: uuid, primary_key: true}}\n')
    sources = load_folder(tmp_path)
    assert not passes_fast(sources[0].data) and PRECISE.is_valid(sources[0].data)
    check_shape(sources)   # no CompileError: the verdict is jsonschema's


@pytest.mark.parametrize("value", ["99999999999999999999999", ".nan", "-.inf", "!!binary aGVsbG8="])
def test_values_outside_json_are_judged_as_jsonschema_judges_them(tmp_path, value):
    (tmp_path / "a.yaml").write_text(f"project: {{name: x, postgres: {value}}}\n")
    sources = load_folder(tmp_path)
    precise = PRECISE.is_valid(sources[0].data)
    assert passes_fast(sources[0].data) <= precise   # a pass of the fast validator is never wrong
    try:
        check_shape(sources)
        assert precise
    except CompileError:
        assert not precise


def test_a_build_that_passes_never_imports_jsonschema(tmp_path):
    """jsonschema (and its referencing, rpds) is loaded for a spec that fails its shape only."""
    script = f"""
import sys
from pathlib import Path
from compiler.diagnostics import CompileError
from compiler.pipeline import next_migration
next_migration(Path({str(EXAMPLE)!r}), Path({str(tmp_path / "build")!r}))
print("jsonschema" in sys.modules)
(Path({str(tmp_path)!r}) / "bad").mkdir()
(Path({str(tmp_path)!r}) / "bad" / "a.yaml").write_text("tables: [x]\\n")
try:
    next_migration(Path({str(tmp_path / "bad")!r}), Path({str(tmp_path / "build2")!r}))
except CompileError as error:
    print(error.diagnostics[0].code, "jsonschema" in sys.modules)
"""
    env = {**os.environ, "ATLAS_CACHE_DIR": "off"}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "E201", "True"]
