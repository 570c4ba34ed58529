"""The compiled model as diagram data: one entity per table (and per external table a foreign
key points at, and per view when asked), one edge per foreign key. The renderers (mermaid, dot,
json) only lay this out; what a key column is, which side of an edge is optional and which tables
are tenant-scoped is decided here, once."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import PUBLIC, Constraint, Model, Table

ROOT, TENANT, SHARED, AUDIT, EXTERNAL, VIEW = "root", "tenant", "shared", "audit", "external", "view"
KIND_LABELS = {ROOT: "tenant root", TENANT: "tenant", SHARED: "shared", AUDIT: "audit",
               EXTERNAL: "external", VIEW: "view"}


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    nullable: bool
    keys: tuple[str, ...] = ()      # PK, FK, UK in that order
    tenant: bool = False            # the tenant column of a tenant-scoped table

    @property
    def is_key(self) -> bool:
        return bool(self.keys) or self.tenant


@dataclass(frozen=True)
class Entity:
    name: str                       # schema-qualified unless in public: "leads", "auth.users"
    kind: str                       # root | tenant | shared | audit | external | view
    attributes: tuple[Attribute, ...]
    comment: str | None = None
    stub: bool = False              # drawn for a reference only (graph --tables): its key columns

    @property
    def label(self) -> str:
        """What the renderers write after the name: the kind (tenant-scoped is the default, said
        by nothing), and whether the entity is only a stub."""
        return ", ".join(([] if self.kind == TENANT else [KIND_LABELS[self.kind]]) + (["stub"] if self.stub else []))

    def shown(self, all_columns: bool) -> tuple[Attribute, ...]:
        """Every column, or the compact list: keys and the tenant column."""
        return self.attributes if all_columns else tuple(a for a in self.attributes if a.is_key)


@dataclass(frozen=True)
class Edge:
    child: str                      # the referencing entity
    parent: str                     # the referenced entity
    columns: tuple[str, ...]        # the foreign key's columns, tenant column included
    ref_columns: tuple[str, ...]
    label: str                      # the columns that name the reference (tenant column left out)
    constraint: str
    tenant_safe: bool               # composite (tenant, x) -> (tenant, id): one edge, not two
    optional: bool                  # a child row may have no parent (a nullable column)
    one_to_one: bool                # a unique key covers the columns: one child per parent at most
    identifying: bool               # the columns are part of the child's primary key
    on_delete: str = "no_action"
    reads: bool = False             # a view reading a relation, not a foreign key


@dataclass(frozen=True)
class Diagram:
    entities: tuple[Entity, ...]
    edges: tuple[Edge, ...]
    tenant_column: str | None = None
    tenant_root: str | None = None


def display_name(schema: str, name: str) -> str:
    return name if schema == PUBLIC else f"{schema}.{name}"


def diagram_of(model: Model, *, views: bool = False) -> Diagram:
    tenant_column = model.tenancy.column if model.tenancy else None
    tables = sorted(model.of("table"), key=lambda t: (t.schema != PUBLIC, t.schema, t.name))
    extra = {}   # (schema, table) -> constraints closing a cycle, added after the tables
    for fk in model.of("foreign_key"):
        extra.setdefault((fk.schema, fk.table), []).append(fk.constraint)
    entities, edges = [], []
    known = {(t.schema, t.name) for t in tables}
    referenced = {}   # external (schema, table) -> {column: type}
    for table in tables:
        foreign = [c for c in table.constraints if c.kind == "foreign_key"] + extra.get((table.schema, table.name), [])
        entities.append(_entity(table, foreign, tenant_column))
        for fk in sorted({c.name: c for c in foreign}.values(), key=lambda c: c.name):
            edges.append(_edge(table, fk, tenant_column))
            if (fk.ref_schema, fk.ref_table) not in known:
                columns = referenced.setdefault((fk.ref_schema, fk.ref_table), {})
                for column, ref in zip(fk.columns, fk.ref_columns):
                    columns[ref] = table.column(column).type
    for (schema, name), columns in sorted(referenced.items()):
        attributes = tuple(Attribute(c, t, False, ("PK",)) for c, t in sorted(columns.items()))
        entities.append(Entity(display_name(schema, name), EXTERNAL, attributes, "created outside the spec"))
    if views:
        _add_views(model, entities, edges)
    root = display_name(PUBLIC, model.tenancy.root) if model.tenancy else None
    edges.sort(key=lambda e: (e.child, e.parent, e.columns, e.constraint))
    return Diagram(tuple(entities), tuple(edges), tenant_column, root)


def _entity(table: Table, foreign: list[Constraint], tenant_column: str | None) -> Entity:
    kind = {"root": ROOT, "tenant": TENANT, "shared": SHARED, "audit": AUDIT}.get(table.kind, TENANT)
    scoped = kind in (TENANT, AUDIT) and tenant_column is not None and table.column(tenant_column) is not None
    primary = {c for con in table.constraints if con.kind == "primary_key" for c in con.columns}
    fk_columns = {c for con in foreign for c in con.columns}
    unique = {c for cols in _unique_keys(table, tenant_column) for c in cols}
    attributes = []
    for column in table.columns:
        is_tenant = scoped and column.name == tenant_column
        keys = tuple(k for k, member in (("PK", primary), ("FK", fk_columns), ("UK", unique))
                     if column.name in member and not (k == "UK" and is_tenant))
        attributes.append(Attribute(column.name, column.type, column.nullable, keys, is_tenant))
    return Entity(display_name(table.schema, table.name), kind, tuple(attributes), table.comment)


def _unique_keys(table: Table, tenant_column: str | None) -> list[tuple[str, ...]]:
    """The unique keys worth showing: every unique constraint but the conventional
    (tenant, id) one that composite foreign keys point at, which every tenant table has."""
    primary = next((c.columns for c in table.constraints if c.kind == "primary_key"), ())
    conventional = (tenant_column, *primary) if tenant_column else None
    return [c.columns for c in table.constraints if c.kind == "unique" and c.columns != conventional]


def _edge(table: Table, fk: Constraint, tenant_column: str | None) -> Edge:
    tenant_safe = (len(fk.columns) > 1 and tenant_column is not None and fk.columns[0] == tenant_column
                   and fk.ref_columns[:1] == (tenant_column,))
    named = fk.columns[1:] if tenant_safe else fk.columns
    nullable = any(table.column(c).nullable for c in fk.columns)
    keys = [set(c.columns) for c in table.constraints if c.kind in ("primary_key", "unique")]
    primary = set(next((c.columns for c in table.constraints if c.kind == "primary_key"), ()))
    return Edge(
        child=display_name(table.schema, table.name), parent=display_name(fk.ref_schema, fk.ref_table),
        columns=fk.columns, ref_columns=fk.ref_columns, label=", ".join(named), constraint=fk.name,
        tenant_safe=tenant_safe, optional=nullable, one_to_one=any(k <= set(fk.columns) for k in keys),
        identifying=set(named) <= primary, on_delete=fk.on_delete)


def _add_views(model: Model, entities: list, edges: list) -> None:
    """Views as entities without key columns, with one edge to each relation they read."""
    names = {e.name for e in entities}
    for view in sorted(model.of("view"), key=lambda v: (v.schema != PUBLIC, v.schema, v.name)):
        name = display_name(view.schema, view.name)
        entities.append(Entity(name, VIEW, (), view.comment))
        names.add(name)
    for view in model.of("view"):
        read = sorted({display_name(r[1], r[2]) for r in view.reads if r[0] in ("table", "view", "column",
                                                                                "table-columns")})
        for relation in read:
            if relation in names:
                edges.append(Edge(display_name(view.schema, view.name), relation, (), (), "reads", "",
                                  tenant_safe=False, optional=True, one_to_one=False, identifying=False,
                                  reads=True))
