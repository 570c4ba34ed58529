"""The online forms of a migration (notes/ISSUE8.md): the file's layout, what runs where, and
proof on PostgreSQL that each form runs as claimed (psql applies the files as written, a failed
concurrent build can be re-run, a binary-compatible retype rewrites nothing)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import MIGRATION_CASES as CASES

from compiler.kinds import AddConstraint
from compiler.kinds.casts import rewrites
from compiler.kinds.stages import BUILD, FINISH, MAIN, VALIDATE
from compiler.migrate.parts import split_migration
from compiler.model import Constraint
from compiler.ordering import staged
from compiler.output import write_files
from compiler.pipeline import next_migration
from compiler.verify.chain import apply_sql

PSQL = "/usr/bin/psql"
TOGETHER = CASES / "ordering" / "online_forms_together"
MARKER = re.compile(r"^-- atlas-compile part (\d+)/(\d+): (transaction|outside a transaction)$", re.M)


def _build(case: Path, work: Path) -> tuple[Path, list[str]]:
    """The case's build folder after `before` and then `after`, and the new migrations' names."""
    for side in ("before", "after"):
        shutil.copytree(CASES / "_base" / "schema", work / side)
        shutil.copytree(case / side, work / side, dirs_exist_ok=True)
    out = work / "build"
    write_files(out, next_migration(work / "before", out).files)
    step = next_migration(work / "after", out)
    write_files(out, step.files)
    return out, step.migrations


def _files(out: Path, name: str) -> tuple[str, str]:
    folder = out / "migrations"
    return (folder / f"{name}.up.sql").read_text(), (folder / f"{name}.down.sql").read_text()


# -- layout, no database ----------------------------------------------------------------------


def test_parts_are_laid_out_in_stage_order_with_their_timeouts(tmp_path):
    out, (name,) = _build(TOGETHER, tmp_path)
    up, down = _files(out, name)
    assert [m.groups() for m in MARKER.finditer(up)] == [
        ("1", "4", "transaction"), ("2", "4", "outside a transaction"), ("3", "4", "transaction"),
        ("4", "4", "transaction")]
    assert "-- 4 parts: 1, 3 and 4 in a transaction, 2 outside a transaction (CREATE INDEX CONCURRENTLY).\n" in up
    assert [m.groups() for m in MARKER.finditer(down)] == [("1", "2", "outside a transaction"), ("2", "2", "transaction")]
    migration = split_migration(up)
    assert migration.preamble == ["SET search_path = public, extensions"]
    main, build, validate, finish = migration.parts
    assert main.statements[:2] == ["SET LOCAL lock_timeout = '1s'", "SET LOCAL statement_timeout = '10s'"]
    assert any(s.endswith("NOT VALID") for s in main.statements)
    assert build.statements[:2] == ["SET lock_timeout = '1s'", "SET statement_timeout = '30min'"]
    assert [s.split(" ON ")[0] for s in build.statements if s.startswith("CREATE")] == [
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS notes_title_key",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_notes_body",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_notes_room_id"]
    # every build first drops what a failed build of the same name left behind
    for i, statement in enumerate(build.statements):
        if statement.startswith("CREATE"):
            index = statement.split(" ON ")[0].split()[-1]
            assert build.statements[i - 1] == f"DROP INDEX CONCURRENTLY IF EXISTS public.{index}"
    assert "SET LOCAL statement_timeout = '30min'" in validate.statements
    assert all("VALIDATE CONSTRAINT" in s for s in validate.statements[2:])
    assert finish.statements[2:] == [
        "ALTER TABLE public.notes ALTER COLUMN body SET NOT NULL",
        "ALTER TABLE public.notes DROP CONSTRAINT notes_body_not_null",
        "ALTER TABLE public.notes\n    ADD CONSTRAINT notes_title_key UNIQUE USING INDEX notes_title_key"]


def test_the_initial_migration_is_one_transaction_part(tmp_path):
    out, _ = _build(TOGETHER, tmp_path)
    initial = (out / "migrations" / "0001_initial.up.sql").read_text()
    assert [m.groups() for m in MARKER.finditer(initial)] == [("1", "1", "transaction")]
    assert "CONCURRENTLY" not in initial and "NOT VALID" not in initial
    assert "-- 1 part, in a transaction.\n" in initial


def _unique(table="rooms", column="code"):
    return AddConstraint("public", table, Constraint(f"{table}_{column}_key", "unique", (column,)))


def test_a_unique_key_that_a_foreign_key_needs_in_the_same_migration_is_plain():
    unique = _unique()
    fk = AddConstraint("public", "notes", Constraint("notes_room_code_fkey", "foreign_key", ("room_code",),
                                                     ref_schema="public", ref_table="rooms", ref_columns=("code",)),
                       referenced_key=unique.key)
    alone = dict(staged([unique]))
    assert [(p.stage, p.form) for p in alone[unique]] == [(BUILD, "unique_index"), (FINISH, "using_index")]
    together = dict(staged([unique, fk]))
    assert [(p.stage, p.form) for p in together[unique]] == [(MAIN, "plain")]
    assert [(p.stage, p.form) for p in together[fk]] == [(MAIN, "not_valid"), (VALIDATE, "validate")]


def test_a_key_of_a_new_table_is_plain():
    op = AddConstraint("public", "rooms", Constraint("rooms_code_key", "unique", ("code",)), on_new_table=True)
    assert [(p.stage, p.form) for p in dict(staged([op]))[op]] == [(MAIN, "plain")]


# -- PostgreSQL --------------------------------------------------------------------------------


@pytest.mark.parametrize("before, after", [
    ("varchar(12)", "text"), ("varchar(12)", "varchar(40)"), ("varchar(12)", "varchar"), ("text", "varchar"),
    ("varchar(40)", "varchar(12)"), ("text", "varchar(16)"), ("numeric(10, 2)", "numeric(14, 2)"),
    ("numeric(10, 2)", "numeric"), ("numeric(10, 2)", "numeric(10, 1)"), ("numeric", "numeric(10, 2)"),
    ("integer", "bigint"), ("numeric(10, 2)", "numeric(12, 3)"),
])
def test_rewrites_says_what_postgresql_rewrites(fresh_db, before, after):
    with fresh_db.connect() as conn:
        conn.execute(f"create table t (c {before}); create index on t (c); insert into t values ('7'), (null)")
        files = "select pg_relation_filenode('t'), (select pg_relation_filenode(indexrelid) from pg_index where indrelid = 't'::regclass)"
        start = conn.execute(files).fetchone()
        conn.execute(f"alter table t alter column c type {after} using c::{after}")
        end = conn.execute(files).fetchone()
    assert (start != end) == rewrites(before, after), f"{before} -> {after}: files {start} -> {end}"


def _psql(db, path: Path) -> None:
    done = subprocess.run([PSQL, db.conninfo(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"psql -f {path.name} failed:\n{done.stderr}"


def _seeded(db, out: Path) -> None:
    seed = (CASES / "_base" / "seed.sql").read_text() + "\n" + _case_seed(TOGETHER)
    with db.connect() as conn:
        apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
        apply_sql(conn, seed)


def _case_seed(case: Path) -> str:
    import yaml
    return yaml.safe_load((case / "case.yaml").read_text())["seed"]


def _state(conn) -> dict:
    return {
        "constraints": sorted(conn.execute(
            "select conname, convalidated from pg_constraint where conrelid = 'public.notes'::regclass").fetchall()),
        "indexes": sorted(conn.execute(
            "select indexrelid::regclass::text, indisvalid from pg_index where indrelid = 'public.notes'::regclass").fetchall()),
        "body not null": conn.execute("select attnotnull from pg_attribute where attrelid = 'public.notes'::regclass "
                                      "and attname = 'body'").fetchone()[0],
    }


def test_psql_applies_the_files_as_written_up_down_up(fresh_db, tmp_path):
    """psql -v ON_ERROR_STOP=1 -f: CONCURRENTLY would fail inside a transaction block, so the
    files applying is the proof that the outside parts run outside one."""
    out, (name,) = _build(TOGETHER, tmp_path)
    _seeded(fresh_db, out)
    folder = out / "migrations"
    with fresh_db.connect() as conn:
        start = _state(conn)
        _psql(fresh_db, folder / f"{name}.up.sql")
        after_up = _state(conn)
        _psql(fresh_db, folder / f"{name}.down.sql")
        assert _state(conn) == start
        _psql(fresh_db, folder / f"{name}.up.sql")
        assert _state(conn) == after_up
    assert after_up["body not null"] is True
    assert ("notes_title_key", True) in after_up["constraints"]
    assert all(valid for _, valid in after_up["constraints"])
    assert "notes_body_not_null" not in dict(after_up["constraints"])
    assert all(valid for _, valid in after_up["indexes"])


def test_a_failed_concurrent_build_is_re_run(fresh_db, tmp_path):
    """A unique build that fails (duplicates) leaves an invalid index behind; once the rows are
    fixed, running the same outside part again drops it and builds a valid one."""
    out, (name,) = _build(TOGETHER, tmp_path)
    _seeded(fresh_db, out)
    up, _ = _files(out, name)
    migration = split_migration(up)
    main, build = migration.parts[:2]
    duplicate = ("insert into public.notes (id, organization_id, title, body) values "
                 "('0d000000-0000-4000-8000-000000000009', '0a000000-0000-4000-8000-000000000001', 'Keys', 'again')")
    with fresh_db.connect() as conn:
        for statement in migration.preamble:
            conn.execute(statement)
        with conn.transaction():
            for statement in main.statements:
                conn.execute(statement)
        conn.execute(duplicate)
        with pytest.raises(Exception, match="could not create unique index"):
            for statement in build.statements:
                conn.execute(statement)
        invalid = conn.execute("select indisvalid from pg_index where indexrelid = 'public.notes_title_key'::regclass")
        assert invalid.fetchone() == (False,)
        conn.execute("delete from public.notes where id = '0d000000-0000-4000-8000-000000000009'")
        for statement in build.statements:
            conn.execute(statement)
        valid = conn.execute("select indisvalid from pg_index where indexrelid = 'public.notes_title_key'::regclass")
        assert valid.fetchone() == (True,)
