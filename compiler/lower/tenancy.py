"""The tenancy settings checked against the spec (E408), and the kind each table gets from them:
the tenant root, a tenant table, or a table shared by every tenant."""
from __future__ import annotations

from ..meaning.context import Context
from ..meaning.suggest import suggest
from .current_tenant import check_current_tenant
from .tables import TableDraft


def check_tenancy(ctx: Context) -> None:
    project, spec = ctx.project, ctx.spec
    entry = spec.project
    tables = spec.tables
    for key, name in (("table", project.tenant_table), ("membership", project.membership_table)):
        if name not in tables:
            keys = ("tenancy", key) if key == "table" else ("tenancy", "membership", "table")
            ctx.error("E408", f"tenancy {key} '{name}' is not a table of the spec", entry, *keys,
                      hint=suggest(name, tables), value=True)
    if project.tenant_table in tables:
        root = tables[project.tenant_table]
        pk = [n for n, c in (root.get("columns") or {}).items() if (c or {}).get("primary_key")]
        if len(pk) != 1 or ((root.get("columns") or {})[pk[0]] or {}).get("type") != "uuid":
            ctx.error("E408", f"tenant table '{project.tenant_table}' needs a single uuid primary key",
                      root, "columns")
    if project.membership_table in tables:
        membership = tables[project.membership_table]
        columns = membership.get("columns") or {}
        if membership.get("tenant") is False or project.membership_table == project.tenant_table:
            ctx.error("E408", f"membership table '{project.membership_table}' must be a tenant table", membership,
                      *(("tenant",) if membership.get("tenant") is False else ()))
        if "id" not in columns or not (columns["id"] or {}).get("primary_key"):
            ctx.error("E408", f"membership table '{project.membership_table}' needs an 'id' primary key",
                      membership, "columns")
        for key, column in (("user_column", project.user_column), ("role_column", project.role_column)):
            if column is not None and column not in columns:
                ctx.error("E408", f"tenancy.membership.{key} '{column}' is not a column of "
                                  f"'{project.membership_table}'", entry, "tenancy", "membership", key,
                          hint=suggest(column, columns), value=True)
        if project.role_column in columns:
            role_type = (columns[project.role_column] or {}).get("type")
            if role_type not in spec.enums:
                ctx.error("E408", f"role_column '{project.role_column}' must have a spec enum type, not {role_type}",
                          membership, "columns", project.role_column, "type")
    check_current_tenant(ctx)


def make_draft(ctx: Context, entry) -> TableDraft:
    project = ctx.project
    if entry.name == project.tenant_table:
        kind = "root"
    else:
        kind = "tenant" if ctx.flag(entry, "tenant") else "shared"
    return TableDraft(entry, entry.name, kind, soft_delete=ctx.flag(entry, "soft_delete"),
                      timestamps=ctx.flag(entry, "timestamps"))
