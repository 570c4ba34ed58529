"""The lints, as data: one :class:`~compiler.lint.definition.Lint` per splinter
lint we implement (and two of our own codes, see :mod:`compiler.lint`).

The SQL here is ours: conditions written against the catalogs for the facts
splinter checks (what each lint looks at, which schemas it skips).  Where a lint
differs from splinter on purpose it says so; it is never more lenient.  SQL
fragments are psycopg queries: ``%(exposed)s``, ``%(system)s``, ``%(regtypes)s``
and ``%(sensitive)s`` are filled in by the runner.
"""

from __future__ import annotations

from . import sql
from .definition import Lint, Schemas, Source

#: Schemas splinter never lints (Supabase-managed or extension-owned),
#: besides pg_* and information_schema.
SYSTEM_SCHEMAS: tuple[str, ...] = (
    "_timescaledb_cache", "_timescaledb_catalog", "_timescaledb_config",
    "_timescaledb_internal", "auth", "cron", "extensions", "graphql",
    "graphql_public", "information_schema", "net", "pgbouncer", "pgmq",
    "pgroonga", "pgsodium", "pgsodium_masks", "pgtle", "realtime", "repack",
    "storage", "supabase_functions", "supabase_migrations", "tiger",
    "topology", "vault",
)

#: Column names lint 0023 treats as sensitive (compared after lower-casing
#: and mapping '-' to '_').
SENSITIVE_COLUMN_NAMES: frozenset[str] = frozenset("""
    password passwd pwd passphrase secret secret_key private_key api_key apikey
    auth_key token jwt access_token refresh_token oauth_token session_token
    bearer_token auth_code session_id session_key session_secret recovery_code
    backup_code verification_code otp two_factor 2fa_secret 2fa_code
    ssn social_security social_security_number driver_license drivers_license
    license_number passport_number passport_id national_id tax_id
    credit_card card_number cvv cvc cvn bank_account account_number
    routing_number iban swift_code bic
    health_record medical_record patient_id insurance_number health_insurance
    medical_insurance treatment
    mac_address macaddr imei device_uuid
    pgp_key gpg_key ssh_key certificate license_key activation_key
    facial_recognition
""".split())

#: reg* types pg_upgrade cannot carry over (regclass, regtype, regrole are fine).
UNSUPPORTED_REG_TYPES: tuple[str, ...] = (
    "regcollation", "regconfig", "regdictionary", "regnamespace", "regoper",
    "regoperator", "regproc", "regprocedure",
)

#: Query parameters every run passes besides ``exposed`` and ``api_roles``.
CONSTANTS: dict[str, list[str]] = {
    "system": list(SYSTEM_SCHEMAS),
    "regtypes": list(UNSUPPORTED_REG_TYPES),
    "sensitive": sorted(SENSITIVE_COLUMN_NAMES),
}

# --------------------------------------------------------------------------
# Catalog sources
# --------------------------------------------------------------------------

_TABLE = "n.nspname || '.' || c.relname"

RELATIONS = Source("pg_class c join pg_namespace n on n.oid = c.relnamespace", _TABLE, "pg_class", "c.oid")
FUNCTIONS = Source(
    "pg_proc p join pg_namespace n on n.oid = p.pronamespace",
    "n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'",
    "pg_proc", "p.oid")
CONSTRAINTS = Source("pg_constraint con join pg_class c on c.oid = con.conrelid"
                     " join pg_namespace n on n.oid = c.relnamespace", _TABLE, "pg_class", "c.oid")
INDEXES = Source("pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_class c on c.oid = i.indrelid"
                 " join pg_namespace n on n.oid = c.relnamespace", _TABLE, "pg_class", "c.oid")
COLUMNS = Source("pg_attribute a join pg_class c on c.oid = a.attrelid"
                 " join pg_namespace n on n.oid = c.relnamespace", _TABLE + " || '.' || a.attname", "pg_class", "c.oid",
                 where="a.attnum > 0 and not a.attisdropped")
POLICIES = Source("pg_policy p join pg_class c on c.oid = p.polrelid"
                  " join pg_namespace n on n.oid = c.relnamespace", _TABLE + " || '.' || p.polname", "pg_class", "c.oid",
                  where="c.relkind in ('r', 'p')")
EXTENSIONS = Source("pg_extension e join pg_namespace n on n.oid = e.extnamespace",
                    "e.extname", "pg_extension", "e.oid")

# Policy values, as the policy lints read them.
_QUAL = "pg_get_expr(p.polqual, p.polrelid)"
_WITH_CHECK = "pg_get_expr(p.polwithcheck, p.polrelid)"
_COMMAND = ("case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'"
            " when 'd' then 'DELETE' else 'ALL' end")
_ROLES = ("array_to_string(array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end"
          " from unnest(p.polroles) as r order by 1), ', ')")
_FOR_API_ROLES = ("exists (select from unnest(p.polroles) as r"
                  " where r = 0 or pg_get_userbyid(r) in ('anon', 'authenticated'))")


def _option_in(options: str, *spellings: str) -> str:
    """SQL: one of the storage options ``options`` is one of ``spellings``."""
    listed = ", ".join(f"'{s}'" for s in spellings)
    return f"exists (select from unnest(coalesce({options}, '{{}}')) as o where lower(o) in ({listed}))"


# --------------------------------------------------------------------------
# Checks of policy expressions (the SQL condition has picked the policies)
# --------------------------------------------------------------------------


def _initplan(row):
    calls = sql.unwrapped_calls(row["qual"]) + sql.unwrapped_calls(row["with_check"])
    return {"calls": ", ".join(sorted(set(calls)))} if calls else None


def _user_metadata(row):
    return {} if sql.reads_user_metadata(row["qual"]) or sql.reads_user_metadata(row["with_check"]) else None


def _always_true(row):
    # splinter (0024, formerly permissive_rls_policy) ignores SELECT USING
    # (true): public read access is a common deliberate pattern.  It does not
    # look at restrictive policies on the same table.
    command, qual, check = row["command"], row["qual"], row["with_check"]
    using_true = command in ("UPDATE", "DELETE", "ALL") and (qual is None or sql.is_always_true(qual))
    check_true = (
        sql.is_always_true(check)
        or (check is None and command == "INSERT")
        or (check is None and command in ("UPDATE", "ALL") and sql.is_always_true(qual))
    )
    if not (using_true or check_true):
        return None
    return {"which": "USING and WITH CHECK" if using_true and check_true
            else "USING" if using_true else "WITH CHECK"}


def _null_auth_disjunct(row):
    return {} if sql.has_null_auth_disjunct(row["qual"]) else None


def _secdef_executable(code: str, role: str) -> Lint:
    return Lint(
        code, f"{role}_security_definer_function_executable", "WARN", "SECURITY",
        f"SECURITY DEFINER function the {role} role may execute.",
        f"Revoke EXECUTE from {role} (and PUBLIC), or make the function SECURITY INVOKER.",
        FUNCTIONS, f"p.prosecdef and has_function_privilege('{role}', p.oid, 'EXECUTE')",
        f"SECURITY DEFINER function is executable by {role} (bypasses RLS)",
        skip_extension_members=False, needs_roles=(role,))


# --------------------------------------------------------------------------
# The lints
# --------------------------------------------------------------------------

_LINTS = [
    Lint("0001", "unindexed_foreign_keys", "INFO", "PERFORMANCE",
         "Foreign key whose columns are not the leading columns (in order) of any valid index.",
         "Create an index whose leading columns are the foreign key's columns.",
         CONSTRAINTS,
         "con.contype = 'f' and not exists ("
         " select from pg_index i where i.indrelid = con.conrelid and i.indisvalid"
         " and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] = con.conkey)",
         "foreign key {fkey} ({columns}) has no covering index",
         fields={"fkey": "con.conname",
                 "columns": "(select string_agg(quote_ident(a.attname), ', ' order by k.i)"
                            " from unnest(con.conkey) with ordinality as k(att, i)"
                            " join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.att)"}),
    # splinter looks at direct dependencies (the view's rewrite rule) only.
    Lint("0002", "auth_users_exposed", "ERROR", "SECURITY",
         "View or materialized view in an API schema reads auth.users and is selectable by anon/authenticated.",
         "Move the view out of the API schemas, or revoke SELECT from anon and authenticated.",
         RELATIONS,
         "c.relkind in ('v', 'm') and exists ("
         " select from pg_depend d join pg_rewrite rw on rw.oid = d.objid"
         " where rw.ev_class = c.oid and d.classid = 'pg_rewrite'::regclass"
         " and d.refclassid = 'pg_class'::regclass and d.refobjid = to_regclass('auth.users'))",
         "{kind} exposes auth.users to anon/authenticated",
         fields={"kind": "case c.relkind when 'm' then 'materialized view' else 'view' end"},
         schemas=Schemas.EXPOSED, skip_extension_members=False, api_selectable=True),
    Lint("0003", "auth_rls_initplan", "WARN", "PERFORMANCE",
         "RLS policy calls auth.<function>() or current_setting() per row instead of (select ...) once.",
         "Write the call as (select auth.uid()) so PostgreSQL evaluates it once per statement.",
         POLICIES, "c.relrowsecurity",
         "re-evaluates {calls} for each row; wrap it as (select ...)",
         fields={"qual": _QUAL, "with_check": _WITH_CHECK}, check=_initplan),
    Lint("0004", "no_primary_key", "INFO", "PERFORMANCE", "Table without a primary key.",
         "Add a primary key.",
         RELATIONS, "c.relkind = 'r' and not exists (select from pg_index i where i.indrelid = c.oid and i.indisprimary)",
         "table has no primary key"),
    # One finding per table, role and action: pg_roles other than pg_*,
    # supabase*admin and BYPASSRLS ones; PUBLIC stands for all of them.
    Lint("0006", "multiple_permissive_policies", "WARN", "PERFORMANCE",
         "More than one permissive policy for the same table, role and action.",
         "Merge the policies into one (their OR), or make all but one restrictive.",
         POLICIES,
         "p.polpermissive and r.rolname !~ '^pg_' and r.rolname !~ '^supabase.*admin$' and not r.rolbypassrls",
         "permissive policies {policies} all apply to {role} for {action}",
         fields={"role": "r.rolname", "action": "act.cmd",
                 "policies": "string_agg(p.polname, ', ' order by p.polname)"},
         object=_TABLE + " || ' (' || r.rolname || ', ' || act.cmd || ')'",
         joins="join pg_roles r on (0 = any(p.polroles) or r.oid = any(p.polroles))"
               " cross join lateral unnest(case p.polcmd when '*'"
               " then array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] else array[" + _COMMAND + "] end) as act(cmd)",
         group_by="n.nspname, c.relname, r.rolname, act.cmd", having="count(*) > 1"),
    Lint("0007", "policy_exists_rls_disabled", "ERROR", "SECURITY",
         "Table has RLS policies but row level security is not enabled.",
         "Enable row level security on the table (or drop the policies).",
         POLICIES, "not c.relrowsecurity",
         "RLS is disabled but policies exist: {policies}",
         fields={"policies": "string_agg(p.polname, ', ' order by p.polname)"},
         object=_TABLE, group_by="1"),
    Lint("0008", "rls_enabled_no_policy", "INFO", "SECURITY",
         "Row level security enabled but no policy exists (API roles see nothing).",
         "Add the policies the API roles need, or revoke their privileges.",
         RELATIONS,
         "c.relkind = 'r' and c.relrowsecurity and not exists (select from pg_policy p where p.polrelid = c.oid)",
         "RLS enabled, no policies"),
    Lint("0009", "duplicate_index", "WARN", "PERFORMANCE",
         "Two or more indexes with identical definitions on one table.",
         "Drop all but one of the identical indexes.",
         INDEXES, "c.relkind in ('r', 'm')",
         "identical indexes: {indexes}",
         fields={"indexes": "string_agg(ic.relname, ', ' order by ic.relname)"},
         group_by="n.nspname, c.relname, replace(pg_get_indexdef(i.indexrelid),"
                  " 'INDEX ' || quote_ident(ic.relname) || ' ON ', 'INDEX ON ')",
         having="count(*) > 1"),
    # The security_invoker spellings splinter accepts (PostgreSQL accepts a
    # few more, e.g. 't'); anything else counts as SECURITY DEFINER.
    Lint("0010", "security_definer_view", "ERROR", "SECURITY",
         "View in an API schema, selectable by anon/authenticated, without security_invoker.",
         "Create the view WITH (security_invoker = true), or revoke SELECT from the API roles.",
         RELATIONS,
         "c.relkind = 'v' and not " + _option_in(
             "c.reloptions", "security_invoker=1", "security_invoker=true",
             "security_invoker=yes", "security_invoker=on"),
         "view runs with its owner's rights (no security_invoker), bypassing RLS",
         schemas=Schemas.API, api_selectable=True),
    Lint("0011", "function_search_path_mutable", "WARN", "SECURITY",
         "Function without a fixed search_path (SET search_path = ...).",
         "Add SET search_path = '' (and schema-qualify the names the function uses).",
         FUNCTIONS,
         "not exists (select from unnest(coalesce(p.proconfig, '{}')) as cfg where starts_with(cfg, 'search_path='))",
         "search_path is not set on the function (role mutable)"),
    # splinter: relkind 'r'; partitioned roots ('p') are included here too.
    Lint("0013", "rls_disabled_in_public", "ERROR", "SECURITY",
         "Table in an API schema, selectable by anon/authenticated, without row level security.",
         "Enable row level security on the table and add its policies.",
         RELATIONS, "c.relkind in ('r', 'p') and not c.relrowsecurity",
         "table is reachable through the API but RLS is not enabled",
         schemas=Schemas.API, skip_extension_members=False, api_selectable=True),
    Lint("0014", "extension_in_public", "WARN", "SECURITY",
         "Extension installed in the public (or another API-exposed) schema.",
         "Install the extension in a schema of its own (e.g. extensions).",
         EXTENSIONS, "e.extname <> 'plpgsql' and (n.nspname = 'public' or n.nspname = any(%(exposed)s))",
         "extension {extension} is installed in schema {schema}",
         fields={"extension": "e.extname", "schema": "n.nspname"},
         schemas=Schemas.ANY, skip_extension_members=False),
    Lint("0015", "rls_references_user_metadata", "ERROR", "SECURITY",
         "RLS policy reads user_metadata from the JWT (editable by the end user).",
         "Decide access on app_metadata or on rows of your own, never on user_metadata.",
         POLICIES, "true",
         "policy trusts JWT user_metadata, which users can set themselves",
         fields={"qual": _QUAL, "with_check": _WITH_CHECK}, check=_user_metadata),
    Lint("0016", "materialized_view_in_api", "WARN", "SECURITY",
         "Materialized view (no RLS possible) selectable by anon/authenticated.",
         "Revoke SELECT from anon and authenticated, or move it out of the API schemas.",
         RELATIONS, "c.relkind = 'm'",
         "materialized view is selectable by anon or authenticated", api_selectable=True),
    # splinter skips only pg_catalog, information_schema and pgsodium here.
    Lint("0018", "unsupported_reg_types", "WARN", "SECURITY",
         "Column of a reg* type that prevents pg_upgrade.",
         "Store the name as text, or an oid, instead.",
         COLUMNS,
         "t.typnamespace = 'pg_catalog'::regnamespace and t.typname = any(%(regtypes)s)"
         " and n.nspname not in ('information_schema', 'pgsodium') and n.nspname !~ '^pg_'",
         "column has type {type}, which pg_upgrade does not support",
         fields={"type": "t.typname::text"}, joins="join pg_type t on t.oid = a.atttypid",
         schemas=Schemas.ANY, skip_extension_members=False),
    Lint("0021", "fkey_to_auth_unique", "ERROR", "SECURITY",
         "Foreign key referencing a unique (non primary key) constraint in the auth schema.",
         "Reference the primary key of the auth table instead.",
         CONSTRAINTS, "con.contype = 'f' and rn.nspname = 'auth' and i.indisunique and not i.indisprimary",
         "foreign key {fkey} references a unique constraint of {target}",
         fields={"fkey": "con.conname", "target": "rn.nspname || '.' || rc.relname"},
         joins="join pg_class rc on rc.oid = con.confrelid join pg_namespace rn on rn.oid = rc.relnamespace"
               " join pg_index i on i.indexrelid = con.conindid",
         schemas=Schemas.ANY, skip_extension_members=False),
    Lint("0023", "sensitive_columns_exposed", "ERROR", "SECURITY",
         "Table in an API schema without RLS, selectable by anon/authenticated, with sensitive column names.",
         "Enable row level security on the table, or revoke the API roles' access.",
         COLUMNS,
         "c.relkind = 'r' and not c.relrowsecurity and replace(lower(a.attname), '-', '_') = any(%(sensitive)s)",
         "no RLS, readable through the API, sensitive columns: {columns}",
         fields={"columns": "string_agg(a.attname::text, ', ' order by a.attname::text)"},
         object=_TABLE, group_by="1",
         schemas=Schemas.API, skip_extension_members=False, api_selectable=True),
    Lint("0024", "rls_policy_always_true", "WARN", "SECURITY",
         "Permissive policy for anon/authenticated/public whose USING (UPDATE/DELETE/ALL) "
         "or WITH CHECK is always true.",
         "Write the condition the rows must meet; a policy of true gives every API user every row.",
         POLICIES, "c.relrowsecurity and p.polpermissive and " + _FOR_API_ROLES,
         "{command} policy for {roles}: {which} is always true",
         fields={"command": _COMMAND, "roles": _ROLES, "qual": _QUAL, "with_check": _WITH_CHECK},
         check=_always_true),
    Lint("0026", "pg_graphql_anon_table_exposed", "WARN", "SECURITY",
         "With pg_graphql installed, objects anon can SELECT are visible in GraphQL introspection.",
         "Revoke SELECT from anon where the object is not public.",
         RELATIONS, "c.relkind in ('r', 'p', 'v', 'm') and has_table_privilege('anon', c.oid, 'SELECT')",
         "anon can SELECT it, so /graphql/v1 introspection shows it",
         skip_extension_members=False, needs_roles=("anon",), needs_pg_graphql=True),
    Lint("0027", "pg_graphql_authenticated_table_exposed", "WARN", "SECURITY",
         "With pg_graphql installed, objects authenticated can SELECT (any column) are visible in introspection.",
         "Revoke SELECT from authenticated where signed-in users must not see the object.",
         RELATIONS,
         "c.relkind in ('r', 'v', 'm', 'f') and exists (select from pg_attribute a"
         " where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
         " and has_column_privilege('authenticated', c.oid, a.attnum, 'SELECT'))",
         "authenticated can SELECT it, so /graphql/v1 introspection shows it",
         skip_extension_members=False, needs_roles=("authenticated",), needs_pg_graphql=True),
    _secdef_executable("0028", "anon"),
    _secdef_executable("0029", "authenticated"),
    Lint("0030", "invalid_index", "WARN", "PERFORMANCE",
         "Index left invalid (failed CREATE/REINDEX CONCURRENTLY).",
         "Drop the index and create it again (or REINDEX it).",
         INDEXES,
         "not i.indisvalid and i.indisready"
         " and not exists (select from pg_stat_progress_create_index pr where pr.index_relid = i.indexrelid)",
         "index {index} is invalid and never used by the planner",
         fields={"index": "ic.relname"}, member="ic.oid"),
    Lint("AC01", "autovacuum_disabled", "INFO", "PERFORMANCE",
         "Table with autovacuum_enabled = false.",
         "Reset the storage option: ALTER TABLE ... RESET (autovacuum_enabled).",
         RELATIONS,
         "c.relkind = 'r' and " + _option_in(
             "c.reloptions", "autovacuum_enabled=false", "autovacuum_enabled=off",
             "autovacuum_enabled=no", "autovacuum_enabled=0", "autovacuum_enabled=f", "autovacuum_enabled=n"),
         "autovacuum is disabled on the table", skip_extension_members=False),
    Lint("AC02", "rls_policy_null_auth_disjunct", "WARN", "SECURITY",
         "Permissive read policy with a top-level OR branch that is true when auth.uid()/jwt()/role() is NULL.",
         "Require the user (auth.uid() IS NOT NULL AND ...), or drop the IS NULL branch.",
         POLICIES,
         "c.relrowsecurity and p.polpermissive and " + _FOR_API_ROLES
         + " and p.polcmd in ('r', '*') and p.polqual is not null",
         "USING is true for every row whenever the auth value is NULL",
         fields={"qual": _QUAL}, check=_null_auth_disjunct),
]

#: Every implemented lint, by code.
LINTS: tuple[Lint, ...] = tuple(sorted(_LINTS, key=lambda lint: (lint.code, lint.name)))
