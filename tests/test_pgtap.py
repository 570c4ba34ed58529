"""`verify --emit-pgtap`: the written pgTAP files run with pg_prove on the example's database,
green, with every plan right; red on copies broken by hand (the breakages of issue 9, item 5);
green on a second domain (a help desk, inline below) and on a spec that signs in through a
setting (`current_setting('app.user_id')`, the clinic snapshot case); and a run leaves the
database as it was.  pgTAP and pg_prove come from Debian's postgresql-15-pgtap and
libtap-parser-sourcehandler-pgtap-perl (scripts/test.sh installs them)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, SNAPSHOT_CASES, initial_up

from compiler.pipeline import compile_folder
from compiler.postgres import clone_database, snapshot_catalog
from compiler.postgres.cluster import SUPERUSER
from compiler.verify.chain import apply_sql, migrate_up
from compiler.verify.pgtap import CATALOG_FILE, write_pgtap

PG_PROVE = shutil.which("pg_prove")
if PG_PROVE is None and not os.environ.get("CI"):
    pytest.skip("pg_prove is not installed (apt-get install libtap-parser-sourcehandler-pgtap-perl "
                "postgresql-15-pgtap, as scripts/test.sh does)", allow_module_level=True)

HELPDESK = {
    "_project.yaml": """
project:
  name: helpdesk
  postgres: 15
  target: supabase
  tenancy:
    table: workspaces
    column: workspace_id
    membership: {table: agents, user_column: user_id, role_column: role}
    current_user_id: auth.uid()
  defaults: {tenant: true, timestamps: true, audit: false}
enums:
  agent_role: [lead, agent]
""",
    "tables.yaml": """
tables:
  workspaces:
    tenant: false
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
    access: {select: member, update: role:lead, insert: service, delete: service}
  agents:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      user_id: {type: uuid, nullable: false, references: {table: auth.users, on_delete: cascade}}
      role: {type: agent_role, nullable: false, default: agent}
    unique: [[user_id]]
    access: {select: member, all: role:lead}
  tickets:
    audit: true
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      subject: {type: text, nullable: false}
      assignee_id: {type: uuid, references: {table: agents, on_delete: set_null}}
    access: {select: member, insert: member, update: role:lead, delete: role:lead}
""",
}


def pg_prove(db, directory: Path) -> tuple[bool, str]:
    """pg_prove over every file of ``directory``, as `supabase test db` runs it."""
    if PG_PROVE is None:
        pytest.fail("pg_prove is not installed, and CI is set: it must be")
    cluster = db.cluster
    res = subprocess.run([PG_PROVE, "-h", str(cluster.socket_dir), "-p", str(cluster.port), "-d", db.name,
                          "-U", SUPERUSER, "--ext", ".sql", "-r", str(directory)],
                         capture_output=True, text=True, timeout=300)
    return res.returncode == 0, res.stdout + res.stderr


def failed_files(output: str) -> set[str]:
    """Files pg_prove lists in its summary (failed assertions, a wrong plan, an error)."""
    summary = output.split("Test Summary Report", 1)[-1] if "Test Summary Report" in output else ""
    return {Path(m).name for m in re.findall(r"^(\S+\.test\.sql)\s", summary, re.M)}


def planned(output: str) -> int:
    return int(re.search(r"Tests=(\d+)", output).group(1))


@pytest.fixture(scope="module")
def example(pg_cluster, tmp_path_factory):
    """A database with the example's released migrations, the files written from it, and the
    model; the database is the template of the broken copies."""
    model = compile_folder(ROOT / "schema")
    db = clone_database(pg_cluster, "pgtap")
    out = tmp_path_factory.mktemp("pgtap")
    with db.connect() as conn:
        migrate_up(conn, ROOT / "build")
        paths = write_pgtap(conn, model, out)
    db.close()
    yield db, out, paths, model
    db.drop()


def broken_copy(example, sql: str):
    db, *_ = example
    copy = clone_database(db.cluster, "pgtap_broken", template=db.name)
    with copy.connect() as conn:
        apply_sql(conn, sql)
    copy.close()
    return copy


def test_files_are_written_one_per_table_plus_the_catalog(example):
    _, out, paths, model = example
    names = [p.name for p in paths]
    assert names == sorted(names) and names[0] == CATALOG_FILE
    tables = {f"{t.schema}.{t.name}.test.sql" for t in model.of("table")}
    assert set(names[1:]) == tables
    text = (out / "public.leads.test.sql").read_text()
    assert text.startswith("-- public.leads") and "select plan(" in text and text.rstrip().endswith("rollback;")


def test_the_example_is_green_and_the_plans_are_right(example):
    db, out, paths, _ = example
    ok, output = pg_prove(db, out)
    assert ok, output
    planned_total = sum(int(re.search(r"select plan\((\d+)\);", p.read_text()).group(1)) for p in paths)
    assert planned(output) == planned_total > 1000   # pg_prove fails a file whose plan is off
    assert f"Files={len(paths)}" in output


def test_green_with_pgtap_already_in_extensions_as_supabase_test_db_leaves_it(example):
    copy = broken_copy(example, "create extension pgtap with schema extensions;")
    try:
        ok, output = pg_prove(copy, example[1])
        assert ok, output
    finally:
        copy.drop()


def test_running_the_files_leaves_the_database_as_it_was(example):
    db, out, _, model = example
    def state():
        with db.connect() as conn:
            counts = {t.name: conn.execute(f'select count(*) from "{t.schema}"."{t.name}"').fetchone()[0]
                      for t in model.of("table")}
            users = conn.execute("select count(*) from auth.users").fetchone()[0]
            extensions = conn.execute("select array_agg(extname order by extname) from pg_extension").fetchone()
            return snapshot_catalog(conn), counts, users, extensions
    before = state()
    db.close()
    assert pg_prove(db, out)[0]
    after = state()
    db.close()
    assert after == before


LOOKUP_FOR_ANYONE = """
create or replace function atlas_private.user_tenant_ids(p_role public.member_role default null)
returns uuid[] language plpgsql stable security definer set search_path = '' as $$
begin
  return (select coalesce(array_agg(o.id), '{}') from public.organizations as o);
end $$;
"""

BREAKAGES = {
    "rls_disabled": ("alter table public.leads disable row level security;",
                     {"public.leads.test.sql"}),
    "fence_dropped": ("drop policy leads_tenant_fence on public.leads;", {"public.leads.test.sql"}),
    "permissive_true": ("create policy everyone on public.tags for select to authenticated using (true);",
                        {"public.tags.test.sql"}),
    "audit_to_anon": ("grant select on public.leads_audit to anon;", {"public.leads_audit.test.sql"}),
    # the catalog file names the changed body; every table the fence guards then leaks B's rows
    "lookup_for_anyone": (LOOKUP_FOR_ANYONE, {CATALOG_FILE, "public.leads.test.sql", "public.tags.test.sql"}),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_database_broken_by_hand_is_red(example, breakage):
    sql, expected = BREAKAGES[breakage]
    copy = broken_copy(example, sql)
    try:
        ok, output = pg_prove(copy, example[1])
    finally:
        copy.drop()
    assert not ok, output
    assert expected <= failed_files(output), output


def spec_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    schema = tmp_path / "schema"
    schema.mkdir()
    for name, text in files.items():
        (schema / name).write_text(text.lstrip(), encoding="utf-8")
    return schema


@pytest.mark.parametrize("domain", ["helpdesk", "clinic_postgres"])
def test_another_domain_is_green(fresh_db, tmp_path, domain):
    schema = spec_folder(tmp_path, HELPDESK) if domain == "helpdesk" else SNAPSHOT_CASES / domain / "schema"
    model = compile_folder(schema)
    with fresh_db.connect() as conn:
        apply_sql(conn, initial_up(schema, tmp_path / "build"))
        paths = write_pgtap(conn, model, tmp_path / "tests")
    fresh_db.close()
    assert len(paths) == 1 + len(model.of("table"))
    ok, output = pg_prove(fresh_db, tmp_path / "tests")
    assert ok, output
