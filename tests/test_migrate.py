"""`atlas-compile migrate` and the file format it reads (README.md, "Zero-downtime migrations"): split_migration without a
database; then the runner on the real cluster, run as users run it (history, resume, --down,
lock timeouts, a multi-part file resumed after a failure in its second part)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from compiler import checksums
from compiler.migration_parts import split_migration
from compiler.postgres import diff_catalogs, scratch_database, snapshot_catalog
from compiler.released import LOCK, SUM, released_files
from compiler.verify.chain import migrate_up, released
from compiler.verify.evolution import LIVE_SCHEMAS

BUILD = ROOT / "build"

MULTI = """-- atlas-compile migration 0007_x (up)
-- 3 parts: 1 and 3 in a transaction, 2 outside a transaction (CREATE INDEX CONCURRENTLY).

SET search_path = public, extensions;

-- atlas-compile part 1/3: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- add column public.leads.score; a comment with a ; in it
ALTER TABLE public.leads ADD COLUMN score integer;
CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
-- atlas-compile part 9/9: transaction
  -- (a marker line inside a body is the body's)
  COMMIT;
  RETURN NEW;
END $$;
COMMIT;

-- atlas-compile part 2/3: outside a transaction
SET lock_timeout = '1s';
SET statement_timeout = '30min';
-- create index public.leads_score_idx
DROP INDEX CONCURRENTLY IF EXISTS public.leads_score_idx;
CREATE INDEX CONCURRENTLY leads_score_idx ON public.leads (score);
DO $body$ BEGIN LOOP EXIT; END LOOP; COMMIT; END $body$;

-- atlas-compile part 3/3: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
ALTER TABLE public.leads VALIDATE CONSTRAINT leads_score_check;
COMMIT;
"""


def test_parts_markers_preamble_and_bodies():
    migration = split_migration(MULTI)
    assert migration.preamble == ["SET search_path = public, extensions"]
    assert [(p.number, p.transactional) for p in migration.parts] == [(1, True), (2, False), (3, True)]
    first, second, third = migration.parts
    assert first.statements[:3] == ["SET LOCAL lock_timeout = '1s'", "SET LOCAL statement_timeout = '10s'",
                                    "ALTER TABLE public.leads ADD COLUMN score integer"]
    assert first.statements[3].startswith("CREATE FUNCTION") and first.statements[3].endswith("END $$")
    assert "COMMIT;" in first.statements[3] and len(first.statements) == 4   # BEGIN/COMMIT are the runner's
    assert second.statements == ["SET lock_timeout = '1s'", "SET statement_timeout = '30min'",
                                 "DROP INDEX CONCURRENTLY IF EXISTS public.leads_score_idx",
                                 "CREATE INDEX CONCURRENTLY leads_score_idx ON public.leads (score)",
                                 "DO $body$ BEGIN LOOP EXIT; END LOOP; COMMIT; END $body$"]
    assert third.statements[-1] == "ALTER TABLE public.leads VALIDATE CONSTRAINT leads_score_check"
    assert [p.kind for p in migration.parts] == ["transaction", "outside a transaction", "transaction"]


# A migration as atlas-compile wrote them before parts (one transaction applied by the runner).
OLD_FORMAT = """-- atlas-compile migration 0002_add_notes_priority (up)
-- Apply in one transaction; the migration role must bypass row level security

SET search_path = public, extensions;


-- add column public.notes.priority
ALTER TABLE public.notes ADD COLUMN priority integer;
-- create function public.f
CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1; $$;
"""


def test_files_without_markers_are_one_transaction():
    """The format before parts: the SETs before the first operation are the preamble, every
    statement after them one transaction part; no operation, no part."""
    migration = split_migration(OLD_FORMAT)
    assert migration.preamble == ["SET search_path = public, extensions"]
    [part] = migration.parts
    assert part.number == 1 and part.transactional
    assert part.statements == ["ALTER TABLE public.notes ADD COLUMN priority integer",
                               "CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1; $$"]
    assert split_migration("SET search_path = public, extensions;\n-- nothing to do\n").parts == []


def parts_of(name: str, direction: str = "up") -> int:
    return len(split_migration((BUILD / "migrations" / f"{name}.{direction}.sql").read_text(encoding="utf-8")).parts)


@pytest.mark.parametrize("path", sorted((BUILD / "migrations").glob("*.sql")), ids=lambda p: p.name)
def test_the_examples_files_split_into_the_parts_their_header_announces(path):
    text = path.read_text(encoding="utf-8")
    migration = split_migration(text)
    assert migration.preamble == ["SET search_path = public, extensions"]
    announced = next(line for line in text.splitlines() if line.startswith("-- ") and " part" in line)
    assert announced.startswith(f"-- {len(migration.parts)} part"), announced
    for number, part in enumerate(migration.parts, 1):
        assert part.number == number and part.statements
        assert not any(s.upper().startswith(("BEGIN", "COMMIT")) for s in part.statements)


def test_text_without_markers_or_preamble_is_one_part():
    migration = split_migration("-- a seed\ninsert into t values (1); -- one\n/* two */ insert into t values (2);\n")
    assert migration.preamble == []
    assert [p.statements for p in migration.parts] == [["insert into t values (1)", "insert into t values (2)"]]
    assert split_migration("-- nothing to do\n") .parts == []
    assert split_migration("BEGIN;\nselect 1;\nCOMMIT;\n").parts[0].statements == ["select 1"]


@pytest.mark.parametrize("text, message", [
    ("-- atlas-compile part 2/2: transaction\nselect 1;\n", "part marker 2/2 where part 1/2"),
    ("-- atlas-compile part 1/2: transaction\nselect 1;\n", "announces 2 parts but marks 1"),
    ("select 1;\n-- atlas-compile part 1/1: transaction\nselect 2;\n", "only session SETs"),
    ("-- atlas-compile part 1/1: outside a transaction\nBEGIN;\nselect 1;\n", "holds BEGIN"),
    ("-- atlas-compile part 1/1: transaction\nBEGIN;\nselect 1;\n", "does not commit"),
    ("-- atlas-compile part 1/1: transaction\nselect 1;\nCOMMIT;\nselect 2;\n", "holds COMMIT"),
    ("-- atlas-compile part 1/1: transaction\nselect from where;\n", "unparsable SQL"),
])
def test_malformed_parts_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        split_migration(text)


# -- the runner, on the real cluster, through the command line ------------------------------

def migrate(db, *args: str, out: Path = BUILD):
    return run_cli("migrate", "--database-url", db.conninfo(), "--out", str(out), *args)


def history(conn) -> list[tuple]:
    return conn.execute("select version, parts_done, parts_total from atlas_migrate.history order by 1").fetchall()


def catalog(conn) -> dict:
    """The live schemas' catalog; the runner's own atlas_migrate schema left out."""
    snapshot = snapshot_catalog(conn, LIVE_SCHEMAS)
    snapshot["schemas"] = {k: v for k, v in snapshot["schemas"].items() if k != "atlas_migrate"}
    return snapshot


def reseal(out: Path) -> None:
    """Recomputes migrations.sum after the test changed build/ on purpose (a new release, or an
    applied file edited in a way the sum cannot see)."""
    migrations = json.loads((out / LOCK).read_text(encoding="utf-8"))["migrations"]
    (out / SUM).write_text(checksums.compute(released_files(out, migrations)), encoding="utf-8")


def release(tmp_path: Path, migrations: dict[str, tuple[str, str]]) -> Path:
    """A copy of the example's build/ with hand-written migrations released after its own."""
    out = tmp_path / "build"
    shutil.copytree(BUILD, out)
    lock = json.loads((out / LOCK).read_text(encoding="utf-8"))
    lock.pop("history")   # hand-written releases have no build behind them: an old-format lock
    for name, (up, down) in migrations.items():
        (out / "migrations" / f"{name}.up.sql").write_text(up, encoding="utf-8")
        (out / "migrations" / f"{name}.down.sql").write_text(down, encoding="utf-8")
        lock["migrations"].append(name)
    (out / LOCK).write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    reseal(out)
    return out


def test_example_up_from_empty_then_status_and_a_no_op(fresh_db, pg_cluster):
    result = migrate(fresh_db)
    assert result.returncode == 0, result.stderr
    names = released(BUILD)
    lines = result.stderr.splitlines()
    progress = [line for line in lines if not line.startswith("notice: ")]
    # the server's notices are shown too: pg_cron lives in another database than this one
    notices = [line for line in lines if line.startswith("notice: ")]
    assert any("pg_cron lives in database" in line and "not created in" in line for line in notices), notices
    parts = {name: parts_of(name) for name in names}
    assert [line.split(" up: ", 1)[0] for line in progress] == [n for n in names for _ in range(parts[n])]
    assert [line.split(" up: ", 1)[1].split(" (")[0] for line in progress] == \
        [f"part {i}/{parts[n]}" for n in names for i in range(1, parts[n] + 1)]
    assert all(" done in " in line for line in progress)
    assert max(parts.values()) > 1   # the example holds online forms
    total = sum(parts.values())
    assert result.stdout.startswith(f"applied {len(names)} migration(s), {total} part(s), in ")
    assert result.stdout.strip().endswith(f"the database is at {names[-1]}")
    conn = fresh_db.connect()
    assert history(conn) == [(name, parts[name], parts[name]) for name in names]
    with scratch_database(pg_cluster, "twin") as twin:   # the harness's chain: the same catalog
        twin_conn = twin.connect()
        migrate_up(twin_conn, BUILD)
        assert diff_catalogs(catalog(conn), catalog(twin_conn)) == []

    status = migrate(fresh_db, "status")
    assert status.returncode == 0, status.stderr
    assert [line.split()[:2] for line in status.stdout.splitlines()] == [["applied", n] for n in names]

    again = migrate(fresh_db)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"nothing to migrate: the database is at {names[-1]}"
    assert again.stderr == ""
    assert history(conn) == [(name, parts[name], parts[name]) for name in names]


def test_an_applied_migration_edited_since_is_refused(fresh_db, tmp_path):
    out = release(tmp_path, {})
    names = released(out)
    assert migrate(fresh_db, "--to", "0003", out=out).returncode == 0
    edited = out / "migrations" / f"{names[1]}.up.sql"
    edited.write_text(edited.read_text(encoding="utf-8") + "-- edited after it was applied\n", encoding="utf-8")
    reseal(out)   # the sum cannot see it: the history must
    before = catalog(fresh_db.connect())
    result = migrate(fresh_db, out=out)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]   # one line, no traceback
    assert f"migration {names[1]} was edited after it was applied" in result.stderr
    assert diff_catalogs(before, catalog(fresh_db.connect())) == []
    status = migrate(fresh_db, "status", out=out)
    assert status.returncode == 1
    assert f"EDITED   {names[1]}" in status.stdout and f"pending  {names[3]}" in status.stdout

    conn = fresh_db.connect()   # the file restored, the history's record tampered with
    shutil.copy(BUILD / "migrations" / f"{names[1]}.up.sql", edited)
    reseal(out)
    conn.execute("update atlas_migrate.history set checksum = repeat('0', 64) where version = %s", [names[0]])
    result = migrate(fresh_db, out=out)
    assert result.returncode == 1 and f"migration {names[0]} was edited after it was applied" in result.stderr


def test_down_n_equals_migrating_only_that_far(fresh_db, pg_cluster):
    names = released(BUILD)
    assert migrate(fresh_db).returncode == 0
    result = migrate(fresh_db, "--down", "3")
    assert result.returncode == 0, result.stderr
    assert [line.split(" ", 2)[:2] for line in result.stderr.splitlines() if not line.startswith("notice: ")] == \
        [[name, "down:"] for name in reversed(names[-3:]) for _ in range(parts_of(name, "down"))]
    assert result.stdout.startswith("rolled back 3 migration(s)")
    conn = fresh_db.connect()
    assert history(conn) == [(name, parts_of(name), parts_of(name)) for name in names[:-3]]
    with scratch_database(pg_cluster, "twin") as twin:
        assert migrate(twin, "--to", names[-4]).returncode == 0
        assert diff_catalogs(catalog(conn), catalog(twin.connect())) == []
        assert migrate(twin, "--to", "0001").returncode == 0   # --to goes down as well
        assert history(twin.connect()) == [(names[0], parts_of(names[0]), parts_of(names[0]))]
    up = migrate(fresh_db)   # and up again to the end
    assert up.returncode == 0 and up.stdout.startswith("applied 3 migration(s)")
    too_far = migrate(fresh_db, "--down", str(len(names) + 1))
    assert too_far.returncode == 1 and \
        f"--down {len(names) + 1}: only {len(names)} migration(s) are applied" in too_far.stderr
    assert migrate(fresh_db, "--to", "0042").returncode == 1


SCORE_UP = """-- atlas-compile migration 0100_leads_score (up)
SET search_path = public, extensions;

-- atlas-compile part 1/2: transaction
BEGIN;
SET LOCAL lock_timeout = '100ms';
SET LOCAL statement_timeout = '10s';
ALTER TABLE public.leads ADD COLUMN score_7 integer;
COMMENT ON COLUMN public.leads.score_7 IS 'written by hand';
COMMIT;

-- atlas-compile part 2/2: outside a transaction
SET lock_timeout = '100ms';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS public.leads_score_7_idx;
CREATE INDEX CONCURRENTLY leads_score_7_idx ON public.leads (score_7);
"""
SCORE_DOWN = """SET search_path = public, extensions;

-- atlas-compile part 1/2: outside a transaction
SET lock_timeout = '100ms';
DROP INDEX CONCURRENTLY IF EXISTS public.leads_score_7_idx;

-- atlas-compile part 2/2: transaction
BEGIN;
SET LOCAL lock_timeout = '100ms';
ALTER TABLE public.leads DROP COLUMN score_7;
COMMIT;
"""


def _has_column(conn, table: str, column: str) -> bool:
    return conn.execute("select count(*) from pg_attribute where attrelid = %s::regclass and attname = %s "
                        "and not attisdropped", [table, column]).fetchone()[0] == 1


def test_a_lock_not_granted_is_retried_then_stops_clean_then_finishes(fresh_db, tmp_path):
    out = release(tmp_path, {"0100_leads_score": (SCORE_UP, SCORE_DOWN)})
    assert migrate(fresh_db, "--to", released(BUILD)[-1], out=out).returncode == 0
    conn = fresh_db.connect()
    holder = fresh_db.connect(autocommit=False)
    holder.execute("lock table public.leads in access share mode")   # a reader that does not finish
    result = migrate(fresh_db, "--attempts", "3", "--retry-wait", "0.05", out=out)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert [line.split(";")[-1].strip() for line in lines[:2]] == ["attempt 2/3 in 0.05s", "attempt 3/3 in 0.1s"]
    assert lines[-1].startswith("atlas-compile: migrate stopped: 0100_leads_score up: part 1/2: lock not granted "
                                "after 3 attempts (canceling statement due to lock timeout)")
    assert "rolled back whole" in lines[-1] and len(lines) == 3
    assert not _has_column(conn, "public.leads", "score_7")   # nothing of the part is applied
    assert [row[0] for row in history(conn)] == released(BUILD)

    def release_once_migrate_waits():   # the runner's session queued behind the reader, then freed
        watcher = fresh_db.connect()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not watcher.execute(
                "select count(*) from pg_stat_activity where application_name = 'atlas-compile migrate' "
                "and wait_event_type = 'Lock'").fetchone()[0]:
            time.sleep(0.01)
        time.sleep(0.3)   # past this attempt's lock_timeout: the retry is the one that gets the lock
        holder.rollback()

    threading.Thread(target=release_once_migrate_waits).start()
    result = migrate(fresh_db, "--attempts", "20", "--retry-wait", "0.1", out=out)
    assert result.returncode == 0, result.stderr
    assert "lock not granted" in result.stderr   # it waited, then went on
    assert "0100_leads_score up: part 2/2 (outside a transaction) DROP INDEX CONCURRENTLY" in result.stderr
    assert _has_column(conn, "public.leads", "score_7")
    assert conn.execute("select indisvalid from pg_index where indexrelid = 'public.leads_score_7_idx'::regclass"
                        ).fetchone() == (True,)
    assert history(conn)[-1] == ("0100_leads_score", 2, 2)
    down = migrate(fresh_db, "--down", "1", out=out)
    assert down.returncode == 0, down.stderr
    assert not _has_column(conn, "public.leads", "score_7") and history(conn)[-1][0] == released(BUILD)[-1]


RESUME_UP = """SET search_path = public, extensions;

-- atlas-compile part 1/3: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
CREATE TABLE public.resume_t (id integer PRIMARY KEY, v integer);
INSERT INTO public.resume_t VALUES (1, 1), (2, 1);
COMMIT;

-- atlas-compile part 2/3: outside a transaction
SET lock_timeout = '1s';
DROP INDEX CONCURRENTLY IF EXISTS public.resume_t_v_key;
CREATE UNIQUE INDEX CONCURRENTLY resume_t_v_key ON public.resume_t (v);

-- atlas-compile part 3/3: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
ALTER TABLE public.resume_t ADD CONSTRAINT resume_t_v_key UNIQUE USING INDEX resume_t_v_key;
COMMIT;
"""
RESUME_DOWN = """SET search_path = public, extensions;

-- atlas-compile part 1/1: transaction
BEGIN;
DROP TABLE public.resume_t;
COMMIT;
"""


def test_a_multi_part_migration_resumes_at_the_part_that_failed(fresh_db, tmp_path):
    out = release(tmp_path, {"0100_resume": (RESUME_UP, RESUME_DOWN)})
    assert migrate(fresh_db, "--to", released(BUILD)[-1], out=out).returncode == 0
    conn = fresh_db.connect()
    start = catalog(conn)
    failed = migrate(fresh_db, out=out)
    assert failed.returncode == 1
    assert "0100_resume up: part 1/3 (transaction) CREATE TABLE public.resume_t" in failed.stderr
    assert "atlas-compile: migrate stopped: 0100_resume up: part 2/3 failed: could not create unique index " \
           "\"resume_t_v_key\" [23505] in part 2/3 (outside a transaction): CREATE UNIQUE INDEX" in failed.stderr
    assert history(conn)[-1] == ("0100_resume", 1, 3)
    assert conn.execute("select indisvalid from pg_index where indexrelid = 'public.resume_t_v_key'::regclass"
                        ).fetchone() == (False,)   # what a failed concurrent build leaves behind
    status = migrate(fresh_db, "status", out=out)
    assert status.returncode == 0 and "partial  0100_resume  (1/3 parts done" in status.stdout
    refused = migrate(fresh_db, "--down", "1", out=out)
    assert refused.returncode == 1 and "0100_resume stopped at part 2/3: run migrate to finish it" in refused.stderr

    conn.execute("update public.resume_t set v = 2 where id = 2")
    resumed = migrate(fresh_db, out=out)
    assert resumed.returncode == 0, resumed.stderr
    parts = [line.split(": part ")[1][:3] for line in resumed.stderr.splitlines()]
    assert parts == ["2/3", "3/3"]   # part 1 is not run again (its CREATE TABLE would fail)
    assert history(conn)[-1] == ("0100_resume", 3, 3)
    assert conn.execute("select conname from pg_constraint where conrelid = 'public.resume_t'::regclass "
                        "and contype = 'u'").fetchall() == [("resume_t_v_key",)]
    assert migrate(fresh_db, "--down", "1", out=out).returncode == 0
    assert diff_catalogs(start, catalog(conn)) == []


def test_without_psycopg_migrate_says_what_to_install(tmp_path):
    script = ("import sys\nsys.modules['psycopg'] = None\nfrom compiler.cli import main\n"
              "main(['migrate', '--database-url', 'postgresql://x/y'])\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert result.stderr.strip() == "atlas-compile: migrate needs psycopg: pip install 'atlas-compile[verify]'"


def test_usage_errors_exit_2():
    env = {"PATH": "/usr/bin:/bin"}
    missing = run_cli("migrate", "--out", str(BUILD), env=env)
    assert missing.returncode == 2 and "--database-url (or the DATABASE_URL environment variable)" in missing.stderr
    both = run_cli("migrate", "--database-url", "x", "--down", "1", "--to", "0001")
    assert both.returncode == 2 and "cannot be combined" in both.stderr
    assert run_cli("migrate", "--database-url", "x", "--down", "0").returncode == 2
    unreachable = run_cli("migrate", "--database-url", "postgresql://nobody@127.0.0.1:1/x", "--out", str(BUILD))
    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith("atlas-compile: cannot connect to the database: ")
    assert len(unreachable.stderr.strip().splitlines()) == 1


def test_a_long_part_says_it_is_still_running(monkeypatch):
    from compiler.migrate import runner
    monkeypatch.setattr(runner._heartbeat, "HEARTBEAT", 0.05)
    lines: list[str] = []
    with runner._heartbeat("0007_x up: part 2/3 (outside a transaction) CREATE INDEX", time.monotonic(), lines.append):
        time.sleep(0.3)
    assert len(lines) >= 3
    assert all(line.startswith("0007_x up: part 2/3 (outside a transaction) CREATE INDEX: still running (")
               for line in lines)
    quiet: list[str] = []
    with runner._heartbeat("fast", time.monotonic(), quiet.append):
        pass
    assert quiet == []
