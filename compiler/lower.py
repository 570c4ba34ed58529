"""Spec to model: expands every convention into explicit, named objects and checks meaning."""
from __future__ import annotations

import networkx as nx

from . import names
from .context import Context, read_project, suggest
from .diagnostics import Collector
from pglast.parser import ParseError

from .expressions import function_calls, statement_relations
from .hints import RenameHints, collect_hints
from .lower_access import combine, lower_policies, role_enum, rules_by_command, tenant_ids
from .lower_tables import TableDraft, enum_values, lower_columns, lower_foreign_keys, lower_indexes, lower_keys
from .lower_views import lower_view
from .model import (PRIVATE, PUBLIC, Column, Constraint, Enum, Extension, ForeignKey, Function, Grant, Index,
                    IndexKey, Model, Policy, PublicationMember, SchemaObject, Table, Tenancy, Trigger, Argument)
from .spec import Spec
from .support import AUDIT_ROW, UPDATED_AT, audit_function, membership_functions, updated_at_function

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
    for draft in drafts.values():
        lower_foreign_keys(ctx, draft, drafts)
    deferred = break_cycles(drafts)
    membership = drafts[project.membership_table]
    user_type = membership.column(project.user_column).type
    objects.append(updated_at_function())
    objects += membership_functions(ctx, "uuid", membership.column("id").type if membership.column("id")
                                    else "uuid", membership.soft_delete)
    if any(ctx.flag(d.entry, "audit") for d in drafts.values()):
        objects.append(audit_function(ctx, user_type))
    for draft in drafts.values():
        objects += finish_table(ctx, draft, deferred.get(draft.name, ()), user_type)
    objects += [fk for fks in deferred.values() for fk in fks]
    objects += lower_functions(ctx)
    check_triggers_and_views(ctx)
    for entry in spec.views.values():
        objects += lower_view(ctx, entry)
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
            if c.kind == "foreign_key" and c.ref_table != draft.name and c.ref_table in drafts:
                graph.add_edge(draft.name, c.ref_table)
    deferred: dict[str, list[ForeignKey]] = {}
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        for name in sorted(component):
            draft = drafts[name]
            keep = []
            for c in draft.constraints:
                if c.kind == "foreign_key" and c.ref_table in component and c.ref_table != name:
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
    for name, spec in (draft.entry.get("triggers") or {}).items():
        when = (ctx.expression(draft.entry, ("triggers", name, "when"), spec["when"], subqueries=False)
                if spec.get("when") else None)
        objects.append(Trigger(PUBLIC, draft.name, name, spec.get("timing"), tuple(spec.get("events") or ()),
                               spec.get("for_each", "row"), PUBLIC, spec.get("function"), (), when))
    if ctx.flag(draft.entry, "realtime") and project.supabase:
        objects.append(PublicationMember(REALTIME_PUBLICATION, PUBLIC, draft.name))
    return objects


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
    needs = (("function", PRIVATE, "user_tenant_ids"),)
    policies = []
    grants = (Grant("service_role", ("SELECT", "INSERT", "UPDATE", "DELETE")),) if project.supabase else ()
    if owned:
        fence = f"{tenant_col} = ANY ({tenant_ids(ctx)})"
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
    trigger = Trigger(PUBLIC, draft.name, names.audit_trigger_name(draft.name), "after",
                      ("insert", "update", "delete"), "row", PRIVATE, AUDIT_ROW,
                      (name, tenant_key, key_columns, hidden))
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
    expressions = [f"{tenant_col} = ANY ({tenant_ids(ctx, None if rule == 'member' else rule[5:])})"
                   for rule in kept]
    return combine(expressions)


def lower_functions(ctx: Context) -> list[Function]:
    result = []
    for name, entry in ctx.spec.functions.items():
        data = entry.data
        security = data.get("security", "invoker")
        body = data.get("body", "")
        reads = tuple(sorted(function_reads(ctx, name, data)))
        arguments = tuple(Argument(a["name"], a["type"]) for a in data.get("arguments") or ())
        result.append(Function(PUBLIC, name, data.get("returns"), data.get("language"), body.rstrip("\n"), arguments,
                               security, data.get("volatility", "volatile"),
                               function_search_path(ctx, security), data.get("comment"), reads=reads))
    return result


def function_reads(ctx: Context, name: str, data: dict) -> set:
    """What a function needs at creation: an sql body is checked by the server then, so the
    tables, views and functions it names come first; types in its signature always do."""
    reads = set()
    signature = [data.get("returns") or ""] + [a.get("type", "") for a in data.get("arguments") or ()]
    for word in " ".join(signature).replace("[]", " ").replace("(", " ").split():
        word = word.removeprefix("public.")
        if word in ctx.spec.enums:
            reads.add(("enum", PUBLIC, word))
        elif word in ctx.spec.tables:
            reads.add(("table", PUBLIC, word))
    if data.get("language") == "sql":
        body = data.get("body", "")
        for relation in statement_relations(body):
            if relation in ctx.spec.tables:
                reads.add(("table", PUBLIC, relation))
            elif relation in ctx.spec.views:
                reads.add(("view", PUBLIC, relation))
        try:
            called = function_calls(body, statement=True)
        except ParseError:  # the server reports a body it cannot parse when the migration runs
            called = frozenset()
        reads |= {("function", PUBLIC, f) for f in called if f in ctx.spec.functions and f != name}
    return reads


def function_search_path(ctx: Context, security: str) -> str:
    """Definer functions get an empty search_path (no object can be planted ahead of theirs);
    invoker functions a fixed one, so callers cannot change what their names mean."""
    if security == "definer":
        return ""
    return "public, extensions, pg_temp" if ctx.project.supabase else "public, pg_temp"


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


def check_names(ctx: Context, objects) -> None:
    """Relations (tables, views, indexes, key indexes) share one namespace per schema;
    constraints, policies and triggers are per table. No two objects may share a name.
    A collision is reported once, where the author wrote the second name."""
    seen: dict[tuple, str] = {}
    collided: set[str] = set()   # tables whose other names would only repeat the same collision

    def where(obj) -> tuple:
        table = getattr(obj, "table", None) or obj.name
        entry = ctx.spec.tables.get(table) or ctx.spec.views.get(table)
        if entry is None and obj.family == "table" and obj.kind == "audit":
            entry = ctx.spec.tables.get(obj.name)
        if entry is None:
            return ctx.spec.project, ()
        for i, index in enumerate(entry.get("indexes") or ()):
            if obj.family == "index" and index.get("name") == obj.name:
                return entry, ("indexes", i, "name")
        return entry, ()

    owners: dict[tuple, object] = {}

    def claim(space: tuple, what: str, obj) -> bool:
        if space not in seen:
            seen[space] = what
            owners[space] = obj
            return True
        entry, keys = where(obj)
        first_entry, first_keys = where(owners[space])
        if first_keys and not keys:   # point at a name the author chose over a generated one
            entry, keys = first_entry, first_keys
        ctx.error("E602", f"name '{space[-1]}' is used by {seen[space]} and by {what}", entry, *keys,
                  hint="rename one of them (generated names come from table and column names)")
        collided.add(getattr(obj, "table", None) or obj.name)
        return False

    def describe(obj) -> str:
        if obj.family == "table" and obj.kind == "audit":
            return f"the audit table generated for {obj.comment.split()[-2] if obj.comment else obj.name}"
        return f"table {obj.name}"

    for obj in objects:
        table = getattr(obj, "table", None) or getattr(obj, "name", None)
        if obj.family != "table" and table in collided:
            continue
        if obj.family == "table":
            if not claim(("relation", obj.schema, obj.name), describe(obj), obj):
                continue
            for c in obj.constraints:
                claim(("constraint", obj.schema, obj.name, c.name), f"constraint {c.name} of {obj.name}", obj)
                if c.kind in ("primary_key", "unique"):
                    claim(("relation", obj.schema, c.name), f"key {c.name} of {obj.name}", obj)
        elif obj.family == "view":
            claim(("relation", obj.schema, obj.name), f"view {obj.name}", obj)
        elif obj.family == "index":
            claim(("relation", obj.schema, obj.name), f"index {obj.name} of {obj.table}", obj)
        elif obj.family == "foreign_key":
            c = obj.constraint
            claim(("constraint", obj.schema, obj.table, c.name), f"constraint {c.name} of {obj.table}", obj)
        elif obj.family in ("policy", "trigger"):
            claim((obj.family, obj.schema, obj.table, obj.name), f"{obj.family} {obj.name} of {obj.table}", obj)
        elif obj.family in ("function", "enum"):
            claim((obj.family, obj.schema, obj.name), f"{obj.family} {obj.name}", obj)
