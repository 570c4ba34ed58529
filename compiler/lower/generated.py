"""Functions the compiler generates: updated_at, membership lookups and their index, audit
writer, soft delete."""
from __future__ import annotations

from .. import names
from ..meaning.context import Context
from ..model import PRIVATE, PUBLIC, Function, Index, IndexKey, Trigger
from ..sqltext import ident, qualified
from .access import MEMBERSHIP_IDS, TENANT_IDS, role_enum
from .current_tenant import lookup_frame, lookup_user
from .partition_moves import mark_trigger, soft_delete_start
from .tables import TableDraft, covered

UPDATED_AT = "update_updated_at_column"
REALTIME_PUBLICATION = "supabase_realtime"
AUDIT_ROW = "audit_row"
BYPASSES_RLS = "bypasses_row_security"
SOFT_DELETE_COLUMN = "deleted_at"


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
    enum = role_enum(ctx)
    frame = lookup_frame(ctx, enum)
    membership, tenant, user, execute, reads = frame.membership, frame.tenant, frame.user, frame.execute, frame.reads
    arguments = frame.arguments
    live = " AND m.deleted_at IS NULL" if membership_soft_delete else ""
    # The user read in place rather than through auth.uid(), which is re-planned in every statement
    # (lookup_user): the lookup is the fixed cost of every statement under row level security.
    current = lookup_user(ctx, None)
    role_filter = f" AND (p_role IS NULL OR m.{frame.role} = p_role)" if enum else ""
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
    """One trigger function for every audit table; its arguments say which table, which
    columns never reach audit rows and, on soft_delete tables, the column whose setting is a
    delete: the soft delete of a signed-in user's DELETE is an UPDATE of deleted_at, and is
    recorded as the DELETE it was (new_data holds the row as kept)."""
    body = f"""declare
  audit_table text := tg_argv[0];
  tenant_column text := nullif(tg_argv[1], '');
  key_columns text[] := string_to_array(tg_argv[2], ',');
  hidden text[] := coalesce(string_to_array(nullif(tg_argv[3], ''), ','), '{{}}');
  deleted_column text := nullif(tg_argv[4], '');
  operation_name text := tg_op;
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
  if tg_op = 'UPDATE' and deleted_column is not null
     and old_row ->> deleted_column is null and new_row ->> deleted_column is not null then
    operation_name := 'DELETE';
  end if;
  any_row := coalesce(new_row, old_row);
  select jsonb_object_agg(key, value) into row_key
  from jsonb_each(any_row) where key = any (key_columns);
  execute format(
    'insert into %I.%I (%I, row_key, operation, old_data, new_data, changed_by) values ($1, $2, $3, $4, $5, $6)',
    tg_table_schema, audit_table, '{ctx.project.tenant_column}')
  using (any_row ->> tenant_column)::uuid, coalesce(row_key, '{{}}'::jsonb), operation_name, old_row, new_row,
    {ctx.project.current_user_id};
  return null;
end"""
    return Function(PRIVATE, AUDIT_ROW, "trigger", "plpgsql", body, security="definer", search_path="",
                    comment="Writes one audit row per changed row, without sensitive columns.",
                    execute_roles=())


def membership_lookup_index(ctx: Context, membership: TableDraft) -> Index | None:
    """The lookups filter the membership table by the user column; the tenant-scoped unique
    (tenant, user) cannot serve that, so every statement under row level security would scan
    the table. This index leads with the user and carries the tenant column, so the lookup
    reads only the user's entries (benchmarks/membership_lookup.py). None when the spec
    already has an index that leads with both."""
    columns = (ctx.project.user_column, ctx.project.tenant_column)
    if covered(membership, columns):
        return None
    return Index(PUBLIC, membership.name, names.index_name(membership.name, columns),
                 tuple(IndexKey(c) for c in columns))


def bypasses_row_security_function() -> Function:
    """Whether the current role bypasses row level security (superuser or BYPASSRLS): the
    soft delete triggers' WHEN asks it. Invoker, so it sees the role of the DELETE (a foreign
    key's cascade runs as the table owner and deletes for good, as it must); PL/pgSQL, so it is
    never inlined into the WHEN, where a subquery is not allowed. Every role that deletes
    evaluates it, so every role may execute it; it tells a role only about itself."""
    body = ("BEGIN\n  RETURN coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles AS r\n"
            "                   WHERE r.rolname = current_user), false);\nEND")
    return Function(PRIVATE, BYPASSES_RLS, "boolean", "plpgsql", body, security="invoker", search_path="",
                    comment="True when the current role bypasses row level security (superuser or BYPASSRLS); "
                            "used by soft delete triggers.",
                    execute_roles=("public",))


def soft_delete_objects(draft: TableDraft) -> list:
    """A DELETE by a role under row level security keeps the row and sets deleted_at.

    The delete policies still decide who may delete: a BEFORE DELETE row trigger fires only
    for rows the DELETE's policies let through. Its function sets deleted_at on that row and
    returns NULL, so the row is not removed (the DELETE reports 0 rows and RETURNING returns
    nothing). It is security definer (its owner bypasses row level security), because the
    member must not need an UPDATE policy that would also let them edit or un-delete deleted
    rows; a trigger function cannot be called directly, so it cannot be used on other rows.
    Roles that bypass row level security (service_role) skip the trigger and delete for good."""
    table = draft.name
    match = "\n     AND ".join(f"t.{ident(c)} = old.{ident(c)}" for c in draft.primary_key)
    body = (f"{soft_delete_start(draft)}  UPDATE {qualified(PUBLIC, table)} AS t SET {SOFT_DELETE_COLUMN} = now()\n"
            f"   WHERE {match}\n     AND t.{SOFT_DELETE_COLUMN} IS NULL;\n  RETURN NULL;\nEND")
    name = names.fit(f"soft_delete_{table}")
    function = Function(PRIVATE, name, "trigger", "plpgsql", body, security="definer", search_path="",
                        comment=f"Soft delete of {table}: sets deleted_at instead of removing the row.",
                        execute_roles=())
    trigger = Trigger(PUBLIC, table, name, "before", ("delete",), "row", PRIVATE, name,
                      when=f"NOT {PRIVATE}.{BYPASSES_RLS}()")
    # A partitioned table's UPDATE that moves a row runs a DELETE: marked, it moves (partition_moves.py).
    return [function, trigger, *mark_trigger(draft, name, f"{PRIVATE}.{BYPASSES_RLS}()")]
