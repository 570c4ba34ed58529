"""Turning partitioning on (and off) for a table that holds rows, on the real server: 24,000
messages across twelve months, the application writing between and during the migration's parts
(inserts, updates that move a row to another month, deletes), every row the live table held
before the swap in the partitioned one after it, the catalog equal to a fresh build (but for the
partitions the history needed, which a fresh build has no rows for), down giving back the plain
table with every row (those written after up too) and the catalog it started from; then the
machine reversed (partitioned -> plain) and the E411 refusals."""
from __future__ import annotations

import json
import re
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from helpers import MIGRATION_CASES as CASES
from helpers import SNAPSHOT_CASES

from compiler.diagnostics import CompileError
from compiler.migrate.apply import apply_part, run_preamble
from compiler.migration_parts import split_migration
from compiler.output import write_files
from compiler.pipeline import next_migration
from compiler.postgres import diff_catalogs
from compiler.verify.chain import apply_sql
from compiler.verify.evolution import live_catalog

CASE = SNAPSHOT_CASES / "partitioned_messages" / "schema"
PARTITION_BLOCK = re.compile(r"    partition:\n(?:      .*\n)+")
ROWS = "SELECT id::text, organization_id::text, channel_id::text, author_id::text, body, created_at::text, " \
       "updated_at::text, deleted_at::text FROM public.messages ORDER BY id"


def specs(tmp_path: Path) -> tuple[Path, Path]:
    """The help desk's messages plain (before) and partitioned by month (after)."""
    plain, partitioned = tmp_path / "plain", tmp_path / "partitioned"
    shutil.copytree(CASE, partitioned)
    shutil.copytree(CASE, plain)
    tables = plain / "tables.yaml"
    text, count = PARTITION_BLOCK.subn("", tables.read_text(encoding="utf-8"))
    assert count == 1
    tables.write_text(text, encoding="utf-8")
    return plain, partitioned


def migration(schema: Path, out: Path) -> tuple[str, str, object]:
    step = next_migration(schema, out)
    write_files(out, step.files)
    name = step.migrations[-1]
    return (step.files[f"migrations/{name}.up.sql"].decode(), step.files[f"migrations/{name}.down.sql"].decode(), step)


@contextmanager
def chain_and_fresh(pg_cluster, tmp_path: Path, first: Path, second: Path):
    """`first` built, then `second` over it (the migration under test), and `second` built from
    nothing; two databases from the Supabase template: (first's up, the up, the down, the fresh
    build's up, the step, the chain database, the fresh one), dropped afterwards."""
    out = tmp_path / "build"
    first_up, _, _ = migration(first, out)
    up, down, step = migration(second, out)
    fresh_up, _, _ = migration(second, tmp_path / "fresh_build")
    names = [pg_cluster.unique_database_name(prefix) for prefix in ("chain", "fresh")]
    chain, fresh = (pg_cluster.create_database(name, template="supabase_template") for name in names)
    try:
        yield first_up, up, down, fresh_up, step, chain, fresh
    finally:
        for name in names:
            pg_cluster.drop_database(name)


def seed(conn, count: int = 24_000) -> None:
    """Two organizations, a channel each, `count` messages spread over the last twelve months."""
    conn.execute("""
        INSERT INTO public.organizations (id, name) VALUES
          ('0a000000-0000-4000-8000-000000000001', 'acme'), ('0a000000-0000-4000-8000-000000000002', 'globex');
        INSERT INTO public.channels (id, organization_id, name) VALUES
          ('0c000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001', 'general'),
          ('0c000000-0000-4000-8000-000000000002', '0a000000-0000-4000-8000-000000000002', 'general');
        INSERT INTO auth.users (id, email) VALUES ('0d000000-0000-4000-8000-000000000001', 'ana@acme.test');
        INSERT INTO public.members (id, organization_id, user_id, role) VALUES
          ('0e000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001',
           '0d000000-0000-4000-8000-000000000001', 'admin');
        SET session_replication_role = replica;   -- no audit rows for the seed
    """)
    conn.execute("""
        INSERT INTO public.messages (organization_id, channel_id, body, created_at)
        SELECT ('0a000000-0000-4000-8000-00000000000' || (1 + i %% 2))::uuid,
               ('0c000000-0000-4000-8000-00000000000' || (1 + i %% 2))::uuid,
               'message ' || i, now() - make_interval(days => i %% 360, secs => i)
        FROM generate_series(1, %s) AS i""", (count,))
    conn.execute("SET session_replication_role = origin")


MEMBER_CLAIMS = json.dumps({"sub": "0d000000-0000-4000-8000-000000000001", "role": "authenticated",
                            "aud": "authenticated"})


class Writer:
    """The application: a loop of short transactions (insert, update one row into another month,
    delete one) on its own connection, until stopped; how many it made."""

    def __init__(self, conninfo: str):
        self.conn = psycopg.connect(conninfo, autocommit=True)
        self.stop, self.done, self.errors = threading.Event(), 0, []

    def burst(self, n: int) -> None:
        for _ in range(n):
            self.conn.execute("""
                INSERT INTO public.messages (organization_id, channel_id, body, created_at)
                VALUES ('0a000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001', 'live',
                        now() - make_interval(days => (random() * 300)::int));
                UPDATE public.messages SET body = body || ' (edited)', created_at = created_at - interval '40 days'
                WHERE id = (SELECT id FROM public.messages WHERE body LIKE 'message %%' ORDER BY random() LIMIT 1);
                DELETE FROM public.messages WHERE id = (SELECT id FROM public.messages WHERE body <> 'from the api' ORDER BY random() LIMIT 1);
            """)
            with self.conn.transaction():   # as PostgREST runs a signed-in member's request
                self.conn.execute("SET LOCAL role authenticated")
                self.conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (MEMBER_CLAIMS,))
                self.conn.execute(
                    "INSERT INTO public.messages (organization_id, channel_id, author_id, body) VALUES "
                    "('0a000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001', "
                    "'0e000000-0000-4000-8000-000000000001', 'from the api')")
            self.done += 1

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.burst(1)
        except Exception as exc:   # reported by the test
            self.errors.append(exc)


def apply_with_writes(conninfo: str, text: str, writer: Writer) -> dict:
    """The up part by part, the application writing before the copy, while it runs, and before
    the swap; returns how many writes fell in each window and the rows just before the swap."""
    parsed = split_migration(text)
    windows, before_swap = {}, None
    with psycopg.connect(conninfo, autocommit=True) as conn:
        run_preamble(conn, parsed)
        for part in parsed.parts:
            copying = not part.transactional
            started = time.perf_counter()
            if copying:
                thread = threading.Thread(target=writer.run)
                start = writer.done
                thread.start()
                apply_part(conn, part, len(parsed.parts))
                writer.stop.set()
                thread.join()
                writer.stop.clear()
                windows["during the copy"] = writer.done - start
                windows["copy seconds"] = round(time.perf_counter() - started, 2)
                writer.burst(25)
                before_swap = conn.execute(ROWS).fetchall()
            else:
                apply_part(conn, part, len(parsed.parts))
                windows[f"part {part.number} seconds"] = round(time.perf_counter() - started, 3)
                if part.number == 1:
                    writer.burst(25)
                    windows["after prepare"] = 25
    assert not writer.errors, writer.errors
    return {"windows": windows, "before_swap": before_swap}


def history(conn) -> set[str]:
    """Partitions a fresh build does not make: those before this month's."""
    this_month = conn.execute("SELECT 'messages_p' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC'), "
                              "'YYYYMMDD')").fetchone()[0]
    names = conn.execute("SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid "
                         "WHERE i.inhparent = 'public.messages'::regclass").fetchall()
    return {n for (n,) in names if n < this_month and n != "messages_default"}


def without(lines: list[str], names: set[str]) -> list[str]:
    return [line for line in lines if not any(re.search(rf"\b{n}(?!\d)", line) for n in names)]


def test_partition_a_table_with_rows_while_the_app_writes(pg_cluster, tmp_path):
    plain, partitioned = specs(tmp_path)
    with chain_and_fresh(pg_cluster, tmp_path, plain, partitioned) as (first_up, up, down, fresh_up, step, chain, fresh), \
            chain.connect() as conn, fresh.connect() as fresh_conn:
        assert "partition_swap" in up and [w.code for w in step.warnings if w.code.startswith("W0")] == ["W001"]
        apply_sql(conn, first_up)
        seed(conn)
        start = live_catalog(conn)
        apply_sql(fresh_conn, fresh_up)
        writer = Writer(chain.conninfo())
        seen = apply_with_writes(chain.conninfo(), up, writer)
        print(seen["windows"])
        assert seen["windows"]["during the copy"] > 0, "the application wrote nothing while the rows were copied"
        # every row the live table held just before the swap, and nothing else
        assert conn.execute(ROWS).fetchall() == seen["before_swap"]
        assert len(seen["before_swap"]) >= 24_000
        api = conn.execute("SELECT count(*) FROM public.messages WHERE body = 'from the api'").fetchone()[0]
        assert api == seen["windows"]["during the copy"] + 50   # every write of the member, through RLS, kept
        assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'public.messages'::regclass").fetchone()[0] == "p"
        spread = conn.execute("SELECT count(DISTINCT tableoid) FROM public.messages").fetchone()[0]
        assert spread >= 12   # the months of the history have partitions of their own
        made = history(conn)
        assert without(diff_catalogs(live_catalog(conn), live_catalog(fresh_conn),
                                     ("chain", "fresh")), made) == []
        assert next_migration(partitioned, tmp_path / "build").files == {}   # nothing left to do
        # the application goes on after up; down keeps those rows too
        writer.burst(50)
        expected = conn.execute(ROWS).fetchall()
        apply_sql(conn, down)
        assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'public.messages'::regclass").fetchone()[0] == "r"
        assert conn.execute(ROWS).fetchall() == expected
        assert diff_catalogs(live_catalog(conn), start, ("down", "start")) == []
        assert conn.execute("SELECT to_regnamespace('atlas_archive'), to_regnamespace('atlas_swap')").fetchone() \
            == (None, None)
        writer.conn.close()


def test_stop_partitioning_a_table_with_rows(pg_cluster, tmp_path):
    """partitioned -> plain: the same machine reversed; down partitions it again, rows kept."""
    plain, partitioned = specs(tmp_path)
    with chain_and_fresh(pg_cluster, tmp_path, partitioned, plain) as (first_up, up, down, fresh_up, _, chain, fresh), \
            chain.connect() as conn, fresh.connect() as fresh_conn:
        apply_sql(conn, first_up)
        seed(conn, 6_000)
        start = live_catalog(conn)
        rows = conn.execute(ROWS).fetchall()
        apply_sql(conn, up)
        apply_sql(fresh_conn, fresh_up)
        assert conn.execute(ROWS).fetchall() == rows
        assert diff_catalogs(live_catalog(conn), live_catalog(fresh_conn)) == []
        made = {n for (n,) in conn.execute("SELECT relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = "
                                           "c.relnamespace WHERE n.nspname = 'atlas_archive' AND relispartition")}
        assert len(made) >= 12   # the archived parent kept its partitions
        conn.execute("INSERT INTO public.messages (organization_id, channel_id, body) VALUES "
                     "('0a000000-0000-4000-8000-000000000002', '0c000000-0000-4000-8000-000000000002', 'after up')")
        expected = conn.execute(ROWS).fetchall()
        apply_sql(conn, down)
        assert conn.execute(ROWS).fetchall() == expected
        # the partitions it had come back by the names and bounds the archive kept
        assert diff_catalogs(live_catalog(conn), start, ("down", "start")) == []


def test_a_new_interval_changes_only_the_maintenance(tmp_path):
    _, partitioned = specs(tmp_path)
    out = tmp_path / "build"
    migration(partitioned, out)
    tables = partitioned / "tables.yaml"
    tables.write_text(tables.read_text(encoding="utf-8").replace("premake: 3", "premake: 6")
                      .replace("interval: 1 month", "interval: 7 days"), encoding="utf-8")
    step = next_migration(partitioned, out)
    assert not any(op.family == "partition_swap" for op in step.operations)
    assert not any(op.family == "table" for op in step.operations)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("      body: {type: text, nullable: false, check: \"length(body) > 0\"}\n",
                         "      body: {type: text, nullable: false, check: \"length(body) > 0\"}\n"
                         "      edited: {type: boolean}\n"), "changes its columns"),
    (lambda t: t.replace("  channels:\n", "  receipts:\n    columns:\n      id: {type: uuid, primary_key: true, "
                         "default_sql: gen_random_uuid()}\n      message_id: {type: uuid, references: {table: messages}}\n"
                         "  channels:\n"), "foreign key"),
])
def test_refused_at_the_table(tmp_path, edit, message):
    plain, partitioned = specs(tmp_path)
    out = tmp_path / "build"
    migration(plain, out)
    tables = partitioned / "tables.yaml"
    tables.write_text(edit(tables.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CompileError) as raised:
        next_migration(partitioned, out)
    assert any(d.code == "E411" and message in d.message for d in raised.value.diagnostics), raised.value.diagnostics


SEED_SQL = """
INSERT INTO public.organizations (id, name) VALUES ('0a000000-0000-4000-8000-000000000001', 'acme');
INSERT INTO public.channels (id, organization_id, name)
VALUES ('0c000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001', 'general');
INSERT INTO public.messages (organization_id, channel_id, body, created_at)
SELECT '0a000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001', 'message ' || i,
       now() - make_interval(days => i % 200)
FROM generate_series(1, 2000) AS i;
"""


@pytest.mark.parametrize("runner", ["dbmate", "golang-migrate", "flyway"])
def test_each_file_of_the_conversion_steps_back_alone(runner, fresh_db, tmp_path, monkeypatch):
    """The runner layouts cut the conversion into its three files (prepare, copy, swap; flyway
    keeps the copy beside nothing else too); each file's down takes back that file alone, the
    rows of messages back in the plain table at every step."""
    from test_layout_runners import walk_one_file_at_a_time

    plain, partitioned = specs(tmp_path)
    count = "SELECT count(*) FROM public.messages"
    walked = walk_one_file_at_a_time(runner, [plain, partitioned], [SEED_SQL, None], fresh_db, tmp_path / "project",
                                     monkeypatch, {1: {count: [(2000,)]}, 2: {count: [(2000,)]}, 3: {count: [(2000,)]}})
    assert walked == 4


@pytest.mark.parametrize("runner", ["dbmate", "flyway"])
def test_views_over_it_step_back_one_file_at_a_time(runner, fresh_db, tmp_path, monkeypatch):
    """The acceptance case with views (a materialized one, its rows function, a view over a
    view): the swap's file, undone alone, makes the old table's views again over it."""
    from test_layout_runners import walk_one_file_at_a_time

    case = CASES / "partitions" / "partition_table_read_by_views"
    sides = []
    for side in ("before", "after"):
        shutil.copytree(CASES / "_base" / "schema", tmp_path / side)
        shutil.copytree(case / side, tmp_path / side, dirs_exist_ok=True)
        sides.append(tmp_path / side)
    seed_sql = (CASES / "_base" / "seed.sql").read_text(encoding="utf-8") + """
        insert into public.messages (organization_id, author_id, body)
        select '0a000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-000000000001', 'note ' || i
        from generate_series(1, 300) as i;
        refresh materialized view atlas_private.message_counts;"""
    counts = {"SELECT messages FROM atlas_private.message_counts": [(300,)]}
    walk_one_file_at_a_time(runner, sides, [seed_sql, None], fresh_db, tmp_path / "project", monkeypatch,
                            {1: counts, 2: counts, 3: counts})


def test_the_plain_form_does_it_in_one_transaction(pg_cluster, tmp_path, monkeypatch):
    """Where a migration cannot use the online form (one that removes enum values is one
    transaction whole), the conversion is built, copied and swapped in one transaction."""
    from compiler.kinds.partition_swap import ConvertTable

    monkeypatch.setattr(ConvertTable, "online", lambda self: None)
    plain, partitioned = specs(tmp_path)
    with chain_and_fresh(pg_cluster, tmp_path, plain, partitioned) as (first_up, up, down, fresh_up, _, chain, fresh), \
            chain.connect() as conn, fresh.connect() as fresh_conn:
        assert "outside a transaction" not in up and "(whole)" in up
        apply_sql(conn, first_up)
        seed(conn, 3_000)
        start, rows = live_catalog(conn), conn.execute(ROWS).fetchall()
        apply_sql(conn, up)
        apply_sql(fresh_conn, fresh_up)
        assert conn.execute(ROWS).fetchall() == rows
        assert without(diff_catalogs(live_catalog(conn), live_catalog(fresh_conn)), history(conn)) == []
        apply_sql(conn, down)
        assert conn.execute(ROWS).fetchall() == rows
        assert diff_catalogs(live_catalog(conn), start) == []


PARTMAN_CASE = SNAPSHOT_CASES / "partitioned_events_partman" / "schema"
EVENTS = "SELECT id, organization_id::text, name, created_at::text FROM public.events ORDER BY id"


def test_partition_under_pg_partman_and_back(pg_cluster, tmp_path):
    """With pg_partman in project.extensions: partman's create_parent on the table in atlas_swap,
    its part_config entry moved to the live name by the swap (maintenance runs on it after up);
    bigint identity always copied as it is and its sequence caught up; down forgets the table in
    part_config and gives back the plain table with every row."""
    partitioned, plain = tmp_path / "partitioned", tmp_path / "plain"
    shutil.copytree(PARTMAN_CASE, partitioned)
    shutil.copytree(PARTMAN_CASE, plain)
    tables = plain / "tables.yaml"
    tables.write_text(PARTITION_BLOCK.sub("", tables.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    with chain_and_fresh(pg_cluster, tmp_path, plain, partitioned) as (first_up, up, down, fresh_up, _, chain, fresh), \
            chain.connect() as conn, fresh.connect() as fresh_conn:
        apply_sql(conn, first_up)
        conn.execute("""
            INSERT INTO public.organizations (id, name) VALUES ('0a000000-0000-4000-8000-000000000001', 'acme');
            INSERT INTO public.events (organization_id, name, created_at)
            SELECT '0a000000-0000-4000-8000-000000000001', 'seen ' || i, now() - make_interval(hours => i)
            FROM generate_series(1, 3000) AS i;""")
        start, rows = live_catalog(conn), conn.execute(EVENTS).fetchall()
        apply_sql(conn, up)
        apply_sql(fresh_conn, fresh_up)
        assert conn.execute(EVENTS).fetchall() == rows
        assert diff_catalogs(live_catalog(conn), live_catalog(fresh_conn), ("chain", "fresh")) == []
        partman = conn.execute("SELECT extnamespace::regnamespace::text FROM pg_extension "
                               "WHERE extname = 'pg_partman'").fetchone()[0]
        assert conn.execute(f"SELECT parent_table FROM {partman}.part_config").fetchall() == [("public.events",)]
        conn.execute("SELECT atlas_private.maintain_partitions()")
        new = conn.execute("INSERT INTO public.events (organization_id, name) VALUES "
                           "('0a000000-0000-4000-8000-000000000001', 'after up') RETURNING id").fetchone()[0]
        assert new == 3001   # the identity sequence went on from the copied rows
        expected = conn.execute(EVENTS).fetchall()
        apply_sql(conn, down)
        assert conn.execute(EVENTS).fetchall() == expected
        assert conn.execute(f"SELECT count(*) FROM {partman}.part_config").fetchone()[0] == 0
        assert diff_catalogs(live_catalog(conn), start, ("down", "start")) == []


def test_stop_partitioning_under_pg_partman_and_back(pg_cluster, tmp_path):
    """partman -> plain: the swap forgets the table in part_config (and drops its template) before
    archiving it; down registers the rebuilt table with partman again, with the partitions it had."""
    partitioned, plain = tmp_path / "partitioned", tmp_path / "plain"
    shutil.copytree(PARTMAN_CASE, partitioned)
    shutil.copytree(PARTMAN_CASE, plain)
    tables = plain / "tables.yaml"
    tables.write_text(PARTITION_BLOCK.sub("", tables.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    with chain_and_fresh(pg_cluster, tmp_path, partitioned, plain) as (first_up, up, down, fresh_up, _, chain, fresh), \
            chain.connect() as conn, fresh.connect() as fresh_conn:
        apply_sql(conn, first_up)
        conn.execute("""
            INSERT INTO public.organizations (id, name) VALUES ('0a000000-0000-4000-8000-000000000001', 'acme');
            INSERT INTO public.events (organization_id, name, created_at)
            SELECT '0a000000-0000-4000-8000-000000000001', 'seen ' || i, now() - make_interval(hours => i)
            FROM generate_series(1, 1000) AS i;""")
        start, rows = live_catalog(conn), conn.execute(EVENTS).fetchall()
        partman = conn.execute("SELECT extnamespace::regnamespace::text FROM pg_extension "
                               "WHERE extname = 'pg_partman'").fetchone()[0]
        apply_sql(conn, up)
        apply_sql(fresh_conn, fresh_up)
        assert conn.execute(EVENTS).fetchall() == rows
        assert diff_catalogs(live_catalog(conn), live_catalog(fresh_conn), ("chain", "fresh")) == []
        assert conn.execute(f"SELECT count(*) FROM {partman}.part_config").fetchone()[0] == 0
        apply_sql(conn, down)
        assert conn.execute(EVENTS).fetchall() == rows
        assert conn.execute(f"SELECT parent_table FROM {partman}.part_config").fetchall() == [("public.events",)]
        assert diff_catalogs(live_catalog(conn), start, ("down", "start")) == []
