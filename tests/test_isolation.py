"""Tenant isolation of the example schema's initial migration, probed on a real PostgreSQL.

The probes live in compiler.isolation (``atlas-compile verify`` reuses them); this file
applies build/migrations/0001_initial.up.sql, seeds tenants A and B, runs every probe and
asserts that nothing leaks, then checks a few access rules of schema/ one by one.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest

from compiler.isolation import PASS, PROBES, probe_isolation, seed_tenants
from compiler.pipeline import compile_with_hints
from compiler.postgres import acting_as
from compiler.postgres.scratch import SUPABASE_TEMPLATE
from compiler.verify.chain import migrate_up

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

# Probe families of IsolationReport, as the brief for the probes lists them.
FAMILIES = {
    "controls": {"sign_in", "own_rows_visible", "own_insert", "own_update"},   # positive controls
    "tenant_tables": {"select_other_tenant", "insert_other_tenant", "update_other_tenant",
                      "delete_other_tenant", "move_to_other_tenant", "fk_to_other_tenant"},
    "anon": {"anon_select", "anon_insert", "anon_update", "anon_delete"},
    "audit": {"audit_insert", "audit_update", "audit_delete"},
    "root": {"root_select_other", "root_update_other", "root_delete_other"},
    "views": {"view_select_other"},
    "lookups": {"lookup_other_tenant", "lookup_answers_own"},
    "sequences": {"sequence_privileges"},
    "access_rules": {"access_rules"},
    "owner": {"owner_own_rows", "owner_select_other", "owner_update_other", "owner_insert_other"},
    "soft_delete": {"soft_delete_live_visible", "soft_deleted_hidden", "undelete_by_update",
                    "soft_delete_by_update", "soft_delete_marks"},
    # workflow_executions is partitioned (example migration 0008)
    "partitions": {"partition_own_rows", "later_partition_made", "partition_parent_select_other",
                   "partition_parent_insert_other", "partition_parent_update_other", "partition_parent_delete_other",
                   "partition_select", "partition_insert", "partition_update", "partition_delete",
                   "partition_owner_select", "later_partition_fenced"},
}


def apply_migration(conn: psycopg.Connection) -> None:
    """The example schema as it is now: every released migration, in order."""
    migrate_up(conn, BUILD)


@pytest.fixture(scope="module")
def compiled():
    return compile_with_hints(ROOT / "schema")


@pytest.fixture(scope="module")
def model(compiled):
    return compiled[0]


@pytest.fixture(scope="module")
def probed(pg_cluster, model, compiled):
    """One migrated, seeded database for the module (a fresh_db, module-scoped): the probe
    report, plus the connection and seed for the focused tests (which roll back)."""
    db = pg_cluster.create_database(pg_cluster.unique_database_name("isolation"), template=SUPABASE_TEMPLATE)
    try:
        conn = db.connect()
        apply_migration(conn)
        seed = seed_tenants(conn, model)
        report = probe_isolation(conn, model, seed=seed, access=compiled[1].access)   # judged by the spec's rules
        yield SimpleNamespace(conn=conn, seed=seed, report=report, A=seed.tenants["A"], B=seed.tenants["B"])
    finally:
        db.drop()


@pytest.fixture
def db(probed):
    """The seeded database inside a transaction rolled back after the test."""
    with probed.conn.transaction(force_rollback=True):
        yield probed


def tenant_tables(model) -> set[str]:
    return {f"{o.schema}.{o.name}" for o in model.objects if o.family == "table" and o.kind == "tenant"}


# -- every probe -------------------------------------------------------------------------


def test_every_tenant_table_is_probed(probed, model):
    report = probed.report
    expected = tenant_tables(model)
    assert len(expected) >= 18   # the example's tenant tables (more as the example evolves)
    assert len(report.tables_probed) == len(expected)
    assert set(report.tables_probed) == expected == set(report.tenant_tables)
    for table in expected:
        probes = {f.probe for f in report.for_table(table)}
        assert FAMILIES["tenant_tables"] - {"fk_to_other_tenant"} <= probes, table
        assert {"anon_select", "anon_insert", "anon_update", "anon_delete"} <= probes, table
    # every family ran, and every finding belongs to a family
    assert report.probes() == set().union(*FAMILIES.values())
    # the positive controls: every role of A signed in, and A sees its own rows of every table
    assert {f.actor for f in report.findings if f.probe == "sign_in"} == {f"A:{r}" for r in probed.A.users}
    assert {f.table for f in report.findings if f.probe == "own_rows_visible"} >= expected
    # a table with tenant-scoped foreign keys got one update and one insert probe per key
    # (leads: source_id, owner_id, trial_session_id), as every role of A
    assert len([f for f in report.for_table("leads") if f.probe == "fk_to_other_tenant"]) == 6 * len(probed.A.users)
    assert len(report.findings) > 300


def test_every_finding_is_declared_by_the_probe_registry(probed):
    declared = {"sign_in"} | {name for p in PROBES for name in (*p.checks, *p.controls)}
    assert probed.report.probes() <= declared
    assert set().union(*FAMILIES.values()) <= declared


@pytest.mark.parametrize("family", list(FAMILIES))
def test_no_leaks(probed, family):
    findings = [f for f in probed.report.findings if f.probe in FAMILIES[family]]
    assert findings, f"no {family} probes ran"
    bad = [f.line() for f in findings if f.status != PASS]
    assert not bad, f"{len(bad)} {family} probe(s) leaked or could not run:\n" + "\n".join(bad)


def rule_verdicts(report, table: str, command: str) -> dict[str, str]:
    return {f.actor: f.detail.split(": ")[1].split(" (")[0] for f in report.findings
            if f.table == table and f.probe == "access_rules" and f.subject == command and f.actor != "anon"}


def test_access_rules_probes_agree_with_the_hand_written_tests(probed):
    """The access_rules family derives what the hand-written tests below assert one by one."""
    report = probed.report
    # leads.update [owner, role:admin, role:owner]: the probed lead is staff's own
    assert rule_verdicts(report, "public.leads", "update") == {
        "A:owner": "allowed as the rule says", "A:admin": "allowed as the rule says",
        "A:coach": "kept out as the rule says", "A:staff": "allowed as the rule says",
        "signed-in non-member": "kept out as the rule says"}
    # payments: select [role:admin, role:owner], written by the service role only
    assert set(rule_verdicts(report, "public.payments", "insert").values()) == {"kept out as the rule says"}
    assert rule_verdicts(report, "public.payments", "select")["A:coach"] == "kept out as the rule says"
    assert rule_verdicts(report, "public.payments", "select")["A:admin"] == "allowed as the rule says"
    anon = {f.table for f in report.findings if f.probe == "access_rules" and f.actor == "anon" and f.passed}
    assert {"public.class_sessions", "public.classes"} <= anon


def test_probes_detect_a_missing_fence(fresh_db, model):
    conn = fresh_db.connect()
    apply_migration(conn)
    # Member rules repeat the tenant condition, so the fence alone is not the last line:
    # break both, as a hand edit of the policies would.
    conn.execute("drop policy leads_tenant_fence on public.leads")
    conn.execute("alter policy leads_select on public.leads using (deleted_at is null)")
    conn.execute("alter policy leads_insert on public.leads with check (true)")
    report = probe_isolation(conn, model)
    failing = {f.table for f in report.failures if f.probe in FAMILIES["tenant_tables"]}
    assert failing == {"public.leads"}
    leads = {(f.probe, f.actor) for f in report.failures if f.table == "public.leads"}
    # with leads_select `deleted_at is null` and leads_insert `true`, nothing holds A's users to A
    assert ("select_other_tenant", "A:staff") in leads
    assert ("insert_other_tenant", "A:owner") in leads
    assert not report.ok


# -- access rules of schema/, one by one --------------------------------------------------


def update_lead(conn, user_id, lead_id) -> int:
    with acting_as(conn, user_id) as s:
        return s.execute("update public.leads set score = 42 where id = %s", (lead_id,)).rowcount


def test_leads_update_is_owner_or_admin_or_owner_role(db):
    """leads.update: [owner, role:admin, role:owner], owner_column owner_id."""
    A = db.A
    coach_membership = A.memberships["coach"]["id"]
    lead = db.seed.new_row(db.conn, "leads", "A", {"owner_id": coach_membership})
    assert update_lead(db.conn, A.users["staff"], lead["id"]) == 0     # not its lead
    assert update_lead(db.conn, A.users["coach"], lead["id"]) == 1     # owner_id is its membership
    assert update_lead(db.conn, A.users["admin"], lead["id"]) == 1     # role:admin
    assert update_lead(db.conn, A.users["owner"], lead["id"]) == 1     # role:owner
    with acting_as(db.conn, A.users["staff"]) as s:
        assert s.execute("delete from public.leads where id = %s", (lead["id"],)).rowcount == 0
        # what staff may do: see it (select: member)
        assert s.scalar("select count(*) from public.leads where id = %s", (lead["id"],)) == 1


def test_roles_do_not_carry_over_to_another_tenant(db):
    """A's owner who is only staff in B gets staff rights in B, not owner rights."""
    A, B = db.A, db.B
    owner_of_a = A.users["owner"]
    db.seed.new_row(db.conn, "auth_users", "B", {"auth_id": owner_of_a, "role": "staff"})
    b_lead = db.seed.new_row(db.conn, "leads", "B", {"owner_id": B.memberships["coach"]["id"]})
    with acting_as(db.conn, owner_of_a) as s:
        assert s.scalar("select count(*) from public.leads where id = %s", (b_lead["id"],)) == 1
        assert s.execute("update public.leads set score = 1 where id = %s", (b_lead["id"],)).rowcount == 0
        assert s.execute("delete from public.leads where id = %s", (b_lead["id"],)).rowcount == 0
        assert s.scalar("select count(*) from public.payments where organization_id = %s", (B.id,)) == 0
        assert s.scalar("select count(*) from public.payments where organization_id = %s", (A.id,)) == 1


def test_payments_are_written_by_the_service_role_only(db):
    """payments: select [role:admin, role:owner], insert/update service, delete none."""
    A = db.A
    values = db.seed.valid_values(db.conn, "payments", "A")
    cols = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    insert = f"insert into public.payments ({cols}) values ({marks})"
    with acting_as(db.conn, A.users["owner"]) as s:
        s.expect_error(insert, list(values.values()), sqlstate="42501")
        s.expect_error("update public.payments set amount = 1", sqlstate="42501")
        assert s.scalar("select count(*) from public.payments") == 1
    with acting_as(db.conn, A.users["staff"]) as s:
        assert s.scalar("select count(*) from public.payments") == 0
    with acting_as(db.conn, None, "service_role") as s:
        assert s.execute(insert, list(values.values())).rowcount == 1
        assert s.scalar("select count(*) from public.payments") == 3   # A's, B's and the new one


def test_class_sessions_are_public_to_anon(db):
    A, B = db.A, db.B
    with acting_as(db.conn, None, "anon") as s:
        orgs = {r[0] for r in s.fetchall("select organization_id from public.class_sessions")}
        assert orgs == {A.id, B.id}
        assert {r[0] for r in s.fetchall("select organization_id from public.classes")} == {A.id, B.id}
        s.expect_error("select count(*) from public.leads", sqlstate="42501")
        s.expect_error("update public.class_sessions set capacity = 1", sqlstate="42501")
    with acting_as(db.conn, A.users["staff"]) as s:   # signed in: the fence applies
        assert {r[0] for r in s.fetchall("select organization_id from public.class_sessions")} == {A.id}


def test_soft_deleted_leads_are_invisible_to_members(db):
    A = db.A
    lead = A.rows["public.leads"]
    db.conn.execute("update public.leads set deleted_at = now() where id = %s", (lead["id"],))
    for role in A.users:
        with acting_as(db.conn, A.users[role]) as s:
            assert s.scalar("select count(*) from public.leads where id = %s", (lead["id"],)) == 0, role
            assert s.execute("update public.leads set score = 1 where id = %s", (lead["id"],)).rowcount == 0
            assert s.execute("delete from public.leads where id = %s", (lead["id"],)).rowcount == 0
    with acting_as(db.conn, None, "service_role") as s:
        assert s.scalar("select count(*) from public.leads where id = %s", (lead["id"],)) == 1


def test_payments_audit_is_not_readable_beyond_the_payments_select_rule(db):
    """payments.select is [role:admin, role:owner]; its audit rows carry the whole payment
    (new_data), so coach and staff must not read them either."""
    A = db.A
    for role in ("coach", "staff"):
        with acting_as(db.conn, A.users[role]) as s:
            assert s.scalar("select count(*) from public.payments") == 0
            seen = s.fetchall("select new_data from public.payments_audit")
            assert seen == [], f"{role} reads payments through payments_audit: {seen}"
