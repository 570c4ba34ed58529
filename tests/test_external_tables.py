"""References to tables the spec does not create: Supabase's auth.users (known with target
supabase) and tables declared under project.external_tables. They get a plain foreign key with
an index, are type-checked like spec tables, and are never created, renamed or dropped."""
from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from helpers import initial_up

from compiler import lockfile
from compiler.diagnostics import CompileError
from compiler.diff import diff_models
from compiler.output import write_files
from compiler.pipeline import compile_folder, compile_with_hints, next_migration
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.postgres.session import acting_as
from compiler.verify.chain import apply_sql

PROJECT = """\
project:
  name: external-tables
  postgres: 15
  target: {target}
  extensions: [pgcrypto]
  tenancy:
    table: organizations
    column: organization_id
    membership: {{table: members, user_column: user_id, role_column: role}}
    current_user_id: {current_user_id}
{extra}
enums:
  member_role: [admin, agent]
"""

CORE = """\
tables:
  organizations:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
  members:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      user_id: {type: uuid, nullable: false, references: {table: auth.users, column: id, on_delete: cascade}}
      role: {type: member_role, nullable: false, default: agent}
    unique: [[user_id]]
"""

NOTES = """\
tables:
  notes:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      body: {type: text, nullable: false}
      author_id: {type: uuid, references: {table: auth.users, on_delete: set_null}}
"""


def write_schema(root: Path, *tables: str, target: str = "supabase", extra: str = "",
                 current_user_id: str = "auth.uid()") -> Path:
    schema = root / "schema"
    schema.mkdir(parents=True, exist_ok=True)
    for old in schema.glob("*.yaml"):
        old.unlink()
    (schema / "_project.yaml").write_text(
        PROJECT.format(target=target, extra=extra, current_user_id=current_user_id), encoding="utf-8")
    for i, text in enumerate(tables):
        (schema / f"t{i}.yaml").write_text(text, encoding="utf-8")
    return schema


def errors_of(schema: Path) -> list[str]:
    with pytest.raises(CompileError) as caught:
        compile_folder(schema)
    return [d.render() for d in caught.value.diagnostics]


def foreign_key(model, table: str, name: str):
    found = next(o for o in model.objects if o.family == "table" and o.name == table)
    return next(c for c in found.constraints if c.name == name)


def test_auth_users_reference_is_a_plain_key_with_an_index(tmp_path):
    model = compile_folder(write_schema(tmp_path, CORE, NOTES))
    member_key = foreign_key(model, "members", "members_user_id_fkey")
    assert (member_key.columns, member_key.ref_schema, member_key.ref_table, member_key.ref_columns,
            member_key.on_delete) == (("user_id",), "auth", "users", ("id",), "cascade")
    note_key = foreign_key(model, "notes", "notes_author_id_fkey")
    # Not tenant-composite, and set null needs no column list.
    assert (note_key.columns, note_key.ref_columns, note_key.on_delete, note_key.on_delete_columns) == (
        ("author_id",), ("id",), "set_null", ())
    leading = {(ix.table, ix.keys[0].column) for ix in model.of("index")}
    assert {("members", "user_id"), ("notes", "author_id")} <= leading
    assert not [o for o in model.objects if getattr(o, "schema", None) == "auth"]


def test_nothing_creates_or_drops_the_external_table(tmp_path):
    files = next_migration(write_schema(tmp_path, CORE, NOTES), tmp_path / "build").files
    up = files["migrations/0001_initial.up.sql"].decode()
    down = files["migrations/0001_initial.down.sql"].decode()
    assert "REFERENCES auth.users (id) ON DELETE CASCADE" in up
    for text in (up, down):
        assert "TABLE auth." not in text and "ALTER TABLE auth" not in text


def test_lock_round_trips_the_external_reference(tmp_path):
    model = compile_folder(write_schema(tmp_path, CORE, NOTES))
    loaded, _ = lockfile.load(lockfile.dump(model, ["0001_initial"]), "schema.lock.json")
    assert loaded == model
    assert diff_models(loaded, model).operations == []


def _seed_user(conn, email: str) -> str:
    user_id = str(uuid.uuid4())
    conn.execute("insert into auth.users (id, email, aud, role) values (%s, %s, 'authenticated', 'authenticated')",
                 (user_id, email))
    return user_id


def test_deleting_the_auth_user_cascades_to_the_membership(fresh_db, tmp_path):
    files = next_migration(write_schema(tmp_path, CORE, NOTES), tmp_path / "build").files
    up = files["migrations/0001_initial.up.sql"].decode()
    down = files["migrations/0001_initial.down.sql"].decode()
    with fresh_db.connect() as conn:
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        with conn.transaction():
            org = conn.execute("insert into organizations (name) values ('acme') returning id").fetchone()[0]
            user_id = _seed_user(conn, "ada@example.test")
            kept_id = _seed_user(conn, "bob@example.test")
            conn.execute("insert into members (organization_id, user_id, role) values (%s, %s, 'admin'), "
                         "(%s, %s, 'agent')", (org, user_id, org, kept_id))
            note = conn.execute("insert into notes (organization_id, body, author_id) values (%s, 'hi', %s) "
                                "returning id", (org, user_id)).fetchone()[0]
        # The key is enforced: no membership for a user Supabase does not know.
        with pytest.raises(psycopg.errors.ForeignKeyViolation), conn.transaction():
            conn.execute("insert into members (organization_id, user_id) values (%s, %s)", (org, str(uuid.uuid4())))
        # The signed-in member sees its organization's rows through the generated policies.
        with acting_as(conn, user_id) as session:
            assert session.scalar("select count(*) from members") == 2
            assert session.scalar("select author_id from notes") == uuid.UUID(user_id)
        # Supabase deletes users as its auth admin, a role that does not bypass row level
        # security; the cascade runs as the table owner and is not stopped by the forced policies.
        # (One transaction: the role exists only while it deletes.)
        with conn.transaction():
            conn.execute("create role external_tables_auth_admin nologin noinherit")
            conn.execute("grant usage on schema auth to external_tables_auth_admin")
            conn.execute("grant select, delete on auth.users to external_tables_auth_admin")
            conn.execute("set local role external_tables_auth_admin")
            assert conn.execute("delete from auth.users where id = %s", (user_id,)).rowcount == 1
            conn.execute("reset role")
            conn.execute("revoke all on auth.users from external_tables_auth_admin")
            conn.execute("revoke all on schema auth from external_tables_auth_admin")
            conn.execute("drop role external_tables_auth_admin")
        members = conn.execute("select user_id::text from members order by user_id").fetchall()
        assert members == [(kept_id,)]
        assert conn.execute("select author_id from notes where id = %s", (note,)).fetchone() == (None,)
        # down leaves auth.users and its rows alone, and gives back the exact empty catalog.
        with conn.transaction():
            conn.execute("delete from notes")
            conn.execute("delete from members")
            conn.execute("delete from organizations")
        apply_sql(conn, down)
        assert conn.execute("select id::text from auth.users where id = %s", (kept_id,)).fetchall() == [(kept_id,)]
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_sql(conn, up)


BILLING = """\
  external_tables:
    billing.accounts:
      columns: {id: int8, code: text, region: text}
      primary_key: [id]
      unique: [[code]]
"""

INVOICES = """\
tables:
  invoices:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      account_id: {type: bigint, nullable: false, references: billing.accounts}
      account_code: {type: text, references: {table: billing.accounts, column: code, on_update: cascade}}
"""

POSTGRES = dict(target="postgres", current_user_id="\"nullif(current_setting('app.user_id', true), '')::uuid\"")


def test_declared_external_table_on_target_postgres(fresh_db, tmp_path):
    # The members point at the application's own user table, outside the spec.
    core = CORE.replace("{table: auth.users, column: id, on_delete: cascade}", "{table: app.users, on_delete: cascade}")
    users = "    app.users:\n      columns: {id: uuid, login: text}\n      primary_key: [id]\n"
    schema = write_schema(tmp_path, core, INVOICES, extra=BILLING + users, **POSTGRES)
    model = compile_folder(schema)
    key = foreign_key(model, "invoices", "invoices_account_id_fkey")
    assert (key.ref_schema, key.ref_table, key.ref_columns) == ("billing", "accounts", ("id",))
    files = next_migration(schema, tmp_path / "build").files
    up = files["migrations/0001_initial.up.sql"].decode()
    down = files["migrations/0001_initial.down.sql"].decode()
    with fresh_db.connect() as conn:
        with conn.transaction():
            conn.execute("create schema billing")
            conn.execute("create table billing.accounts (id bigint primary key, code text unique, region text)")
            conn.execute("create schema app")
            conn.execute("create table app.users (id uuid primary key, login text)")
            conn.execute("insert into billing.accounts values (7, 'ACME', 'eu')")
        before = snapshot_catalog(conn)
        apply_sql(conn, up)
        with conn.transaction():
            org = conn.execute("insert into organizations (name) values ('acme') returning id").fetchone()[0]
            conn.execute("insert into invoices (organization_id, account_id, account_code) values (%s, 7, 'ACME')",
                         (org,))
            conn.execute("update billing.accounts set code = 'ACME2'")   # on update cascade
            assert conn.execute("select account_code from invoices").fetchone() == ("ACME2",)
        with pytest.raises(psycopg.errors.ForeignKeyViolation), conn.transaction():
            conn.execute("insert into invoices (organization_id, account_id) values (%s, 8)", (org,))
        with conn.transaction():
            conn.execute("delete from invoices")
            conn.execute("delete from organizations")
        apply_sql(conn, down)
        assert diff_catalogs(before, snapshot_catalog(conn)) == []
        assert conn.execute("select id, code from billing.accounts").fetchall() == [(7, "ACME2")]


def test_auth_users_is_unknown_with_target_postgres_unless_declared(tmp_path):
    errors = errors_of(write_schema(tmp_path, CORE, **POSTGRES))
    assert len(errors) == 1 and "error[E401]: column 'user_id' references unknown table 'auth.users'" in errors[0]
    assert ("declare it under project.external_tables: {auth.users: {columns: {id: uuid}, primary_key: [id]}}"
            in errors[0])
    declared = "  external_tables:\n    auth.users: {columns: {id: uuid}, primary_key: [id]}\n"
    model = compile_folder(write_schema(tmp_path, CORE, extra=declared, **POSTGRES))
    assert foreign_key(model, "members", "members_user_id_fkey").ref_schema == "auth"


def test_a_misspelt_qualified_name_is_hinted_only_towards_a_known_table(tmp_path):
    bad = CORE.replace("{table: auth.users, column: id, on_delete: cascade}", "Auth.Users")
    [error] = errors_of(write_schema(tmp_path, bad))
    assert "error[E601]" in error and error.endswith("hint: did you mean auth.users?")
    [error] = errors_of(write_schema(tmp_path, bad, **POSTGRES))
    assert "did you mean" not in error and "project.external_tables" in error
    # The old dead end: auth_users is offered only when the spec has such a table.
    dashed = CORE.replace("{table: auth.users, column: id, on_delete: cascade}", "Auth-Users")
    [error] = errors_of(write_schema(tmp_path, dashed))
    assert "error[E601]" in error and "hint" not in error
    # A bare name that is the table part of a known external table points at it.
    bare = CORE.replace("{table: auth.users, column: id, on_delete: cascade}", "users")
    [error] = errors_of(write_schema(tmp_path, bare))
    assert "error[E401]" in error and error.endswith("hint: did you mean auth.users?")


def test_declared_columns_are_checked(tmp_path):
    extra = BILLING.replace("primary_key: [id]", "primary_key: [idd]").replace("{id: int8,", "{id: int88,")
    errors = errors_of(write_schema(tmp_path, CORE, extra=extra))
    assert [e.split("error")[1].split(":")[0] for e in errors] == ["[E404]", "[E402]"]
    own_schema = "  external_tables:\n    public.accounts: {columns: {id: uuid}}\n"
    [error] = errors_of(write_schema(tmp_path, CORE, extra=own_schema))
    assert "error[E601]: external table 'public.accounts': schema public holds the tables" in error


def test_types_are_compared_however_spelled(tmp_path):
    # int8 is declared, bigint referenced: one type.
    model = compile_folder(write_schema(tmp_path, CORE, INVOICES, extra=BILLING))
    assert foreign_key(model, "invoices", "invoices_account_code_fkey").ref_columns == ("code",)
    wrong = INVOICES.replace("{type: bigint, nullable: false", "{type: integer, nullable: false")
    [error] = errors_of(write_schema(tmp_path, CORE, wrong, extra=BILLING))
    assert "error[E705]: column 'account_id' is integer but references billing.accounts.id of type int8" in error
    # The same holds between spec tables (integer and int4 were E705 before).
    counters = ("tables:\n  counters:\n    columns:\n      id: {type: int4, primary_key: true}\n"
                "  readings:\n    columns:\n      id: {type: uuid, primary_key: true}\n"
                "      counter_id: {type: integer, references: counters}\n")
    assert foreign_key(compile_folder(write_schema(tmp_path, CORE, counters)), "readings",
                       "readings_counter_id_fkey").ref_table == "counters"
    not_key = INVOICES.replace("column: code, on_update: cascade", "column: region")
    [error] = errors_of(write_schema(tmp_path, CORE, not_key, extra=BILLING))
    assert "error[E403]: 'billing.accounts.region' is not a primary key or unique" in error


USERS = """\
tables:
  users:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      profile_id: {type: uuid, references: profiles}
"""

PROFILES = """\
tables:
  profiles:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      auth_user_id: {type: uuid, references: auth.users}
"""


def test_a_spec_table_named_like_the_external_one_is_not_confused_with_it(tmp_path):
    # public.users -> profiles -> auth.users is no cycle: nothing is deferred.
    old = compile_folder(write_schema(tmp_path, CORE, USERS, PROFILES))
    assert old.of("foreign_key") == []
    assert not foreign_key(old, "profiles", "profiles_auth_user_id_fkey").deferrable
    # Renaming public.users leaves the key to auth.users alone.
    renamed = USERS.replace("  users:\n", "  people:\n    renamed_from: users\n")
    new, hints = compile_with_hints(write_schema(tmp_path, CORE, renamed, PROFILES))
    ops = diff_models(old, new, hints).operations
    assert [op.verb for op in ops if op.family == "table"] == ["rename"]
    assert not [op for op in ops if op.family == "constraint" and op.verb in ("add", "drop")]


def test_a_later_migration_adds_and_removes_a_key_to_auth_users(fresh_db, tmp_path):
    """The diff path: a column with a key to auth.users added to an existing table, then the
    key dropped; each down gives back the exact catalog before its up."""
    out = tmp_path / "build"
    without = NOTES.replace("      author_id: {type: uuid, references: {table: auth.users, on_delete: set_null}}\n", "")
    steps = [without, NOTES, NOTES.replace(", references: {table: auth.users, on_delete: set_null}", "")]
    names = []
    for tables in steps:
        result = next_migration(write_schema(tmp_path, CORE, tables), out)
        write_files(out, result.files)
        names.append(result.migration)
    second = (out / "migrations" / f"{names[1]}.up.sql").read_text(encoding="utf-8")
    assert "REFERENCES auth.users (id) ON DELETE SET NULL" in second
    with fresh_db.connect() as conn:
        catalogs = [snapshot_catalog(conn)]
        for name in names:
            apply_sql(conn, (out / "migrations" / f"{name}.up.sql").read_text(encoding="utf-8"))
            catalogs.append(snapshot_catalog(conn))
        keys = conn.execute("select conname from pg_constraint where confrelid = 'auth.users'::regclass "
                            "order by 1").fetchall()
        assert keys == [("members_user_id_fkey",)]
        for i, name in reversed(list(enumerate(names))):
            apply_sql(conn, (out / "migrations" / f"{name}.down.sql").read_text(encoding="utf-8"))
            assert diff_catalogs(catalogs[i], snapshot_catalog(conn)) == []
        assert conn.execute("select to_regclass('auth.users') is not null").fetchone() == (True,)


PROFILES_SHARED = """\
tables:
  profiles:
    tenant: false
    owner_column: id
    columns:
      id: {type: uuid, primary_key: true, references: {table: auth.users, on_delete: cascade}}
      display_name: {type: text}
    access: {select: member, insert: owner, update: owner, delete: service}
"""


def test_supabase_profile_table_keyed_by_the_auth_user(fresh_db, tmp_path):
    """Supabase's usual profile table: its primary key is the auth user's id, the owner rule
    compares it with auth.uid(), and the row goes with the user."""
    files = next_migration(write_schema(tmp_path, CORE, PROFILES_SHARED), tmp_path / "build").files
    up = files["migrations/0001_initial.up.sql"].decode()
    assert "REFERENCES auth.users (id) ON DELETE CASCADE" in up
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        with conn.transaction():
            ada, bob = _seed_user(conn, "ada@example.test"), _seed_user(conn, "bob@example.test")
        with acting_as(conn, ada) as session:
            assert session.attempt("insert into profiles (id, display_name) values (%s, 'Ada')", (ada,)) is None
            assert session.attempt("insert into profiles (id, display_name) values (%s, 'Bob')", (bob,)) is not None
            assert session.scalar("select count(*) from profiles") == 1
        with conn.transaction():
            conn.execute("insert into profiles (id, display_name) values (%s, 'Ada')", (ada,))
            conn.execute("delete from auth.users where id = %s", (ada,))
        assert conn.execute("select count(*) from profiles").fetchone() == (0,)


AGENT_DIRECTORY = """\
views:
  agent_directory:
    query: |
      select m.id, m.organization_id, u.email, u.last_sign_in_at
      from members m join auth.users u on u.id = m.user_id
"""


def test_a_view_reads_the_columns_auth_users_has(fresh_db, tmp_path):
    """auth.users is known column by column (Supabase's own list), so a view over it is checked
    like one over spec tables, and what passes applies."""
    schema = write_schema(tmp_path, CORE, AGENT_DIRECTORY)
    up = initial_up(schema, tmp_path / "build")
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        with conn.transaction():
            user = conn.execute("insert into auth.users (id, email) values (gen_random_uuid(), 'a@x.io') "
                                "returning id").fetchone()[0]
            org = conn.execute("insert into organizations (name) values ('acme') returning id").fetchone()[0]
            conn.execute("insert into members (organization_id, user_id) values (%s, %s)", (org, user))
        assert conn.execute("select email from agent_directory").fetchall() == [("a@x.io",)]
    [error] = errors_of(write_schema(tmp_path, CORE, AGENT_DIRECTORY.replace("u.last_sign_in_at", "u.last_login")))
    assert "error[E402]: view 'agent_directory' query: u.last_login: table 'auth.users' (as u) has no column" in error


def test_a_view_over_an_undeclared_schema_is_refused(tmp_path):
    over_billing = AGENT_DIRECTORY.replace("auth.users u on u.id = m.user_id", "billing.accounts u on u.id = m.id")
    [error] = errors_of(write_schema(tmp_path, CORE, over_billing))
    assert "error[E401]: view 'agent_directory' reads unknown table 'billing.accounts'" in error
    assert "project.external_tables" in error
    # Declared, its declared columns are what the view may read.
    declared = "  external_tables:\n    billing.accounts: {columns: {id: uuid, email: text}, primary_key: [id]}\n"
    [error] = errors_of(write_schema(tmp_path, CORE, over_billing, extra=declared))
    assert "u.last_sign_in_at: table 'billing.accounts' (as u) has no column 'last_sign_in_at'" in error
    compile_folder(write_schema(tmp_path, CORE, over_billing.replace(", u.last_sign_in_at", ""), extra=declared))
