"""Views and materialized views. A materialized view bypasses row level security, so it lives
in the private schema and users see it only through a tenant-filtered view."""
from __future__ import annotations

from .. import names
from ..expressions import SqlError, function_calls, parse_query
from ..external_tables import unknown_hint
from ..meaning.context import Context
from ..meaning.literals import literal_problems, target_type
from ..meaning.suggest import suggest
from ..meaning.view_catalog import SYSTEM_SCHEMAS, ViewCatalog
from ..model import PRIVATE, PUBLIC, Column, Function, Grant, Index, View
from ..sqltext import ident, qualified
from .access import TENANT_IDS
from .current_tenant import CURRENT_TENANT_ID, scalar
from .tables import TableDraft, enum_map, parse_index_keys


def relation_keys(ctx: Context, entry, used) -> list[tuple]:
    result = []
    for schema, name in used:
        if schema in SYSTEM_SCHEMAS:
            continue
        if schema not in (None, PUBLIC):
            # Outside the spec: readable only when the target provides it or the project
            # declares it, so the build proves it exists (and which columns it has).
            if f"{schema}.{name}" not in ctx.project.external_tables:
                ctx.error("E401", f"view '{entry.name}' reads unknown table '{schema}.{name}'", entry, "query",
                          hint=unknown_hint(f"{schema}.{name}", sorted(ctx.project.external_tables)))
            continue
        if name in ctx.spec.tables:
            result.append(("table", PUBLIC, name))
        elif name in ctx.spec.views:
            result.append(("view", PUBLIC, name))
        else:
            ctx.error("E401", f"view '{entry.name}' reads unknown table or view '{name}'", entry, "query",
                      hint=suggest(name, list(ctx.spec.tables) + list(ctx.spec.views)))
    return result


def reads_tenant_tables(ctx: Context, catalog: ViewCatalog, name: str) -> bool:
    """Whether a view's rows come from tenant tables, directly or through the views it reads:
    a materialized view over a plain view over a tenant table holds every tenant's rows."""
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        analysed = catalog.analyse(current)
        for schema, relation in analysed.used if analysed else ():
            if schema not in (None, PUBLIC):
                continue
            if relation in ctx.spec.tables:
                if ctx.spec.tables[relation].get("tenant", ctx.project.defaults["tenant"]):
                    return True
            elif relation in ctx.spec.views:
                todo.append(relation)
    return False


def check_view_literals(ctx: Context, entry, catalog: ViewCatalog, analysed) -> None:
    """A literal compared with a table column is read as the column's type when the view is
    created: `status = 'onsale'` on an enum fails the migration, so it fails the build."""
    enums = enum_map(ctx)

    def column_type(ref):
        keys = [k for k in analysed.resolution.references.get(id(ref), ()) if k[0] == "column"]
        if len(keys) != 1 or keys[0][1] != PUBLIC:
            return None
        _, _, relation, column = keys[0]
        type_text = catalog.types_of.get(relation, {}).get(column)
        return target_type(f"compared with {relation}.{column}", type_text, enums) if type_text else None

    for problem in literal_problems(analysed.tree, column_type, enums, subqueries=True):
        ctx.error(problem.code, f"view '{entry.name}' query: {problem.message}", entry, "query", hint=problem.hint)


def lower_view(ctx: Context, entry, catalog: ViewCatalog) -> list:
    project = ctx.project
    try:
        parse_query(entry.get("query"))
    except SqlError as exc:
        ctx.error("E502", f"view '{entry.name}' query: {exc}", entry, "query")
        return []
    analysed = catalog.analyse(entry.name)
    if analysed is None:
        return []   # it reads itself through other views: E801
    query, resolution = analysed.query, analysed.resolution
    for problem in resolution.problems:
        ctx.error(problem.code, f"view '{entry.name}' query: {problem.message}", entry, "query", hint=problem.hint)
    check_view_literals(ctx, entry, catalog, analysed)
    called = {("function", PUBLIC, f) for f in function_calls(query, statement=True) if f in ctx.spec.functions}
    # Column by column: the diff rebuilds the view only when something it reads changes.
    reads = tuple(sorted(set(relation_keys(ctx, entry, analysed.used)) | called | resolution.reads))
    comment = entry.get("comment")
    api = ("anon", "authenticated") if project.supabase else ()
    select_for = (Grant("authenticated", ("SELECT",)),) if project.supabase else ()
    if not entry.get("materialized"):
        if entry.get("indexes"):
            ctx.error("E705", f"view '{entry.name}' is not materialized and cannot have indexes", entry, "indexes")
        return [View(PUBLIC, entry.name, query, comment=comment, grants=select_for, revoke_from=api, reads=reads)]
    outputs = resolution.outputs
    reads_tenant_data = reads_tenant_tables(ctx, catalog, entry.name)
    if reads_tenant_data and project.tenant_column not in outputs:
        ctx.error("E503", f"materialized view '{entry.name}' reads tenant tables but does not output "
                          f"'{project.tenant_column}', so it cannot be filtered by tenant", entry, "query",
                  hint=f"select {project.tenant_column} and group by it")
        return []
    data = View(PRIVATE, entry.name, query, materialized=True, security_invoker=False,
                comment=comment, revoke_from=api, reads=reads)
    rows_name = names.fit(f"{entry.name}_rows")
    lookup = CURRENT_TENANT_ID if scalar(ctx) else TENANT_IDS
    fenced = (f"= {PRIVATE}.{lookup}()" if scalar(ctx) else f"= ANY ({PRIVATE}.{lookup}())")
    tenant_filter = f"\nWHERE v.{ident(project.tenant_column)} {fenced}" if reads_tenant_data else ""
    rows = Function(
        PRIVATE, rows_name, f"SETOF {qualified(PRIVATE, entry.name)}", "sql",
        f"SELECT v.*\nFROM {qualified(PRIVATE, entry.name)} AS v{tenant_filter}",
        security="definer", volatility="stable", search_path="",
        comment=f"Rows of materialized view {entry.name} the current user may see.",
        execute_roles=("authenticated",) if project.supabase else ("public",),
        reads=(("view", PRIVATE, entry.name), ("function", PRIVATE, lookup)) if reads_tenant_data
        else (("view", PRIVATE, entry.name),))
    exposed = View(PUBLIC, entry.name, f"SELECT *\nFROM {qualified(PRIVATE, rows_name)}()", comment=comment,
                   grants=select_for, revoke_from=api, reads=(("function", PRIVATE, rows_name),))
    draft = TableDraft(entry, entry.name, "shared")
    draft.columns = [Column(n, "text") for n in outputs if n]
    indexes = []
    for i, spec_index in enumerate(entry.get("indexes") or ()):
        keys = parse_index_keys(ctx, draft, ("indexes", i), spec_index.get("columns") or (), spec_index.get("opclass"))
        where = ctx.expression(entry, ("indexes", i, "where"), spec_index["where"]) if spec_index.get("where") else None
        name = spec_index.get("name") or names.index_name(entry.name, [k.column for k in keys])
        indexes.append(Index(PRIVATE, entry.name, name, keys, spec_index.get("method", "btree"),
                             bool(spec_index.get("unique", False)), where, on_view=True))
    return [data, rows, exposed, *indexes]
