"""`verify --emit-pgtap`: the written pgTAP files run with pg_prove on the example's database,
green, with every plan right; green on a copy where every table already holds rows, which they
leave untouched; red on copies broken by hand (the breakages of issue 9, item 5, and the red
team's "nothing extra" ones: an added table, view or function, a column grant, a trigger or a
foreign key dropped or changed, a default changed, an enum label added), on the example and on
an issue tracker (tests/cases/verify/tracker); green on a help desk and on a spec that signs in
through a setting (`current_setting('app.user_id')`, the clinic snapshot case); and a run
leaves the database as it was.  pgTAP and pg_prove come from Debian's postgresql-15-pgtap and
libtap-parser-sourcehandler-pgtap-perl (scripts/test.sh installs them)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import CASES, ROOT, SNAPSHOT_CASES, initial_up
from pgtap_specs import HELPDESK

from compiler.isolation import seed_tenants
from compiler.pipeline import compile_folder
from compiler.postgres import clone_database, snapshot_catalog
from compiler.postgres.cluster import SUPERUSER
from compiler.verify.chain import apply_sql, migrate_up
from compiler.verify.pgtap import CATALOG_FILE, write_pgtap

PG_PROVE = shutil.which("pg_prove")
if PG_PROVE is None and not os.environ.get("CI"):
    pytest.skip("pg_prove is not installed (apt-get install libtap-parser-sourcehandler-pgtap-perl "
                "postgresql-15-pgtap, as scripts/test.sh does)", allow_module_level=True)

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


@pytest.fixture(scope="module")
def tracker(pg_cluster, tmp_path_factory):
    """The same for the issue tracker (its initial migration): identity keys in tenant and
    shared tables, a unique name on a shared table, a view, a materialized view."""
    work = tmp_path_factory.mktemp("pgtap_tracker")
    schema = CASES / "verify" / "tracker" / "schema"   # the red team's spec, shared with test_isolation_lookups
    model = compile_folder(schema)
    db = clone_database(pg_cluster, "pgtap_tracker")
    with db.connect() as conn:
        apply_sql(conn, initial_up(schema, work / "build"))
        paths = write_pgtap(conn, model, work / "tests")
    db.close()
    yield db, work / "tests", paths, model
    db.drop()


def broken_copy(example, sql: str):
    db, *_ = example
    copy = clone_database(db.cluster, "pgtap_broken", template=db.name)
    with copy.connect() as conn:
        apply_sql(conn, sql)
    copy.close()
    return copy


def red_output(domain, sql: str, expected: set[str]) -> str:
    """pg_prove on a copy of ``domain``'s database broken by ``sql``: red, ``expected`` among the
    files it lists as failed; returns its output."""
    copy = broken_copy(domain, sql)
    try:
        ok, output = pg_prove(copy, domain[1])
    finally:
        copy.drop()
    assert not ok, output
    assert expected <= failed_files(output), output
    return output


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


def test_the_tracker_is_green_and_its_plans_are_right(tracker):
    db, out, paths, _ = tracker
    ok, output = pg_prove(db, out)
    assert ok, output
    assert planned(output) == sum(int(re.search(r"select plan\((\d+)\);", p.read_text()).group(1)) for p in paths)


def test_green_with_pgtap_already_in_extensions_as_supabase_test_db_leaves_it(example):
    copy = broken_copy(example, "create extension pgtap with schema extensions;")
    try:
        ok, output = pg_prove(copy, example[1])
        assert ok, output
    finally:
        copy.drop()


def every_row(db, model) -> dict[str, list[str]]:
    """Every row of every table of the spec and of auth.users, as text, in order."""
    tables = [f'"{t.schema}"."{t.name}"' for t in model.of("table")] + ["auth.users"]
    with db.connect() as conn:
        rows = {t: [r[0] for r in conn.execute(f"select r::text from {t} r order by 1").fetchall()] for t in tables}
    db.close()
    return rows


@pytest.mark.parametrize("domain", ["example", "tracker"])
def test_green_where_every_table_already_holds_rows_and_they_stay_untouched(request, domain):
    """Staging, a Supabase branch: the seed's keys go past the rows there (identity values, a
    unique name on a shared table, the root's unique slug) and no existing row changes."""
    db, out, _, model = request.getfixturevalue(domain)
    copy = clone_database(db.cluster, "pgtap_rows", template=db.name)
    try:
        with copy.connect() as conn:
            seed_tenants(conn, model)          # committed: two tenants of real data
        copy.close()
        before = every_row(copy, model)
        assert all(before.values()), {t: len(r) for t, r in before.items()}
        ok, output = pg_prove(copy, out)
        assert ok, output
        assert every_row(copy, model) == before
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

EXTRA_DEFINER_FUNCTION = """
create function public.all_emails() returns setof text language sql security definer set search_path = ''
as $$ select email from public.leads $$;
grant execute on function public.all_emails() to anon, authenticated;
"""

# the red team's "nothing extra" breakages (/tmp/redteam/live/breaks), caught by the contents
# checks: each names the file that must fail
NOTHING_EXTRA = {
    "example": {
        "extra_table": ("create table public.secrets (id bigint generated always as identity primary key, "
                        "organization_id uuid, value text); grant all on public.secrets to anon, authenticated;",
                        {CATALOG_FILE}),
        "extra_definer_view": ("create view public.all_leads as select * from public.leads; "
                               "grant select on public.all_leads to anon, authenticated;", {CATALOG_FILE}),
        "extra_definer_function": (EXTRA_DEFINER_FUNCTION, {CATALOG_FILE}),
        "column_grant_to_anon": ("grant select (id, email) on public.leads to anon;", {CATALOG_FILE}),
        "soft_delete_trigger_dropped": ("drop trigger soft_delete_leads on public.leads;", {"public.leads.test.sql"}),
        "updated_at_trigger_dropped": ("drop trigger update_leads_updated_at on public.leads;",
                                       {"public.leads.test.sql"}),
        "composite_fk_made_plain": ("alter table public.leads drop constraint leads_source_id_fkey; "
                                    "alter table public.leads add constraint leads_source_id_fkey foreign key "
                                    "(source_id) references public.lead_sources (id) on delete set null;",
                                    {"public.leads.test.sql"}),
        "fk_dropped": ("alter table public.leads drop constraint leads_owner_id_fkey;", {"public.leads.test.sql"}),
        "default_changed": ("alter table public.leads alter column status set default 'lost';",
                            {"public.leads.test.sql"}),
        "enum_value_added": ("alter type public.lead_status add value 'hacked';", {CATALOG_FILE}),
    },
    "tracker": {
        "extra_table": ("create table public.secrets (id bigint generated always as identity primary key, "
                        "workspace_id uuid, value text); grant all on public.secrets to anon, authenticated;",
                        {CATALOG_FILE}),
        "extra_definer_view": ("create view public.all_issues as select * from public.issues; "
                               "grant select on public.all_issues to anon, authenticated;", {CATALOG_FILE}),
        "extra_definer_function": (EXTRA_DEFINER_FUNCTION.replace("email from public.leads", "summary from public.issues"),
                                   {CATALOG_FILE}),
        "column_grant_to_anon": ("grant select (id, summary) on public.issues to anon;", {CATALOG_FILE}),
        "updated_at_trigger_dropped": ("drop trigger update_projects_updated_at on public.projects;",
                                       {"public.projects.test.sql"}),
        "composite_fk_made_plain": ("alter table public.issues drop constraint issues_project_id_fkey; "
                                    "alter table public.issues add constraint issues_project_id_fkey foreign key "
                                    "(project_id) references public.projects (id) on delete cascade;",
                                    {"public.issues.test.sql"}),
        "fk_dropped": ("alter table public.issues drop constraint issues_workspace_id_fkey;", {"public.issues.test.sql"}),
        "default_changed": ("alter table public.issues alter column confidential set default true;",
                            {"public.issues.test.sql"}),
        "enum_value_added": ("alter type public.issue_state add value 'hacked';", {CATALOG_FILE}),
    },
}


# the assertion that names each breakage (its description, as pg_prove reports it)
CAUGHT_BY = {
    "extra_table": "exactly the tables of the spec",
    "extra_definer_view": "exactly the views of the spec",
    "extra_definer_function": "exactly the functions of the spec",
    "column_grant_to_anon": "column privileges of anon",
    "soft_delete_trigger_dropped": "exactly the triggers of the spec",
    "updated_at_trigger_dropped": "exactly the triggers of the spec",
    "composite_fk_made_plain": "foreign key public.",
    "fk_dropped": "foreign key public.",
    "default_changed": "defaults to",
    "enum_value_added": ": labels ",
}


@pytest.mark.parametrize("domain,breakage", [(d, b) for d, cases in NOTHING_EXTRA.items() for b in sorted(cases)])
def test_something_extra_or_changed_is_red(request, domain, breakage):
    sql, expected = NOTHING_EXTRA[domain][breakage]
    output = red_output(request.getfixturevalue(domain), sql, expected)
    assert re.search(r'Failed test \d+: "[^"\n]*' + re.escape(CAUGHT_BY[breakage]), output), output


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
    red_output(example, *BREAKAGES[breakage])


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
