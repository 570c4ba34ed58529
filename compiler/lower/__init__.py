"""Spec to model: expands every convention into explicit, named objects and checks meaning."""
from __future__ import annotations

import networkx as nx

from .. import names
from ..diagnostics import Collector
from ..meaning.context import Context, read_project, suggest
from ..meaning.hints import RenameHints, collect_hints
from ..model import (
    PRIVATE,
    PUBLIC,
    Constraint,
    Enum,
    Extension,
    ForeignKey,
    Model,
    PublicationMember,
    SchemaObject,
    Table,
    Tenancy,
    Trigger,
)
from ..source.spec import Spec
from .access import lower_policies, role_enum
from .audit import audit_objects
from .collisions import check_names
from .functions import lower_functions
from .generated import (
    UPDATED_AT,
    audit_function,
    bypasses_row_security_function,
    membership_functions,
    membership_lookup_index,
    soft_delete_objects,
    updated_at_function,
)
from .tables import TableDraft, enum_values, lower_columns, lower_foreign_keys, lower_indexes, lower_keys
from .views import ViewCatalog, lower_view

REALTIME_PUBLICATION = "supabase_realtime"


def lower(spec: Spec) -> Model:
    return lower_with_hints(spec)[0]


def lower_with_hints(spec: Spec) -> tuple[Model, RenameHints]:
    collector = Collector()
    project = read_project(spec, collector)
    ctx = Context(spec, project, collector)
    check_tenancy(ctx)
    collector.raise_if_any()  # everything below assumes the tenancy settings resolve

    objects: list = [SchemaObject(PRIVATE, ("authenticated",) if project.supabase else ("public",))]
    objects += [Extension(name, "extensions" if project.supabase else None) for name in project.extensions]
    objects += lower_enums(ctx)
    drafts = {name: make_draft(ctx, entry) for name, entry in spec.tables.items()}
    for draft in drafts.values():
        lower_columns(ctx, draft)
    for draft in drafts.values():
        lower_keys(ctx, draft)
        lower_indexes(ctx, draft)
    membership = drafts[project.membership_table]
    lookup_index = membership_lookup_index(ctx, membership)
    if lookup_index is not None:
        # Before the foreign keys: it covers a key on the user column (auth.users), which then
        # needs no index of its own.
        membership.indexes.append(lookup_index)
    for draft in drafts.values():
        lower_foreign_keys(ctx, draft, drafts)
    deferred = break_cycles(drafts)
    for draft in drafts.values():
        check_row_identity(ctx, draft)
    user_type = membership.column(project.user_column).type
    objects.append(updated_at_function())
    objects += membership_functions(ctx, "uuid", membership.column("id").type if membership.column("id")
                                    else "uuid", membership.soft_delete)
    if any(ctx.flag(d.entry, "audit") for d in drafts.values()):
        objects.append(audit_function(ctx, user_type))
    if any(d.soft_delete for d in drafts.values()):
        objects.append(bypasses_row_security_function())
    for draft in drafts.values():
        objects += finish_table(ctx, draft, deferred.get(draft.name, ()), user_type)
    objects += [fk for fks in deferred.values() for fk in fks]
    columns_of = {name: [c.name for c in draft.columns] for name, draft in drafts.items()}
    types_of = {name: {c.name: c.type for c in draft.columns} for name, draft in drafts.items()}
    catalog = ViewCatalog(ctx, columns_of, types_of)
    objects += lower_functions(ctx, catalog)
    check_triggers_and_views(ctx)
    for entry in spec.views.values():
        objects += lower_view(ctx, entry, catalog)
    check_view_cycles(ctx, objects)
    check_names(ctx, objects)
    hints = collect_hints(ctx)
    collector.raise_if_any()
    tenancy = Tenancy(project.tenant_table, drafts[project.tenant_table].primary_key[0], project.tenant_column,
                      project.membership_table, project.user_column, project.role_column, role_enum(ctx),
                      project.current_user_id)
    model = Model(project.target, project.postgres, tuple(sorted(objects, key=lambda o: o.key)), project.name, tenancy)
    return model, hints


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
    if project.target == "citus":
        ctx.error("E408", "target citus is not supported yet; use supabase or postgres", entry, "target", value=True)


def lower_enums(ctx: Context) -> list[Enum]:
    result = []
    for name, entry in ctx.spec.enums.items():
        values = enum_values(ctx, name)
        for i, value in enumerate(values):
            if len(str(value).encode()) > 63:
                ctx.error("E601", f"enum label '{value}' is longer than 63 bytes", entry, i)
        comment = entry.data.get("comment") if isinstance(entry.data, dict) else None
        result.append(Enum(PUBLIC, name, tuple(str(v) for v in values), comment))
    return result


def make_draft(ctx: Context, entry) -> TableDraft:
    project = ctx.project
    if entry.name == project.tenant_table:
        kind = "root"
    else:
        kind = "tenant" if ctx.flag(entry, "tenant") else "shared"
    return TableDraft(entry, entry.name, kind, soft_delete=ctx.flag(entry, "soft_delete"),
                      timestamps=ctx.flag(entry, "timestamps"))


def break_cycles(drafts: dict[str, TableDraft]) -> dict[str, list[ForeignKey]]:
    """Foreign keys inside a cycle of the table graph are added after their tables, deferrable
    so that rows pointing at each other can be inserted in one transaction."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(drafts))
    for draft in drafts.values():
        for c in draft.constraints:
            # (a key to a table outside the spec, auth.users, is never part of a cycle)
            if c.kind == "foreign_key" and c.ref_schema == PUBLIC and c.ref_table != draft.name and c.ref_table in drafts:
                graph.add_edge(draft.name, c.ref_table)
    deferred: dict[str, list[ForeignKey]] = {}
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        for name in sorted(component):
            draft = drafts[name]
            keep = []
            for c in draft.constraints:
                if (c.kind == "foreign_key" and c.ref_schema == PUBLIC and c.ref_table in component
                        and c.ref_table != name):
                    deferred.setdefault(name, []).append(
                        ForeignKey(PUBLIC, name, Constraint(**{**c.__dict__, "deferrable": True})))
                else:
                    keep.append(c)
            draft.constraints = keep
    return deferred


def finish_table(ctx: Context, draft: TableDraft, deferred, user_type: str) -> list:
    project = ctx.project
    policies, grants = lower_policies(ctx, draft)
    table = Table(PUBLIC, draft.name, tuple(draft.columns), tuple(draft.constraints),
                  comment=draft.entry.get("comment"), kind=draft.kind,
                  revoke_from=("anon", "authenticated") if project.supabase else (), grants=tuple(grants))
    objects: list = [table, *policies, *draft.indexes]
    if draft.timestamps:
        objects.append(Trigger(PUBLIC, draft.name, names.updated_at_trigger_name(draft.name), "before", ("update",),
                               "row", PUBLIC, UPDATED_AT))
    if ctx.flag(draft.entry, "audit"):
        objects += audit_objects(ctx, draft, user_type)
    if draft.soft_delete and draft.primary_key:
        objects += soft_delete_objects(draft)
    for name, spec in (draft.entry.get("triggers") or {}).items():
        when = (ctx.expression(draft.entry, ("triggers", name, "when"), spec["when"], subqueries=False)
                if spec.get("when") else None)
        objects.append(Trigger(PUBLIC, draft.name, name, spec.get("timing"), tuple(spec.get("events") or ()),
                               spec.get("for_each", "row"), PUBLIC, spec.get("function"), (), when))
    if ctx.flag(draft.entry, "realtime") and project.supabase:
        objects.append(PublicationMember(REALTIME_PUBLICATION, PUBLIC, draft.name))
    return objects


ROW_IDENTITY_NEEDS = {
    "audit": "audit rows record the changed row by its primary key",
    "soft_delete": "a signed-in user's DELETE marks the row deleted by its primary key",
    "realtime": "the supabase_realtime publication needs it as replica identity to publish updates and deletes",
}


def check_row_identity(ctx: Context, draft: TableDraft) -> None:
    """audit, soft_delete and realtime find a row by its primary key; without one PostgreSQL
    refuses every UPDATE of a published table and audit rows could not say which row changed."""
    if draft.primary_key:
        return
    for flag, why in ROW_IDENTITY_NEEDS.items():
        if not ctx.flag(draft.entry, flag) or (flag == "realtime" and not ctx.project.supabase):
            continue
        written = draft.entry.get(flag) is not None
        origin = "" if written else f" (project.defaults.{flag})"
        ctx.error("E706", f"table '{draft.name}' has {flag}{origin} but no primary key: {why}", draft.entry,
                  *((flag,) if written else ()),
                  hint="add a primary key column, e.g. id: {type: uuid, primary_key: true, "
                       "default_sql: gen_random_uuid()}" + ("" if written else f", or set {flag}: false on the table"))


def check_triggers_and_views(ctx: Context) -> None:
    for table in ctx.spec.tables.values():
        for name, spec in (table.get("triggers") or {}).items():
            function = spec.get("function")
            target = ctx.spec.functions.get(function)
            if target is None:
                ctx.error("E405", f"trigger '{name}' calls unknown function '{function}'", table,
                          "triggers", name, "function", value=True, hint=suggest(function, ctx.spec.functions))
            elif str(target.get("returns", "")).strip().lower() != "trigger":
                ctx.error("E405", f"trigger '{name}' calls '{function}', which returns {target.get('returns')}, "
                                  "not trigger", table, "triggers", name, "function", value=True)


def check_view_cycles(ctx: Context, objects) -> None:
    graph = nx.DiGraph()
    for view in (o for o in objects if o.family == "view"):
        for dep in view.reads:
            if dep[0] == "view":
                graph.add_edge(view.key, dep)
    cycles = [_rotate_to_smallest(c) for c in nx.simple_cycles(graph)]
    if cycles:
        cycle = min(cycles)  # the same cycle and wording whatever the hash seed
        entry = ctx.spec.views.get(cycle[0][2])
        if entry is not None:
            chain = " -> ".join(k[2] for k in cycle + [cycle[0]])
            ctx.error("E801", f"views read each other in a cycle: {chain}", entry, "query")


def _rotate_to_smallest(cycle: list) -> list:
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]
