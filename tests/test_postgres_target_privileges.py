"""What the application role keeps on target postgres (tests/cases/snapshots/clinic_postgres).

On plain PostgreSQL the compiler grants nothing: the application role gets what the team grants
it, and the usual way is default privileges (`alter default privileges in schema public grant
all on tables to app`, `... grant usage, select on sequences to app`). Those reach every table
and sequence the migration creates, and three of them break what the generated SQL promises:

* the identity sequences (each audit table's `id`, a spec's `identity` column) are shared by
  every tenant: `last_value` counts the writes of all clinics, `setval` exhausts them for all.
  Inserting into an identity column needs no privilege on its sequence.
* TRUNCATE ignores row level security: one statement empties a table (an audit trail) for
  every tenant.
* TRIGGER lets the role attach its own function to a table that the compiler's security definer
  functions write (the audit writer, the soft delete), so the function runs as their owner, the
  migration's superuser: the role makes itself superuser.

So every grantee but the owner loses all privileges on generated identity sequences, and
TRUNCATE and TRIGGER on every generated table; everything else the team granted stays.
"""
from __future__ import annotations

import psycopg
import pytest
from helpers import SNAPSHOT_CASES, initial_up

from compiler.verify.chain import apply_sql

SCHEMA = SNAPSHOT_CASES / "clinic_postgres" / "schema"
APP = "atlas_test_sequence_app"
CLINIC = "0a000000-0000-4000-8000-00000000000a"
DOCTOR = "0c000000-0000-4000-8000-0000000000a1"
GENERATED = ("clinicians_audit_id_seq", "patients_audit_id_seq", "invoices_audit_id_seq", "invoices_number_seq")


@pytest.fixture
def conn(fresh_db, tmp_path):
    up = initial_up(SCHEMA, tmp_path / "build")
    with fresh_db.connect() as conn:
        apply_sql(conn, f"""
            create role {APP} nologin;
            alter default privileges in schema public grant all on tables to {APP};
            grant create on schema public to {APP};
            alter default privileges in schema public grant usage, select, update on sequences to {APP};
        """)
        try:
            apply_sql(conn, up)
            apply_sql(conn, f"""
                create sequence public.hand_made_counter;
                create table public.hand_made (id int);
                insert into public.clinics (id, name) values ('{CLINIC}', 'North');
                insert into public.clinicians (clinic_id, user_id, role) values ('{CLINIC}', '{DOCTOR}', 'doctor');
            """)
            yield conn
        finally:
            conn.rollback()
            conn.execute(f"revoke create on schema public from {APP}")
            conn.execute(f"drop owned by {APP}")
            conn.execute(f"drop role {APP}")


def privileges(conn, sequence: str) -> tuple[bool, bool, bool]:
    return conn.execute(
        "select has_sequence_privilege(%s, %s, 'SELECT'), has_sequence_privilege(%s, %s, 'USAGE'), "
        "has_sequence_privilege(%s, %s, 'UPDATE')",
        (APP, f"public.{sequence}") * 3).fetchone()


def test_default_privileges_reach_other_sequences_but_not_the_generated_ones(conn):
    # control: the default privileges are in force for a sequence made by hand
    assert privileges(conn, "hand_made_counter") == (True, True, True)
    for sequence in GENERATED:
        assert privileges(conn, sequence) == (False, False, False), sequence


def test_the_app_role_still_inserts_and_audits_without_them(conn):
    with conn.transaction():
        conn.execute(f"set local role {APP}")
        conn.execute("select set_config('app.user_id', %s, true)", (DOCTOR,))
        patient = conn.execute("insert into public.patients (clinic_id, full_name) values (%s, 'Ada') returning id",
                               (CLINIC,)).fetchone()[0]
        number = conn.execute("insert into public.invoices (clinic_id, patient_id, amount) values (%s, %s, 12)"
                              " returning number", (CLINIC, patient)).fetchone()[0]
        assert number == 1
        assert conn.execute("select count(*) from public.invoices_audit").fetchone()[0] == 1
        conn.execute("select nextval('public.hand_made_counter')")   # control: a granted sequence
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with conn.transaction():
                conn.execute("select last_value from public.invoices_audit_id_seq")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with conn.transaction():
                conn.execute("select setval('public.invoices_number_seq', 9223372036854775807)")


def attempt(conn, statement: str) -> str | None:
    """``statement`` as the application role, rolled back; its SQLSTATE, or None."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(f"set local role {APP}")
            conn.execute(statement)
    except psycopg.Error as exc:
        return exc.sqlstate
    return None


EVIL = ("create function public.evil() returns trigger language plpgsql as "
        f"$$ begin execute 'alter role {APP} superuser'; return null; end $$; ")


@pytest.mark.parametrize("table", ["patients_audit", "patients", "clinics", "clinicians"])
def test_no_truncate_and_no_trigger_on_generated_tables(conn, table):
    # control: the default privileges give both on a table made by hand
    assert attempt(conn, "truncate public.hand_made") is None
    assert attempt(conn, EVIL + "create trigger evil after insert on public.hand_made"
                              " for each row execute function public.evil()") is None
    assert attempt(conn, f"truncate public.{table} cascade") == "42501"
    assert attempt(conn, EVIL + f"create trigger evil after insert on public.{table}"
                              " for each row execute function public.evil()") == "42501"
    # what the team granted otherwise stays: the role reads and writes under row level security
    assert attempt(conn, f"select count(*) from public.{table}") is None
