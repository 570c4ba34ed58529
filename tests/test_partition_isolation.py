"""No partition is a side door for the API roles, and `atlas-compile verify` proves it.

A help desk (tests/cases/verify/partitioned_helpdesk: messages and ticket events partitioned by
month) is probed two ways:

* hand-made partitions (the compiled SQL with the two tables turned into ``PARTITION BY RANGE``
  by hand, partitions made and fenced by hand, one of them sub-partitioned): the probes
  (compiler.isolation.partition_probes) and verify's catalog checks
  (compiler.verify.partition_checks) reach every partition, recursively, the default too, and
  name each hand break;
* the compiler's own partitioned tables (``partition:``, maintained by
  ``atlas_private.maintain_partitions()``): built, filled across months for two workspaces,
  `atlas-compile verify` passes in both modes; on a live database broken by hand (row level
  security off on one partition, a grant to authenticated, RLS enabled but not forced) it
  fails and names the check.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from compiler.isolation import FAIL, PASS, SKIP, probe_isolation
from compiler.isolation.partition_probes import CHECKS, CONTROLS
from compiler.lint import run_lints
from compiler.pipeline import compile_with_hints
from compiler.postgres.cluster import SUPERUSER
from compiler.postgres.scratch import SUPABASE_TEMPLATE
from compiler.verify.chain import apply_sql, migrate_up
from compiler.verify.partition_checks import partition_checks
from tests.helpers import CASES, initial_up, run_cli

SPEC = CASES / "verify" / "partitioned_helpdesk" / "v1"
PARTITIONED = ("public.messages", "public.ticket_events")
FAMILY = set(CHECKS) | set(CONTROLS)


# -- hand-made partitions -------------------------------------------------------------------

def by_hand(up: str) -> str:
    """The compiled up SQL with messages and ticket_events partitioned by month by hand: keys
    include created_at, the table is PARTITION BY RANGE (created_at)."""
    for table in ("messages", "ticket_events"):
        start = up.index(f"CREATE TABLE public.{table} (")
        end = up.index("\n);", start)
        body = up[start:end]
        body = body.replace(f"{table}_pkey PRIMARY KEY (id)", f"{table}_pkey PRIMARY KEY (id, created_at)")
        body = body.replace(f"{table}_workspace_id_id_key UNIQUE (workspace_id, id)",
                            f"{table}_workspace_id_id_key UNIQUE (workspace_id, id, created_at)")
        up = up[:start] + body + "\n) PARTITION BY RANGE (created_at);" + up[end + 3:]
    return up


FENCE = """ALTER TABLE {p} ENABLE ROW LEVEL SECURITY; ALTER TABLE {p} FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE {p} FROM anon, authenticated;"""


def make_partitions(conn, table: str) -> list[str]:
    """Monthly partitions from three months back to four ahead, one of them (five months
    ahead) split in two halves (sub-partitions), and a default; each fenced by hand."""
    made = []
    months = conn.execute("select to_char(m, 'YYYY_MM'), m::text, (m + interval '1 month')::text "
                          "from generate_series(date_trunc('month', now()) - interval '3 months', "
                          "date_trunc('month', now()) + interval '4 months', interval '1 month') m").fetchall()
    for suffix, start, end in months:
        name = f"public.{table}_p{suffix}"
        conn.execute(f"CREATE TABLE {name} PARTITION OF public.{table} FOR VALUES FROM ('{start}') TO ('{end}')")
        made.append(name)
    suffix, start, middle, end = conn.execute(
        "select to_char(m, 'YYYY_MM'), m::text, (m + interval '15 days')::text, (m + interval '1 month')::text "
        "from (select date_trunc('month', now()) + interval '5 months' m) x").fetchone()
    split = f"public.{table}_p{suffix}"
    conn.execute(f"CREATE TABLE {split} PARTITION OF public.{table} FOR VALUES FROM ('{start}') TO ('{end}') "
                 "PARTITION BY RANGE (created_at)")
    made.append(split)
    for half, (low, high) in (("a", (start, middle)), ("b", (middle, end))):
        conn.execute(f"CREATE TABLE {split}{half} PARTITION OF {split} FOR VALUES FROM ('{low}') TO ('{high}')")
        made.append(f"{split}{half}")
    conn.execute(f"CREATE TABLE public.{table}_default PARTITION OF public.{table} DEFAULT")
    made.append(f"public.{table}_default")
    for name in made:
        conn.execute(FENCE.format(p=name))
    return made


def plain_spec(folder: Path) -> Path:
    """The spec without its `partition:` keys: plain tables, for the hand-made partitions."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in SPEC.iterdir():
        lines = [line for line in source.read_text().splitlines(keepends=True) if "partition:" not in line]
        (folder / source.name).write_text("".join(lines))
    return folder


@pytest.fixture(scope="module")
def handmade(pg_cluster, tmp_path_factory):
    base = tmp_path_factory.mktemp("handmade")
    spec = plain_spec(base / "schema")
    model, hints = compile_with_hints(spec)
    up = initial_up(spec, base / "build")
    assert "PARTITION BY" not in up
    db = pg_cluster.create_database(pg_cluster.unique_database_name("partitions"), template=SUPABASE_TEMPLATE)
    try:
        conn = db.connect()
        apply_sql(conn, by_hand(up))
        made = {table: make_partitions(conn, table.split(".")[1]) for table in PARTITIONED}
        yield SimpleNamespace(conn=conn, model=model, access=hints.access, made=made)
    finally:
        db.drop()


def findings_of(report, table: str, probe: str):
    return [f for f in report.findings if f.table == table and f.probe == probe]


def test_every_partition_is_probed_and_fenced(handmade):
    conn, model = handmade.conn, handmade.model
    with conn.transaction(force_rollback=True):
        report = probe_isolation(conn, model, consume_sequences=False, access=handmade.access)
        checks = partition_checks(conn, model)
    bad = [f.line() for f in report.findings if f.status not in (PASS, SKIP)]
    assert not bad, "\n".join(bad)
    assert not [c.line() for c in checks if c.failed]
    for table in PARTITIONED:
        parts = {c.check.split("[")[1].rstrip("]") for c in checks if c.subject == table and "[" in c.check}
        if table in handmade.made:
            assert parts == set(handmade.made[table])   # recursive: sub-partitions and the default
        control = findings_of(report, table, "partition_own_rows")
        assert control and control[0].status == PASS, control
        assert int(re.search(r"in (\d+) partition", control[0].detail).group(1)) >= 6, control[0].detail
        for probe in ("partition_select", "partition_update", "partition_delete"):   # every partition, directly
            assert {f.subject for f in findings_of(report, table, probe)} == parts, probe
        assert len({f.subject for f in findings_of(report, table, "partition_insert")}) >= 6
        assert findings_of(report, table, "partition_parent_select_other")
        assert {f.status for f in findings_of(report, table, "partition_owner_select")} == {PASS}
    assert FAMILY - {"later_partition_fenced"} <= report.probes() | {"later_partition_made"}


def break_and_probe(handmade, statement: str):
    conn = handmade.conn
    with conn.transaction(force_rollback=True):
        conn.execute(statement)
        checks = partition_checks(conn, handmade.model)
        report = probe_isolation(conn, handmade.model, consume_sequences=False, access=handmade.access)
    return [c for c in checks if c.failed], [f for f in report.findings if f.status == FAIL]


def first_partition(db, table="public.messages", skip: int = 0) -> str:
    """A leaf partition of ``table`` that is not the default (the ``skip``-th by name)."""
    return db.conn.execute(
        "select n.nspname || '.' || c.relname from pg_partition_tree(%s::regclass) t join pg_class c on c.oid = t.relid "
        "join pg_namespace n on n.oid = c.relnamespace where t.level = 1 and t.isleaf "
        "and pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT' order by 1 offset %s limit 1",
        (table, skip)).fetchone()[0]


def test_rls_off_on_one_partition_is_named(handmade):
    part = first_partition(handmade)
    failed, leaks = break_and_probe(handmade, f"ALTER TABLE {part} DISABLE ROW LEVEL SECURITY")
    assert [c.check for c in failed] == [f"partition_rls_enabled[{part}]"]


def test_a_grant_on_one_partition_is_named(handmade):
    part = first_partition(handmade)
    failed, leaks = break_and_probe(handmade, f"GRANT SELECT, INSERT ON {part} TO authenticated")
    assert [c.check for c in failed] == [f"partition_privileges[{part}]"]
    assert "authenticated SELECT" in failed[0].detail
    assert not leaks   # row level security with no policy still shows nothing


def test_a_grant_and_rls_off_is_a_leak_the_probes_name(handmade):
    part = first_partition(handmade)
    failed, leaks = break_and_probe(handmade, f"ALTER TABLE {part} DISABLE ROW LEVEL SECURITY; "
                                              f"GRANT SELECT, INSERT, UPDATE, DELETE ON {part} TO authenticated")
    assert {c.check for c in failed} == {f"partition_rls_enabled[{part}]", f"partition_privileges[{part}]"}
    assert {(f.probe, f.subject) for f in leaks} >= {("partition_select", part), ("partition_insert", part),
                                                       ("partition_update", part), ("partition_delete", part)}


def test_rls_not_forced_matters_for_the_owner(handmade):
    part = first_partition(handmade)
    failed, leaks = break_and_probe(handmade, f"ALTER TABLE {part} NO FORCE ROW LEVEL SECURITY")
    assert [c.check for c in failed] == [f"partition_rls_forced[{part}]"]
    assert {(f.probe, f.subject) for f in leaks} == {("partition_owner_select", part)}


# -- the compiler's partitioned tables, through `atlas-compile verify` ------------------------

MONTHS = range(-2, 6)   # rows from two months back (the default partition) to five months ahead


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The spec built into a project folder as a user would (schema/ and build/)."""
    project = tmp_path_factory.mktemp("partitioned_helpdesk")
    shutil.copytree(SPEC, project / "schema")
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    up = (project / "build" / "migrations" / "0001_initial.up.sql").read_text()
    assert "PARTITION BY RANGE (created_at)" in up and "atlas_private.maintain_partitions" in up
    return project


def fill(conn) -> None:
    """Two workspaces, each with an agent, a ticket, and messages and ticket events in every
    month of MONTHS."""
    for n in (1, 2):
        workspace, user = str(uuid.uuid4()), str(uuid.uuid4())
        conn.execute("insert into public.workspaces (id, name) values (%s, %s)", (workspace, f"Workspace {n}"))
        conn.execute("insert into auth.users (id, email, aud, role) values (%s, %s, 'authenticated', "
                     "'authenticated')", (user, f"agent{n}@example.test"))
        agent = conn.execute("insert into public.agents (workspace_id, user_id, role) values (%s, %s, 'lead') "
                             "returning id", (workspace, user)).fetchone()[0]
        ticket = conn.execute("insert into public.tickets (workspace_id, subject) values (%s, 'Printer on fire') "
                              "returning id", (workspace,)).fetchone()[0]
        for month in MONTHS:
            at = f"date_trunc('month', now()) + interval '{month} months' + interval '3 days'"
            for k in range(3):
                conn.execute(f"insert into public.messages (workspace_id, ticket_id, author_id, body, created_at) "
                             f"values (%s, %s, %s, %s, {at})", (workspace, ticket, agent, f"message {k}"))
            conn.execute(f"insert into public.ticket_events (workspace_id, ticket_id, kind, created_at) "
                         f"values (%s, %s, 'note', {at})", (workspace, ticket))


@pytest.fixture
def live(built, fresh_db):
    conn = fresh_db.connect()
    migrate_up(conn, built / "build")
    fill(conn)
    for table in PARTITIONED:
        held = conn.execute(f"select count(distinct tableoid), count(distinct workspace_id) from {table}").fetchone()
        assert held[0] >= 6 and held[1] == 2, (table, held)   # filled across 6+ partitions, two tenants
    return SimpleNamespace(db=fresh_db, conn=conn, project=built)


def verify(project: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("verify", "--format", "json", *args, cwd=project, timeout=900)
    assert result.stdout.strip(), result.stderr
    return result.returncode, json.loads(result.stdout)


def failing(report: dict) -> set[str]:
    return {f"{c['area']} {c['subject']} {c['check']}" for c in report["checks"] if c["status"] in ("fail", "error")}


def proven(report: dict, check: str) -> list[dict]:
    return [c for c in report["checks"] if c["check"].split("[")[0] == check and c["status"] == "pass"]


def test_verify_proves_every_partition_fenced(built, tmp_path):
    code, report = verify(built, "--emit-pgtap", str(tmp_path / "tap"))
    assert code == 0, "\n".join(sorted(failing(report)))
    for check in ("partitions_present", "partition_rls_enabled", "partition_rls_forced", "partition_privileges",
                  "partition_own_rows", "partition_select", "partition_insert", "partition_update",
                  "partition_delete", "partition_parent_select_other", "partition_parent_insert_other",
                  "partition_owner_select", "later_partition_made", "later_partition_fenced"):
        assert {c["subject"] for c in proven(report, check)} == set(PARTITIONED), check
    assert (tmp_path / "tap" / "public.messages.test.sql").is_file()


def pg_prove(db, directory: Path) -> tuple[bool, str]:
    cluster = db.cluster
    res = subprocess.run(["pg_prove", "-h", str(cluster.socket_dir), "-p", str(cluster.port), "-d", db.name,
                          "-U", SUPERUSER, "--ext", ".sql", "-r", str(directory)],
                         capture_output=True, text=True, timeout=300)
    return res.returncode == 0, res.stdout + res.stderr


def test_a_live_database_filled_across_months_verifies_and_its_breaks_are_named(live, tmp_path):
    url = live.db.conninfo()
    code, report = verify(live.project, "--database-url", url, "--emit-pgtap", str(tmp_path / "tap"))
    assert code == 0, "\n".join(sorted(failing(report)))
    assert proven(report, "partition_own_rows") and proven(report, "later_partition_fenced")
    ok, output = pg_prove(live.db, tmp_path / "tap")
    assert ok, output

    # three partitions broken by hand, one way each
    parts = [first_partition(live, "public.messages", n) for n in range(3)]
    live.conn.execute(f"ALTER TABLE {parts[0]} DISABLE ROW LEVEL SECURITY; "
                      f"GRANT SELECT ON {parts[1]} TO authenticated; "
                      f"ALTER TABLE {parts[2]} NO FORCE ROW LEVEL SECURITY")
    code, report = verify(live.project, "--database-url", url)
    assert code == 1
    named = {c for c in failing(report) if "partition" in c}
    assert named == {f"catalog public.messages partition_rls_enabled[{parts[0]}]",
                     f"catalog public.messages partition_privileges[{parts[1]}]",
                     f"catalog public.messages partition_rls_forced[{parts[2]}]",
                     f"isolation public.messages partition_owner_select[{parts[0]}]",   # its owner reads it
                     f"isolation public.messages partition_owner_select[{parts[2]}]"}, named
    ok, output = pg_prove(live.db, tmp_path / "tap")
    assert not ok and "public.messages.test.sql" in output.split("Test Summary Report")[-1], output
    for failed in ("every partition of public.messages has row level security enabled",
                   "every partition of public.messages has row level security forced",
                   "every partition of public.messages: no grant to the API roles"):
        assert "Failed test" in output and failed in output, (failed, output)
    assert f"{parts[1]}: authenticated SELECT" in output


MAINTAIN_BY_HAND = """
CREATE FUNCTION atlas_private.maintain_partitions(p_at timestamptz DEFAULT now()) RETURNS void
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  t text;
  m timestamptz := date_trunc('month', p_at);
BEGIN
  FOREACH t IN ARRAY array['messages', 'ticket_events'] LOOP
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
                   t || '_later', t, m, m + interval '1 month');
    {fence}
  END LOOP;
END $$;
"""
FENCE_LATER = ("EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t || '_later'); "
               "EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t || '_later'); "
               "EXECUTE format('REVOKE ALL ON public.%I FROM anon, authenticated', t || '_later');")


@pytest.mark.parametrize("fenced", [True, False], ids=["fenced", "forgets_the_fence"])
def test_a_partition_made_later_is_fenced(handmade, fenced):
    """maintain_partitions() (by hand here) asked for a month ahead: the partition it makes is
    probed like the others; one that forgets the fence is named: no row level security, and the
    grants Supabase's default privileges in public give every new table (anon, authenticated)."""
    conn = handmade.conn
    with conn.transaction(force_rollback=True):
        conn.execute("CREATE SCHEMA IF NOT EXISTS atlas_private")
        conn.execute(MAINTAIN_BY_HAND.replace("{fence}", FENCE_LATER if fenced else ""))
        report = probe_isolation(conn, handmade.model, consume_sequences=False, access=handmade.access)
    made = {f.table: f for f in report.findings if f.probe == "later_partition_made"}
    assert {t: f.status for t, f in made.items()} == {t: PASS for t in PARTITIONED}
    assert "now() + 2 years" in made["public.messages"].detail
    later = {(f.table, f.subject): f for f in report.findings if f.probe == "later_partition_fenced"}
    assert set(later) == {(t, f"{t}_later") for t in PARTITIONED}
    if fenced:
        assert {f.status for f in later.values()} == {PASS}
        assert not report.failures
    else:
        assert {f.status for f in later.values()} == {FAIL}
        assert "row level security is disabled" in later[("public.messages", "public.messages_later")].detail
        assert "authenticated SELECT" in later[("public.messages", "public.messages_later")].detail
        leaks = {(f.probe, f.subject) for f in report.failures if f.probe != "later_partition_fenced"}
        assert leaks == {(probe, f"{t}_later") for t in PARTITIONED   # rows of A put there are reached
                         for probe in ("partition_select", "partition_insert", "partition_update", "partition_delete")}


def test_the_advisors_on_partitions(live):
    """Supabase's advisors (compiler.lint, splinter's conditions) on the filled database: no
    ERROR or WARN; each fenced partition is the INFO rls_enabled_no_policy, by design (a direct
    read sees nothing; the parent's policies apply through the parent); a partition with row
    level security off is splinter's ERROR rls_disabled_in_public once an API role may select it
    (without a grant splinter stays silent, verify's partition_rls_enabled does not)."""
    conn = live.conn
    findings = run_lints(conn, ("public",))
    leaves = {row[0] for row in conn.execute(
        "select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relispartition and c.relkind = 'r' and n.nspname = 'public'")}
    tables = leaves | set(PARTITIONED)   # (the lookups' definer WARNs are the example's, allowed there)
    assert not [str(f) for f in findings if f.level in ("ERROR", "WARN") and f.object.split(" ")[0] in tables]
    assert len(leaves) >= 16
    assert {f.object for f in findings if f.name == "rls_enabled_no_policy"} >= leaves
    part = first_partition(live)
    with conn.transaction(force_rollback=True):
        conn.execute(f"ALTER TABLE {part} DISABLE ROW LEVEL SECURITY")
        assert not [f for f in run_lints(conn, ("public",)) if f.level == "ERROR" and f.object in tables]
        conn.execute(f"GRANT SELECT ON {part} TO authenticated")   # now reachable: splinter names it
        fired = [f for f in run_lints(conn, ("public",)) if f.level == "ERROR"]
    assert [(f.name, f.object) for f in fired if f.object in tables] == [("rls_disabled_in_public", part)]
