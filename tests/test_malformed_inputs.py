"""Malformed and hostile edits of the example spec, generated from a fixed seed: whatever the
edit, the compiler either builds or reports diagnostics (CompileError); never another
exception, which the CLI would print as an internal error. An edit that builds must give SQL
PostgreSQL accepts: its initial migration is applied (up), reverted (down), and the catalog must
be back where it started. (That a failing build writes nothing is test_errors.py's and
test_build_output.py's.)

Every seed that builds is applied, none sampled: 16 of the 120 when this was written (the rest
are diagnostics), about 1 s each for build, up and down; the file runs in about 25 s."""
import functools
import random
import shutil
import tempfile
from pathlib import Path

import pytest

from compiler.diagnostics import CompileError
from compiler.pipeline import next_migration
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.postgres.scratch import SUPABASE_TEMPLATE
from compiler.verify.chain import apply_sql

TEMPLATE = SUPABASE_TEMPLATE

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


SEEDS = range(120)


@functools.lru_cache(maxsize=None)
def build_mutation(seed: int):
    """The build of the example with seed's edit: its files, or the CompileError it raised."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "schema"
        shutil.copytree(SCHEMA, schema)
        target = rng.choice(sorted(schema.rglob("*.yaml")))
        target.write_bytes(mutate(target.read_text(), rng).encode("utf-8", "surrogateescape"))
        try:
            return next_migration(schema, Path(tmp) / "build").files
        except CompileError as error:
            return error


@pytest.mark.parametrize("seed", SEEDS)
def test_a_mutated_spec_builds_or_fails_cleanly(pg_cluster, seed):
    result = build_mutation(seed)
    if isinstance(result, CompileError):
        assert result.diagnostics and all(d.code in result.args[0] for d in result.diagnostics)
        return
    assert result   # a valid mutation compiles from nothing to a first migration
    up = result["migrations/0001_initial.up.sql"].decode()
    down = result["migrations/0001_initial.down.sql"].decode()
    db = pg_cluster.create_database(pg_cluster.unique_database_name("mutated"), template=TEMPLATE)
    try:
        with db.connect() as conn:
            start = snapshot_catalog(conn)
            apply_sql(conn, up)
            assert snapshot_catalog(conn) != start, "up changed nothing"
            apply_sql(conn, down)
            assert diff_catalogs(start, snapshot_catalog(conn), labels=("start", "down")) == []
    finally:
        db.drop()


def test_enough_mutations_build_to_exercise_postgresql():
    """Diagnostics alone would leave the apply path above untested."""
    built = [seed for seed in SEEDS if not isinstance(build_mutation(seed), CompileError)]
    assert len(built) >= 10, f"only seeds {built} build"
