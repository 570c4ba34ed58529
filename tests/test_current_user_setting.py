"""`current_user_id: current_setting('app.user_id', true)::uuid` on a pooled connection.

A setting that a transaction set with `set_config(..., true)` (`SET LOCAL`) does not go back to
NULL when the transaction ends: every later transaction of the session reads it as ''. So after
one signed-in request, a connection of the pool (a background job, the service, a request that
signs nobody in) evaluates `''::uuid`. The audit writer records the user of every write, and a
write that nobody signed in for must still be written (changed_by NULL); a lookup for nobody
returns no tenants. '' is never a user id: the compiler reads it as no user, as Supabase's
`auth.uid()` does with its own setting (tests/cases/snapshots/clinic_postgres).
"""
from __future__ import annotations

import pytest
from helpers import SNAPSHOT_CASES, initial_up

from compiler.expressions import parse_expression
from compiler.meaning.current_user import unset_settings_read_as_null
from compiler.verify.chain import apply_sql

SCHEMA = SNAPSHOT_CASES / "clinic_postgres" / "schema"
CLINIC = "0a000000-0000-4000-8000-00000000000a"
DOCTOR = "0c000000-0000-4000-8000-0000000000a1"


@pytest.fixture
def conn(fresh_db, tmp_path):
    up = initial_up(SCHEMA, tmp_path / "build")
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        apply_sql(conn, f"""
            insert into public.clinics (id, name) values ('{CLINIC}', 'North');
            insert into public.clinicians (clinic_id, user_id, role) values ('{CLINIC}', '{DOCTOR}', 'doctor');
        """)
        yield conn


def insert_patient(conn, name: str, user: str | None = None, role: str | None = None) -> None:
    with conn.transaction():
        if role:
            conn.execute(f"set local role {role}")
        if user:
            conn.execute("select set_config('app.user_id', %s, true)", (user,))
        conn.execute("insert into public.patients (clinic_id, full_name) values (%s, %s)", (CLINIC, name))


def test_a_write_after_a_signed_in_transaction_is_audited_with_no_user(conn):
    insert_patient(conn, "Ada", DOCTOR)   # control: signed in, the audit row names the user
    assert conn.execute("select current_setting('app.user_id', true)").fetchone() == ("",)
    insert_patient(conn, "Alan")          # same session, nobody signed in
    assert conn.execute("select new_data ->> 'full_name', changed_by::text from public.patients_audit"
                        " order by id").fetchall() == [("Ada", DOCTOR), ("Alan", None)]


def test_nobody_signed_in_on_a_used_connection_sees_nothing(conn):
    conn.execute("grant select on public.patients to public")
    insert_patient(conn, "Ada", DOCTOR)
    with conn.transaction(force_rollback=True):
        conn.execute("set local role authenticated")
        conn.execute("select set_config('app.user_id', %s, true)", (DOCTOR,))
        assert conn.execute("select count(*) from public.patients").fetchone() == (1,)   # control
    with conn.transaction(force_rollback=True):
        conn.execute("set local role authenticated")
        assert conn.execute("select count(*) from public.patients").fetchone() == (0,)


@pytest.mark.parametrize("written, read", [
    ("current_setting('app.user_id', true)::uuid",
     "CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid)"),
    ("current_setting('app.user_id')::int8", "CAST(NULLIF(current_setting('app.user_id'), '') AS int8)"),
    ("nullif(current_setting('app.user_id', true), '')::uuid",   # already guarded: unchanged
     "CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid)"),
    ("coalesce(current_setting('a.b', true), current_setting('c.d', true))::uuid",
     "CAST(COALESCE(NULLIF(current_setting('a.b', TRUE), ''), NULLIF(current_setting('c.d', TRUE), '')) AS uuid)"),
    ("auth.uid()", "auth.uid()"),
])
def test_the_setting_is_read_as_null_when_empty(written, read):
    assert unset_settings_read_as_null(parse_expression(written)) == read
