"""Materialized view refresh (`refresh: {concurrently, every}`) on the real server with pg_cron
loaded: the job row in cron.job after up and gone after down, the refresh function filling the
view (concurrently, with its unique index; PostgreSQL refusing it without one, which is why the
build does), who may call it, a changed schedule that leaves the view alone, and the E412
interval rules."""
from __future__ import annotations

import shutil

import psycopg
import pytest
from helpers import SNAPSHOT_CASES

from compiler.lower.refresh import cron_expression, interval_text
from compiler.output import write_files
from compiler.pipeline import compile_folder, next_migration
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.verify.chain import apply_sql, migrate_down, migrate_up

CASE = SNAPSHOT_CASES / "matview_refresh" / "schema"
JOBS = {
    ("atlas_refresh_sales_daily", "*/15 * * * *", "SELECT atlas_private.refresh_sales_daily()"),
    ("atlas_refresh_sales_by_region", "0 * * * *", "SELECT atlas_private.refresh_sales_by_region()"),
}


def jobs(conn) -> set[tuple]:
    return set(conn.execute("SELECT jobname, schedule, command FROM cron.job").fetchall())


def initial(tmp_path, schema=CASE) -> tuple[str, str]:
    files = next_migration(schema, tmp_path / "build").files
    return (files["migrations/0001_initial.up.sql"].decode(), files["migrations/0001_initial.down.sql"].decode())


def seed(conn, amounts) -> None:
    """An organization's sales, written as the superuser (row level security does not apply)."""
    org = conn.execute("INSERT INTO public.organizations (name) VALUES ('acme') RETURNING id").fetchone()[0]
    for i, amount in enumerate(amounts):
        conn.execute("INSERT INTO public.sales (organization_id, amount, region) VALUES (%s, %s, %s)",
                     (org, amount, f"r{i % 2}"))


def test_the_case_schedules_what_it_declares():
    model = compile_folder(CASE)
    assert {(s.name, s.cron, s.command) for s in model.of("schedule")} == JOBS
    refreshed = {v.name: v.refresh for v in model.of("view") if v.materialized}
    assert refreshed["sales_daily"].concurrently and refreshed["sales_daily"].every == "15 minutes"
    assert refreshed["sales_by_region"].every == "1 hour"   # `60 minutes`, normalized
    assert refreshed["sales_totals"].every is None           # refresh: {} -> the function only
    functions = {f.name for f in model.of("function")}
    assert {"refresh_sales_daily", "refresh_sales_by_region", "refresh_sales_totals"} <= functions


def test_job_after_up_gone_after_down(cron_db, tmp_path):
    """pg_cron already installed (as Supabase enables it): the migration leaves the extension in
    place, so only cron.unschedule can have removed the jobs."""
    up, down = initial(tmp_path)
    with cron_db.connect() as conn:
        conn.execute("CREATE EXTENSION pg_cron")
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        built = snapshot_catalog(conn)
        rows = conn.execute("SELECT jobname, database, username, active FROM cron.job").fetchall()
        assert jobs(conn) == JOBS
        assert {r[1:] for r in rows} == {(cron_db.name, "postgres", True)}
        apply_sql(conn, down)
        assert jobs(conn) == set()
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_sql(conn, up)
        assert jobs(conn) == JOBS and diff_catalogs(built, snapshot_catalog(conn)) == []


def test_the_job_command_refreshes_concurrently(cron_db, tmp_path):
    """The job's own command text, run as pg_cron runs it, fills the view; run again while a
    reader holds the view open (CONCURRENTLY takes no lock that blocks readers)."""
    up, _ = initial(tmp_path)
    with cron_db.connect() as conn, cron_db.connect() as reader:
        apply_sql(conn, up)
        seed(conn, [10, 20, 30])
        assert conn.execute("SELECT count(*) FROM atlas_private.sales_daily").fetchone()[0] == 0
        command = conn.execute("SELECT command FROM cron.job WHERE jobname = 'atlas_refresh_sales_daily'").fetchone()[0]
        conn.execute(command)
        assert conn.execute("SELECT sum(total) FROM atlas_private.sales_daily").fetchone()[0] == 60
        seed(conn, [5])
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM atlas_private.sales_daily")   # holds ACCESS SHARE
        conn.execute("SET lock_timeout = '200ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):   # a plain REFRESH waits for the reader
            conn.execute("REFRESH MATERIALIZED VIEW atlas_private.sales_daily")
        conn.execute("SET lock_timeout = '2s'")
        conn.execute(command)
        reader.execute("COMMIT")
        assert conn.execute("SELECT sum(total) FROM atlas_private.sales_daily").fetchone()[0] == 65
        conn.execute("SELECT atlas_private.refresh_sales_by_region()")
        conn.execute("SELECT atlas_private.refresh_sales_totals()")
        assert conn.execute("SELECT sum(total) FROM atlas_private.sales_totals").fetchone()[0] == 65


def test_postgresql_refuses_concurrently_without_the_unique_index(cron_db, tmp_path):
    """Why E412 asks for the index: without it, the generated function fails at run time."""
    up, _ = initial(tmp_path)
    with cron_db.connect() as conn:
        apply_sql(conn, up)
        conn.execute("DROP INDEX atlas_private.idx_sales_daily_organization_id_day_region")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="concurrently"):
            conn.execute("SELECT atlas_private.refresh_sales_daily()")
        conn.execute("CREATE UNIQUE INDEX partial ON atlas_private.sales_daily (organization_id, day, region) "
                     "WHERE total > 0")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="concurrently"):
            conn.execute("SELECT atlas_private.refresh_sales_daily()")


def test_only_the_owner_refreshes(cron_db, tmp_path):
    """No API role may refresh (recomputing every row on demand is a denial of service); the
    owner, who runs the pg_cron job, may."""
    up, _ = initial(tmp_path)
    with cron_db.connect() as conn:
        apply_sql(conn, up)
        for role in ("authenticated", "anon", "service_role"):
            conn.execute(f"SET ROLE {role}")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT atlas_private.refresh_sales_daily()")
            conn.execute("RESET ROLE")
        granted = conn.execute("SELECT proacl::text FROM pg_proc WHERE proname = 'refresh_sales_daily'").fetchone()[0]
        assert granted == "{postgres=X/postgres}"
        conn.execute("SELECT atlas_private.refresh_sales_daily()")


def test_a_changed_schedule_leaves_the_view(cron_db, tmp_path):
    """every 15 -> 5 minutes, and one view's refresh removed: the jobs change, the views stay
    (no DROP MATERIALIZED VIEW), down gives the first jobs back, and the chain equals a fresh
    build of the second spec."""
    spec, out = tmp_path / "schema", tmp_path / "build"
    shutil.copytree(CASE, spec)
    write_files(out, next_migration(spec, out).files)
    sales = spec / "sales.yaml"
    sales.write_text(sales.read_text().replace("every: 15 minutes", "every: 5 minutes")
                     .replace("    refresh: {every: 60 minutes}\n", ""), encoding="utf-8")
    second = next_migration(spec, out)
    write_files(out, second.files)
    up2 = second.files[f"migrations/{second.migration}.up.sql"].decode()
    assert "MATERIALIZED VIEW" not in up2.replace("REFRESH MATERIALIZED VIEW", "")
    with cron_db.connect() as conn:
        names = migrate_up(conn, out)
        assert len(names) == 2
        chained = snapshot_catalog(conn)
        assert jobs(conn) == {("atlas_refresh_sales_daily", "*/5 * * * *", "SELECT atlas_private.refresh_sales_daily()")}
        migrate_down(conn, out, names[1:])
        assert jobs(conn) == JOBS
        migrate_down(conn, out, names[:1])
    fresh_up, _ = initial(tmp_path / "fresh", spec)
    with cron_db.connect() as conn:
        apply_sql(conn, fresh_up)
        assert diff_catalogs(chained, snapshot_catalog(conn)) == []


@pytest.mark.parametrize(("minutes", "cron", "text"), [
    (1, "* * * * *", "1 minute"), (15, "*/15 * * * *", "15 minutes"), (60, "0 * * * *", "1 hour"),
    (120, "0 */2 * * *", "2 hours"), (480, "0 */8 * * *", "8 hours"), (1440, "0 0 * * *", "1 day"),
    (7, None, "7 minutes"), (90, None, "90 minutes"), (300, None, "5 hours"), (2880, None, "2 days"),
])
def test_every_as_cron(minutes, cron, text):
    assert cron_expression(minutes) == cron
    assert interval_text(minutes) == text
