"""A project that lists pg_cron applies in any database: pg_cron can be created only in the one
named by `cron.database_name` (Supabase: `postgres`), so there the migration installs it and
schedules the jobs, and everywhere else (a team's dev or CI database, verify's scratch
databases) up and down apply with a notice saying where pg_cron lives, and no job. Up then down
gives the catalog back in both; `atlas-compile verify` passes on the matview_refresh case."""
from __future__ import annotations

import json
import shutil

import psycopg
import pytest
from helpers import run_cli
from test_refresh import CASE, initial

from compiler.postgres import PostgresCluster, diff_catalogs, install_roles, install_supabase, snapshot_catalog
from compiler.postgres.cluster import CRON_DATABASE
from compiler.verify.chain import apply_sql

JOBS = {"atlas_refresh_sales_daily", "atlas_refresh_sales_by_region"}


def noticed(conn) -> list[str]:
    """The notices the connection receives from now on, in order."""
    notices: list[str] = []
    conn.add_notice_handler(lambda diag: notices.append(diag.message_primary))
    return notices


def extension(conn) -> list[tuple]:
    return conn.execute("SELECT extname, obj_description(oid, 'pg_extension') FROM pg_extension "
                        "WHERE extname = 'pg_cron'").fetchall()


def test_in_the_cron_database_the_migration_installs_pg_cron_and_its_jobs(cron_db, tmp_path):
    up, down = initial(tmp_path)
    with cron_db.connect() as conn:
        empty = snapshot_catalog(conn)
        notices = noticed(conn)
        apply_sql(conn, up)
        assert extension(conn) == [("pg_cron", "installed by atlas-compile")]
        assert {r[0] for r in conn.execute("SELECT jobname FROM cron.job")} == JOBS
        built = snapshot_catalog(conn)
        apply_sql(conn, down)
        assert extension(conn) == []   # dropped with its jobs: the migration installed it
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_sql(conn, up)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []
    assert not [n for n in notices if "pg_cron" in n]


def test_elsewhere_up_and_down_apply_with_a_notice_and_no_job(fresh_db, tmp_path):
    up, down = initial(tmp_path)
    assert fresh_db.name != CRON_DATABASE
    with fresh_db.connect() as conn:
        with pytest.raises(psycopg.Error, match=f"can only create extension in database {CRON_DATABASE}"):
            conn.execute("CREATE EXTENSION pg_cron")   # what the migration wrote before
        empty = snapshot_catalog(conn)
        notices = noticed(conn)
        apply_sql(conn, up)
        assert notices[0] == (f"pg_cron lives in database {CRON_DATABASE} (cron.database_name): it is not "
                              f"created in {fresh_db.name}, and its schedules are not made here")
        assert sorted(n for n in notices[1:] if "is not scheduled here" in n) == [
            f"pg_cron is not installed in database {fresh_db.name}: job {job} is not scheduled here"
            for job in sorted(JOBS)]
        assert extension(conn) == []
        assert conn.execute("SELECT to_regnamespace('cron')").fetchone()[0] is None
        conn.execute("SELECT atlas_private.refresh_sales_daily()")   # the functions are made all the same
        built = snapshot_catalog(conn)
        del notices[:]
        apply_sql(conn, down)
        assert sorted(n for n in notices if "was not scheduled here" in n) == [
            f"pg_cron is not installed in database {fresh_db.name}: job {job} was not scheduled here"
            for job in sorted(JOBS)]
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_sql(conn, up)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []


def test_a_job_missing_where_pg_cron_is_does_not_stop_the_down(cron_db, tmp_path):
    """pg_cron installed after the job's migration ran elsewhere, or the job removed by hand:
    down unschedules only the jobs that are there."""
    up, down = initial(tmp_path)
    with cron_db.connect() as conn:
        conn.execute("CREATE EXTENSION pg_cron")
        apply_sql(conn, up)
        conn.execute("SELECT cron.unschedule('atlas_refresh_sales_daily')")
        apply_sql(conn, down)
        assert conn.execute("SELECT count(*) FROM cron.job").fetchone()[0] == 0


def test_verify_passes_on_a_project_with_pg_cron(tmp_path):
    """verify builds the chain, the fresh build and the probes' database in scratch databases,
    none of them the cron one (it stopped at CREATE EXTENSION pg_cron before)."""
    shutil.copytree(CASE, tmp_path / "schema")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    result = run_cli("verify", "--format", "json", cwd=tmp_path, timeout=900)
    report = json.loads(result.stdout)
    failed = [f"{c['subject']} {c['check']}: {c['detail']}" for c in report["checks"]
              if c["status"] in ("fail", "error")]
    assert result.returncode == 0 and report["ok"], "\n".join(failed) or result.stderr
    passed = {(c["area"], c["check"].split("[")[0]) for c in report["checks"] if c["status"] == "pass"}
    assert {("chain", "down_restores_catalog"), ("chain", "up_matches_fresh_build"),
            ("isolation", "own_rows_visible")} <= passed


def test_a_server_without_pg_cron_preloaded_says_so(tmp_path):
    """CREATE EXTENSION pg_cron fails there in every database (its script reads
    cron.database_name, which only the preloaded library defines): the migration says so and
    applies without it."""
    up, down = initial(tmp_path)
    with PostgresCluster(cron=False) as cluster:
        assert cluster.cron_database is None
        with cluster.connect("postgres") as conn:
            install_roles(conn)
        db = cluster.create_database("app")
        with db.connect() as conn:
            install_supabase(conn)
            with pytest.raises(psycopg.Error, match='unrecognized configuration parameter "cron.database_name"'):
                conn.execute("CREATE EXTENSION pg_cron")
            empty = snapshot_catalog(conn)
            notices = noticed(conn)
            apply_sql(conn, up)
            assert notices[0] == ("pg_cron is not loaded by this server (shared_preload_libraries): it is not "
                                  "created here, and its schedules are not made")
            assert extension(conn) == [] and sum("is not scheduled here" in n for n in notices) == len(JOBS)
            apply_sql(conn, down)
            assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        db.close()
