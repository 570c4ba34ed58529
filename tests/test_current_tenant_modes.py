"""`tenancy.current_tenant` claim and setting modes on a real PostgreSQL: the request names one
tenant, the membership check confirms it (lower/current_tenant.py).

A member sees the named tenant's rows only; naming a tenant the user is not a member of (a forged
claim), naming none, or a value that is not a uuid shows nothing and writes nothing, never an
error. The root keeps the memberships fence: a user lists every tenant they may name.
"""
from __future__ import annotations

import json

import psycopg
import pytest
from helpers import SNAPSHOT_CASES, initial_up

from compiler.postgres import acting_as
from compiler.verify.chain import apply_sql

WS_A = "0a000000-0000-4000-8000-00000000000a"
WS_B = "0b000000-0000-4000-8000-00000000000b"
ALICE = "a1000000-0000-4000-8000-0000000000a1"   # owner in A
BOB = "b1000000-0000-4000-8000-0000000000b1"     # rep in B
CAROL = "c1000000-0000-4000-8000-0000000000c1"   # rep in A, manager in B
CAROL_IN_A = "c2000000-0000-4000-8000-0000000000ca"


def applied(db, tmp_path, case: str, seed: str):
    """A connection to `db` with the snapshot case's initial migration applied and `seed` run."""
    conn = db.connect()
    apply_sql(conn, initial_up(SNAPSHOT_CASES / case / "schema", tmp_path / "build"))
    apply_sql(conn, seed)
    return conn


@pytest.fixture
def crm(fresh_db, tmp_path):
    users = ", ".join(f"('{u}', '{u[:2]}@example.com')" for u in (ALICE, BOB, CAROL))
    with applied(fresh_db, tmp_path, "current_tenant_claim", f"""
            insert into auth.users (id, email) values {users};
            insert into public.workspaces (id, name) values ('{WS_A}', 'A'), ('{WS_B}', 'B');
            insert into public.members (id, workspace_id, user_id, role, display_name) values
              (gen_random_uuid(), '{WS_A}', '{ALICE}', 'owner', 'Alice'),
              (gen_random_uuid(), '{WS_B}', '{BOB}', 'rep', 'Bob'),
              ('{CAROL_IN_A}', '{WS_A}', '{CAROL}', 'rep', 'Carol'),
              (gen_random_uuid(), '{WS_B}', '{CAROL}', 'manager', 'Carol');
            insert into public.companies (workspace_id, name, owner_id) values
              ('{WS_A}', 'Acme', '{CAROL_IN_A}'), ('{WS_B}', 'Bolt', null);
    """) as conn:
        yield conn


def naming(tenant) -> dict:
    return {"app_metadata": {"workspace_id": tenant}}


def companies(session) -> list[str]:
    return [name for name, in session.fetchall("select name from public.companies order by name")]


def test_a_member_sees_the_named_tenant_only(crm):
    with acting_as(crm, ALICE, claims=naming(WS_A)) as s:
        assert companies(s) == ["Acme"]
    with acting_as(crm, CAROL, claims=naming(WS_B)) as s:
        assert companies(s) == ["Bolt"]
    with acting_as(crm, CAROL, claims=naming(WS_A)) as s:
        assert companies(s) == ["Acme"]


def test_a_forged_claim_sees_and_writes_nothing(crm):
    with acting_as(crm, BOB, claims=naming(WS_B)) as s:
        assert companies(s) == ["Bolt"]   # control: B's own rows with B's claim
    with acting_as(crm, BOB, claims=naming(WS_A)) as s:
        assert companies(s) == []
        assert s.fetchall("select display_name from public.members") == []
        assert s.execute("update public.companies set name = 'x'").rowcount == 0
        assert s.execute("delete from public.companies").rowcount == 0
        error = s.attempt("insert into public.companies (workspace_id, name) values (%s, 'Forged')", (WS_A,))
        assert isinstance(error, psycopg.errors.InsufficientPrivilege)


def test_no_claim_shows_no_tenant_rows_but_the_tenants_to_name(crm):
    with acting_as(crm, CAROL) as s:
        assert companies(s) == []
        assert s.scalar("select atlas_private.current_tenant_id()") is None
        assert sorted(n for n, in s.fetchall("select name from public.workspaces")) == ["A", "B"]


@pytest.mark.parametrize("value", ["not-a-uuid", "", 42, {"id": WS_A}, [WS_A], None,
                                   WS_A + "0", "{" + WS_A + "}", "'; select 1 --"])
def test_a_value_that_is_not_a_uuid_is_no_tenant_never_an_error(crm, value):
    with acting_as(crm, ALICE, claims=naming(value)) as s:
        assert s.scalar("select atlas_private.current_tenant_id()") is None
        assert s.scalar("select atlas_private.current_membership_id()") is None
        assert companies(s) == []
        error = s.attempt("insert into public.companies (workspace_id, name) values (%s, 'X')", (WS_A,))
        assert isinstance(error, psycopg.errors.InsufficientPrivilege)


def test_claims_left_empty_by_an_earlier_request_are_no_tenant(crm):
    with acting_as(crm, ALICE, claims=naming(WS_A)):
        pass
    assert crm.execute("select current_setting('request.jwt.claims', true)").fetchone() == ("",)
    with crm.transaction(force_rollback=True):
        crm.execute("set local role authenticated")
        assert crm.execute("select atlas_private.current_tenant_id()").fetchone() == (None,)


def test_roles_are_those_held_in_the_named_tenant(crm):
    update = "update public.members set display_name = display_name || '!'"
    with acting_as(crm, CAROL, claims=naming(WS_B)) as s:   # manager in B
        assert s.execute(update).rowcount == 2
    with acting_as(crm, CAROL, claims=naming(WS_A)) as s:   # rep in A, though manager elsewhere
        assert s.execute(update).rowcount == 0
        assert s.scalar("select atlas_private.current_tenant_id('manager')") is None
        assert str(s.scalar("select atlas_private.current_tenant_id('rep')")) == WS_A


def test_owner_rules_read_the_membership_in_the_named_tenant(crm):
    rename = "update public.companies set name = name || '!' where name = 'Acme'"
    with acting_as(crm, CAROL, claims=naming(WS_A)) as s:
        assert str(s.scalar("select atlas_private.current_membership_id()")) == CAROL_IN_A
        assert s.execute(rename).rowcount == 1
    with acting_as(crm, ALICE, claims=naming(WS_A)) as s:   # owner of the workspace, not of the row
        assert s.execute(rename).rowcount == 0


def test_audit_trails_and_materialized_views_follow_the_named_tenant(crm):
    crm.execute("refresh materialized view atlas_private.deal_totals")
    apply_sql(crm, f"insert into public.deals (workspace_id, company_id, amount) "
                   f"select '{WS_A}', id, 5 from public.companies where name = 'Acme'")
    crm.execute("refresh materialized view atlas_private.deal_totals")
    with acting_as(crm, CAROL, claims=naming(WS_A)) as s:
        assert s.fetchall("select deals from public.deal_totals") == [(1,)]
        assert s.scalar("select count(*) from public.companies_audit") == 1
    with acting_as(crm, CAROL, claims=naming(WS_B)) as s:
        assert s.fetchall("select deals from public.deal_totals") == []
        assert s.scalar("select count(*) from public.companies_audit") == 1   # Bolt's insert


CLINIC_A = "0a000000-0000-4000-8000-0000000000ca"
CLINIC_B = "0b000000-0000-4000-8000-0000000000cb"
DOCTOR = "d0000000-0000-4000-8000-0000000000d1"


@pytest.fixture
def clinic(fresh_db, tmp_path):
    with applied(fresh_db, tmp_path, "current_tenant_setting", f"""
            grant select, insert on public.patients to public;
            insert into public.clinics (id, name) values ('{CLINIC_A}', 'North'), ('{CLINIC_B}', 'South');
            insert into public.clinicians (clinic_id, user_id, role) values ('{CLINIC_A}', '{DOCTOR}', 'doctor');
            insert into public.patients (clinic_id, full_name) values ('{CLINIC_A}', 'Ada'), ('{CLINIC_B}', 'Bea');
        """) as conn:
        yield conn


@pytest.mark.parametrize("named, seen", [(CLINIC_A, ["Ada"]), (CLINIC_B, []), ("north", []), ("", []),
                                         (None, [])])
def test_setting_mode_reads_the_transaction_setting(clinic, named, seen):
    settings = {"app.user_id": DOCTOR, **({"app.clinic_id": named} if named is not None else {})}
    with acting_as(clinic, None, settings=settings) as s:
        assert [n for n, in s.fetchall("select full_name from public.patients order by 1")] == seen
        error = s.attempt("insert into public.patients (clinic_id, full_name) values (%s, 'Cy')", (CLINIC_B,))
        assert isinstance(error, psycopg.errors.InsufficientPrivilege)


def test_the_lock_records_the_mode_and_a_memberships_lock_does_not(tmp_path):
    from compiler.pipeline import next_migration
    for case, expected in (("current_tenant_setting", {"current_tenant": "setting",
                                                       "current_tenant_key": "app.clinic_id"}),
                           ("clinic_postgres", {})):
        files = next_migration(SNAPSHOT_CASES / case / "schema", tmp_path / case).files
        tenancy = json.loads(files["schema.lock.json"])["tenancy"]
        assert {k: v for k, v in tenancy.items() if k.startswith("current_tenant")} == expected
