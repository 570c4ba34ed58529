"""`select: public` off Supabase means what it means on Supabase: a request with no signed-in user
(current_user_id IS NULL, Supabase's anon) reads the public rows of every tenant, select only; a
signed-in user stays fenced to their tenants; writes never. One database role serves both
there, so the tenant fence tells them apart by the user: `(<fence>) OR (<user> IS NULL)` on
reads, the fence alone on new rows, and a hand-written policy of such a table holds for
signed-in users only. Proven on the real server, on target postgres and on the example."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import psycopg
import pytest
from helpers import ROOT, initial_up

from compiler.isolation import probe_isolation
from compiler.pipeline import compile_with_hints
from compiler.policy_rules import open_to_nobody, table_rules
from compiler.postgres.session import acting_as
from compiler.verify.chain import apply_sql

USER = "nullif(current_setting('app.user_id', true), '')::uuid"
PROJECT = f"""
project:
  name: public-reads
  postgres: 15
  target: postgres
  tenancy:
    table: orgs
    column: org_id
    membership: {{table: members, user_column: user_id, role_column: role}}
    current_user_id: "{USER}"
  defaults: {{tenant: true, timestamps: false, soft_delete: false, audit: false}}
enums:
  member_role: [owner, staff]
"""
TABLES = """
tables:
  orgs:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
  members:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      user_id: {type: uuid, nullable: false}
      role: {type: member_role, nullable: false, default: staff}
    unique: [[user_id]]
    access: {select: member, all: role:owner}
  events:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      title: {type: text, nullable: false}
    access: {select: public, insert: member, update: member, delete: member}
    policies:
      purge:
        for: delete
        using: "true"
  notes:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      body: {type: text, nullable: false}
"""
A, B = "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b"
USER_B = "00000000-0000-0000-0000-0000000000b1"


@pytest.fixture
def events(fresh_db, tmp_path):
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "_project.yaml").write_text(PROJECT.lstrip())
    (schema / "tables.yaml").write_text(TABLES.lstrip())
    conn = fresh_db.connect()
    apply_sql(conn, initial_up(schema, tmp_path / "build"))
    model, _ = compile_with_hints(schema)
    # target postgres grants nothing: the app's role gets the table privileges, as a deploy would
    conn.execute("grant select, insert, update, delete on all tables in schema public to anon, authenticated")
    for org, name in ((A, "A"), (B, "B")):
        conn.execute("insert into orgs (id, name) values (%s, %s)", (org, name))
        for table, column in (("events", "title"), ("notes", "body")):
            conn.execute(f"insert into {table} (org_id, {column}) values (%s, %s)", (org, f"{name}'s"))
    conn.execute("insert into members (org_id, user_id, role) values (%s, %s, 'staff')", (B, USER_B))
    return conn, model


def _as(conn, user: str | None):
    return acting_as(conn, None, "anon" if user is None else "authenticated", settings={"app.user_id": user or ""})


def _orgs(session, table: str) -> list[str]:
    return [r[0] for r in session.fetchall(f"select org_id::text from {table} order by 1")]


def test_nobody_reads_every_tenants_public_rows_and_a_member_only_their_own(events):
    conn, _ = events
    with _as(conn, None) as s:
        assert _orgs(s, "events") == [A, B]
        assert _orgs(s, "notes") == []          # not public: nobody reads nothing
        assert s.scalar("select count(*) from orgs") == 0
    with _as(conn, USER_B) as s:
        assert _orgs(s, "events") == [B]        # signed in: still fenced to B
        assert _orgs(s, "notes") == [B]


def test_nobody_writes_nothing(events):
    conn, _ = events
    with _as(conn, None) as s:
        error = s.attempt("insert into events (org_id, title) values (%s, 'x')", (A,))
        assert isinstance(error, psycopg.errors.InsufficientPrivilege), error
    # nor through the hand-written `purge` (using: true), which holds for signed-in users only
    for statement in ("update events set title = 'x'", "delete from events"):
        with _as(conn, None) as s:
            assert s.execute(statement).rowcount == 0, statement
    with _as(conn, USER_B) as s:
        assert s.execute("delete from events").rowcount == 1   # B's member purges B's row only


def test_the_rules_read_back_say_public(events):
    _, model = events
    tables = {t.name: t for t in model.of("table")}
    assert open_to_nobody(model, tables["events"]) and not open_to_nobody(model, tables["notes"])
    rules = table_rules(model, tables["events"])
    assert rules["select"].public and not any(rules[c].public for c in ("insert", "update", "delete"))


def test_the_probes_pass_on_the_example_with_target_postgres(fresh_db, tmp_path):
    schema = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", schema)
    project = schema / "_project.yaml"
    text = re.sub(r"(?m)^  target: \w+$", "  target: postgres", project.read_text())
    project.write_text(re.sub(r"(?m)^    current_user_id: .*$", f'    current_user_id: "{USER}"', text))
    conn = fresh_db.connect()
    apply_sql(conn, initial_up(schema, tmp_path / "build"))
    model, hints = compile_with_hints(schema)
    report = probe_isolation(conn, model, access=hints.access)
    seen = {f.table for f in report.findings if f.probe == "access_rules" and f.actor == "anon" and f.passed
            and f.detail.startswith("select [public]: anon sees")}
    assert seen == {"public.classes", "public.class_sessions"}
    assert not report.failures, "\n".join(f.line() for f in report.failures)


def test_supabase_keeps_its_roles(tmp_path: Path):
    """On Supabase the fence stays TO authenticated, unopened: anon is a role of its own there."""
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "_project.yaml").write_text(PROJECT.lstrip().replace("target: postgres", "target: supabase")
                                          .replace(f'"{USER}"', "auth.uid()"))
    (schema / "tables.yaml").write_text(TABLES.lstrip().replace("      purge:\n        for: delete\n"
                                                                "        using: \"true\"\n", "      {}\n")
                                        .replace("    policies:\n      {}\n", ""))
    model, _ = compile_with_hints(schema)
    table = next(t for t in model.of("table") if t.name == "events")
    fence = next(p for p in model.of("policy") if p.name == "events_tenant_fence")
    assert fence.roles == ("authenticated",) and "IS NULL" not in fence.using
    assert not open_to_nobody(model, table) and table_rules(model, table)["select"].public
