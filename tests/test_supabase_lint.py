"""Supabase's database advisors (splinter lints, re-implemented in
compiler.lint) on the example schema's migrations, plus proof that
every implemented lint fires on a small hand-written bad schema.

The generated schema must produce no ERROR or WARN finding except those in
ALLOWED below; each entry says why it is acceptable, and the justifications
that can be checked in the catalog are checked (test_allowed_findings_*).
An entry that no longer fires fails test_generated_schema_passes_advisors, so
the list cannot rot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from compiler.lint import LINTS, Finding, run_lints
from compiler.lint import sql as lint_sql
from compiler.postgres import execute_script
from compiler.verify.chain import migrate_up

ROOT = Path(__file__).resolve().parent.parent
EXPOSED = ("public",)  # PostgREST db-schemas of a default Supabase project

# --------------------------------------------------------------------------
# Allow-list: (lint name, object) -> one-line reason
# --------------------------------------------------------------------------

_RLS_HELPER = ("RLS/view helper in atlas_private (not an API schema, so no /rpc); policies call it as "
               "the signed-in user, so authenticated needs EXECUTE; it only reads that user's own rows")

ALLOWED: dict[tuple[str, str], str] = {
    ("multiple_permissive_policies", "public.leads (authenticated, UPDATE)"):
        "schema/crm/leads.yaml adds raw policy claim_unassigned_leads beside the generated leads_update; "
        "their OR is the intended rule",
    ("authenticated_security_definer_function_executable",
     "atlas_private.user_tenant_ids(p_role public.member_role)"): _RLS_HELPER,
    ("authenticated_security_definer_function_executable",
     "atlas_private.user_membership_ids()"): _RLS_HELPER,
    ("authenticated_security_definer_function_executable",
     "atlas_private.decrypt_value(stored text)"):
        "backs the security_invoker views public.<table>_decrypted (the caller needs EXECUTE; the table's "
        "row level security chooses the rows); atlas_private is not an API schema (README: trust model)",
    ("authenticated_security_definer_function_executable",
     "atlas_private.lead_funnel_daily_rows()"):
        "backs the security_invoker view public.lead_funnel_daily (the caller needs EXECUTE); "
        "filters rows to the caller's tenants; atlas_private is not an API schema",
}


def apply_migrations(conn: psycopg.Connection) -> list[str]:
    """The example as it is now: every released migration, in release order."""
    return migrate_up(conn, ROOT / "build")


def _fmt(findings: list[Finding]) -> str:
    return "\n".join(f"  {f}" for f in findings)


# --------------------------------------------------------------------------
# The generated schema
# --------------------------------------------------------------------------


def test_generated_schema_passes_advisors(fresh_db):
    with fresh_db.connect() as conn:
        apply_migrations(conn)
        findings = run_lints(conn, EXPOSED)

    blocking = [f for f in findings if f.level in ("ERROR", "WARN")]
    unexpected = [f for f in blocking if (f.name, f.object) not in ALLOWED]
    assert not unexpected, "advisor findings on the generated schema:\n" + _fmt(unexpected)

    fired = {(f.name, f.object) for f in blocking}
    stale = sorted(set(ALLOWED) - fired)
    assert not stale, f"allow-list entries that no longer fire (remove them): {stale}"


def test_allowed_findings_are_justified(fresh_db):
    """Check in the catalog what the allow-list reasons claim."""
    with fresh_db.connect() as conn:
        apply_migrations(conn)
        conn.execute("set search_path = ''")

        # _RLS_HELPER: the SECURITY DEFINER helpers are outside the API schemas,
        # pin search_path, take no user id (they read auth.uid() themselves) and
        # are not executable by anon.
        helpers = [obj for (name, obj) in ALLOWED
                   if name == "authenticated_security_definer_function_executable"]
        for signature in helpers:
            schema, args, search_path, anon_exec = conn.execute(
                """
                select n.nspname, pg_get_function_identity_arguments(p.oid),
                       (select c from unnest(p.proconfig) c where c like 'search_path=%%'),
                       has_function_privilege('anon', p.oid, 'EXECUTE')
                from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname || '.' || p.proname
                      || '(' || pg_get_function_identity_arguments(p.oid) || ')' = %s
                """,
                (signature,),
            ).fetchone()
            assert schema not in EXPOSED, signature
            assert search_path == 'search_path=""', (signature, search_path)
            assert not anon_exec, signature
            assert "uuid" not in args, f"{signature}: takes a user id; any user could ask about another"


def test_generated_schema_graphql_exposure(fresh_db):
    """With pg_graphql installed (as on many hosted projects) lints 0026/0027
    list what introspection shows.  anon may only see tables the spec makes
    public (a permissive SELECT policy for anon); nothing outside the API schemas
    may be visible to authenticated.  Every other finding stays as without
    pg_graphql."""
    with fresh_db.connect() as conn:
        apply_migrations(conn)
        findings = run_lints(conn, EXPOSED, pg_graphql=True)
        anon_readable = {
            f"{s}.{t}" for (s, t) in conn.execute(
                "select schemaname, tablename from pg_policies"
                " where 'anon' = any(roles) and cmd in ('SELECT', 'ALL') and permissive = 'PERMISSIVE'")
        }
    anon = {f.object for f in findings if f.name == "pg_graphql_anon_table_exposed"}
    authenticated = {f.object for f in findings if f.name == "pg_graphql_authenticated_table_exposed"}
    assert anon and anon <= anon_readable, (anon, anon_readable)
    assert authenticated and all(o.split(".")[0] in EXPOSED for o in authenticated), authenticated
    rest = [f for f in findings if f.level in ("ERROR", "WARN") and not f.name.startswith("pg_graphql_")
            and (f.name, f.object) not in ALLOWED]
    assert not rest, _fmt(rest)


# --------------------------------------------------------------------------
# Every lint fires on a tiny bad schema
# --------------------------------------------------------------------------


@dataclass
class Case:
    lint: str
    sql: str
    fires_on: str
    not_on: tuple[str, ...] = ()
    kwargs: dict = field(default_factory=dict)


T = "create table public.t (id int primary key, owner uuid); alter table public.t enable row level security;"

CASES = [
    Case("unindexed_foreign_keys",
         "create table public.parent (id int primary key);"
         "create table public.child (id int primary key, parent_id int references public.parent (id));"
         "create table public.child_ok (id int primary key, parent_id int references public.parent (id));"
         "create index on public.child_ok (parent_id, id);",
         "public.child", ("public.child_ok",)),
    Case("auth_users_exposed",
         "create view public.user_emails with (security_invoker = true) as select id, email from auth.users;",
         "public.user_emails"),
    Case("auth_rls_initplan",
         T + "create policy bare on public.t for select to authenticated using (owner = auth.uid());"
             "create policy wrapped on public.t for update to authenticated using (owner = (select auth.uid()));",
         "public.t.bare", ("public.t.wrapped",)),
    Case("auth_rls_initplan",
         T + "create policy setting on public.t for delete to authenticated"
             " using (owner::text = current_setting('request.jwt.claim.sub', true));",
         "public.t.setting"),
    Case("no_primary_key", "create table public.log (msg text);", "public.log", ("public.t",)),
    Case("multiple_permissive_policies",
         T + "create policy a on public.t for select to authenticated using (owner = (select auth.uid()));"
             "create policy b on public.t for all to authenticated using (id > 0);"
             "create policy c on public.t as restrictive for select to authenticated using (id < 10);",
         "public.t (authenticated, SELECT)", ("public.t (authenticated, INSERT)",)),
    Case("policy_exists_rls_disabled",
         "create table public.loose (id int primary key);"
         "create policy p on public.loose for select to authenticated using (true);",
         "public.loose"),
    Case("rls_enabled_no_policy", T, "public.t"),
    Case("duplicate_index",
         "create table public.d (id int primary key, a int, b int);"
         "create index d_a1 on public.d (a); create index d_a2 on public.d (a);"
         "create index d_b on public.d (b); create unique index d_b_u on public.d (b);",
         "public.d"),
    Case("security_definer_view",
         "create view public.v as select 1 as x;"
         "create view public.v_ok with (security_invoker = true) as select 1 as x;",
         "public.v", ("public.v_ok",)),
    Case("function_search_path_mutable",
         "create function public.f() returns int language sql as 'select 1';"
         "create function public.f_ok() returns int language sql set search_path = '' as 'select 1';",
         "public.f()", ("public.f_ok()",)),
    Case("rls_disabled_in_public",
         "create table public.open (id int primary key);" + T,
         "public.open", ("public.t",)),
    Case("extension_in_public", "create extension pg_trgm with schema public;", "pg_trgm"),
    Case("rls_references_user_metadata",
         T + "create policy admins on public.t for select to authenticated"
             " using (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'admin');",
         "public.t.admins"),
    Case("materialized_view_in_api",
         "create materialized view public.mv as select 1 as x;", "public.mv"),
    Case("unsupported_reg_types",
         "create table public.r (id int primary key, fn regproc, cls regclass);",
         "public.r.fn", ("public.r.cls",)),
    Case("fkey_to_auth_unique",
         "create table public.profile (id uuid primary key references auth.users (id),"
         " email varchar(255) references auth.users (email));",
         "public.profile"),
    Case("sensitive_columns_exposed",
         "create table public.accounts (id int primary key, password text, api_key text);",
         "public.accounts"),
    Case("rls_policy_always_true",
         T + "create policy anyone_updates on public.t for update to authenticated using (true);"
             "create policy anyone_reads on public.t for select to authenticated using (true);",
         "public.t.anyone_updates", ("public.t.anyone_reads",)),
    Case("rls_references_user_metadata",
         T + "create policy claims on public.t for update to authenticated"
             " using (owner = (select auth.uid()))"
             " with check ((current_setting('request.jwt.claims', true)::jsonb -> 'user_metadata' ->> 'x') = 'y');"
             "create policy app on public.t for select to authenticated"
             " using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');",
         "public.t.claims", ("public.t.app",)),
    Case("rls_policy_always_true",
         T + "create policy open_insert on public.t for insert to anon;"
             "create policy one_is_one on public.t for delete to authenticated using (1 = 1);"
             "create policy staff_only on public.t for insert to service_role with check (true);",
         "public.t.open_insert", ("public.t.staff_only",)),
    Case("rls_policy_null_auth_disjunct",
         T + "create policy leaky on public.t for select to authenticated"
             " using (auth.uid() is null or owner = auth.uid());"
             "create policy gated on public.t for select to authenticated"
             " using (auth.uid() is not null and (owner is null or owner = auth.uid()));",
         "public.t.leaky", ("public.t.gated",)),
    Case("rls_policy_null_auth_disjunct",
         T + "create policy inverted on public.t for all to anon"
             " using (not ((select auth.uid()) is not null) or owner = (select auth.uid()));"
             "create policy raising on public.t for select to anon"
             " using (current_setting('app.x') is null or id > 0);"
             "create policy setting on public.t for select to anon"
             " using (current_setting('app.x', true) is null or id > 0);",
         "public.t.inverted", ("public.t.raising",)),
    Case("pg_graphql_anon_table_exposed", T, "public.t", kwargs={"pg_graphql": True}),
    Case("pg_graphql_authenticated_table_exposed",
         T + "revoke all on public.t from anon, authenticated;"
             "grant select (id) on public.t to authenticated;",
         "public.t", kwargs={"pg_graphql": True}),
    Case("anon_security_definer_function_executable",
         "create function public.sd() returns int language sql security definer"
         " set search_path = '' as 'select 1';"
         "create function public.sd_private() returns int language sql security definer"
         " set search_path = '' as 'select 1';"
         "revoke all on function public.sd_private() from public, anon, authenticated;",
         "public.sd()", ("public.sd_private()",)),
    Case("authenticated_security_definer_function_executable",
         "create function public.sd() returns int language sql security definer"
         " set search_path = '' as 'select 1';",
         "public.sd()"),
    Case("invalid_index",
         "create table public.ii (id int primary key, a int); create index ii_a on public.ii (a);"
         "update pg_catalog.pg_index set indisvalid = false where indexrelid = 'public.ii_a'::regclass;",
         "public.ii"),
    Case("autovacuum_disabled",
         "create table public.novac (id int primary key) with (autovacuum_enabled = false);",
         "public.novac"),
]


def test_every_lint_has_a_firing_case():
    assert {c.lint for c in CASES} == {i.name for i in LINTS}


def test_each_lint_has_its_own_code():
    """splinter's number where the lint is splinter's lint of that number, else
    one of ours (AC01, ...): see the compiler.lint docstring."""
    codes = [lint.code for lint in LINTS]
    assert len(set(codes)) == len(codes), sorted(c for c in codes if codes.count(c) > 1)
    assert len({lint.name for lint in LINTS}) == len(LINTS)
    assert all(re.fullmatch(r"00\d\d|AC\d\d", code) for code in codes), codes
    assert next(lint.code for lint in LINTS if lint.name == "invalid_index") == "0030"


# What the policy lints read from an expression (as pg_get_expr prints it).
@pytest.mark.parametrize("expression, calls", [
    ("(owner = auth.uid())", ["auth.uid()"]),
    ("(owner = ( SELECT auth.uid() AS uid))", []),
    ("(( SELECT auth.uid() AS uid) = owner)", []),
    ("(owner = ( SELECT DISTINCT auth.uid() AS uid))", ["auth.uid()"]),
    ("(owner IN ( SELECT m.user_id FROM public.m WHERE (m.user_id = auth.uid())))", ["auth.uid()"]),
    ("((owner)::text = current_setting('request.jwt.claim.sub'::text, true))", ["current_setting(...)"]),
    ("('auth.uid()'::text = (owner)::text)", []),
])
def test_unwrapped_calls(expression, calls):
    assert lint_sql.unwrapped_calls(expression) == calls


@pytest.mark.parametrize("expression, reads", [
    ("(((( SELECT auth.jwt() AS jwt) -> 'user_metadata'::text) ->> 'role'::text) = 'admin'::text)", True),
    ("((auth.jwt() #>> '{user_metadata,role}'::text[]) = 'admin'::text)", True),
    ("(((current_setting('request.jwt.claims'::text, true))::jsonb -> 'user_metadata'::text) IS NOT NULL)", True),
    ("(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text) = 'admin'::text)", False),
    ("(('user_metadata'::text = 'x'::text) AND (auth.jwt() IS NOT NULL))", False),
])
def test_reads_user_metadata(expression, reads):
    assert lint_sql.reads_user_metadata(expression) is reads


@pytest.mark.parametrize("expression, always", [
    ("true", True), ("(1 = 1)", True), ("false", False), ("(id > 0)", False), (None, False),
])
def test_is_always_true(expression, always):
    assert lint_sql.is_always_true(expression) is always


@pytest.mark.parametrize("expression, leaky", [
    ("((auth.uid() IS NULL) OR (owner = auth.uid()))", True),
    ("((( SELECT auth.role() AS role) IS NULL) OR (id > 0))", True),
    ("((NOT (auth.jwt() IS NOT NULL)) OR (id > 0))", True),
    ("((current_setting('x'::text, true) IS NULL) OR (id > 0))", True),
    ("((current_setting('x'::text) IS NULL) OR (id > 0))", False),
    ("((auth.email() IS NULL) OR (id > 0))", False),
    ("(auth.uid() IS NULL)", False),
    ("((auth.uid() IS NOT NULL) AND ((owner IS NULL) OR (owner = auth.uid())))", False),
])
def test_has_null_auth_disjunct(expression, leaky):
    assert lint_sql.has_null_auth_disjunct(expression) is leaky


@pytest.mark.parametrize("case", CASES, ids=[f"{c.lint}-{i}" for i, c in enumerate(CASES)])
def test_lint_fires_on_bad_schema(fresh_db, case: Case):
    with fresh_db.connect() as conn:
        before = {(f.name, f.object) for f in run_lints(conn, EXPOSED, **case.kwargs)}
        assert not any(name == case.lint for name, _ in before), "fires on the empty Supabase database"
        with conn.transaction():
            execute_script(conn, case.sql)
        findings = run_lints(conn, EXPOSED, **case.kwargs)
    mine = {f.object: f for f in findings if f.name == case.lint}
    assert case.fires_on in mine, f"{case.lint} did not fire on {case.fires_on}:\n" + _fmt(findings)
    level = next(i.level for i in LINTS if i.name == case.lint)
    assert mine[case.fires_on].level == level
    for obj in case.not_on:
        assert obj not in mine, f"{case.lint} fired on {obj}, which is fine"
