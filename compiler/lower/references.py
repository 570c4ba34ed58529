"""What a column's `references` points at: a table of the spec, or a schema-qualified table
outside it (Supabase's auth.users, or one of project.external_tables). Every problem is
reported at the reference with a hint that, when followed, builds."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..expressions import SqlError, parse_type
from ..external_tables import PROVIDED, declaration_example, unknown_hint
from ..meaning.context import Context
from ..meaning.suggest import suggest
from ..model import PUBLIC

if TYPE_CHECKING:
    from .tables import TableDraft


@dataclass(frozen=True)
class Target:
    schema: str
    table: str
    column: str
    type: str
    tenant: bool        # a tenant table of the spec: the key is tenant-safe (composite)

    @property
    def label(self) -> str:
        return self.table if self.schema == PUBLIC else f"{self.schema}.{self.table}"


def reference_of(ref) -> tuple[str, str | None, str, str] | None:
    """(table, column, on_delete, on_update) of a column's `references`, in either spelling."""
    if isinstance(ref, str):
        return ref, None, "no_action", "no_action"
    if isinstance(ref, dict):
        return ref.get("table"), ref.get("column"), ref.get("on_delete", "no_action"), ref.get("on_update", "no_action")
    return None


def resolve(ctx: Context, draft: TableDraft, drafts: dict, column: str, table: str, target_column: str | None,
            tenant_column: str) -> Target | None:
    """The referenced table and column, or None once the problem is reported."""
    if isinstance(table, str) and "." in table:
        return _external(ctx, draft, drafts, column, table, target_column)
    return _internal(ctx, draft, drafts, column, table, target_column, tenant_column)


def _at(ctx: Context, draft: TableDraft, code: str, message: str, column: str, hint: str | None = None):
    ctx.error(code, message, draft.entry, "columns", column, "references", value=True, hint=hint)


def _internal(ctx, draft, drafts, column, table, target_column, tenant_column) -> Target | None:
    target = drafts.get(table)
    if target is None:
        _at(ctx, draft, "E401", f"column '{column}' references unknown table '{table}'", column,
            _table_hint(ctx, drafts, table))
        return None
    if target.partition is not None:
        key = target.partition.column
        _at(ctx, draft, "E411", f"'{table}' is partitioned by {key}: a foreign key must reference a unique key of "
                                f"it that includes {key}, which column '{column}' cannot hold", column,
            f"drop the reference, or keep '{table}' unpartitioned")
        return None
    target_column = target_column or _primary_key(ctx, draft, column, f"table '{table}'", target.primary_key)
    if target_column is None:
        return None
    found = target.column(target_column)
    if found is None:
        _at(ctx, draft, "E402", f"table '{table}' has no column '{target_column}'", column,
            suggest(target_column, [c.name for c in target.columns]))
        return None
    tenant_safe = draft.tenant and target.tenant
    remote = (tenant_column, target_column) if tenant_safe else (target_column,)
    if remote not in target.unique_sets:
        _at(ctx, draft, "E403", f"'{table}.{target_column}' is not a primary key or unique"
                                + (" within the tenant" if tenant_safe else ""), column,
            f"add unique: true to {table}.{target_column}")
        return None
    return Target(PUBLIC, table, target_column, found.type, target.tenant)


def _primary_key(ctx, draft, column, what: str, primary_key) -> str | None:
    """The column a reference without one points at: the single-column primary key."""
    if len(primary_key) != 1:
        _at(ctx, draft, "E403", f"{what} has no single-column primary key to reference; name the column", column)
        return None
    return primary_key[0]


def _table_hint(ctx: Context, drafts: dict, table) -> str | None:
    """A spec table of a close name, or the external table of that bare name (`users` for
    `auth.users`)."""
    external = sorted(q for q in ctx.project.external_tables if q.split(".", 1)[1] == table)
    if external:
        return f"did you mean {external[0]}?"
    return suggest(str(table), drafts)


def _external(ctx, draft, drafts, column, qualified, target_column) -> Target | None:
    known = ctx.project.external_tables
    table = known.get(qualified)
    if table is None:
        own = draft.column(column)
        _at(ctx, draft, "E401", f"column '{column}' references unknown table '{qualified}'", column,
            _unknown_external_hint(ctx, drafts, qualified, target_column or "id", own.type if own else "uuid"))
        return None
    target_column = target_column or _primary_key(ctx, draft, column, f"external table '{qualified}'",
                                                  table.primary_key)
    if target_column is None:
        return None
    type_text = table.column_type(target_column)
    declared = [c for c, _ in table.columns]
    if type_text is None:
        close = suggest(target_column, declared)
        how = (f"{qualified} is provided by target {table.provided_by} with the columns {', '.join(declared)}; "
               f"declare it under project.external_tables to reference other columns"
               if table.provided_by != "declared"
               else f"add it to project.external_tables.{qualified}.columns")
        _at(ctx, draft, "E402", f"external table '{qualified}' has no column '{target_column}'", column,
            close or how)
        return None
    if not table.is_key(target_column):
        keys = [k[0] for k in (table.primary_key, *table.unique) if len(k) == 1]
        hint = (f"reference {' or '.join(f'{qualified}.{k}' for k in keys)}" if keys
                else "a foreign key needs a primary key or unique constraint of the referenced table")
        if table.provided_by == "declared":
            hint += f"; or, if the table has a unique constraint on {target_column}, list it in " \
                    f"project.external_tables.{qualified}.unique"
        _at(ctx, draft, "E403", f"'{qualified}.{target_column}' is not a primary key or unique", column, hint)
        return None
    return Target(table.schema, table.name, target_column, type_text, False)


def _unknown_external_hint(ctx: Context, drafts: dict, qualified: str, column: str, type_text: str) -> str:
    schema, _, name = qualified.partition(".")
    if schema in drafts and drafts[schema].column(name) is not None:
        return f"to reference column {name} of table {schema}, write {{table: {schema}, column: {name}}}"
    elsewhere = [(target, t) for target, tables in sorted(PROVIDED.items()) if target != ctx.project.target
                 for t in tables if t.qualified == qualified]
    if elsewhere:
        # The declaration that target would give, so that following the hint builds.
        target, table = elsewhere[0]
        type_text = table.column_type(column) or type_text
        return (f"{qualified} is provided by target {target} only (this project's target is "
                f"{ctx.project.target}); declare it under {declaration_example(qualified, column, type_text)}")
    return unknown_hint(qualified, sorted(ctx.project.external_tables), column, type_text)


_SUFFIX = re.compile(r"[(\[].*$")


def same_type(a: str, b: str) -> bool:
    """Two rendered column types are one type, however spelled (integer and int4,
    varchar(255) and character varying(255), lead_status and public.lead_status)."""
    if a == b:
        return True
    try:
        pa, pb = parse_type(a), parse_type(b)
    except SqlError:
        return False

    def canonical(p):
        suffix = _SUFFIX.search(p.text)
        schema = p.names[0] if len(p.names) == 2 and p.names[0] not in ("pg_catalog", PUBLIC) else ""
        return schema, p.base, p.is_array, suffix[0] if suffix else ""
    return canonical(pa) == canonical(pb)
