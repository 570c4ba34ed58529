"""The online forms of a migration (README.md, "Zero-downtime migrations"): the file's layout, what runs where, and
proof on PostgreSQL that each form runs as claimed (psql applies the files as written, a failed
concurrent build can be re-run, a binary-compatible retype rewrites nothing)."""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from helpers import MIGRATION_CASES as CASES

from compiler.kinds import AddConstraint
from compiler.kinds.casts import rewrites
from compiler.kinds.stages import BUILD, FINISH, MAIN, VALIDATE
from compiler.migration_parts import split_migration
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


def test_the_backfills_of_one_table_fill_every_new_column_together(fresh_db, tmp_path):
    """Two backfill_sql columns and a volatile default, NOT NULL, on a table with 12,000 rows
    (three batches): the checks added NOT VALID in the main transaction hold every row written
    from then on (the trigger fills a writer's row without the new columns, one with them is kept),
    so the one batched UPDATE fills all three; run again it changes nothing; row triggers stay off."""
    case = CASES / "columns" / "add_not_null_columns_backfilled_together"
    out, (name,) = _build(case, tmp_path)
    up, _ = _files(out, name)
    migration = split_migration(up)
    main, backfill, validate, finish = migration.parts
    assert not backfill.transactional and len(backfill.statements) == 3   # the two SETs and one DO block
    values = "select id, slug, heading, token from public.notes order by id"
    stamps = "select md5(string_agg(id::text || updated_at::text, ',' order by id)) from public.notes"
    with fresh_db.connect() as conn:
        apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
        apply_sql(conn, (CASES / "_base" / "seed.sql").read_text() + "\n" + _case_seed(case))
        conn.execute("insert into public.notes (organization_id, title, body) select "
                     "'0a000000-0000-4000-8000-000000000001', 'Note ' || g, nullif(g % 2, 0)::text "
                     "from generate_series(1, 12000) g")
        before = conn.execute(stamps).fetchone()
        for statement in migration.preamble:
            conn.execute(statement)
        with conn.transaction():
            for statement in main.statements:
                conn.execute(statement)
        conn.execute("insert into public.notes (id, organization_id, title) values "
                     "('0d000000-0000-4000-8000-000000000008', '0a000000-0000-4000-8000-000000000001', 'Without')")
        conn.execute("insert into public.notes (id, organization_id, title, slug, heading) values "
                     "('0d000000-0000-4000-8000-000000000009', '0a000000-0000-4000-8000-000000000001', "
                     "'Written meanwhile', 'mine', 'MINE')")
        for statement in backfill.statements:
            conn.execute(statement)
        filled = conn.execute(values).fetchall()
        for statement in backfill.statements:
            conn.execute(statement)
        assert conn.execute(values).fetchall() == filled
        for part in (validate, finish):
            with conn.transaction():
                for statement in part.statements:
                    conn.execute(statement)
        counts = conn.execute("select count(*), count(distinct token), count(*) filter (where slug = lower(title) "
                              "and heading = upper(title) || coalesce(': ' || body, '')) from public.notes").fetchone()
        mine = conn.execute("select slug, heading from public.notes where id = '0d000000-0000-4000-8000-000000000009'")
        assert mine.fetchone() == ("mine", "MINE")
        conn.execute("delete from public.notes where id in ('0d000000-0000-4000-8000-000000000008', "
                     "'0d000000-0000-4000-8000-000000000009')")
        assert conn.execute(stamps).fetchone() == before
    assert counts == (12005, 12005, 12004)


def test_backfills_run_together_only_where_a_not_null_check_would_refuse_them_alone():
    """A NOT NULL column among a table's backfills: one UPDATE, rows chosen by the NOT NULL
    columns (a nullable one's value may be null); nullable ones alone, or on another table: one
    backfill each, as a single column (byte for byte the form released before)."""
    from compiler.kinds import AddColumn
    from compiler.model import Column
    from compiler.render import render_operation

    slug = AddColumn("public", "notes", Column("slug", "text", nullable=False), backfill="lower(title)")
    token = AddColumn("public", "notes", Column("token", "uuid", default="gen_random_uuid()"))
    other = AddColumn("public", "rooms", Column("code", "text", nullable=False), backfill="upper(name)")
    placed = dict(staged([slug, token, other]))
    backfills = [(op, piece) for op, pieces in placed.items() for piece in pieces if piece.form == "backfill"]
    assert [(op, piece.together) for op, piece in backfills] == [(slug, (token,)), (other, ())]
    together = render_operation(slug, backfills[0][1])
    assert "SET slug = lower(title),\n            token = DEFAULT\n" in together
    assert together.count("WHERE slug IS NULL)") == 1 and together.count("WHERE slug IS NULL LIMIT 5000") == 1
    alone = dict(staged([token, AddColumn("public", "notes", Column("n", "text"), backfill="lower(title)")]))
    assert [len([p for p in pieces if p.form == "backfill"]) for pieces in alone.values()] == [1, 1]



def test_one_fill_trigger_per_table_made_with_its_last_column_and_dropped_once_not_null_holds():
    """The trigger of a table whose backfills include a NOT NULL column: created by the main
    transaction piece of its last column, dropped by the last NOT NULL piece of the last transaction
    (whose file's down creates it again), dropped if still there by the down's first column of the
    table; none for a nullable column alone (no check to refuse a write). backfill_sql reads NEW."""
    from compiler.kinds import AddColumn
    from compiler.kinds.backfills import FillTrigger
    from compiler.model import Column
    from compiler.ordering import reverse_plan

    slug = AddColumn("public", "notes", Column("slug", "text", nullable=False), backfill="lower(notes.title)")
    token = AddColumn("public", "notes", Column("token", "uuid", default="gen_random_uuid()"))
    alone = AddColumn("public", "rooms", Column("code", "uuid", default="gen_random_uuid()"))
    placed = staged([slug, token, alone])
    carried = {(op.column.name, piece.form): (op, piece) for op, pieces in placed for piece in pieces if piece.fill_trigger}
    assert set(carried) == {("token", "add_for_backfill"), ("slug", "finish_not_null")}
    trigger = carried["token", "add_for_backfill"][1].fill_trigger
    assert trigger is carried["slug", "finish_not_null"][1].fill_trigger
    assert (trigger.name, trigger.function, trigger.pending) == ("backfill_notes", "atlas_private.backfill_notes", ("slug",))
    assert trigger.assignments == (("slug", "COALESCE(new.slug, lower(new.title))"),
                                   ("token", "COALESCE(new.token, gen_random_uuid())"))
    ((undo,),) = slug.undo(carried["slug", "finish_not_null"][1])
    assert (undo.piece.form, undo.piece.fill_trigger) == ("undo_finish_not_null", trigger)
    assert slug.statements_of(undo.piece)[0] == "create_fill_trigger"
    down = staged(reverse_plan([slug, token, alone]))
    assert [op.column.name for op, pieces in down for piece in pieces if piece.fill_trigger] == ["token"]
    assert len(FillTrigger("public", "t" * 63).name.encode()) == 63

ORG = "0a000000-0000-4000-8000-000000000001"
UNFILLED_UPDATE = ("update public.notes set title = %s where id = (select id from public.notes "
                   "where slug is null order by ctid desc limit 1) returning id")
FILLED_AS_SPECIFIED = ("select count(*) filter (where slug = lower(title) and heading = upper(title) || "
                       "coalesce(': ' || body, '')), count(distinct token) from public.notes")


def _audited(case: Path, to: Path) -> Path:
    """A copy of the case with `audit: true` on notes, before and after."""
    shutil.copytree(case, to)
    for side in ("before", "after"):
        spec = to / side / "notes.yaml"
        spec.write_text(spec.read_text().replace("  notes:\n", "  notes:\n    audit: true\n", 1))
    return to


def _app_writes(app, edited: str, title: str) -> tuple[str, str]:
    """What an application that knows nothing of the new columns does: an UPDATE of a row the
    backfill has not reached (the last one not filled), an INSERT without them. Their ids."""
    row = app.execute(UNFILLED_UPDATE, (edited,)).fetchone()
    assert row is not None, "no row left unfilled: the write would prove nothing"
    new = app.execute("insert into public.notes (organization_id, title, body) values (%s, %s, 'app') "
                      "returning id", (ORG, title)).fetchone()
    return str(row[0]), str(new[0])


def _wait_until_blocked(app, pid: int, thread) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and thread.is_alive():
        if app.execute("select wait_event_type from pg_stat_activity where pid = %s", (pid,)).fetchone() == ("Lock",):
            return
        time.sleep(0.02)
    raise AssertionError("the backfill never waited for the held row")


def test_the_application_writes_while_the_backfill_runs(fresh_db, tmp_path):
    """20,000 audited rows, two NOT NULL backfill_sql columns and a NOT NULL volatile default. After
    the main transaction, a second connection (the application, which knows nothing of them)
    updates a row not filled yet and inserts a row without them: the trigger fills both, so the
    NOT VALID checks refuse neither, between the main transaction and the backfill and while the
    backfill runs (held on a row a third connection locks, its first batch committed). Without
    the trigger (dropped by hand, rolled back) the same writes are refused (23514). Every row ends
    filled as specified, the trigger and its function are gone, and the backfill changes no
    updated_at and writes no audit row: only the application's four writes do."""
    import psycopg

    case = _audited(CASES / "columns" / "add_not_null_columns_backfilled_together", tmp_path / "case")
    out, (name,) = _build(case, tmp_path / "work")
    up, _ = _files(out, name)
    migration = split_migration(up)
    main, backfill, validate, finish = migration.parts
    assert any(s.startswith("CREATE TRIGGER backfill_notes\n    BEFORE INSERT OR UPDATE ON public.notes")
               for s in main.statements)
    assert finish.statements[-2:] == ["DROP TRIGGER backfill_notes ON public.notes",
                                      "DROP FUNCTION atlas_private.backfill_notes()"]
    stamps = "select id::text, updated_at from public.notes"
    audit = "select operation, row_key->>'id', new_data->>'slug', new_data->>'heading' from public.notes_audit order by id"
    mig, app, holder = fresh_db.connect(), fresh_db.connect(), fresh_db.connect()
    apply_sql(mig, (out / "migrations" / "0001_initial.up.sql").read_text())
    apply_sql(mig, (CASES / "_base" / "seed.sql").read_text() + "\n" + _case_seed(case))
    mig.execute("insert into public.notes (organization_id, title, body) select %s, 'Note ' || g, "
                "nullif(g %% 3, 0)::text from generate_series(1, 20000) g", (ORG,))
    audited = len(mig.execute(audit).fetchall())
    for statement in migration.preamble:
        mig.execute(statement)
    with mig.transaction():
        for statement in main.statements:
            mig.execute(statement)
    # the control: without the trigger (dropped in a transaction rolled back) the same writes fail
    for write in (UNFILLED_UPDATE, "insert into public.notes (organization_id, title) values (%s, 'Control')"):
        with pytest.raises(psycopg.errors.CheckViolation, match="notes_(heading|slug)_not_null"), app.transaction():
            app.execute("drop trigger backfill_notes on public.notes")
            app.execute(write, ("Control",) if write == UNFILLED_UPDATE else (ORG,))
    written = list(_app_writes(app, "Edited before the backfill", "Inserted before the backfill"))
    before = dict(mig.execute(stamps).fetchall())
    # while the backfill runs: a row of its second batch held, so the first commits and it waits
    (held,) = holder.execute("select id from public.notes where slug is null order by ctid offset 5000 limit 1").fetchone()
    failed: list = []

    def run_backfill():
        try:
            for statement in backfill.statements:
                mig.execute(statement)
        except Exception as error:   # reported below, in the test's thread
            failed.append(error)

    with holder.transaction():
        holder.execute("select from public.notes where id = %s for update", (held,))
        thread = threading.Thread(target=run_backfill)
        thread.start()
        _wait_until_blocked(app, mig.info.backend_pid, thread)
        progress = app.execute("select count(*) filter (where slug is not null and id::text <> all(%s)), "
                               "count(*) filter (where slug is null) from public.notes", (written,)).fetchone()
        written += _app_writes(app, "Edited during the backfill", "Inserted during the backfill")
    thread.join(120)
    assert not failed and not thread.is_alive(), failed
    assert progress[0] == 5000 and progress[1] > 10000, progress   # its first batch committed, rows left to fill
    for part in (validate, finish):
        with mig.transaction():
            for statement in part.statements:
                mig.execute(statement)
    total = 3 + 20000 + 2
    assert mig.execute("select count(*) from public.notes").fetchone() == (total,)
    assert mig.execute(FILLED_AS_SPECIFIED).fetchone() == (total, total)
    assert mig.execute("select title from public.notes where id::text = any(%s) order by title", (written,)).fetchall() == [
        ("Edited before the backfill",), ("Edited during the backfill",), ("Inserted before the backfill",),
        ("Inserted during the backfill",)]
    assert mig.execute("select count(*) from pg_trigger where tgname = 'backfill_notes'").fetchone() == (0,)
    assert mig.execute("select count(*) from pg_proc where proname = 'backfill_notes'").fetchone() == (0,)
    after = dict(mig.execute(stamps).fetchall())
    assert {k: v for k, v in after.items() if k not in written} == {k: v for k, v in before.items() if k not in written}
    rows = mig.execute(audit).fetchall()[audited:]
    assert [(op, key) for op, key, _, _ in rows] == [
        ("UPDATE", written[0]), ("INSERT", written[1]), ("UPDATE", written[2]), ("INSERT", written[3])]
    assert [slug for _, _, slug, _ in rows] == [
        "edited before the backfill", "inserted before the backfill", "edited during the backfill",
        "inserted during the backfill"]
