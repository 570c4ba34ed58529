"""Malformed and hostile edits of the example spec, generated from a fixed seed: whatever the
edit, the compiler either builds or reports diagnostics (CompileError); never another
exception, which the CLI would print as an internal error. (That a failing build writes nothing
is test_errors.py's and test_build_output.py's.)"""
import random
import shutil
from pathlib import Path

import pytest

from compiler.build import plan_build
from compiler.diagnostics import CompileError

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema"
VALUES = ["null", "[]", "{}", "-1", "true", "'x'", "999999999999999999999", '"a;b"', "[a, b]", "{table: nope}",
          "role:zz", "set_null", "uuid[]", "text)", "'now()); drop table x; --'", "&a [*a]", "!!binary aGVsbG8="]
JUNK = ["\t- x", "? [x]\n: y", "%YAML 1.1", "---", "...", "!!python/object:os.system 'ls'", "x: [[[[[[", "\udcff"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    i = rng.randrange(len(lines))
    kind = rng.choice(["delete", "duplicate", "swap", "value", "indent", "junk"])
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "value" and ":" in lines[i]:
        lines[i] = lines[i].partition(":")[0] + ": " + rng.choice(VALUES)
    elif kind == "indent":
        lines[i] = "  " + lines[i]
    else:
        lines.insert(i, rng.choice(JUNK))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(120))
def test_a_mutated_spec_builds_or_fails_cleanly(tmp_path, seed):
    rng = random.Random(seed)
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA, schema)
    target = rng.choice(sorted(schema.rglob("*.yaml")))
    target.write_bytes(mutate(target.read_text(), rng).encode("utf-8", "surrogateescape"))
    out = tmp_path / "build"
    try:
        result = plan_build(schema, out)
    except CompileError as error:
        assert error.diagnostics and all(d.code in error.args[0] for d in error.diagnostics)
        return
    assert result.files   # a valid mutation compiles from nothing to a first migration
