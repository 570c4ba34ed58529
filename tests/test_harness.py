"""Tests of the real-PostgreSQL harness (compiler.postgres) itself."""

from __future__ import annotations

import ast
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from compiler.postgres import (
    SUPABASE_TEMPLATE,
    ClusterError,
    PostgresCluster,
    acting_as,
    diff_catalogs,
    execute_script,
    install_supabase,
    snapshot_catalog,
)

ROOT = Path(__file__).resolve().parent.parent
COMPILER = ROOT / "compiler"
# The parts of the compiler that talk to PostgreSQL and so may import psycopg (the `verify` extra).
HARNESS = ("postgres", "isolation", "lint", "verify", "migrate", "drift")
# The `migrate` command reaches its runner through an import inside the command's function.
LATE_HARNESS_IMPORTS = {("cli.py", "migrate.command"), ("cli.py", "verify.command"),
                        ("cli.py", "drift.command")}

USER_A = "11111111-1111-4111-8111-111111111111"
USER_B = "22222222-2222-4222-8222-222222222222"

NOTES_SQL = """
create table public.notes (
    id bigint generated always as identity primary key,
    owner_id uuid not null,
    body text not null default ''
);
alter table public.notes enable row level security;
create policy notes_owner on public.notes
    for all to authenticated
    using (owner_id = (select auth.uid()))
    with check (owner_id = (select auth.uid()));
"""


def _insert_notes(conn: psycopg.Connection) -> None:
    conn.execute(
        "insert into public.notes (owner_id, body) values (%s, 'a1'), (%s, 'a2'), (%s, 'b1')",
        (USER_A, USER_A, USER_B),
    )


# -- cluster -----------------------------------------------------------------------

def test_cluster_is_socket_only_and_tuned(pg_cluster):
    with pg_cluster.connect() as conn:
        settings = dict(
            conn.execute(
                "select name, setting from pg_settings where name = any(%s)",
                (["fsync", "synchronous_commit", "full_page_writes", "listen_addresses"],),
            ).fetchall()
        )
        assert settings == {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "listen_addresses": "",
        }
        assert conn.info.user == "postgres"
        assert conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone() == (True,)


def test_start_failure_raises_with_log_tail():
    cluster = PostgresCluster(settings={"max_connections": "nonsense"})
    with pytest.raises(ClusterError) as info:
        cluster.start()
    message = str(info.value)
    assert "server log tail" in message
    assert 'invalid value for parameter "max_connections"' in message
    assert cluster.base_dir is None and not cluster.running  # temp dir removed


def test_bad_bindir_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_PG_BINDIR", str(tmp_path))
    with pytest.raises(ClusterError, match="does not contain initdb"):
        PostgresCluster()


def test_create_and_drop_database(pg_cluster):
    name = pg_cluster.unique_database_name("tmp")
    db = pg_cluster.create_database(name, template=SUPABASE_TEMPLATE)
    with db.connect() as conn:
        assert conn.execute("select current_database()").fetchone() == (name,)
    db.drop()
    with pg_cluster.connect() as conn:
        assert conn.execute("select count(*) from pg_database where datname = %s", (name,)).fetchone() == (0,)


def test_execute_script_handles_dollar_quotes_percent_and_reports_line(fresh_db):
    conn = fresh_db.connect()
    execute_script(
        conn,
        """
        create function public.pct(x int) returns text language plpgsql as $body$
        begin
            -- a ';' and a '%' inside the body
            return format('%s%%;', x);
        end
        $body$;
        create table public.t (a int);
        """,
    )
    assert conn.execute("select public.pct(5)").fetchone() == ("5%;",)

    with pytest.raises(errors.UndefinedTable) as info:
        execute_script(conn, "select 1;\nselect 2;\nselect * from public.nope;\n")
    assert any("script line 3" in note for note in getattr(info.value, "__notes__", []))

    # The failing script ran as one implicit transaction: nothing half-applied.
    with pytest.raises(errors.UndefinedTable):
        execute_script(conn, "create table public.half (a int);\nselect * from public.nope;")
    assert conn.execute("select to_regclass('public.half')").fetchone() == (None,)


# -- Supabase emulation ------------------------------------------------------------

def test_roles_match_supabase(pg_cluster):
    with pg_cluster.connect() as conn:
        rows = conn.execute(
            """select rolname, rolcanlogin, rolinherit, rolbypassrls
               from pg_roles where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')
               order by rolname"""
        ).fetchall()
        assert rows == [
            ("anon", False, False, False),
            ("authenticated", False, False, False),
            ("authenticator", True, False, False),
            ("service_role", False, False, True),
        ]
        members = conn.execute(
            """select r.rolname from pg_auth_members m
               join pg_roles r on r.oid = m.roleid
               join pg_roles u on u.oid = m.member
               where u.rolname = 'authenticator' order by 1"""
        ).fetchall()
        assert members == [("anon",), ("authenticated",), ("service_role",)]


def test_publication_supabase_realtime_exists(fresh_db):
    conn = fresh_db.connect()
    assert conn.execute(
        "select puballtables from pg_publication where pubname = 'supabase_realtime'"
    ).fetchone() == (False,)
    assert conn.execute(
        "select count(*) from pg_publication_tables where pubname = 'supabase_realtime'"
    ).fetchone() == (0,)

    before = snapshot_catalog(conn)
    execute_script(conn, "create table public.msgs (id int primary key);"
                         "alter publication supabase_realtime add table public.msgs;")
    after = snapshot_catalog(conn)
    assert "supabase_realtime: public.msgs" in after["publication_tables"]
    assert "publication_tables: supabase_realtime: public.msgs: only in b" in diff_catalogs(before, after)


def test_extensions_and_schemas_present(fresh_db):
    snap = snapshot_catalog(fresh_db.connect())
    assert snap["extensions"]["pgcrypto"] == {"schema": "extensions"}
    assert snap["extensions"]["uuid-ossp"] == {"schema": "extensions"}
    for schema in ("public", "auth", "extensions"):
        grantees = {(grantee, priv) for _, grantee, priv, _ in snap["schemas"][schema]["acl"]}
        for role in ("anon", "authenticated", "service_role"):
            assert (role, "USAGE") in grantees, (schema, role)


def test_install_supabase_is_idempotent(fresh_db):
    conn = fresh_db.connect()
    before = snapshot_catalog(conn, schemas=("public", "auth", "extensions"))
    install_supabase(conn)
    after = snapshot_catalog(conn, schemas=("public", "auth", "extensions"))
    assert diff_catalogs(before, after) == []


def test_supabase_default_privileges_grant_everything(fresh_db):
    conn = fresh_db.connect()
    conn.execute("create table public.open_table (id int)")
    privs = conn.execute(
        """select grantee, privilege_type from information_schema.role_table_grants
           where table_schema = 'public' and table_name = 'open_table' and grantee = 'anon'
           order by 2"""
    ).fetchall()
    assert [p for _, p in privs] == [
        "DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE",
    ]


# -- acting_as / auth.* ------------------------------------------------------------

def test_auth_uid_returns_sub_set_by_acting_as(fresh_db):
    conn = fresh_db.connect()
    with acting_as(conn, USER_A) as s:
        assert s.scalar("select auth.uid()") == uuid.UUID(USER_A)
        assert s.scalar("select current_user") == "authenticated"
        jwt = s.scalar("select auth.jwt()")
        assert jwt == {"sub": USER_A, "role": "authenticated", "aud": "authenticated"}
        assert s.scalar("select current_setting('request.jwt.claim.sub', true)") == USER_A
    # Everything is rolled back afterwards.
    assert conn.execute("select current_user, auth.uid()").fetchone() == ("postgres", None)


def test_auth_uid_reads_either_claim_form(fresh_db):
    conn = fresh_db.connect()
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('request.jwt.claims', %s, true)", (f'{{"sub": "{USER_B}"}}',))
        assert conn.execute("select auth.uid()").fetchone() == (uuid.UUID(USER_B),)
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('request.jwt.claim.sub', %s, true)", (USER_A,))
        assert conn.execute("select auth.uid()").fetchone() == (uuid.UUID(USER_A),)


def test_auth_role(fresh_db):
    conn = fresh_db.connect()
    with acting_as(conn, USER_A) as s:
        assert s.scalar("select auth.role()") == "authenticated"
    with acting_as(conn, None, role="anon") as s:
        assert s.claims == {"role": "anon"}
        assert s.fetchone("select auth.role(), auth.uid(), current_user") == ("anon", None, "anon")
    with acting_as(conn, None, role="service_role") as s:
        assert s.fetchone("select auth.role(), current_user") == ("service_role", "service_role")


def test_acting_as_extra_claims(fresh_db):
    conn = fresh_db.connect()
    tenant = str(uuid.uuid4())
    with acting_as(conn, USER_A, claims={"app_metadata": {"tenant_id": tenant}}) as s:
        assert s.scalar("select auth.jwt() -> 'app_metadata' ->> 'tenant_id'") == tenant


def test_acting_as_inside_open_transaction_uses_savepoint(fresh_db):
    conn = fresh_db.connect(autocommit=False)
    conn.execute("create table public.keep (a int)")
    with acting_as(conn, USER_A) as s:
        assert s.scalar("select current_user") == "authenticated"
    assert conn.execute("select current_user").fetchone() == ("postgres",)
    conn.commit()
    assert conn.execute("select to_regclass('public.keep') is not null").fetchone() == (True,)
    conn.rollback()


def test_anon_cannot_read_once_privileges_revoked(fresh_db):
    conn = fresh_db.connect()
    execute_script(conn, NOTES_SQL)
    _insert_notes(conn)

    # Supabase's default privileges let anon select; RLS without an anon
    # policy still hides every row.
    with acting_as(conn, None, role="anon") as s:
        assert s.fetchall("select * from public.notes") == []

    conn.execute("revoke all on table public.notes from anon")
    with acting_as(conn, None, role="anon") as s:
        err = s.expect_error("select * from public.notes", sqlstate=errors.InsufficientPrivilege)
        assert "permission denied" in str(err)
        # The session survives the error (savepoint) ...
        assert s.scalar("select current_user") == "anon"
        # ... and the plain pytest.raises + savepoint idiom works too.
        with pytest.raises(errors.InsufficientPrivilege):
            with conn.transaction():
                conn.execute("insert into public.notes (owner_id) values (%s)", (USER_A,))
        assert s.attempt("select 1") is None


def test_rls_limits_authenticated_and_service_role_bypasses(fresh_db):
    conn = fresh_db.connect()
    execute_script(conn, NOTES_SQL)
    _insert_notes(conn)

    with acting_as(conn, USER_A) as s:
        assert sorted(r[0] for r in s.fetchall("select body from public.notes")) == ["a1", "a2"]
        # WITH CHECK stops writing rows for someone else.
        s.expect_error(
            "insert into public.notes (owner_id, body) values (%s, 'x')",
            (USER_B,),
            sqlstate="42501",
        )
        s.execute("insert into public.notes (owner_id, body) values (%s, 'a3')", (USER_A,))
        assert s.scalar("select count(*) from public.notes") == 3

    with acting_as(conn, USER_B) as s:
        assert [r[0] for r in s.fetchall("select body from public.notes")] == ["b1"]

    with acting_as(conn, None, role="service_role") as s:
        assert s.scalar("select count(*) from public.notes") == 3

    # acting_as rolled back USER_A's insert.
    assert conn.execute("select count(*) from public.notes").fetchone() == (3,)


# -- catalog snapshots ---------------------------------------------------------------

def test_snapshots_of_two_fresh_databases_are_equal(pg_cluster, fresh_db):
    other = pg_cluster.create_database(
        pg_cluster.unique_database_name("other"), template=SUPABASE_TEMPLATE
    )
    try:
        a = snapshot_catalog(fresh_db.connect())
        b = snapshot_catalog(other.connect())
        assert a == b
        assert diff_catalogs(a, b) == []
        # Sanity: the snapshot actually sees things.
        assert "supabase_realtime" in a["publications"]
        assert {"public", "auth", "extensions"} <= set(a["schemas"])
        wide = snapshot_catalog(fresh_db.connect(), schemas=("auth",))
        assert "auth.uid()" in wide["functions"]
        assert "auth.users.id" in wide["columns"]
    finally:
        other.drop()


def test_creating_a_table_shows_in_diff(pg_cluster, fresh_db):
    other = pg_cluster.create_database(
        pg_cluster.unique_database_name("other"), template=SUPABASE_TEMPLATE
    )
    try:
        conn_a, conn_b = fresh_db.connect(), other.connect()
        base = snapshot_catalog(conn_a)
        execute_script(conn_b, NOTES_SQL + """
            comment on table public.notes is 'user notes';
            create index notes_owner_idx on public.notes (owner_id);
        """)
        a, b = snapshot_catalog(conn_a), snapshot_catalog(conn_b)
        assert a == base
        assert a != b
        diff = diff_catalogs(a, b, labels=("expected", "actual"))
        text = "\n".join(diff)
        assert "relations: public.notes: only in actual" in diff
        assert "columns: public.notes.owner_id: only in actual" in diff
        assert "policies: public.notes.notes_owner: only in actual" in diff
        assert "indexes: public.notes_owner_idx: only in actual" in diff
        assert "constraints: public.notes.notes_pkey: only in actual" in diff
        assert "sequences: public.notes_id_seq: only in actual" in diff
        assert "comments: table public.notes: only in actual" in diff
        assert "public.notes" in text

        # Same DDL on the other side -> equal again; then a change in detail
        # is reported field by field.
        execute_script(conn_a, NOTES_SQL + """
            comment on table public.notes is 'user notes';
            create index notes_owner_idx on public.notes (owner_id);
        """)
        assert diff_catalogs(snapshot_catalog(conn_a), snapshot_catalog(conn_b)) == []

        execute_script(conn_a, """
            alter table public.notes alter column body drop not null;
            revoke all on table public.notes from anon;
            alter table public.notes force row level security;
        """)
        diff = diff_catalogs(snapshot_catalog(conn_a), snapshot_catalog(conn_b))
        assert "columns: public.notes.body.not_null: a=False != b=True" in diff
        assert "relations: public.notes.forcerowsecurity: a=True != b=False" in diff
        acl_lines = [d for d in diff if d.startswith("relations: public.notes.acl:")]
        assert len(acl_lines) == 1 and "only in b" in acl_lines[0] and "'anon'" in acl_lines[0]
    finally:
        other.drop()


def test_snapshot_is_oid_free_for_functions_enums_views(fresh_db):
    conn = fresh_db.connect()
    execute_script(conn, """
        create schema atlas_private;
        create type public.status as enum ('open', 'closed', 'archived');
        create table public.items (id int primary key, status public.status not null default 'open');
        create view public.open_items with (security_invoker = true) as
            select id from public.items where status = 'open';
        create function atlas_private.is_open(s public.status) returns boolean
            language sql immutable set search_path = '' as $$ select s = 'open' $$;
        revoke execute on function atlas_private.is_open(public.status) from public;
        create trigger items_noop before update on public.items
            for each row execute function suppress_redundant_updates_trigger();
    """)
    snap = snapshot_catalog(conn)
    assert snap["enums"]["public.status"]["labels"] == ["open", "closed", "archived"]
    assert snap["relations"]["public.open_items"]["reloptions"] == ["security_invoker=true"]
    assert "public.items" in snap["views"]["public.open_items"]["definition"]
    fn = snap["functions"]["atlas_private.is_open(s public.status)"]
    assert fn["acl"] == [("postgres", "postgres", "EXECUTE", False)]
    assert "public.items.items_noop" in snap["triggers"]
    assert snap["columns"]["public.items.status"]["default"] == "'open'::public.status"

    # Rebuilding the same objects (new OIDs) yields the same snapshot.
    execute_script(conn, """
        drop view public.open_items;
        create view public.open_items with (security_invoker = true) as
            select id from public.items where status = 'open';
    """)
    assert diff_catalogs(snap, snapshot_catalog(conn)) == []


# -- the toolkit's place in the package -------------------------------------------------

def _imports(path: Path) -> list[tuple[int, str]]:
    """(level, module) of every import in a module: level 0 for absolute imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def _compiler_module(path: Path, level: int, module: str) -> str | None:
    """The dotted compiler module an import names, or None when it is not the compiler's."""
    if level == 0:
        return module if module.split(".")[0] == "compiler" else None
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join((*base, module) if module else base)


def test_only_the_harness_imports_psycopg_or_the_harness():
    """psycopg and the harness packages are imported only from the harness packages, so build
    and plan run without the `verify` extra."""
    offenders = []
    for path in sorted(COMPILER.rglob("*.py")):
        part = path.relative_to(COMPILER).parts[0]
        if part in HARNESS:
            continue
        for level, module in _imports(path):
            target = _compiler_module(path, level, module) or ""
            if (path.relative_to(COMPILER).as_posix(), module) in LATE_HARNESS_IMPORTS:
                continue
            if module.split(".")[0] == "psycopg" and level == 0 or target.startswith(
                    tuple(f"compiler.{h}" for h in HARNESS)):
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_postgres_toolkit_imports_nothing_else_from_the_compiler():
    outside = []
    for path in sorted((COMPILER / "postgres").rglob("*.py")):
        for level, module in _imports(path):
            target = _compiler_module(path, level, module)
            # The one base module the toolkit shares with plan: the policy direction judge (pure).
            if target is not None and not target.startswith("compiler.postgres") \
                    and target != "compiler.policy_direction":
                outside.append(f"{path.relative_to(ROOT)}: {target}")
    assert outside == []


def test_build_and_plan_never_load_psycopg(tmp_path):
    """The CLI's build, build --check and plan on the example, in a fresh interpreter: neither
    psycopg nor any harness package is loaded."""
    script = f"""
import sys
from compiler.cli import main
schema, build = {str(ROOT / "schema")!r}, {str(ROOT / "build")!r}
for args in (["build", "--schema", schema, "--out", {str(tmp_path / "build")!r}],
             ["build", "--check", "--schema", schema, "--out", build],
             ["plan", "--schema", schema, "--out", build]):
    try:
        main(args)
    except SystemExit as exit:
        assert exit.code in (0, None), (args, exit.code)
harness = tuple("compiler." + part for part in {HARNESS!r})
print(sorted(m for m in sys.modules if m.split(".")[0] == "psycopg" or m.startswith(harness)))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "build/ is up to date" in result.stdout
    assert (tmp_path / "build" / "migrations" / "0001_initial.up.sql").is_file()
    assert result.stdout.splitlines()[-1] == "[]"
