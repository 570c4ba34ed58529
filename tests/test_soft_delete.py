"""Soft delete as a signed-in member, on PostgreSQL (tests/cases/snapshots/soft_delete_audit).

A member's DELETE on a soft_delete table keeps the row with deleted_at set, hides it from
members, and is audited as a DELETE; the delete rule still decides who may delete, the tenant
fence still holds, and only a role that bypasses row level security (service_role) restores
(`update ... set deleted_at = null`) or deletes for good. Every refusal below comes with its
positive control: the same member does see and delete what it may.
"""
from __future__ import annotations

import json
import shutil

import pytest
from helpers import SNAPSHOT_CASES, initial_up

from compiler.postgres import acting_as
from compiler.verify.chain import apply_sql

SCHEMA = SNAPSHOT_CASES / "soft_delete_audit" / "schema"

ORG_A, ORG_B = "0a000000-0000-4000-8000-00000000000a", "0a000000-0000-4000-8000-00000000000b"
STAFF_A, ADMIN_A, ADMIN_B = ("0c000000-0000-4000-8000-0000000000a1", "0c000000-0000-4000-8000-0000000000a2",
                             "0c000000-0000-4000-8000-0000000000b1")
WARD_A = "0e000000-0000-4000-8000-00000000000a"
PATIENT_A, PATIENT_A2, PATIENT_B = ("0d000000-0000-4000-8000-0000000000a1", "0d000000-0000-4000-8000-0000000000a2",
                                    "0d000000-0000-4000-8000-0000000000b1")
CONSENT_A = "0f000000-0000-4000-8000-0000000000a1"

SEED = f"""
insert into public.organizations (id, name) values ('{ORG_A}', 'Clinic A'), ('{ORG_B}', 'Clinic B');
insert into public.auth_users (organization_id, auth_id, role) values
  ('{ORG_A}', '{STAFF_A}', 'staff'), ('{ORG_A}', '{ADMIN_A}', 'admin'), ('{ORG_B}', '{ADMIN_B}', 'admin');
insert into public.wards (id, organization_id, name) values ('{WARD_A}', '{ORG_A}', 'North');
insert into public.patients (id, organization_id, full_name, national_id, ward_id) values
  ('{PATIENT_A}', '{ORG_A}', 'Ada', 'A-123', null),
  ('{PATIENT_A2}', '{ORG_A}', 'Alan', 'A-456', '{WARD_A}'),
  ('{PATIENT_B}', '{ORG_B}', 'Bea', 'B-789', null);
insert into public.visit_lines (patient_id, organization_id, line, body) values
  ('{PATIENT_A}', '{ORG_A}', 1, 'first'), ('{PATIENT_A}', '{ORG_A}', 2, 'second'),
  ('{PATIENT_B}', '{ORG_B}', 1, 'other tenant');
insert into public.consents (id, organization_id, patient_id, scope) values
  ('{CONSENT_A}', '{ORG_A}', '{PATIENT_A}', 'research');
"""


@pytest.fixture
def conn(fresh_db, tmp_path):
    up = initial_up(SCHEMA, tmp_path / "build")
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        apply_sql(conn, SEED)
        yield conn


def deleted_at(conn, table: str, where: str, *params):
    """As the superuser (no row level security): the row's deleted_at, or 'gone'."""
    row = conn.execute(f"select deleted_at from public.{table} where {where}", params).fetchone()
    return "gone" if row is None else row[0]


def audit_rows(conn, table: str) -> list[tuple]:
    return conn.execute(f"select operation, row_key, old_data, new_data, changed_by::text from public.{table}_audit"
                        " order by id").fetchall()


def member_run(conn, user: str, statement: str, *params) -> int:
    """A statement run as a signed-in member (as PostgREST runs it) and committed; its row count."""
    with conn.transaction():
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": user, "role": "authenticated"}),))
        return conn.execute(statement, params).rowcount


def test_member_delete_keeps_the_row_marked_hidden_and_audited(conn):
    with acting_as(conn, STAFF_A) as member:
        assert member.scalar("select count(*) from public.patients where id = %s", (PATIENT_A,)) == 1
        # The row is kept, so DELETE reports no row and RETURNING returns nothing.
        assert member.fetchall("delete from public.patients where id = %s returning id", (PATIENT_A,)) == []
        assert member.scalar("select count(*) from public.patients where id = %s", (PATIENT_A,)) == 0
        assert member.scalar("select count(*) from public.patients") == 1   # PATIENT_A2 is untouched
    assert member_run(conn, STAFF_A, "delete from public.patients where id = %s", PATIENT_A) == 0
    assert deleted_at(conn, "patients", "id = %s", PATIENT_A) not in (None, "gone")
    assert deleted_at(conn, "patients", "id = %s", PATIENT_A2) is None
    operation, row_key, old, new, changed_by = audit_rows(conn, "patients")[-1]
    assert (operation, row_key, changed_by) == ("DELETE", {"id": PATIENT_A}, STAFF_A)
    assert old["deleted_at"] is None and new["deleted_at"] is not None
    assert "national_id" not in old and "national_id" not in new   # sensitive, never audited
    marked = deleted_at(conn, "patients", "id = %s", PATIENT_A)
    with acting_as(conn, STAFF_A) as member:
        assert member.scalar("select count(*) from public.patients where id = %s", (PATIENT_A,)) == 0
        assert member.scalar("select count(*) from public.patients_audit where row_key = %s::jsonb",
                             (json.dumps({"id": PATIENT_A}),)) == 2   # its insert and its delete
    # Deleted rows cannot be edited, un-deleted or deleted again by members (committed, then
    # checked as the superuser); the live row next to it can be edited.
    assert member_run(conn, STAFF_A, "update public.patients set notes = 'x' where id = %s", PATIENT_A) == 0
    assert member_run(conn, STAFF_A, "update public.patients set notes = 'y'") == 1   # PATIENT_A2
    assert member_run(conn, STAFF_A, "update public.patients set deleted_at = null") == 1   # PATIENT_A2
    assert member_run(conn, STAFF_A, "delete from public.patients where id = %s", PATIENT_A) == 0
    assert conn.execute("select deleted_at, notes from public.patients where id = %s",
                        (PATIENT_A,)).fetchone() == (marked, None)
    assert conn.execute("select notes from public.patients where id = %s", (PATIENT_A2,)).fetchone() == ("y",)


def test_the_fence_still_applies(conn):
    # Positive control: B's admin soft-deletes B's own row.
    with acting_as(conn, ADMIN_B) as b:
        assert b.scalar("select count(*) from public.patients") == 1
    member_run(conn, STAFF_A, "delete from public.patients where id = %s", PATIENT_B)
    member_run(conn, STAFF_A, "delete from public.patients")
    assert deleted_at(conn, "patients", "id = %s", PATIENT_B) is None
    assert deleted_at(conn, "patients", "id = %s", PATIENT_A) not in (None, "gone")
    member_run(conn, ADMIN_B, "delete from public.patients where id = %s", PATIENT_B)
    assert deleted_at(conn, "patients", "id = %s", PATIENT_B) not in (None, "gone")


def test_composite_key_and_the_delete_rule(conn):
    key = "patient_id = %s and line = %s"
    # staff may update visit_lines but not delete them: neither DELETE nor setting deleted_at works.
    with acting_as(conn, STAFF_A) as staff:
        assert staff.scalar("select count(*) from public.visit_lines") == 2
        assert staff.execute("delete from public.visit_lines").rowcount == 0
        error = staff.attempt("update public.visit_lines set deleted_at = now()")
        assert error is not None and error.sqlstate == "42501", error   # new row violates the policy
    member_run(conn, STAFF_A, "delete from public.visit_lines")
    assert deleted_at(conn, "visit_lines", key, PATIENT_A, 1) is None
    # The admin may: exactly the row of both key columns is marked.
    member_run(conn, ADMIN_A, f"delete from public.visit_lines where {key}", PATIENT_A, 1)
    assert deleted_at(conn, "visit_lines", key, PATIENT_A, 1) not in (None, "gone")
    assert deleted_at(conn, "visit_lines", key, PATIENT_A, 2) is None
    assert deleted_at(conn, "visit_lines", key, PATIENT_B, 1) is None
    operation, row_key, _, _, changed_by = audit_rows(conn, "visit_lines")[-1]
    assert (operation, row_key, changed_by) == ("DELETE", {"patient_id": PATIENT_A, "line": 1}, ADMIN_A)


def test_members_with_only_a_select_rule_cannot_delete(conn):
    with acting_as(conn, ADMIN_A) as admin:
        assert admin.scalar("select count(*) from public.consents") == 1
        error = admin.attempt("delete from public.consents")
        assert error is not None and error.sqlstate == "42501", error   # no DELETE privilege
    assert deleted_at(conn, "consents", "id = %s", CONSENT_A) is None


def test_members_cannot_insert_a_row_already_deleted(conn):
    """A row inserted with deleted_at set would be hidden from every member at once: nobody but
    service could see, restore or delete it, and it would hold its unique keys (a name squatted
    for the whole tenant). Members insert live rows only; service may insert anything."""
    with acting_as(conn, STAFF_A) as member:
        assert member.attempt("insert into public.patients (organization_id, full_name) values (%s, 'Live')",
                              (ORG_A,)) is None   # control: members insert patients
        error = member.attempt("insert into public.patients (organization_id, full_name, deleted_at)"
                               " values (%s, 'Ghost', now())", (ORG_A,))
        assert error is not None and error.sqlstate == "42501", error
    with acting_as(conn, None, "service_role") as service:
        assert service.attempt("insert into public.patients (organization_id, full_name, deleted_at)"
                               " values (%s, 'Archived', now())", (ORG_A,)) is None


def test_service_role_restores_and_deletes_for_good(conn):
    member_run(conn, STAFF_A, "delete from public.patients where id = %s", PATIENT_A)
    with conn.transaction():
        conn.execute("set local role service_role")
        assert conn.execute("select count(*) from public.patients where deleted_at is not null").fetchone()[0] == 1
        restored = conn.execute("update public.patients set deleted_at = null where id = %s", (PATIENT_A,))
        assert restored.rowcount == 1
    with acting_as(conn, STAFF_A) as member:
        assert member.scalar("select count(*) from public.patients where id = %s", (PATIENT_A,)) == 1
    assert audit_rows(conn, "patients")[-1][0] == "UPDATE"   # a restore is an update
    with conn.transaction():
        conn.execute("set local role service_role")
        assert conn.execute("delete from public.visit_lines where patient_id = %s", (PATIENT_A,)).rowcount == 2
        assert conn.execute("delete from public.consents where patient_id = %s", (PATIENT_A,)).rowcount == 1
        assert conn.execute("delete from public.patients where id = %s", (PATIENT_A,)).rowcount == 1
    assert deleted_at(conn, "patients", "id = %s", PATIENT_A) == "gone"
    operation, _, old, new, _ = audit_rows(conn, "patients")[-1]
    assert operation == "DELETE" and old["id"] == PATIENT_A and new is None


def test_cascade_from_a_hard_deleted_parent_deletes_for_good(conn):
    """A foreign key's cascade runs as the table owner: a member deleting a ward (no soft
    delete) removes its patients for good rather than leaving them pointing at nothing."""
    assert member_run(conn, STAFF_A, "delete from public.wards where id = %s", WARD_A) == 1
    assert deleted_at(conn, "patients", "id = %s", PATIENT_A2) == "gone"
    assert deleted_at(conn, "patients", "id = %s", PATIENT_A) is None


POSTGRES_SCHEMA = SCHEMA.parent.parent / "target_postgres" / "schema"
NOTES = """
tables:
  notes:
    soft_delete: true
    audit: true
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      body: {type: text}
"""


def test_target_postgres_app_role_soft_deletes_and_a_bypassrls_role_deletes(fresh_db, tmp_path):
    """target: postgres, the user from a setting (app.user_id): an application role under row
    level security soft-deletes; a role with BYPASSRLS deletes for good."""
    schema = tmp_path / "schema"
    shutil.copytree(POSTGRES_SCHEMA, schema)
    (schema / "notes.yaml").write_text(NOTES, encoding="utf-8")
    up = initial_up(schema, tmp_path / "build")
    note = "0d000000-0000-4000-8000-0000000000c1"
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        apply_sql(conn, f"""
            insert into public.organizations (id, name) values ('{ORG_A}', 'A'), ('{ORG_B}', 'B');
            insert into public.auth_users (organization_id, auth_id, role) values
              ('{ORG_A}', '{STAFF_A}', 'staff'), ('{ORG_B}', '{ADMIN_B}', 'admin');
            insert into public.notes (id, organization_id, body) values ('{note}', '{ORG_A}', 'hello');
            create role atlas_test_app nologin;
            create role atlas_test_admin nologin bypassrls;
            grant select, insert, update, delete on all tables in schema public to atlas_test_app, atlas_test_admin;
        """)

        def run(role: str, user: str | None, statement: str) -> list:
            with conn.transaction():
                conn.execute(f"set local role {role}")
                conn.execute("select set_config('app.user_id', %s, true)", (user or "",))
                cursor = conn.execute(statement)
                return cursor.fetchall() if cursor.description else [cursor.rowcount]

        try:
            assert run("atlas_test_app", STAFF_A, "select count(*) from public.notes") == [(1,)]
            assert run("atlas_test_app", ADMIN_B, "delete from public.notes") == [0]
            assert deleted_at(conn, "notes", "id = %s", note) is None
            assert run("atlas_test_app", STAFF_A, "delete from public.notes") == [0]
            assert deleted_at(conn, "notes", "id = %s", note) not in (None, "gone")
            assert run("atlas_test_app", STAFF_A, "select count(*) from public.notes") == [(0,)]
            assert audit_rows(conn, "notes")[-1][0] == "DELETE"
            assert run("atlas_test_admin", None, "update public.notes set deleted_at = null") == [1]
            assert run("atlas_test_app", STAFF_A, "select count(*) from public.notes") == [(1,)]
            assert run("atlas_test_admin", None, "delete from public.notes") == [1]
            assert deleted_at(conn, "notes", "id = %s", note) == "gone"
        finally:
            conn.execute("drop owned by atlas_test_app, atlas_test_admin")
            conn.execute("drop role atlas_test_app")
            conn.execute("drop role atlas_test_admin")
