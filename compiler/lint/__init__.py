"""Supabase database-linter checks (the Security / Performance Advisors) run
against a live database.

Supabase's dashboard advisors run *splinter* (https://github.com/supabase/splinter),
one SQL view per lint.  This module re-implements the splinter lints that can
fire on a schema atlas-compile generates, with the same names, levels and
conditions, so a migration can be checked in the test suite before a reviewer
runs the real advisors on a project.  The queries are our own; the facts they
encode (what each lint looks at, which schemas it skips) follow splinter.

Usage::

    findings = run_lints(conn, schemas=("public",))
    bad = [f for f in findings if f.level in ("ERROR", "WARN")]

``schemas`` are the schemas exposed through the Data API (PostgREST's
``db-schemas``; ``public`` by default on Supabase).  Lints that splinter limits
to API-exposed schemas (rls_disabled_in_public, security_definer_view,
auth_users_exposed, sensitive_columns_exposed, extension_in_public) use it;
every other lint covers every user schema, as splinter does: all schemas
except ``pg_*``, ``information_schema`` and the Supabase-managed ones in
:data:`SYSTEM_SCHEMAS`.  Objects that belong to an extension are skipped.

Where splinter matches text (policy expressions), policies are deparsed with
``search_path = ''`` so calls print schema-qualified (``auth.uid()``), which
is what splinter requires too.  In a few places this implementation is
deliberately a little stricter than splinter (noted per lint); it is never
more lenient, so "no findings here" means "no findings from the advisors" for
the implemented lints.

Not implemented (they do not depend on the schema we generate, or need data
this process cannot have): 0005 unused_index and 0020 table_bloat (need usage
statistics), 0012 auth_allow_anonymous_sign_ins (Auth config), 0017
foreign_table_in_api, 0019 insecure_queue_exposed_in_api (pgmq), 0022
extension_versions_outdated, 0025 public_bucket_allows_listing (Storage),
0025 pg17_deprecated_extensions (platform upgrade), 0031
unused_replication_slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import psycopg

__all__ = ["Finding", "LINTS", "LintInfo", "SYSTEM_SCHEMAS", "run_lints"]

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

LEVELS = ("ERROR", "WARN", "INFO")


@dataclass(frozen=True, order=True)
class Finding:
    """One advisor finding.  ``object`` is a readable name: ``schema.table``,
    ``schema.table.policy``, ``schema.function(args)``, or for
    multiple_permissive_policies ``schema.table (role, ACTION)``."""

    name: str
    level: str
    object: str
    detail: str
    code: str = ""
    category: str = ""

    def __str__(self) -> str:
        return f"{self.level} {self.code} {self.name}: {self.object}: {self.detail}"


@dataclass(frozen=True)
class LintInfo:
    code: str
    name: str
    level: str
    category: str
    description: str


# --------------------------------------------------------------------------
# Context shared by the lints of one run
# --------------------------------------------------------------------------


@dataclass
class _Ctx:
    cur: psycopg.Cursor
    exposed: list[str]
    api_roles: list[str]  # of anon / authenticated, those that exist
    pg_graphql: bool

    @property
    def params(self) -> dict:
        return {"exposed": self.exposed, "system": list(SYSTEM_SCHEMAS)}

    def rows(self, sql: str, extra: dict | None = None) -> list[tuple]:
        params = self.params
        if extra:
            params = {**params, **extra}
        return self.cur.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def api_can_select(self, oid: str) -> str:
        """SQL: anon or authenticated may SELECT the relation ``oid``."""
        if not self.api_roles:
            return "false"
        return "(" + " or ".join(
            f"has_table_privilege('{r}', {oid}, 'SELECT')" for r in self.api_roles
        ) + ")"


_USER_SCHEMA = "({n}.nspname <> all(%(system)s) and {n}.nspname !~ '^pg_')"


def _user_schema(alias: str = "n") -> str:
    return _USER_SCHEMA.format(n=alias)


def _not_ext_member(classid: str, objid: str) -> str:
    return (
        f"not exists (select from pg_depend ext where ext.classid = '{classid}'::regclass"
        f" and ext.objid = {objid} and ext.deptype = 'e')"
    )


_LintFn = Callable[[_Ctx], Iterable[tuple[str, str]]]  # -> (object, detail)
_REGISTRY: list[tuple[LintInfo, _LintFn]] = []


def _lint(code: str, name: str, level: str, category: str, description: str):
    def register(fn: _LintFn) -> _LintFn:
        _REGISTRY.append((LintInfo(code, name, level, category, description), fn))
        return fn

    return register


# --------------------------------------------------------------------------
# Lints over tables, indexes, views, functions, extensions
# --------------------------------------------------------------------------


@_lint("0001", "unindexed_foreign_keys", "INFO", "PERFORMANCE",
       "Foreign key whose columns are not the leading columns (in order) of any valid index.")
def _unindexed_foreign_keys(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname, con.conname,
           (select string_agg(quote_ident(a.attname), ', ' order by k.i)
              from unnest(con.conkey) with ordinality as k(att, i)
              join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.att)
    from pg_constraint con
    join pg_class c on c.oid = con.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where con.contype = 'f' and {_user_schema()} and {_not_ext_member('pg_class', 'c.oid')}
      and not exists (
            select from pg_index i
            where i.indrelid = con.conrelid and i.indisvalid
              and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)]
                  = con.conkey)
    order by 1, 2
    """
    for table, fkey, cols in ctx.rows(sql):
        yield table, f"foreign key {fkey} ({cols}) has no covering index"


@_lint("0002", "auth_users_exposed", "ERROR", "SECURITY",
       "View or materialized view in an API schema reads auth.users and is selectable by anon/authenticated.")
def _auth_users_exposed(ctx: _Ctx):
    # splinter looks at direct dependencies (the view's rewrite rule) only.
    sql = f"""
    select distinct n.nspname || '.' || c.relname, c.relkind::text
    from pg_depend d
    join pg_rewrite rw on rw.oid = d.objid
    join pg_class c on c.oid = rw.ev_class
    join pg_namespace n on n.oid = c.relnamespace
    where d.classid = 'pg_rewrite'::regclass
      and d.refclassid = 'pg_class'::regclass
      and d.refobjid = to_regclass('auth.users')
      and c.relkind in ('v', 'm')
      and n.nspname = any(%(exposed)s)
      and {ctx.api_can_select('c.oid')}
    order by 1
    """
    for obj, kind in ctx.rows(sql):
        what = "materialized view" if kind == "m" else "view"
        yield obj, f"{what} exposes auth.users to anon/authenticated"


@_lint("0004", "no_primary_key", "INFO", "PERFORMANCE", "Table without a primary key.")
def _no_primary_key(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and {_user_schema()} and {_not_ext_member('pg_class', 'c.oid')}
      and not exists (select from pg_index i where i.indrelid = c.oid and i.indisprimary)
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "table has no primary key"


@_lint("0007", "policy_exists_rls_disabled", "ERROR", "SECURITY",
       "Table has RLS policies but row level security is not enabled.")
def _policy_exists_rls_disabled(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname, string_agg(p.polname, ', ' order by p.polname)
    from pg_policy p
    join pg_class c on c.oid = p.polrelid
    join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relrowsecurity
      and {_user_schema()} and {_not_ext_member('pg_class', 'c.oid')}
    group by 1 order by 1
    """
    for obj, policies in ctx.rows(sql):
        yield obj, f"RLS is disabled but policies exist: {policies}"


@_lint("0008", "rls_enabled_no_policy", "INFO", "SECURITY",
       "Row level security enabled but no policy exists (API roles see nothing).")
def _rls_enabled_no_policy(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and c.relrowsecurity
      and {_user_schema()} and {_not_ext_member('pg_class', 'c.oid')}
      and not exists (select from pg_policy p where p.polrelid = c.oid)
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "RLS enabled, no policies"


@_lint("0009", "duplicate_index", "WARN", "PERFORMANCE",
       "Two or more indexes with identical definitions on one table.")
def _duplicate_index(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname, string_agg(ic.relname, ', ' order by ic.relname)
    from pg_index i
    join pg_class ic on ic.oid = i.indexrelid
    join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'm') and {_user_schema()} and {_not_ext_member('pg_class', 'c.oid')}
    group by n.nspname, c.relname,
             replace(pg_get_indexdef(i.indexrelid),
                     'INDEX ' || quote_ident(ic.relname) || ' ON ', 'INDEX ON ')
    having count(*) > 1
    order by 1, 2
    """
    for obj, indexes in ctx.rows(sql):
        yield obj, f"identical indexes: {indexes}"


@_lint("0010", "security_definer_view", "ERROR", "SECURITY",
       "View in an API schema, selectable by anon/authenticated, without security_invoker.")
def _security_definer_view(ctx: _Ctx):
    # The security_invoker spellings splinter accepts (PostgreSQL accepts a
    # few more, e.g. 't'); anything else counts as SECURITY DEFINER.
    sql = f"""
    select n.nspname || '.' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'v' and n.nspname = any(%(exposed)s)
      and n.nspname <> all(%(system)s)
      and {_not_ext_member('pg_class', 'c.oid')}
      and {ctx.api_can_select('c.oid')}
      and not exists (
            select from unnest(coalesce(c.reloptions, '{{}}')) as o
            where lower(o) in ('security_invoker=1', 'security_invoker=true',
                               'security_invoker=yes', 'security_invoker=on'))
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "view runs with its owner's rights (no security_invoker), bypassing RLS"


@_lint("0011", "function_search_path_mutable", "WARN", "SECURITY",
       "Function without a fixed search_path (SET search_path = ...).")
def _function_search_path_mutable(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where {_user_schema()} and {_not_ext_member('pg_proc', 'p.oid')}
      and not exists (
            select from unnest(coalesce(p.proconfig, '{{}}')) as cfg
            where starts_with(cfg, 'search_path='))
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "search_path is not set on the function (role mutable)"


@_lint("0013", "rls_disabled_in_public", "ERROR", "SECURITY",
       "Table in an API schema, selectable by anon/authenticated, without row level security.")
def _rls_disabled_in_public(ctx: _Ctx):
    # splinter: relkind 'r'; partitioned roots ('p') are included here too.
    sql = f"""
    select n.nspname || '.' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relrowsecurity
      and n.nspname = any(%(exposed)s) and n.nspname <> all(%(system)s)
      and {ctx.api_can_select('c.oid')}
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "table is reachable through the API but RLS is not enabled"


@_lint("0014", "extension_in_public", "WARN", "SECURITY",
       "Extension installed in the public (or another API-exposed) schema.")
def _extension_in_public(ctx: _Ctx):
    sql = """
    select e.extname, n.nspname
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname <> 'plpgsql'
      and (n.nspname = 'public' or n.nspname = any(%(exposed)s))
    order by 1
    """
    for ext, schema in ctx.rows(sql):
        yield ext, f"extension {ext} is installed in schema {schema}"


@_lint("0016", "materialized_view_in_api", "WARN", "SECURITY",
       "Materialized view (no RLS possible) selectable by anon/authenticated.")
def _materialized_view_in_api(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'm' and {_user_schema()} and {_not_ext_member('pg_class', 'c.oid')}
      and {ctx.api_can_select('c.oid')}
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "materialized view is selectable by anon or authenticated"


@_lint("0018", "unsupported_reg_types", "WARN", "SECURITY",
       "Column of a reg* type that prevents pg_upgrade.")
def _unsupported_reg_types(ctx: _Ctx):
    # splinter skips only pg_catalog, information_schema and pgsodium here.
    sql = """
    select n.nspname || '.' || c.relname || '.' || a.attname, t.typname::text
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    where a.attnum > 0 and not a.attisdropped
      and t.typnamespace = 'pg_catalog'::regnamespace
      and t.typname = any(%(regtypes)s)
      and n.nspname not in ('information_schema', 'pgsodium') and n.nspname !~ '^pg_'
    order by 1
    """
    for obj, typ in ctx.rows(sql, {"regtypes": list(UNSUPPORTED_REG_TYPES)}):
        yield obj, f"column has type {typ}, which pg_upgrade does not support"


@_lint("0021", "fkey_to_auth_unique", "ERROR", "SECURITY",
       "Foreign key referencing a unique (non primary key) constraint in the auth schema.")
def _fkey_to_auth_unique(ctx: _Ctx):
    sql = """
    select n.nspname || '.' || c.relname, con.conname,
           rn.nspname || '.' || rc.relname
    from pg_constraint con
    join pg_class c on c.oid = con.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_class rc on rc.oid = con.confrelid
    join pg_namespace rn on rn.oid = rc.relnamespace
    join pg_index i on i.indexrelid = con.conindid
    where con.contype = 'f' and rn.nspname = 'auth'
      and i.indisunique and not i.indisprimary
    order by 1, 2
    """
    for obj, fkey, target in ctx.rows(sql):
        yield obj, f"foreign key {fkey} references a unique constraint of {target}"


@_lint("0023", "sensitive_columns_exposed", "ERROR", "SECURITY",
       "Table in an API schema without RLS, selectable by anon/authenticated, with sensitive column names.")
def _sensitive_columns_exposed(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname, a.attname::text
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where c.relkind = 'r' and not c.relrowsecurity
      and n.nspname = any(%(exposed)s) and n.nspname <> all(%(system)s)
      and {ctx.api_can_select('c.oid')}
      and replace(lower(a.attname), '-', '_') = any(%(sensitive)s)
    order by 1, 2
    """
    by_table: dict[str, list[str]] = {}
    for table, col in ctx.rows(sql, {"sensitive": sorted(SENSITIVE_COLUMN_NAMES)}):
        by_table.setdefault(table, []).append(col)
    for table, cols in by_table.items():
        yield table, f"no RLS, readable through the API, sensitive columns: {', '.join(cols)}"


@_lint("0026", "pg_graphql_anon_table_exposed", "WARN", "SECURITY",
       "With pg_graphql installed, objects anon can SELECT are visible in GraphQL introspection.")
def _pg_graphql_anon_table_exposed(ctx: _Ctx):
    if not ctx.pg_graphql or "anon" not in ctx.api_roles:
        return
    sql = f"""
    select n.nspname || '.' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm') and {_user_schema()}
      and has_table_privilege('anon', c.oid, 'SELECT')
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "anon can SELECT it, so /graphql/v1 introspection shows it"


@_lint("0027", "pg_graphql_authenticated_table_exposed", "WARN", "SECURITY",
       "With pg_graphql installed, objects authenticated can SELECT (any column) are visible in introspection.")
def _pg_graphql_authenticated_table_exposed(ctx: _Ctx):
    if not ctx.pg_graphql or "authenticated" not in ctx.api_roles:
        return
    sql = f"""
    select n.nspname || '.' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'v', 'm', 'f') and {_user_schema()}
      and exists (select from pg_attribute a
                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                    and has_column_privilege('authenticated', c.oid, a.attnum, 'SELECT'))
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "authenticated can SELECT it, so /graphql/v1 introspection shows it"


def _secdef_executable(ctx: _Ctx, role: str):
    if role not in ctx.api_roles:
        return
    sql = f"""
    select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.prosecdef and {_user_schema()}
      and has_function_privilege('{role}', p.oid, 'EXECUTE')
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, f"SECURITY DEFINER function is executable by {role} (bypasses RLS)"


@_lint("0028", "anon_security_definer_function_executable", "WARN", "SECURITY",
       "SECURITY DEFINER function the anon role may execute.")
def _anon_secdef(ctx: _Ctx):
    return _secdef_executable(ctx, "anon")


@_lint("0029", "authenticated_security_definer_function_executable", "WARN", "SECURITY",
       "SECURITY DEFINER function the authenticated role may execute.")
def _authenticated_secdef(ctx: _Ctx):
    return _secdef_executable(ctx, "authenticated")


@_lint("0030", "invalid_index", "WARN", "PERFORMANCE",
       "Index left invalid (failed CREATE/REINDEX CONCURRENTLY).")
def _invalid_index(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname, ic.relname
    from pg_index i
    join pg_class ic on ic.oid = i.indexrelid
    join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    where not i.indisvalid and i.indisready
      and not exists (select from pg_stat_progress_create_index pr where pr.index_relid = i.indexrelid)
      and {_user_schema()} and {_not_ext_member('pg_class', 'ic.oid')}
    order by 1, 2
    """
    for obj, index in ctx.rows(sql):
        yield obj, f"index {index} is invalid and never used by the planner"


@_lint("0030", "autovacuum_disabled", "INFO", "PERFORMANCE",
       "Table with autovacuum_enabled = false.")
def _autovacuum_disabled(ctx: _Ctx):
    sql = f"""
    select n.nspname || '.' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and {_user_schema()}
      and exists (select from unnest(coalesce(c.reloptions, '{{}}')) as o
                  where lower(o) in ('autovacuum_enabled=false', 'autovacuum_enabled=off',
                                     'autovacuum_enabled=no', 'autovacuum_enabled=0',
                                     'autovacuum_enabled=f', 'autovacuum_enabled=n'))
    order by 1
    """
    for (obj,) in ctx.rows(sql):
        yield obj, "autovacuum is disabled on the table"


# --------------------------------------------------------------------------
# Policy lints: fetched once, analysed in Python
# --------------------------------------------------------------------------

_COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}


@dataclass(frozen=True)
class _Policy:
    schema: str
    table: str
    name: str
    rls_enabled: bool
    permissive: bool
    command: str
    roles: tuple[str, ...]  # 'public' for PUBLIC
    qual: str | None
    with_check: str | None

    @property
    def object(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"

    @property
    def for_api_roles(self) -> bool:
        return bool({"public", "anon", "authenticated"} & set(self.roles))


_Q_POLICIES = f"""
select n.nspname, c.relname, p.polname, c.relrowsecurity, p.polpermissive, p.polcmd::text,
       array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end
             from unnest(p.polroles) as r order by 1),
       pg_get_expr(p.polqual, p.polrelid),
       pg_get_expr(p.polwithcheck, p.polrelid)
from pg_policy p
join pg_class c on c.oid = p.polrelid
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and {_user_schema()} and {_not_ext_member('pg_class', 'c.oid')}
order by 1, 2, 3
"""


def _policies(ctx: _Ctx) -> list[_Policy]:
    cached = getattr(ctx, "_policy_cache", None)
    if cached is None:
        cached = [
            _Policy(s, t, name, rls, perm, _COMMANDS[cmd], tuple(roles), qual, check)
            for s, t, name, rls, perm, cmd, roles, qual, check in ctx.rows(_Q_POLICIES)
        ]
        ctx._policy_cache = cached  # type: ignore[attr-defined]
    return cached


# A call splinter wants wrapped in a scalar sub-select: auth.uid() / jwt() /
# role() / email(), or current_setting(...).
_INITPLAN_CALL = re.compile(r"\bauth\.(?:uid|jwt|role|email)\(\)|\bcurrent_setting\(", re.I)
_ENDS_WITH_SELECT = re.compile(r"\bselect\s*$", re.I)


def _unwrapped_calls(expr: str | None) -> list[str]:
    """Calls in ``expr`` not written as ``(select <call>)``.

    splinter passes an expression as soon as one call of a function is
    wrapped; this checks every occurrence (stricter)."""
    if not expr:
        return []
    return [m.group(0) for m in _INITPLAN_CALL.finditer(expr)
            if not _ENDS_WITH_SELECT.search(expr[: m.start()])]


@_lint("0003", "auth_rls_initplan", "WARN", "PERFORMANCE",
       "RLS policy calls auth.<function>() or current_setting() per row instead of (select ...) once.")
def _auth_rls_initplan(ctx: _Ctx):
    for p in _policies(ctx):
        if not p.rls_enabled:
            continue
        calls = _unwrapped_calls(p.qual) + _unwrapped_calls(p.with_check)
        if calls:
            shown = ", ".join(sorted(set(c if c.endswith(")") else c + "...)" for c in calls)))
            yield p.object, f"re-evaluates {shown} for each row; wrap it as (select ...)"


_USER_METADATA = (
    re.compile(r"auth\.jwt\(\).*user_metadata", re.S),
    re.compile(r"current_setting\(.*request\.jwt\.claims.*\).*user_metadata", re.S),
)


@_lint("0015", "rls_references_user_metadata", "ERROR", "SECURITY",
       "RLS policy reads user_metadata from the JWT (editable by the end user).")
def _rls_references_user_metadata(ctx: _Ctx):
    for p in _policies(ctx):
        texts = [t for t in (p.qual, p.with_check) if t]
        if any(rx.search(t) for t in texts for rx in _USER_METADATA):
            yield p.object, "policy trusts JWT user_metadata, which users can set themselves"


def _api_role_names(ctx: _Ctx) -> list[str]:
    """Roles multiple_permissive_policies reports on: not pg_*, not
    supabase*admin, not BYPASSRLS."""
    rows = ctx.rows(
        "select rolname::text from pg_roles where rolname !~ '^pg_' "
        "and rolname !~ '^supabase.*admin$' and not rolbypassrls order by 1"
    )
    return [r for (r,) in rows]


@_lint("0006", "multiple_permissive_policies", "WARN", "PERFORMANCE",
       "More than one permissive policy for the same table, role and action.")
def _multiple_permissive_policies(ctx: _Ctx):
    roles = _api_role_names(ctx)
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for p in _policies(ctx):
        if not p.permissive:
            continue
        applies_to = roles if "public" in p.roles else [r for r in p.roles if r in roles]
        actions = ("SELECT", "INSERT", "UPDATE", "DELETE") if p.command == "ALL" else (p.command,)
        for role in applies_to:
            for action in actions:
                groups.setdefault((p.schema, p.table, role, action), []).append(p.name)
    for (schema, table, role, action), names in sorted(groups.items()):
        if len(names) > 1:
            yield (f"{schema}.{table} ({role}, {action})",
                   f"permissive policies {', '.join(sorted(names))} all apply to {role} for {action}")


def _normalise(expr: str | None) -> str:
    return re.sub(r"\s+", "", (expr or "").lower())


_ALWAYS_TRUE = {"true", "(true)", "1=1", "(1=1)"}


@_lint("0024", "rls_policy_always_true", "WARN", "SECURITY",
       "Permissive policy for anon/authenticated/public whose USING (UPDATE/DELETE/ALL) "
       "or WITH CHECK is always true.")
def _rls_policy_always_true(ctx: _Ctx):
    # splinter (0024, formerly permissive_rls_policy) ignores SELECT USING
    # (true): public read access is a common deliberate pattern.  It does not
    # look at restrictive policies on the same table.
    for p in _policies(ctx):
        if not (p.rls_enabled and p.permissive and p.for_api_roles):
            continue
        qual, check = _normalise(p.qual), _normalise(p.with_check)
        using_true = p.command in ("UPDATE", "DELETE", "ALL") and (
            qual in _ALWAYS_TRUE or p.qual is None)
        check_true = (
            check in _ALWAYS_TRUE
            or (p.with_check is None and p.command == "INSERT")
            or (p.with_check is None and p.command in ("UPDATE", "ALL") and qual in _ALWAYS_TRUE)
        )
        if using_true or check_true:
            which = ("USING and WITH CHECK" if using_true and check_true
                     else "USING" if using_true else "WITH CHECK")
            yield (p.object,
                   f"{p.command} policy for {', '.join(p.roles)}: {which} is always true")


# `auth.uid() IS NULL`, `(SELECT auth.uid() AS uid) IS NULL`,
# `current_setting('x', true) IS NULL` and the NOT (... IS NOT NULL) forms.
_NULLABLE_AUTH = (
    r"(?:\(\s*select\s+)?"
    r"(?:auth\.(?:uid|jwt|role)\(\)|current_setting\([^()]*,\s*true\))"
    r"(?:\s+as\s+\w+\s*\))?"
)
_NULL_CHECK = re.compile(
    rf"^(?:{_NULLABLE_AUTH}\s+is\s+null|not\s*\(\s*{_NULLABLE_AUTH}\s+is\s+not\s+null\s*\))$",
    re.I,
)


def _strip_outer_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced_prefix_end(text) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _balanced_prefix_end(text: str) -> int:
    """Index of the parenthesis closing the one at text[0] (quotes respected)."""
    depth, quote = 0, False
    for i, ch in enumerate(text):
        if ch == "'":
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _top_level_disjuncts(expr: str) -> list[str]:
    text = _strip_outer_parens(expr)
    parts, depth, quote, start = [], 0, False, 0
    lowered = text.lower()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
        elif not quote and depth == 0 and lowered.startswith(" or ", i):
            parts.append(text[start:i])
            start = i + 4
            i += 4
            continue
        i += 1
    parts.append(text[start:])
    return [_strip_outer_parens(p) for p in parts]


@_lint("0030", "rls_policy_null_auth_disjunct", "WARN", "SECURITY",
       "Permissive read policy with a top-level OR branch that is true when auth.uid()/jwt()/role() is NULL.")
def _rls_policy_null_auth_disjunct(ctx: _Ctx):
    for p in _policies(ctx):
        if not (p.rls_enabled and p.permissive and p.for_api_roles and p.qual):
            continue
        if p.command not in ("SELECT", "ALL"):
            continue
        disjuncts = _top_level_disjuncts(p.qual)
        if len(disjuncts) > 1 and any(_NULL_CHECK.match(d) for d in disjuncts):
            yield p.object, "USING is true for every row whenever the auth value is NULL"


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------

#: Every implemented lint, in splinter order.
LINTS: tuple[LintInfo, ...] = tuple(
    sorted((info for info, _ in _REGISTRY), key=lambda i: (i.code, i.name))
)


def run_lints(
    conn: psycopg.Connection,
    schemas: Sequence[str] = ("public",),
    *,
    pg_graphql: bool | None = None,
    only: Iterable[str] | None = None,
) -> list[Finding]:
    """Run the implemented advisor lints; return the findings, sorted.

    ``schemas``: the API-exposed schemas (see the module doc).
    ``pg_graphql``: whether to run 0026/0027 as if pg_graphql were installed;
    ``None`` (default) checks pg_extension, as splinter does.
    ``only``: lint names to run (default: all).

    Runs inside a transaction or savepoint that is rolled back, with
    ``search_path = ''``; the connection must not be in a failed transaction.
    """
    wanted = set(only) if only is not None else None
    if wanted is not None:
        unknown = wanted - {i.name for i in LINTS}
        if unknown:
            raise ValueError(f"unknown lint(s): {sorted(unknown)}")
    findings: list[Finding] = []
    with conn.transaction(force_rollback=True):
        cur = conn.cursor()
        cur.execute("set local search_path = ''")
        api_roles = [r for (r,) in cur.execute(
            "select rolname::text from pg_catalog.pg_roles"
            " where rolname in ('anon', 'authenticated') order by 1").fetchall()]
        if pg_graphql is None:
            pg_graphql = cur.execute(
                "select exists (select from pg_catalog.pg_extension where extname = 'pg_graphql')"
            ).fetchone()[0]
        ctx = _Ctx(cur, list(schemas), api_roles, bool(pg_graphql))
        for info, fn in _REGISTRY:
            if wanted is not None and info.name not in wanted:
                continue
            for obj, detail in fn(ctx) or ():
                findings.append(Finding(info.name, info.level, obj, detail, info.code, info.category))
    return sorted(findings, key=lambda f: (LEVELS.index(f.level), f.code, f.name, f.object))
