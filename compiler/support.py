"""Functions the compiler generates: updated_at, membership lookups, audit writer."""
from __future__ import annotations

from .context import Context
from .lower_access import MEMBERSHIP_IDS, TENANT_IDS, role_enum
from .model import PRIVATE, PUBLIC, Argument, Function
from .sqltext import ident, qualified

UPDATED_AT = "update_updated_at_column"
AUDIT_ROW = "audit_row"


def updated_at_function() -> Function:
    return Function(
        PUBLIC, UPDATED_AT, "trigger", "plpgsql",
        "begin\n  new.updated_at = now();\n  return new;\nend",
        search_path="",
        comment="Sets updated_at on every update (atlas-compile).",
    )


def membership_functions(ctx: Context, tenant_type: str, membership_pk_type: str,
                         membership_soft_delete: bool) -> list[Function]:
    """Stable security definer lookups: policies call them instead of querying the membership
    table, so a policy on that table cannot recurse into itself. They read the signed-in user
    themselves and take no user id: callable by any signed-in user, they must never answer
    for somebody else."""
    project = ctx.project
    membership = qualified(PUBLIC, project.membership_table)
    tenant, user = ident(project.tenant_column), ident(project.user_column)
    live = " AND m.deleted_at IS NULL" if membership_soft_delete else ""
    execute = ("authenticated",) if project.supabase else ("public",)
    arguments = []
    current = project.current_user_id
    role_filter = ""
    enum = role_enum(ctx)
    if enum:
        arguments.append(Argument("p_role", qualified(PUBLIC, enum), "NULL"))
        role_filter = f" AND (p_role IS NULL OR m.{ident(project.role_column)} = p_role)"
    reads = (("table", PUBLIC, project.membership_table),)
    # plpgsql, not sql: a security definer function is never inlined, and PL/pgSQL keeps its
    # query plan for the session where an SQL function would plan it on every call (once per
    # statement under row level security; benchmarks/rls_overhead.py).
    tenant_ids = Function(
        PRIVATE, TENANT_IDS, f"{tenant_type}[]", "plpgsql",
        f"BEGIN\n  RETURN (SELECT coalesce(array_agg(DISTINCT m.{tenant}), '{{}}')\n"
        f"          FROM {membership} AS m\n"
        f"          WHERE m.{user} = {current}{role_filter}{live});\nEND",
        tuple(arguments), security="definer", volatility="stable", search_path="",
        comment="Tenants the user belongs to (optionally with a role); used by row level security.",
        execute_roles=execute, reads=reads)
    membership_ids = Function(
        PRIVATE, MEMBERSHIP_IDS, f"{membership_pk_type}[]", "plpgsql",
        f"BEGIN\n  RETURN (SELECT coalesce(array_agg(m.id), '{{}}')\n"
        f"          FROM {membership} AS m\n"
        f"          WHERE m.{user} = {current}{live});\nEND",
        (), security="definer", volatility="stable", search_path="",
        comment="Membership rows of the user; what owner rules compare with.",
        execute_roles=execute, reads=reads)
    return [tenant_ids, membership_ids]


def audit_function(ctx: Context, user_type: str) -> Function:
    """One trigger function for every audit table; its arguments say which table and which
    columns never reach audit rows."""
    body = f"""declare
  audit_table text := tg_argv[0];
  tenant_column text := nullif(tg_argv[1], '');
  key_columns text[] := string_to_array(tg_argv[2], ',');
  hidden text[] := coalesce(string_to_array(nullif(tg_argv[3], ''), ','), '{{}}');
  old_row jsonb;
  new_row jsonb;
  any_row jsonb;
  row_key jsonb;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    old_row := to_jsonb(old) - hidden;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    new_row := to_jsonb(new) - hidden;
  end if;
  any_row := coalesce(new_row, old_row);
  select jsonb_object_agg(key, value) into row_key
  from jsonb_each(any_row) where key = any (key_columns);
  execute format(
    'insert into %I.%I (%I, row_key, operation, old_data, new_data, changed_by) values ($1, $2, $3, $4, $5, $6)',
    tg_table_schema, audit_table, '{ctx.project.tenant_column}')
  using (any_row ->> tenant_column)::uuid, coalesce(row_key, '{{}}'::jsonb), tg_op, old_row, new_row,
    {ctx.project.current_user_id};
  return null;
end"""
    return Function(PRIVATE, AUDIT_ROW, "trigger", "plpgsql", body, security="definer", search_path="",
                    comment="Writes one audit row per changed row, without sensitive columns.",
                    execute_roles=())
