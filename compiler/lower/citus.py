"""target citus: the rules Citus enforces, checked when the spec is compiled (E413), the keys
made to fit them, and the Distribution objects that distribute every table.

The rules are Citus's own (commands/table.c, foreign_constraint.c, policy.c; v11.0 to v14.0):
a primary key or unique includes the distribution column; a foreign key between distributed
tables holds the distribution column at the same place on both sides (the tables are colocated:
every tenant table with the tenant root); a reference table references only reference tables;
no table references a plain local one; a foreign key whose columns include the distribution
column has no ON DELETE SET NULL / SET DEFAULT and no ON UPDATE SET NULL / SET DEFAULT /
CASCADE; no policy holds a subquery. The tenant root is distributed by its key, tenant tables
by the tenant column, shared tables are reference tables (a copy on every node).
"""
from __future__ import annotations

from dataclasses import replace

from ..meaning.context import Context
from ..model import PUBLIC, Distribution, Table
from .current_tenant import call_form
from .policy_sql import has_subquery, target_list
from .references import reference_of
from .tables import TableDraft, tenant_scoped

HASHED = ("root", "tenant")   # table kinds distributed by a column; "shared" is a reference table
SET_ACTIONS = ("set_null", "set_default")


def distribution_column(ctx: Context, draft: TableDraft) -> str | None:
    if draft.kind == "root":
        return draft.primary_key[0] if draft.primary_key else None
    return ctx.project.tenant_column if draft.kind == "tenant" else None


def fit_keys(ctx: Context, draft: TableDraft) -> None:
    """A tenant table's primary key leads with the tenant column, (organization_id, id): Citus
    needs the distribution column in it. The tenant-safe unique of the same columns, which
    foreign keys between tenant tables point at, is that key now and is not made twice."""
    if not (call_form(ctx) and draft.tenant and draft.primary_key):
        return
    fitted = tenant_scoped(draft, ctx, draft.primary_key)
    kept = []
    for c in draft.constraints:
        if c.kind == "primary_key":
            kept.append(replace(c, columns=fitted))
        elif not (c.kind == "unique" and c.columns == fitted):
            kept.append(c)
    draft.constraints = kept
    draft.unique_sets.add(fitted)


def check_citus(ctx: Context, drafts: dict[str, TableDraft]) -> None:
    """E413 at the spec's line for everything Citus would refuse."""
    if not call_form(ctx):
        return
    project = ctx.project
    if has_subquery(target_list(project.current_user_id)):
        ctx.error("E413", "tenancy.current_user_id holds a subquery, and every generated policy calls it: Citus "
                          "refuses subqueries in policies of distributed tables", ctx.spec.project,
                  "tenancy", "current_user_id", value=True,
                  hint="read the user from a setting or a function: nullif(current_setting('app.user_id', true), "
                       "'')::uuid")
    for draft in drafts.values():
        if draft.kind == "root":
            _check_root_uniques(ctx, draft)
        for name, col in (draft.entry.get("columns") or {}).items():
            ref = reference_of((col or {}).get("references"))
            if ref is not None:
                _check_reference(ctx, draft, drafts, name, ref)


def _check_root_uniques(ctx: Context, draft: TableDraft) -> None:
    """The root is distributed by its key: a unique of other columns would hold only per shard."""
    key = distribution_column(ctx, draft)
    if key is None:
        return
    why = (f"Citus refuses a unique that does not include the distribution column: '{draft.name}' (the tenant "
           f"root) is distributed by {key}, so a unique across tenants cannot be enforced")
    hint = "drop it, or make it an index; a value unique per tenant belongs in a tenant table"
    for name, col in (draft.entry.get("columns") or {}).items():
        if (col or {}).get("unique") and name != key:
            ctx.error("E413", f"columns.{name}.unique: {why}", draft.entry, "columns", name, "unique", hint=hint)
    for i, cols in enumerate(draft.entry.get("unique") or ()):
        if key not in cols:
            ctx.error("E413", f"unique [{', '.join(cols)}]: {why}", draft.entry, "unique", i, hint=hint)
    for i, index in enumerate(draft.entry.get("indexes") or ()):
        named = [str(c).split()[0] for c in (index.get("columns") or ())]
        if index.get("unique") and key not in named:
            ctx.error("E413", f"unique index [{', '.join(named)}]: {why}", draft.entry, "indexes", i, "unique", hint=hint)


def _check_reference(ctx: Context, draft: TableDraft, drafts: dict, name: str, ref: tuple) -> None:
    table, column, on_delete, on_update = ref
    keys = ("columns", name, "references")
    entry = draft.entry
    if isinstance(table, str) and "." in table:
        ctx.error("E413", f"column '{name}' references {table}, a table outside the spec: Citus refuses a foreign "
                          "key from a distributed or reference table to a plain local table", entry, *keys,
                  value=True, hint="drop the reference (keep the column), or declare the table in the spec")
        return
    target = drafts.get(table)
    if target is None:   # E401, reported by the foreign keys
        return
    if draft.kind == "shared" and target.kind in HASHED:
        ctx.error("E413", f"column '{name}' of shared table '{draft.name}' references '{table}': a shared table "
                          f"is a Citus reference table, and Citus refuses a foreign key from a reference table "
                          f"to a distributed one", entry, *keys, value=True,
                  hint=f"make '{draft.name}' a tenant table, or drop the reference")
        return
    if draft.kind not in HASHED:
        return
    own_key = distribution_column(ctx, draft)
    tenant_safe = draft.tenant and target.tenant
    local = (ctx.project.tenant_column, name) if tenant_safe else (name,)
    if target.kind in HASHED:
        target_key = distribution_column(ctx, target)
        remote = (ctx.project.tenant_column, column or "") if tenant_safe else (column or _single(target),)
        if own_key not in local or target_key not in remote or local.index(own_key) != remote.index(target_key):
            ctx.error("E413", f"column '{name}' references '{table}' by a key without the distribution column at the "
                              f"same place on both sides ('{draft.name}' is distributed by {own_key}, '{table}' by "
                              f"{target_key}): Citus refuses a foreign key between distributed tables otherwise",
                      entry, *keys, value=True,
                      hint=(f"a row of '{draft.name}' belongs to its tenant through {own_key} already, and a "
                            "reference to another tenant cannot be enforced across shards: drop the reference "
                            "(keep the column)") if target.kind == "root" else
                           "reference tenant tables from tenant tables only (the key then leads with "
                           f"{ctx.project.tenant_column} on both sides), or drop the reference")
            return
    if own_key not in local:
        return
    place = keys + (("on_delete",) if isinstance((entry.get("columns") or {})[name].get("references"), dict) else ())
    if on_delete in SET_ACTIONS:
        ctx.error("E413", f"on_delete {on_delete} on a key that includes the distribution column {own_key} "
                          f"({', '.join(local)}): Citus refuses ON DELETE SET NULL and SET DEFAULT on such a key "
                          f"(it checks the action, not the column list that would spare {own_key})", entry, *place, value=True,
                  hint="use restrict, no_action or cascade, and clear the column in the application")
    if on_update not in ("restrict", "no_action") and not tenant_safe:   # tenant-safe keys: E705 already
        ctx.error("E413", f"on_update {on_update} on a key that includes the distribution column {own_key}: Citus "
                          "refuses SET NULL, SET DEFAULT and CASCADE there", entry, *keys, value=True,
                  hint="use restrict or no_action")


def _single(draft: TableDraft) -> str:
    return draft.primary_key[0] if len(draft.primary_key) == 1 else ""


def check_policy_subqueries(ctx: Context, draft: TableDraft, keys: tuple, node) -> None:
    """A raw policy holding a subquery: Citus refuses it on a distributed or reference table."""
    if call_form(ctx) and has_subquery(node):
        ctx.error("E413", f"{'.'.join(map(str, keys))}: Citus refuses subqueries in policies of distributed "
                          f"tables ('{draft.name}' is distributed under target citus)", draft.entry, *keys,
                  hint="call a stable function instead: `organization_id = ANY "
                       "(atlas_private.user_tenant_ids())`, or move the lookup into a security definer function")



def distributions(ctx: Context, objects: list) -> list:
    """`objects` with each table's Distribution added, in the order Citus accepts (reference
    tables, the root, then tenant tables after the tables they reference), and each owned
    audit trail's key fitted: it is distributed by its tenant column beside its table."""
    if not call_form(ctx):
        return objects
    project = ctx.project
    result, added = [], []
    for obj in objects:
        if isinstance(obj, Table) and obj.schema == PUBLIC:
            obj = _fit_audit_key(ctx, obj)
            added.append(_distribution(project, obj))
        result.append(obj)
    references = tuple(sorted(d.key for d in added if d.method == "reference"))
    # The root after every reference table, every tenant table after the root (colocate_with).
    added = [replace(d, after=tuple(sorted(set(d.after) | set(references)))) if d.table == project.tenant_table
             else d for d in added]
    return result + added


def _fit_audit_key(ctx: Context, table: Table) -> Table:
    tenant = ctx.project.tenant_column
    column = next((c for c in table.columns if c.name == tenant), None)
    if table.kind != "audit" or column is None or column.nullable:
        return table
    constraints = tuple(replace(c, columns=(tenant,) + tuple(x for x in c.columns if x != tenant))
                        if c.kind == "primary_key" else c for c in table.constraints)
    return replace(table, constraints=constraints)


def _distribution(project, table: Table) -> Distribution:
    after = tuple(sorted({("distribution", c.ref_schema, c.ref_table) for c in table.constraints
                          if c.kind == "foreign_key" and c.ref_schema == PUBLIC and c.ref_table != table.name}))
    if table.kind == "root":
        key = next(c.columns[0] for c in table.constraints if c.kind == "primary_key")
        return Distribution(PUBLIC, table.name, "hash", key, None, after)
    tenant = next((c for c in table.columns if c.name == project.tenant_column), None)
    if table.kind in ("tenant", "audit") and tenant is not None and not tenant.nullable:
        return Distribution(PUBLIC, table.name, "hash", project.tenant_column, project.tenant_table, after)
    return Distribution(PUBLIC, table.name, "reference", None, None, after)
