"""Partitioned tables (`partition: {by: range, column, interval, premake}`) on the real server:
the parent PARTITION BY RANGE with keys that include the column, a default partition and the
partitions made ahead by the migration, rows landing in their month's partition and the rest in
the default, maintenance making later partitions (moving rows the default held), every partition
fenced, up/down back to the same catalog, an archived table restored into its partitions, the
pg_partman path on the installed pg_partman, and the E411 refusals."""
from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
from helpers import SNAPSHOT_CASES

from compiler.diagnostics import CompileError
from compiler.lower.partitions import normalize_interval
from compiler.output import write_files
from compiler.pipeline import compile_folder, next_migration
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.verify.chain import apply_sql

CASE = SNAPSHOT_CASES / "partitioned_messages" / "schema"
PARTMAN_CASE = SNAPSHOT_CASES / "partitioned_events_partman" / "schema"

PARTITIONS = """SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.relrowsecurity, c.relforcerowsecurity,
       coalesce(c.relacl::text, '')
FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = %s::regclass ORDER BY c.relname"""


def initial(tmp_path: Path, schema: Path = CASE) -> tuple[str, str]:
    files = next_migration(schema, tmp_path / "build").files
    return files["migrations/0001_initial.up.sql"].decode(), files["migrations/0001_initial.down.sql"].decode()


def partitions(conn, table: str = "public.messages") -> list[tuple]:
    return conn.execute(PARTITIONS, (table,)).fetchall()


def seed_channel(conn) -> tuple:
    org = conn.execute("INSERT INTO public.organizations (name) VALUES ('acme') RETURNING id").fetchone()[0]
    channel = conn.execute("INSERT INTO public.channels (organization_id, name) VALUES (%s, 'general') RETURNING id",
                           (org,)).fetchone()[0]
    return org, channel


def write(conn, org, channel, when: str) -> str:
    """A message created at `when` (an SQL expression); the partition it landed in."""
    return conn.execute(
        f"INSERT INTO public.messages (organization_id, channel_id, body, created_at) VALUES (%s, %s, 'hi', {when}) "
        "RETURNING replace(tableoid::regclass::text, 'public.', '')", (org, channel)).fetchone()[0]


def month(conn, offset: int) -> str:
    """The partition name of the UTC month `offset` months from now."""
    return conn.execute("SELECT 'messages_p' || to_char(date_trunc('month', (now() AT TIME ZONE 'UTC') "
                        "+ make_interval(months => %s)), 'YYYYMMDD')", (offset,)).fetchone()[0]


def test_the_model_holds_the_partitioning():
    model = compile_folder(CASE)
    messages = next(t for t in model.of("table") if t.name == "messages")
    assert (messages.partition.column, messages.partition.interval, messages.partition.premake,
            messages.partition.manager) == ("created_at", "1 month", 3, "atlas")
    keys = {c.name: c.columns for c in messages.constraints if c.kind in ("primary_key", "unique")}
    assert keys["messages_pkey"] == ("id", "created_at")
    assert all("created_at" in columns for columns in keys.values())
    names = {f.name for f in model.of("function")}
    assert {"make_partitions", "fence_partitions", "maintain_partitions"} <= names
    assert not model.of("schedule")   # no pg_cron in project.extensions
    assert all(t.partition is None for t in model.of("table") if t.name != "messages")


@pytest.mark.parametrize(("text", "normal"), [("1 month", "1 month"), ("monthly", "1 month"), ("7 Days", "7 days"),
                                              ("1 weeks", "1 week"), ("3 months", "3 months"), ("0 days", None),
                                              ("1 fortnight", None), ("month", None)])
def test_interval_normalized(text, normal):
    assert normalize_interval(text) == normal


def test_create_rows_land_in_their_month_and_down_restores_the_catalog(fresh_db, tmp_path):
    up, down = initial(tmp_path)
    assert ") PARTITION BY RANGE (created_at);" in up and "CONCURRENTLY" not in up
    with fresh_db.connect() as conn:
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        built = snapshot_catalog(conn)
        made = partitions(conn)
        assert [r[0] for r in made] == sorted([month(conn, i) for i in range(4)] + ["messages_default"])
        assert all(r[2] and r[3] for r in made), "every partition has row level security enabled and forced"
        assert all("anon" not in r[4] and "authenticated" not in r[4] for r in made), made
        org, channel = seed_channel(conn)
        assert write(conn, org, channel, "now()") == month(conn, 0)
        assert write(conn, org, channel, "now() + interval '2 months'") == month(conn, 2)
        assert write(conn, org, channel, "now() - interval '2 years'") == "messages_default"
        assert write(conn, org, channel, "now() + interval '3 years'") == "messages_default"
        assert conn.execute("SELECT count(*) FROM public.messages").fetchone()[0] == 4
        apply_sql(conn, down)
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_sql(conn, up)   # up again, another day: the same catalog
        assert diff_catalogs(built, snapshot_catalog(conn)) == []


def test_maintenance_makes_partitions_ahead_and_moves_rows_out_of_the_default(fresh_db, tmp_path):
    """A date a year ahead: its month and 3 more appear, the row the default held for that month
    moves into its partition without an audit row (the move is not a change), and the new
    partitions are fenced like the first ones."""
    up, _ = initial(tmp_path)
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        org, channel = seed_channel(conn)
        assert write(conn, org, channel, "now() + interval '12 months'") == "messages_default"
        audited = conn.execute("SELECT count(*) FROM public.messages_audit").fetchone()[0]
        conn.execute("SELECT atlas_private.maintain_partitions(now() + interval '12 months')")
        ahead = {r[0]: r for r in partitions(conn)}
        assert {month(conn, i) for i in range(12, 16)} <= set(ahead)
        assert all(r[2] and r[3] and "authenticated" not in r[4] for r in ahead.values())
        assert conn.execute("SELECT replace(tableoid::regclass::text, 'public.', '') FROM public.messages").fetchone()[0] == month(conn, 12)
        assert conn.execute("SELECT count(*) FROM public.messages_default").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM public.messages_audit").fetchone()[0] == audited
        triggers = conn.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.messages_default'::regclass "
                                "AND tgenabled = 'D'").fetchone()[0]
        assert triggers == 0, "the default partition's triggers are enabled again"
        before = len(ahead)
        conn.execute("SELECT atlas_private.maintain_partitions()")   # nothing new today: idempotent
        assert len(partitions(conn)) == before


def test_no_api_role_reads_a_partition_directly(fresh_db, tmp_path):
    up, _ = initial(tmp_path)
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        org, channel = seed_channel(conn)
        write(conn, org, channel, "now()")
        partition = month(conn, 0)
        for role in ("anon", "authenticated", "service_role"):
            conn.execute(f"SET ROLE {role}")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {partition}")
            conn.execute("RESET ROLE")
        conn.execute("SET ROLE service_role")   # through the parent, as before
        assert conn.execute("SELECT count(*) FROM public.messages").fetchone()[0] == 1
        conn.execute("RESET ROLE")


def test_removed_table_restored_into_its_partitions(fresh_db, tmp_path):
    """Archive (rows kept as text) then down: the table comes back with partitions for the
    months its rows need, the rows moved out of the default."""
    spec, out = tmp_path / "schema", tmp_path / "build"
    shutil.copytree(CASE, spec)
    first = next_migration(spec, out)
    write_files(out, first.files)
    tables = spec / "tables.yaml"
    text = tables.read_text()
    tables.write_text(text[:text.index("  messages:")], encoding="utf-8")
    second = next_migration(spec, out)
    up2 = second.files[f"migrations/{second.migration}.up.sql"].decode()
    down2 = second.files[f"migrations/{second.migration}.down.sql"].decode()
    with fresh_db.connect() as conn:
        apply_sql(conn, first.files["migrations/0001_initial.up.sql"].decode())
        org, channel = seed_channel(conn)
        old = write(conn, org, channel, "now() - interval '5 months'")
        assert old == "messages_default"
        write(conn, org, channel, "now()")
        built = snapshot_catalog(conn)
        apply_sql(conn, up2)
        apply_sql(conn, down2)
        where = dict(conn.execute("SELECT created_at < now() - interval '1 month', replace(tableoid::regclass::text, 'public.', '') "
                                  "FROM public.messages").fetchall())
        assert where == {True: month(conn, -5), False: month(conn, 0)}
        restored = diff_catalogs(built, snapshot_catalog(conn))
        # the months between the oldest row and now are made too: more partitions, nothing else
        assert restored and all("messages_p" in str(d) for d in restored), restored


def errors_of(tmp_path: Path, edit) -> list[str]:
    spec = tmp_path / "spec"
    shutil.copytree(CASE, spec)
    tables = spec / "tables.yaml"
    tables.write_text(edit(tables.read_text()), encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        compile_folder(spec)
    return [f"{d.code} {d.message}" for d in caught.value.diagnostics]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda t: t.replace("column: created_at", "column: body"), "E411 partition.column 'body' is text"),
    (lambda t: t.replace("column: created_at", "column: sent_at"), "E411 partition.column: table 'messages' has no"),
    (lambda t: t.replace("interval: 1 month", "interval: 1 fortnight"), "E411 partition.interval '1 fortnight'"),
    (lambda t: t.replace("[channel_id, id, created_at]", "[channel_id, id]"), "E411 unique (channel_id, id)"),
    (lambda t: t.replace("columns: [channel_id, created_at desc]", "{columns: [channel_id, body], unique: true}"),
     "E411 unique index (channel_id, body)"),
    (lambda t: t + "  reactions:\n    columns:\n      id: {type: uuid, primary_key: true}\n"
                   "      message_id: {type: uuid, references: messages}\n",
     "E411 'messages' is partitioned by created_at"),
    (lambda t: t.replace("    audit: true\n", "    audit: true\n    realtime: true\n"),
     "E411 realtime on partitioned table 'messages'"),
])
def test_refusals(tmp_path, edit, expected):
    found = errors_of(tmp_path, edit)
    assert any(e.startswith(expected) for e in found), found


def test_pg_partman_path_on_the_installed_partman(fresh_db, tmp_path):
    """create_parent (4.x here: p_type 'native', read from extversion at apply time) with the
    default partition partman makes, automatic maintenance off, every partition fenced;
    maintain_partitions() runs partman's maintenance; down forgets the table in part_config and
    gives the catalog back."""
    model = compile_folder(PARTMAN_CASE)
    events = next(t for t in model.of("table") if t.name == "events")
    assert events.partition.manager == "pg_partman" and events.partition.interval == "1 day"
    up, down = initial(tmp_path, PARTMAN_CASE)
    assert "p_type := %L" in up and "'native'" in up and "'range'" in up
    with fresh_db.connect() as conn:
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        built = snapshot_catalog(conn)
        schema, version = conn.execute("SELECT extnamespace::regnamespace::text, extversion FROM pg_extension "
                                       "WHERE extname = 'pg_partman'").fetchone()
        assert version.startswith("4.")
        config = conn.execute(f"SELECT partition_interval, premake, automatic_maintenance, template_table "
                              f"FROM {schema}.part_config WHERE parent_table = 'public.events'").fetchone()
        assert config == ("1 day", 7, "off", "atlas_private.events_partman_template")
        made = partitions(conn, "public.events")
        assert "events_default" in [r[0] for r in made] and len(made) >= 8
        assert all(r[2] and r[3] and "authenticated" not in r[4] and "anon" not in r[4] for r in made), made
        org = conn.execute("INSERT INTO public.organizations (name) VALUES ('acme') RETURNING id").fetchone()[0]
        landed = conn.execute("INSERT INTO public.events (organization_id, name) VALUES (%s, 'signup') "
                              "RETURNING tableoid::regclass::text", (org,)).fetchone()[0]
        assert landed != "events_default" and "events_p" in landed
        conn.execute("SELECT atlas_private.maintain_partitions()")
        assert all(r[2] and r[3] for r in partitions(conn, "public.events"))
        apply_sql(conn, down)
        assert conn.execute(f"SELECT count(*) FROM {schema}.part_config").fetchone()[0] == 0 if \
            conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_partman'").fetchone()[0] else True
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_sql(conn, up)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []


def test_pg_cron_schedules_the_maintenance(cron_db, tmp_path):
    """pg_cron in project.extensions: the job runs maintain_partitions() hourly; down removes it."""
    spec = tmp_path / "schema"
    shutil.copytree(CASE, spec)
    project = spec / "_project.yaml"
    project.write_text(project.read_text().replace("extensions: [pgcrypto]", "extensions: [pgcrypto, pg_cron]"),
                       encoding="utf-8")
    schedules = compile_folder(spec).of("schedule")
    assert [(s.name, s.cron, s.command) for s in schedules] == [
        ("atlas_maintain_partitions", "7 * * * *", "SELECT atlas_private.maintain_partitions()")]
    up, down = initial(tmp_path, spec)
    with cron_db.connect() as conn:
        conn.execute("CREATE EXTENSION pg_cron")
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        command = conn.execute("SELECT command FROM cron.job WHERE jobname = 'atlas_maintain_partitions'").fetchone()[0]
        conn.execute(command)
        apply_sql(conn, down)
        assert conn.execute("SELECT count(*) FROM cron.job").fetchone()[0] == 0
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []


def test_an_index_added_later_is_built_without_concurrently(fresh_db, tmp_path):
    """CREATE INDEX CONCURRENTLY is refused on a partitioned parent: the later index is built in
    the main transaction (the INDEX_BUILD hazard kept), lands on every partition, and its down
    drops it without CONCURRENTLY (refused on a partitioned index too)."""
    spec, out = tmp_path / "schema", tmp_path / "build"
    shutil.copytree(CASE, spec)
    first = next_migration(spec, out)
    write_files(out, first.files)
    tables = spec / "tables.yaml"
    tables.write_text(tables.read_text().replace("      - columns: [channel_id, created_at desc]\n",
                                                 "      - columns: [channel_id, created_at desc]\n"
                                                 "      - columns: [author_id, created_at]\n"), encoding="utf-8")
    second = next_migration(spec, out)
    up2 = second.files[f"migrations/{second.migration}.up.sql"].decode()
    down2 = second.files[f"migrations/{second.migration}.down.sql"].decode()
    statements = [line for line in (up2 + down2).splitlines() if not line.startswith("--")]
    assert not [line for line in statements if "CONCURRENTLY" in line]
    assert "CREATE INDEX idx_messages_author_id_created_at ON public.messages" in up2
    with fresh_db.connect() as conn:
        apply_sql(conn, first.files["migrations/0001_initial.up.sql"].decode())
        built = snapshot_catalog(conn)
        apply_sql(conn, up2)
        count = conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = "
                             "'public.idx_messages_author_id_created_at'::regclass").fetchone()[0]
        assert count == len(partitions(conn))
        apply_sql(conn, down2)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []


@pytest.mark.parametrize(("interval", "starts"), [
    ("1 week", "extract(isodow FROM lower) = 1"),                       # weeks start on Monday
    ("3 months", "extract(day FROM lower) = 1 AND extract(month FROM lower) IN (1, 4, 7, 10)"),   # quarters
    ("1 day", "true"),
])
def test_buckets_are_calendar_aligned_in_utc(fresh_db, tmp_path, interval, starts):
    """Bounds are UTC midnights on calendar boundaries, whatever the session's time zone, each
    partition ending where the next begins."""
    spec = tmp_path / "schema"
    shutil.copytree(CASE, spec)
    tables = spec / "tables.yaml"
    tables.write_text(tables.read_text().replace("interval: 1 month", f"interval: {interval}"), encoding="utf-8")
    up, _ = initial(tmp_path, spec)
    with fresh_db.connect() as conn:
        conn.execute("SET TimeZone = 'America/Los_Angeles'")
        apply_sql(conn, up)
        conn.execute("SET TimeZone = 'UTC'")
        bounds = conn.execute(
            "SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)'))"
            " FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'public.messages'::regclass AND c.relname <> 'messages_default' ORDER BY 1").fetchall()
        assert len(bounds) == 4
        spans = [(lo, hi) for (lo, hi), in bounds]
        assert all(lo.endswith("00:00:00+00") for lo, _ in spans)
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:])), spans
        for lo, _ in spans:
            assert conn.execute(f"SELECT {starts} FROM (SELECT %s::timestamptz AS lower) AS b", (lo,)).fetchone()[0]


def test_a_date_column_partitions_by_plain_dates(fresh_db, tmp_path):
    spec = tmp_path / "schema"
    shutil.copytree(CASE, spec)
    tables = spec / "tables.yaml"
    tables.write_text(tables.read_text().replace("column: created_at", "column: day")
                      .replace("[channel_id, id, created_at]", "[channel_id, id, day]")
                      .replace("      body: {type: text,", "      day: {type: date, nullable: false, default_sql: current_date}\n"
                                                          "      body: {type: text,"), encoding="utf-8")
    up, down = initial(tmp_path, spec)
    with fresh_db.connect() as conn:
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        bound = conn.execute("SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class AS c WHERE c.relname = %s",
                             (month(conn, 0),)).fetchone()[0]
        assert "00:00" not in bound and bound.startswith("FOR VALUES FROM ('")
        org, channel = seed_channel(conn)
        placed = conn.execute("INSERT INTO public.messages (organization_id, channel_id, body) VALUES (%s, %s, 'x') "
                              "RETURNING replace(tableoid::regclass::text, 'public.', '')", (org, channel)).fetchone()[0]
        assert placed == month(conn, 0)
        apply_sql(conn, down)
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []


def test_partman_table_removed_and_restored(fresh_db, tmp_path):
    """Archive forgets the table in part_config; down re-runs create_parent and moves the rows
    the default partition took back into partman's partitions (partition_data_time)."""
    spec, out = tmp_path / "schema", tmp_path / "build"
    shutil.copytree(PARTMAN_CASE, spec)
    first = next_migration(spec, out)
    write_files(out, first.files)
    tables = spec / "tables.yaml"
    text = tables.read_text()
    tables.write_text(text[:text.index("  events:")], encoding="utf-8")
    second = next_migration(spec, out)
    up2 = second.files[f"migrations/{second.migration}.up.sql"].decode()
    down2 = second.files[f"migrations/{second.migration}.down.sql"].decode()
    with fresh_db.connect() as conn:
        apply_sql(conn, first.files["migrations/0001_initial.up.sql"].decode())
        org = conn.execute("INSERT INTO public.organizations (name) VALUES ('acme') RETURNING id").fetchone()[0]
        for when in ("now()", "now() - interval '20 days'"):
            conn.execute(f"INSERT INTO public.events (organization_id, name, created_at) VALUES (%s, 'x', {when})", (org,))
        apply_sql(conn, up2)
        schema = conn.execute("SELECT extnamespace::regnamespace::text FROM pg_extension "
                              "WHERE extname = 'pg_partman'").fetchone()[0]
        assert conn.execute(f"SELECT count(*) FROM {schema}.part_config").fetchone()[0] == 0
        apply_sql(conn, down2)
        placed = [r[0] for r in conn.execute("SELECT replace(tableoid::regclass::text, 'public.', '') "
                                             "FROM public.events ORDER BY created_at")]
        assert len(placed) == 2 and "events_default" not in placed, placed
        assert all(r[2] and r[3] for r in partitions(conn, "public.events"))


def test_keys_and_checks_added_later_take_forms_postgresql_accepts(fresh_db, tmp_path):
    """On a partitioned table that stays: a foreign key is added and validated at once (NOT VALID
    is refused there before PG 18), a unique key with its index in the transaction (USING INDEX
    would need a concurrent build), while a check keeps NOT VALID + VALIDATE. Rows already there."""
    spec, out = tmp_path / "schema", tmp_path / "build"
    shutil.copytree(CASE, spec)
    first = next_migration(spec, out)
    write_files(out, first.files)
    tables = spec / "tables.yaml"
    tables.write_text(tables.read_text()
                      .replace("      body: {type: text, nullable: false, check: \"length(body) > 0\"}\n",
                               "      body: {type: text, nullable: false, check: \"length(body) > 0\"}\n"
                               "      reply_channel_id: {type: uuid, references: channels}\n"
                               "      score: {type: integer, check: \"score >= 0\"}\n")
                      .replace("      - [channel_id, id, created_at]\n",
                               "      - [channel_id, id, created_at]\n      - [body, created_at]\n"), encoding="utf-8")
    second = next_migration(spec, out)
    up2 = second.files[f"migrations/{second.migration}.up.sql"].decode()
    down2 = second.files[f"migrations/{second.migration}.down.sql"].decode()
    assert "NOT VALID" in up2   # the check
    statements = "\n".join(line for line in up2.splitlines() if not line.startswith("--"))
    assert "FOREIGN KEY (organization_id, reply_channel_id)" in statements, up2
    assert "USING INDEX" not in statements and "CONCURRENTLY" not in statements
    with fresh_db.connect() as conn:
        apply_sql(conn, first.files["migrations/0001_initial.up.sql"].decode())
        org, channel = seed_channel(conn)
        write(conn, org, channel, "now()")
        write(conn, org, channel, "now() - interval '3 years'")
        built = snapshot_catalog(conn)
        apply_sql(conn, up2)
        valid = dict(conn.execute("SELECT conname, convalidated FROM pg_constraint "
                                  "WHERE conrelid = 'public.messages'::regclass").fetchall())
        assert all(valid.values()), valid
        apply_sql(conn, down2)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []
