"""Tenant isolation beyond the example: every small spec of tests/cases/snapshots (access rules,
FK cycles, reserved and hostile names, long names, soft delete and audit, ...) is applied and
attacked by the same model-driven probes as the example.

The probes prove something only if the member is really signed in: every report carries the
positive controls (``sign_in``, ``own_rows_visible``, ``own_insert`` / ``own_update``), and the
self-tests below break a database on purpose and require the probes to say so."""
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import SNAPSHOT_CASES as CASES
from helpers import initial_up, snapshot_cases

from compiler.isolation import FAIL, PASS, member_roles, probe_isolation, sign_in_for, tenancy_from_model
from compiler.pipeline import compile_folder, compile_with_hints
from compiler.verify.chain import apply_sql

TARGET_POSTGRES = CASES / "target_postgres" / "schema"   # current_user_id reads app.user_id
CONTROLS = {"sign_in", "own_rows_visible", "own_insert", "own_update"}


def tenant_tables(model) -> set[str]:
    return {f"{o.schema}.{o.name}" for o in model.objects if o.family == "table" and o.kind == "tenant"}


def applied(db, schema: Path, tmp_path: Path):
    """A connection to ``db`` with the initial migration of ``schema`` applied, and its model."""
    up = initial_up(schema, tmp_path / "build")
    conn = db.connect()
    apply_sql(conn, up)
    return conn, compile_folder(schema)


@pytest.mark.parametrize("case", snapshot_cases())
def test_no_tenant_leaks(fresh_db, tmp_path, case):
    conn, model = applied(fresh_db, CASES / case / "schema", tmp_path)
    report = probe_isolation(conn, model, access=compile_with_hints(CASES / case / "schema")[1].access)
    tables = tenant_tables(model)
    assert tables and set(report.tables_probed) == tables
    assert report.findings, "no probe ran"
    assert not report.failures, "\n".join(f.line() for f in report.failures)
    # the positive controls ran and held: A is signed in and sees its own rows of every table
    assert {f.actor for f in report.findings if f.probe == "sign_in" and f.passed} == {
        f"A:{role}" for role in model_roles(model)}
    visible = {f.table for f in report.findings if f.probe == "own_rows_visible" and f.passed}
    assert tables <= visible


def model_roles(model) -> tuple[str, ...]:
    return member_roles(model)


def test_target_postgres_reads_the_user_from_a_setting():
    """The case the controls are for: not Supabase's auth.uid(), so JWT claims alone sign no one in."""
    tenancy = tenancy_from_model(compile_folder(TARGET_POSTGRES))
    assert "current_setting('app.user_id'" in tenancy.current_user_id
    assert sign_in_for(tenancy.current_user_id).settings == ("app.user_id",)


@pytest.mark.parametrize("current_user_id", [
    "current_setting('app.user_id')::uuid",
    "current_setting('app.user_id', true)::uuid",
    "nullif(current_setting('app.user_id', true), '')::uuid",
    "(current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid",
])
def test_probes_sign_in_through_a_setting(fresh_db, tmp_path, current_user_id):
    """target: postgres with each common form of current_user_id: the probes sign in for real
    (every role's current_user_id is its user id; A sees, inserts and updates its own rows)."""
    schema = tmp_path / "schema"
    shutil.copytree(TARGET_POSTGRES, schema)
    project = schema / "_project.yaml"
    text = project.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "current_user_id:" in x)
    project.write_text(text.replace(line, f'    current_user_id: "{current_user_id}"'), encoding="utf-8")
    conn, model = applied(fresh_db, schema, tmp_path)
    report = probe_isolation(conn, model)
    assert not report.failures, "\n".join(f.line() for f in report.failures)
    passed = {(f.table, f.probe) for f in report.findings if f.passed}
    for table in ("public.tasks", "public.auth_users"):
        assert {(table, "own_rows_visible"), (table, "own_insert"), (table, "own_update")} <= passed


def test_probes_that_are_not_signed_in_fail(fresh_db, tmp_path):
    """What the probes did before they read current_user_id: JWT claims only, on a spec that
    reads app.user_id. A saw none of its own rows and every probe passed; now the positive
    control fails on every table, naming it and the roles tried."""
    conn, model = applied(fresh_db, TARGET_POSTGRES, tmp_path)
    claims_only = replace(tenancy_from_model(model), current_user_id="auth.uid()")
    report = probe_isolation(conn, model, tenancy=claims_only)
    blind = {f.table for f in report.failures if f.probe == "own_rows_visible"}
    assert blind == {"public.tasks", "public.auth_users", "public.organizations"}
    line = next(f for f in report.failures if f.table == "public.tasks").line()
    assert "A:owner|admin|coach|staff" in line and "not really signed in" in line
    # the other positive controls see it too: the owner family's, and every rule that grants
    # something access_rules found kept out
    assert {f.probe for f in report.failures} <= {"own_rows_visible", "own_insert", "own_update", "owner_own_rows",
                                                  "soft_delete_live_visible", "access_rules", "lookup_answers_own"}
    assert all("kept out, though the rule grants it" in f.detail for f in report.failures
               if f.probe == "access_rules")


@pytest.mark.parametrize("current_user_id, why", [
    ("current_user::text::uuid", "neither auth.uid() nor current_setting"),
    ("md5(current_setting('app.user_id', true))::uuid", "returns"),   # reads the setting, returns another id
])
def test_probes_refuse_a_user_expression_they_cannot_sign_into(fresh_db, tmp_path, current_user_id, why):
    conn, model = applied(fresh_db, TARGET_POSTGRES, tmp_path)
    opaque = replace(tenancy_from_model(model), current_user_id=current_user_id)
    report = probe_isolation(conn, model, tenancy=opaque)
    assert report.failures and all(f.probe == "sign_in" for f in report.failures)
    assert {f.actor for f in report.failures} == {"A:owner", "A:admin", "A:coach", "A:staff"}
    assert all(f.table == "public.auth_users" for f in report.failures)
    assert "the probes cannot sign in" in report.failures[0].detail and why in report.failures[0].detail
    assert report.tables_probed == ()   # nothing else ran: no probe passes without testing anything


def test_probes_detect_disabled_row_level_security(fresh_db, tmp_path):
    """Harness self-test: the same probes on a leaky database must report the leak."""
    conn, model = applied(fresh_db, TARGET_POSTGRES, tmp_path)
    conn.execute("alter table public.tasks disable row level security")
    report = probe_isolation(conn, model)
    leaks = {(f.table, f.probe) for f in report.failures}
    assert ("public.tasks", "select_other_tenant") in leaks
    assert ("public.tasks", "insert_other_tenant") in leaks
    assert ("public.tasks", "update_other_tenant") in leaks
    assert {t for t, _ in leaks} == {"public.tasks", "public.my_tasks"}   # the view reads tasks


def test_probes_detect_a_fence_that_admits_any_signed_in_user(fresh_db, tmp_path):
    """A leak only a signed-in member can see: the fence of tasks admits anyone whose app.user_id
    is set. Probes that do not set it see nothing and pass; these must fail."""
    conn, model = applied(fresh_db, TARGET_POSTGRES, tmp_path)
    conn.execute("alter policy tasks_tenant_fence on public.tasks "
                 "using (current_setting('app.user_id', true) <> '') with check (true)")
    report = probe_isolation(conn, model)
    leaks = {(f.table, f.probe, f.status) for f in report.findings if f.table == "public.tasks"}
    assert ("public.tasks", "select_other_tenant", FAIL) in leaks
    assert ("public.tasks", "own_rows_visible", PASS) in leaks
    assert {f.table for f in report.failures} == {"public.tasks", "public.my_tasks"}
