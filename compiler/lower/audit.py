"""Audit trails: an append-only history table per audited table, isolated like its table."""
from __future__ import annotations

from .. import names
from ..meaning.context import Context
from ..model import PRIVATE, PUBLIC, Column, Constraint, Grant, Index, IndexKey, Policy, Table, Trigger
from .access import combine, rules_by_command, tenant_condition
from .current_tenant import CURRENT_TENANT_ID, scalar
from .generated import AUDIT_ROW, SOFT_DELETE_COLUMN
from .tables import TableDraft


def audit_objects(ctx: Context, draft: TableDraft, user_type: str) -> list:
    """An append-only history table per audited table, isolated like its table."""
    project = ctx.project
    name = names.audit_table_name(draft.name)
    tenant_col = project.tenant_column
    owned = draft.kind in ("tenant", "root")
    columns = (
        Column("id", "bigint", nullable=False, identity="always", origin="audit"),
        Column(tenant_col, "uuid", nullable=not owned, origin="audit"),
        Column("row_key", "jsonb", nullable=False, origin="audit", comment="Primary key of the changed row."),
        Column("operation", "text", nullable=False, origin="audit"),
        Column("old_data", "jsonb", origin="audit"),
        Column("new_data", "jsonb", origin="audit"),
        Column("changed_by", user_type, origin="audit"),
        Column("changed_at", "timestamptz", nullable=False, default="now()", origin="audit"),
    )
    constraints = (
        Constraint(names.primary_key_name(name), "primary_key", ("id",)),
        Constraint(names.check_name(name, "operation"), "check",
                   expression="operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text])"),
    )
    roles = project.signed_in_roles
    # An audit trail (the root's too: its rows carry the tenant column) is fenced like a tenant table.
    needs = (("function", PRIVATE, CURRENT_TENANT_ID if scalar(ctx) else "user_tenant_ids"),)
    policies = []
    grants = (Grant("service_role", ("SELECT", "INSERT", "UPDATE", "DELETE")),) if project.supabase else ()
    if owned:
        fence = tenant_condition(ctx, tenant_col)
        policies = [
            Policy(PUBLIC, name, names.policy_name(name, "tenant_fence"), "all", False, roles, fence, fence, needs)]
        readers = audit_readers(ctx, draft)
        if readers is not None:
            policies.append(Policy(PUBLIC, name, names.policy_name(name, "select"), "select", True, roles, readers,
                                   None, needs))
            if project.supabase:
                grants = (Grant("authenticated", ("SELECT",)),) + grants
    table = Table(PUBLIC, name, columns, constraints, comment=f"Audit trail of {draft.name} (append-only).",
                  kind="audit", revoke_from=("anon", "authenticated") if project.supabase else (), grants=grants)
    index = Index(PUBLIC, name, names.index_name(name, (tenant_col, "changed_at")),
                  (IndexKey(tenant_col), IndexKey("changed_at", "desc")))
    key_columns = ",".join(draft.primary_key)
    hidden = ",".join(c.name for c in draft.columns if c.sensitive)
    tenant_key = {"tenant": tenant_col, "root": "id"}.get(draft.kind, "")
    # On soft_delete tables a fifth argument names the column whose setting is a delete.
    soft_delete = (SOFT_DELETE_COLUMN,) if draft.soft_delete else ()
    trigger = Trigger(PUBLIC, draft.name, names.audit_trigger_name(draft.name), "after",
                      ("insert", "update", "delete"), "row", PRIVATE, AUDIT_ROW,
                      (name, tenant_key, key_columns, hidden) + soft_delete)
    return [table, *policies, index, trigger]


def audit_readers(ctx: Context, draft: TableDraft) -> str | None:
    """Who reads an audit trail: whoever the table's select rule lets read every row of the
    tenant (member, role:<name>). Owner rules do not carry over (an audit row has no owner)
    and public never does; with nothing left, only the service role reads it."""
    rules = [rule for rule, _ in rules_by_command(ctx, draft)["select"]]
    kept = ["member" if rule == "public" else rule for rule in rules
            if rule in ("member", "public") or rule.startswith("role:")]
    if not kept:
        return None
    tenant_col = ctx.project.tenant_column
    expressions = [tenant_condition(ctx, tenant_col, None if rule == "member" else rule[5:]) for rule in kept]
    return combine(expressions)
