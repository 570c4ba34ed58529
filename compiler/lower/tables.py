"""Lowers one spec table to its table, constraints and indexes with every convention expanded."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pglast import ast, parse_sql

from .. import names
from ..expressions import SqlError, column_names_in, parse_type
from ..meaning.context import Context
from ..meaning.literals import default_problems, literal_problems, target_type
from ..meaning.suggest import suggest
from ..model import PUBLIC, Column, Constraint, Index, IndexKey
from ..source.spec import Entry
from ..sqltext import ident
from ..sqltypes import check_literal, known_type, render_literal
from .current_tenant import scalar
from .references import reference_of, resolve, same_type

ACTIONS = {"cascade", "restrict", "set_null", "set_default", "no_action"}
_INDEX_COLUMN = re.compile(r"^(?P<col>[a-z_][a-z0-9_]*)(?: (?P<order>asc|desc))?(?: nulls (?P<nulls>first|last))?$")


@dataclass
class TableDraft:
    """What lowering knows about a table before policies, triggers and audit are added."""

    entry: Entry
    name: str
    kind: str                       # tenant | root | shared
    columns: list[Column] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    unique_sets: set = field(default_factory=set)   # column tuples that are unique (as referenced)
    soft_delete: bool = False
    timestamps: bool = False
    backfills: dict = field(default_factory=dict)   # column -> backfill_sql, normalized
    partition: object = None   # model.Partitioning of a partitioned table (lower/partitions.py)

    @property
    def tenant(self) -> bool:
        return self.kind == "tenant"

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def column_type(ctx: Context, entry: Entry, keys: tuple, text) -> tuple[str, str, bool] | None:
    """(rendered type, base name, is_array) of a column type, or None after an E404."""
    try:
        parsed = parse_type(text)
    except SqlError as exc:
        ctx.error("E404", f"invalid type '{text}': {exc}", entry, *keys)
        return None
    enums = ctx.spec.enums
    if not known_type(parsed, enums, ctx.project.extensions):
        options = set(enums) | {"text", "integer", "bigint", "uuid", "boolean", "timestamptz", "date", "numeric", "jsonb"}
        ctx.error("E404", f"unknown type '{text}'", entry, *keys, hint=suggest(parsed.base, options))
        return None
    if parsed.base in enums:
        rendered = f"{PUBLIC}.{ident(parsed.base)}" + ("[]" if parsed.is_array else "")
        return rendered, parsed.base, parsed.is_array
    return parsed.text, parsed.base, parsed.is_array


def enum_values(ctx: Context, name: str):
    entry = ctx.spec.enums.get(name)
    if entry is None:
        return None
    data = entry.data
    return tuple(data.get("values", ()) if isinstance(data, dict) else data or ())


def lower_columns(ctx: Context, draft: TableDraft) -> None:
    entry = draft.entry
    spec_columns = entry.get("columns") or {}
    primary = tuple(n for n, c in spec_columns.items() if (c or {}).get("primary_key"))
    draft.primary_key = primary
    built: dict[str, Column] = {}
    for name, col in spec_columns.items():
        col = col or {}
        keys = ("columns", name)
        resolved = column_type(ctx, entry, keys + ("type",), col.get("type"))
        rendered, base, is_array = resolved if resolved else ("text", "text", False)
        default = None
        if "default" in col and "default_sql" in col:
            ctx.error("E703", f"column '{name}' has both default and default_sql", entry, *keys, "default_sql",
                      hint="keep one: default for a literal, default_sql for an SQL expression")
        elif "default" in col and resolved:
            members = enum_values(ctx, base)
            problem = check_literal(col["default"], base, is_array, members)
            if problem:
                code = "E702" if members is not None and not is_array else "E701"
                hint = ("members: " + ", ".join(members)) if members is not None else None
                ctx.error(code, f"default {col['default']!r} of column '{name}' ({col.get('type')}): {problem}",
                          entry, *keys, "default", hint=hint)
            else:
                default = render_literal(col["default"], rendered, base, is_array)
        elif "default_sql" in col:
            default = ctx.expression(entry, keys + ("default_sql",), col["default_sql"], subqueries=False)
            if default is not None and resolved:
                for problem in _default_problems(default, name, rendered, _enum_key(ctx)):
                    ctx.error(problem.code, f"columns.{name}.default_sql: {problem.message}", entry, *keys,
                              "default_sql", hint=problem.hint)
        identity = col.get("identity")
        if identity and base not in ("int2", "int4", "int8", "smallint", "integer", "bigint"):
            ctx.error("E704", f"identity column '{name}' must be smallint, integer or bigint, not {col.get('type')}",
                      entry, *keys, "identity")
        if identity and default is not None:
            ctx.error("E705", f"column '{name}' cannot have both identity and a default", entry, *keys, "identity")
        if col.get("primary_key") and col.get("nullable") is True:
            ctx.error("E705", f"primary key column '{name}' cannot be nullable", entry, *keys, "nullable")
        built[name] = Column(
            name=name,
            type=rendered,
            nullable=False if col.get("primary_key") else bool(col.get("nullable", True)),
            default=default,
            identity=identity,
            comment=col.get("comment"),
            sensitive=bool(col.get("sensitive", False)),
        )
    project = ctx.project
    reserved = {project.tenant_column: "tenant"} if draft.tenant else {}
    if draft.timestamps:
        reserved.update(created_at="timestamps", updated_at="timestamps")
    if draft.soft_delete:
        reserved["deleted_at"] = "soft_delete"
    for name, why in reserved.items():
        if name in built:
            ctx.error("E705", f"column '{name}' is added by the compiler ({why}); remove it from the spec",
                      entry, "columns", name)
    ordered = [built[n] for n in primary]
    if draft.tenant:
        ordered.append(Column(project.tenant_column, "uuid", nullable=False, origin="tenant",
                              comment="Tenant that owns the row."))
    ordered += [c for n, c in built.items() if n not in primary]
    if draft.timestamps:
        ordered += [
            Column("created_at", "timestamptz", nullable=False, default="now()", origin="timestamps"),
            Column("updated_at", "timestamptz", nullable=False, default="now()", origin="timestamps"),
        ]
    if draft.soft_delete:
        ordered.append(Column("deleted_at", "timestamptz", origin="soft_delete",
                              comment="Set when the row is soft-deleted; hidden from every rule but service."))
    draft.columns = ordered


def tenant_scoped(draft: TableDraft, ctx: Context, columns) -> tuple[str, ...]:
    """Uniques and tenant-safe keys of tenant tables lead with the tenant column."""
    columns = tuple(columns)
    if draft.tenant and ctx.project.tenant_column not in columns:
        return (ctx.project.tenant_column,) + columns
    return columns


def lower_keys(ctx: Context, draft: TableDraft) -> None:
    """Primary key, tenant-safe key, uniques and checks (foreign keys come once all tables exist)."""
    entry, table = draft.entry, draft.name
    if draft.primary_key:
        draft.constraints.append(Constraint(names.primary_key_name(table), "primary_key", draft.primary_key))
        draft.unique_sets.add(draft.primary_key)
        if draft.tenant:
            safe = tenant_scoped(draft, ctx, draft.primary_key)
            draft.constraints.append(Constraint(names.unique_name(table, safe), "unique", safe))
            draft.unique_sets.add(safe)
    for name, col in (entry.get("columns") or {}).items():
        col = col or {}
        if col.get("unique"):
            cols = tenant_scoped(draft, ctx, (name,))
            draft.constraints.append(Constraint(names.unique_name(table, (name,)), "unique", cols))
            draft.unique_sets.update({cols, (name,)} if not draft.tenant else {cols})
        if col.get("check") is not None:
            expr = ctx.expression(entry, ("columns", name, "check"), col["check"], subqueries=False)
            if expr:
                check_column_refs(ctx, draft, ("columns", name, "check"), expr)
                draft.constraints.append(Constraint(names.check_name(table, name), "check", expression=expr))
        if col.get("backfill_sql") is not None:
            keys = ("columns", name, "backfill_sql")
            expr = ctx.expression(entry, keys, col["backfill_sql"], subqueries=False)
            if expr:
                check_column_refs(ctx, draft, keys, expr)
                draft.backfills[name] = expr
    for i, cols in enumerate(entry.get("unique") or ()):
        cols = tuple(cols)
        for c in cols:
            if draft.column(c) is None:
                ctx.error("E402", f"unique: table '{table}' has no column '{c}'", entry, "unique", i,
                          hint=suggest(c, [x.name for x in draft.columns]))
        scoped = tenant_scoped(draft, ctx, cols)
        draft.constraints.append(Constraint(names.unique_name(table, cols), "unique", scoped))
        draft.unique_sets.add(scoped)
    for name, text in (entry.get("checks") or {}).items():
        expr = ctx.expression(entry, ("checks", name), text, subqueries=False)
        if expr:
            check_column_refs(ctx, draft, ("checks", name), expr)
            draft.constraints.append(Constraint(names.check_name(table, name), "check", expression=expr))


def check_column_refs(ctx: Context, draft: TableDraft, keys: tuple, expr: str) -> None:
    """Checks and index predicates may only name columns of their own table, and compare
    them only with literals of the column's type."""
    known = [c.name for c in draft.columns]
    for name in _select(expr)[1]:
        if name not in known:
            ctx.error("E402", f"{'.'.join(map(str, keys))}: table '{draft.name}' has no column '{name}'",
                      draft.entry, *keys, hint=suggest(name, known))
    # A table's own name matters only to a reference it qualifies (table.column).
    table = draft.name if (draft.name,) in _select(expr)[2] else None
    columns = tuple((c.name, c.type) for c in draft.columns)
    for problem in _check_problems(expr, table, columns, _enum_key(ctx)):
        ctx.error(problem.code, f"{'.'.join(map(str, keys))}: {problem.message}", draft.entry, *keys,
                  hint=problem.hint)


# Tables of one spec repeat their checks and defaults (`length(title) > 0`, `gen_random_uuid()`):
# each text is parsed once, and its problems worked out once per column types and enums.
@lru_cache(maxsize=4096)
def _select(expr: str) -> tuple:
    """The parse tree of `SELECT expr` (read only), the column names it reads, and the
    qualifiers of its column references."""
    tree = parse_sql("SELECT " + expr)[0].stmt
    qualifiers = set()
    _qualifiers(tree, qualifiers)
    return tree, tuple(column_names_in(tree)), frozenset(qualifiers)


def _qualifiers(node, found: set) -> None:
    if isinstance(node, tuple):
        for inner in node:
            _qualifiers(inner, found)
        return
    if not isinstance(node, ast.Node):
        return
    if isinstance(node, ast.ColumnRef):
        found.add(tuple(f.sval if isinstance(f, ast.String) else None for f in node.fields[:-1]))
    for name in node.__slots__:
        value = getattr(node, name)
        if isinstance(value, (ast.Node, tuple)):
            _qualifiers(value, found)


def _enum_key(ctx: Context) -> tuple:
    return tuple(enum_map(ctx).items())


@lru_cache(maxsize=4096)
def _check_problems(expr: str, table: str | None, columns: tuple, enums: tuple) -> tuple:
    """check_literals' problems of a check or index predicate on a table with these columns."""
    enum_types, types = dict(enums), {}
    for name, type_ in columns:
        types.setdefault(name, type_)   # the first of two columns of one name, as draft.column finds it

    def column_type(ref):
        fields = [f.sval for f in ref.fields if isinstance(f, ast.String)]
        if len(fields) != len(ref.fields) or not 1 <= len(fields) <= 2 or fields[:-1] not in ([], [table]):
            return None
        column = fields[-1]
        return target_type(f"compared with column {column}", types[column], enum_types) if column in types else None

    return tuple(literal_problems(_select(expr)[0].targetList, column_type, enum_types, subqueries=False))


@lru_cache(maxsize=4096)
def _default_problems(default: str, name: str, rendered: str, enums: tuple) -> tuple:
    enum_types = dict(enums)
    node = _select(default)[0].targetList[0].val
    return tuple(default_problems(node, target_type(f"default of column {name}", rendered, enum_types), enum_types))


def enum_map(ctx: Context) -> dict[str, tuple]:
    return {name: enum_values(ctx, name) for name in ctx.spec.enums}


def check_literals(ctx: Context, draft: TableDraft, keys: tuple, node) -> None:
    """Literals compared with the table's own columns (bare or `table.column`) must be valid
    input of the column's type: the server converts them when the SQL is created."""
    enums = enum_map(ctx)

    def column_type(ref):
        fields = [f.sval for f in ref.fields if isinstance(f, ast.String)]
        if len(fields) != len(ref.fields) or not 1 <= len(fields) <= 2 or fields[:-1] not in ([], [draft.name]):
            return None
        column = draft.column(fields[-1])
        return target_type(f"compared with column {column.name}", column.type, enums) if column else None

    for problem in literal_problems(node, column_type, enums, subqueries=False):
        ctx.error(problem.code, f"{'.'.join(map(str, keys))}: {problem.message}", draft.entry, *keys,
                  hint=problem.hint)


def parse_index_keys(ctx: Context, draft: TableDraft, keys: tuple, columns, opclass) -> tuple[IndexKey, ...]:
    result = []
    known = [c.name for c in draft.columns]
    for i, text in enumerate(columns):
        match = _INDEX_COLUMN.match(text.strip()) if isinstance(text, str) else None
        if not match:
            ctx.error("E201", f"index column '{text}' must be 'name [asc|desc] [nulls first|last]'",
                      draft.entry, *keys, "columns", i)
            continue
        col = match["col"]
        if col not in known:
            ctx.error("E402", f"index: table '{draft.name}' has no column '{col}'", draft.entry, *keys, "columns", i,
                      hint=suggest(col, known))
        result.append(IndexKey(col, match["order"], match["nulls"], opclass))
    return tuple(result)


def lower_indexes(ctx: Context, draft: TableDraft) -> None:
    entry, table = draft.entry, draft.name
    tenant_col = ctx.project.tenant_column
    if draft.tenant:
        draft.indexes.append(Index(PUBLIC, table, names.index_name(table, (tenant_col,)), (IndexKey(tenant_col),)))
    if draft.timestamps:
        # On tenant tables the newest-first index leads with the tenant column: under row level
        # security the planner cannot tell how selective the fence is, and an index on
        # created_at alone tempts it into walking every tenant's rows (benchmarks/rls_overhead.py).
        keys = ((IndexKey(tenant_col),) if draft.tenant else ()) + (IndexKey("created_at", "desc"),)
        if draft.tenant and scalar(ctx):
            # Under the scalar fence the keyset page `(created_at, id) < (...) order by created_at
            # desc, id desc` is an index range read with the key in the index; the array fence
            # cannot use the order, so only the scalar modes get it (rls_variants.py, section 3).
            keys += tuple(IndexKey(c, "desc") for c in draft.primary_key if c not in (tenant_col, "created_at"))
        draft.indexes.append(Index(PUBLIC, table, names.index_name(table, ("created_at",)), keys))
    for i, spec_index in enumerate(entry.get("indexes") or ()):
        keys = ("indexes", i)
        method = spec_index.get("method", "btree")
        index_keys = parse_index_keys(ctx, draft, keys, spec_index.get("columns") or (), spec_index.get("opclass"))
        unique = bool(spec_index.get("unique", False))
        written = index_keys
        # On a tenant table every btree index leads with the tenant column: a unique key is unique
        # per tenant, and a plain index is read under the fence, one tenant's entries rather than
        # every tenant's (benchmarks/rls_variants.py, section 4). The name stays the one written.
        if draft.tenant and (unique or method == "btree") and all(k.column != tenant_col for k in index_keys):
            index_keys = (IndexKey(tenant_col),) + index_keys
        where = None
        if spec_index.get("where") is not None:
            where = ctx.expression(entry, keys + ("where",), spec_index["where"], subqueries=False)
            if where:
                check_column_refs(ctx, draft, keys + ("where",), where)
        name = spec_index.get("name") or names.index_name(table, [k.column for k in (index_keys if unique else written)])
        draft.indexes.append(Index(PUBLIC, table, name, index_keys, method, unique, where))


def covered(draft: TableDraft, columns: tuple[str, ...]) -> bool:
    """An existing key or plain btree index already leads with these columns."""
    candidates = [c.columns for c in draft.constraints if c.kind in ("primary_key", "unique")]
    candidates += [tuple(k.column for k in ix.keys) for ix in draft.indexes if ix.method == "btree" and not ix.where]
    return any(cand[: len(columns)] == columns for cand in candidates)


def lower_foreign_keys(ctx: Context, draft: TableDraft, drafts: dict[str, TableDraft]) -> None:
    """Foreign keys, tenant-safe between tenant tables, each with an index."""
    entry, table = draft.entry, draft.name
    tenant_col = ctx.project.tenant_column
    root = ctx.project.tenant_table
    if draft.tenant and root in drafts:
        root_pk = drafts[root].primary_key
        draft.constraints.append(Constraint(
            names.foreign_key_name(table, tenant_col), "foreign_key", (tenant_col,),
            ref_schema=PUBLIC, ref_table=root, ref_columns=root_pk, on_delete="cascade"))
    for name, col in (entry.get("columns") or {}).items():
        ref = reference_of((col or {}).get("references"))
        if ref is None:
            continue
        table_name, column_name, on_delete, on_update = ref
        keys = ("columns", name, "references")
        # A table of the spec, or one outside it (auth.users): those get a plain key, never
        # tenant-safe, and no migration creates or drops them.
        target = resolve(ctx, draft, drafts, name, table_name, column_name, tenant_col)
        if target is None:
            continue
        tenant_safe = draft.tenant and target.tenant
        local = (tenant_col, name) if tenant_safe else (name,)
        remote = (tenant_col, target.column) if tenant_safe else (target.column,)
        own = draft.column(name)
        if own is not None and not same_type(target.type, own.type):
            ctx.error("E705", f"column '{name}' is {own.type} but references {target.label}.{target.column} "
                              f"of type {target.type}", entry, "columns", name, "type")
        for action, key in ((on_delete, "on_delete"), (on_update, "on_update")):
            if action not in ACTIONS:
                ctx.error("E201", f"{key} must be one of {', '.join(sorted(ACTIONS))}", entry, *keys)
        if tenant_safe and on_update not in ("restrict", "no_action"):
            ctx.error("E705", f"on_update {on_update} on a tenant-safe key would carry rows into another "
                              "tenant when the referenced row moves; use restrict or no_action",
                      entry, *keys, "on_update")
        if on_delete == "set_null" and own is not None and not own.nullable:
            ctx.error("E705", f"on_delete set_null needs column '{name}' to be nullable", entry, *keys, "on_delete")
        partial = (name,) if tenant_safe and on_delete in ("set_null", "set_default") else ()
        draft.constraints.append(Constraint(
            names.foreign_key_name(table, name), "foreign_key", local,
            ref_schema=target.schema, ref_table=target.table, ref_columns=remote,
            on_delete=on_delete, on_delete_columns=partial, on_update=on_update))
        if not covered(draft, local):
            draft.indexes.append(Index(PUBLIC, table, names.index_name(table, (name,)),
                                       tuple(IndexKey(c) for c in local)))
