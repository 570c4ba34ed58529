"""The isolation probes and verify in the scalar modes of `project.tenancy.current_tenant`,
attacked as a caller would: a clinic scheduler (tests/cases/current_tenant/clinic) whose requests
name their clinic in a nested JWT claim, and the same spec naming it in a transaction setting.
(The compiler's own tests of the modes are tests/test_current_tenant_modes.py.)

The probes sign in as an app would (the member's own tenant in the claim or setting), so every
family of the memberships mode runs and holds; the `current_tenant` family adds a member of B
naming A (after seeing B's rows when naming B), a tenant that is no uuid, and none at all.  Then
the databases are broken by hand (a fence replaced by `true`, the lookup skipping the membership
check or the role) and the probes, and `verify`'s isolation checks, must go red."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import initial_up

from compiler.isolation import PASS, SKIP, probe_isolation, seed_tenants
from compiler.isolation.signin import sign_in_of
from compiler.model import Tenancy
from compiler.pipeline import compile_with_hints
from compiler.postgres import acting_as
from compiler.verify.chain import apply_sql
from compiler.verify.pgtap import write_pgtap
from compiler.verify.probing import check_isolation

CLINIC = Path(__file__).resolve().parent / "cases" / "current_tenant" / "clinic"
CLAIM = "app_metadata.clinic_id"
SETTING = "app.current_clinic"
MODES = ["claim", "setting"]
FAMILY = {"forged_own_rows", "forged_select", "forged_insert", "forged_update", "forged_delete",
          "tenant_not_uuid", "tenant_missing"}
TENANT_TABLES = {"public.staff", "public.patients", "public.visits", "public.invoices"}


def clinic(tmp_path: Path, mode: str) -> Path:
    """The clinic spec as it is (claim mode) or naming its clinic in a setting."""
    schema = tmp_path / f"clinic_{mode}"
    shutil.copytree(CLINIC, schema)
    if mode == "setting":
        project = schema / "_project.yaml"
        text = project.read_text(encoding="utf-8")
        assert f"current_tenant: {{claim: {CLAIM}}}" in text
        project.write_text(text.replace(f"{{claim: {CLAIM}}}", f"{{setting: {SETTING}}}"), encoding="utf-8")
    return schema


def applied(db, schema: Path, tmp_path: Path):
    """A connection to ``db`` with the spec's first migration applied, its model and rules."""
    conn = db.connect()
    apply_sql(conn, initial_up(schema, tmp_path / f"build_{schema.name}"))
    model, hints = compile_with_hints(schema)
    return conn, model, hints.access


def failed(report) -> str:
    return "\n".join(f.line() for f in report.failures + report.errors)


def lookup_definition(conn) -> str:
    return conn.execute("select pg_get_functiondef("
                        "'atlas_private.current_tenant_id(public.staff_role)'::regprocedure)").fetchone()[0]


def skip_the_membership_check(conn) -> None:
    """current_tenant_id trusts whatever the request names."""
    definition = lookup_definition(conn)
    assert "FROM public.staff" in definition, definition
    conn.execute(definition.replace("RETURN (SELECT", "RETURN requested::uuid; RETURN (SELECT", 1))


def ignore_the_role(conn) -> None:
    """current_tenant_id('admin') answers for any member of the named clinic."""
    definition = lookup_definition(conn)
    marker = "AND (p_role IS NULL OR m.role = p_role)"
    assert marker in definition, definition
    conn.execute(definition.replace(marker, ""))


def test_sign_in_names_the_members_own_tenant():
    """claims= and settings= as an app sets them; memberships mode adds nothing."""
    base = dict(root="t", root_key="id", column="t_id", membership="m", user_column="user_id")
    claim = sign_in_of(Tenancy(**base, current_tenant="claim", current_tenant_key=CLAIM))
    assert claim.claims("x") == {"app_metadata": {"clinic_id": "x"}} and claim.values("u", "x") == {}
    assert claim.claims(None) is None
    setting = sign_in_of(Tenancy(**base, current_tenant="setting", current_tenant_key=SETTING))
    assert setting.claims("x") is None and setting.values("u", "x") == {SETTING: "x"}
    assert setting.values("u") == {SETTING: ""}   # no tenant: empty, as between pooled requests
    memberships = sign_in_of(Tenancy(**base))
    assert memberships.claims("x") is None and memberships.values("u", "x") == {}
    assert not memberships.names_tenant and claim.names_tenant and setting.names_tenant


@pytest.mark.parametrize("mode", MODES)
def test_scalar_modes_hold_under_attack(fresh_db, tmp_path, mode):
    conn, model, access = applied(fresh_db, clinic(tmp_path, mode), tmp_path)
    assert model.tenancy.current_tenant == mode
    report = probe_isolation(conn, model, access=access)
    assert report.ok, failed(report)
    assert set(report.tables_probed) == TENANT_TABLES
    passed = {(f.table, f.probe) for f in report.findings if f.passed}
    # the family ran on every tenant table, its control (B naming B sees B's rows) included
    for table in TENANT_TABLES:
        assert {(table, p) for p in FAMILY} <= passed, table
    # the root: B naming A sees no clinic of A; naming none, a member still lists its clinic
    assert {("public.clinics", "forged_select"), ("public.clinics", "tenant_missing_root")} <= passed
    # members see their own rows only because the sign-in names their clinic
    assert {f.table for f in report.findings if f.probe == "own_rows_visible" and f.passed} >= TENANT_TABLES
    # role rules judged with each member naming its own clinic: staff kept out of what admins may do
    staff = [f for f in report.findings if f.probe == "access_rules" and f.actor == "A:staff"
             and f.table == "public.invoices"]
    assert len(staff) == 4 and all(f.passed and "kept out" in f.detail for f in staff)
    admin = [f for f in report.findings if f.probe == "access_rules" and f.actor == "A:admin"
             and f.table == "public.invoices"]
    assert len(admin) == 4 and all(f.passed and "allowed" in f.detail for f in admin)


@pytest.mark.parametrize("mode", MODES)
def test_a_fence_replaced_by_true_is_caught(fresh_db, tmp_path, mode):
    conn, model, access = applied(fresh_db, clinic(tmp_path, mode), tmp_path)
    fence = next(p for p in model.of("policy") if p.table == "visits" and not p.permissive)
    conn.execute(f'alter policy "{fence.name}" on public.visits using (true) with check (true)')
    report = probe_isolation(conn, model, access=access)
    failing = {(f.table, f.probe) for f in report.failures}
    assert {("public.visits", "forged_select"), ("public.visits", "tenant_missing"),
            ("public.visits", "tenant_not_uuid"), ("public.visits", "select_other_tenant")} <= failing, failed(report)


@pytest.mark.parametrize("mode", MODES)
def test_a_lookup_that_skips_the_membership_check_is_caught_by_verify(fresh_db, tmp_path, mode):
    """verify's isolation checks: green on the intact build; once the lookup returns whatever
    tenant the request names, a member of B naming A reads and writes A's rows: red."""
    conn, model, access = applied(fresh_db, clinic(tmp_path, mode), tmp_path)
    with conn.transaction(force_rollback=True):
        intact = check_isolation(conn, model, consume_sequences=False, access=access)
    assert all(c.status in (PASS, SKIP) for c in intact), \
        "\n".join(f"{c.subject} {c.check} {c.status} {c.detail}" for c in intact if c.status not in (PASS, SKIP))
    assert {c.check for c in intact} >= FAMILY
    skip_the_membership_check(conn)
    with conn.transaction(force_rollback=True):
        broken = check_isolation(conn, model, consume_sequences=False, access=access)
    red = {(c.subject, c.check) for c in broken if c.status == "fail"}
    for table in ("public.patients", "public.visits", "public.staff"):
        assert {(table, "forged_select"), (table, "forged_update"), (table, "forged_insert")} <= red, red


def test_a_lookup_that_ignores_the_role_is_caught(fresh_db, tmp_path):
    """`role:admin` rules then admit staff naming their own clinic: access_rules goes red."""
    conn, model, access = applied(fresh_db, clinic(tmp_path, "claim"), tmp_path)
    ignore_the_role(conn)
    report = probe_isolation(conn, model, access=access)
    red = {(f.table, f.probe, f.actor) for f in report.failures}
    assert ("public.invoices", "access_rules", "A:staff") in red, failed(report)
    assert ("public.staff", "access_rules", "A:staff") in red


def test_a_forged_claim_reaches_nothing_by_hand(fresh_db, tmp_path):
    """The family's main attack written out: B's admin with the claim forged to A, as PostgREST
    would run the request."""
    conn, model, _ = applied(fresh_db, clinic(tmp_path, "claim"), tmp_path)
    seed = seed_tenants(conn, model)
    a, b = seed.tenants["A"], seed.tenants["B"]
    with acting_as(conn, b.users["admin"], claims={"app_metadata": {"clinic_id": str(b.id)}}) as s:
        assert s.scalar("select count(*) from public.patients") == 1
    with acting_as(conn, b.users["admin"], claims={"app_metadata": {"clinic_id": str(a.id)}}) as s:
        assert s.scalar("select atlas_private.current_tenant_id()") is None
        assert s.scalar("select count(*) from public.patients") == 0
        assert s.execute("update public.patients set full_name = 'x' where clinic_id = %s", (a.id,)).rowcount == 0
        assert s.scalar("select count(*) from public.clinics") == 1   # the root: B's, by membership


@pytest.mark.parametrize("mode", MODES)
def test_pgtap_files_sign_in_naming_the_members_clinic(fresh_db, tmp_path, mode):
    """verify's pgTAP files sign in as the probes do (A's clinic in the claim or the setting):
    green with pg_prove; red once the fence of visits is replaced by `true`."""
    from test_pgtap import failed_files, pg_prove
    schema = clinic(tmp_path, mode)
    with fresh_db.connect() as conn:
        apply_sql(conn, initial_up(schema, tmp_path / "build"))
        model = compile_with_hints(schema)[0]
        paths = write_pgtap(conn, model, tmp_path / "tests")
    fresh_db.close()
    visits = next(p for p in paths if p.name == "public.visits.test.sql").read_text()
    assert ('"app_metadata": {"clinic_id": ' if mode == "claim" else f"set local {SETTING} = '") in visits
    ok, output = pg_prove(fresh_db, tmp_path / "tests")
    assert ok, output
    fence = next(p for p in model.of("policy") if p.table == "visits" and not p.permissive)
    with fresh_db.connect() as conn:
        conn.execute(f'alter policy "{fence.name}" on public.visits using (true) with check (true)')
    fresh_db.close()
    ok, output = pg_prove(fresh_db, tmp_path / "tests")
    assert not ok and "public.visits.test.sql" in failed_files(output), output
