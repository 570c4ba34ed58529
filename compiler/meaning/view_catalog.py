"""The spec's tables and views as a view query sees them, for the column resolver
(view_columns.py): the columns of every table (with those the compiler adds), and the output
columns of every view, each view's query analysed once."""
from __future__ import annotations

from dataclasses import dataclass

from pglast import parse_sql

from ..expressions import SqlError, expand_stars, parse_query
from ..model import PUBLIC
from .context import Context
from .view_columns import Relation, Resolution, resolve_query


@dataclass(frozen=True)
class AnalysedQuery:
    query: str                  # normalized, stars over spec tables spelled out
    used: tuple                 # (schema, name) of the relations it names
    resolution: Resolution      # its output columns, what it reads, its unknown columns
    tree: object = None         # the parsed query the resolution's references point into


SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


class ViewCatalog:
    """The spec's tables and views as view queries see them. A view reading another view needs
    that view's output columns, so each query is analysed once, on first use."""

    def __init__(self, ctx: Context, columns_of: dict[str, list[str]], types_of: dict | None = None):
        self.ctx = ctx
        self.columns_of = columns_of
        self.types_of = types_of or {}     # table -> column -> rendered type
        self.analysed: dict[str, AnalysedQuery | None] = {}
        self.busy: set[str] = set()

    def relation(self, schema: str | None, name: str) -> Relation | None:
        if schema in SYSTEM_SCHEMAS:
            return None   # the server's own catalogs: not described here, any column may exist
        if schema not in (None, PUBLIC):
            external = self.ctx.project.external_tables.get(f"{schema}.{name}")
            if external is None:
                return None   # reported by lower_views as an unknown table
            return Relation("table", schema, name, tuple(c for c, _ in external.columns))
        if name in self.columns_of:
            return Relation("table", PUBLIC, name, tuple(self.columns_of[name]), self.missing_column_hints(name))
        if name in self.ctx.spec.views:
            analysed = self.analyse(name)
            outputs = tuple(analysed.resolution.outputs) if analysed else (None,)
            return Relation("view", PUBLIC, name, outputs)
        return None

    def missing_column_hints(self, table: str) -> dict[str, str]:
        """Why a name a view uses is not a column: renamed, or added only by a flag it lacks."""
        columns = self.columns_of[table]
        spec_columns = self.ctx.spec.tables[table].get("columns") or {}
        hints = {c["renamed_from"]: f"did you mean {n}? (the column was renamed from {c['renamed_from']})"
                 for n, c in spec_columns.items() if isinstance(c, dict) and isinstance(c.get("renamed_from"), str)}
        generated = {"deleted_at": "soft_delete: true", "created_at": "timestamps: true",
                     "updated_at": "timestamps: true", self.ctx.project.tenant_column: "tenant: true"}
        for column, flag in generated.items():
            if column not in columns and column not in hints:
                hints[column] = f"{table} has no {column}: the compiler adds it to tables with {flag}"
        return hints

    def analyse(self, name: str) -> AnalysedQuery | None:
        """None when the query does not parse or views read each other in a cycle (E801)."""
        if name in self.analysed:
            return self.analysed[name]
        if name in self.busy:
            return None
        self.busy.add(name)
        try:
            query, used = parse_query(self.ctx.spec.views[name].get("query"))
        except SqlError:
            result = None
        else:
            query = expand_stars(query, self.columns_of)
            tree = parse_sql(query)[0].stmt
            resolution = resolve_query(tree, self.relation, self.ctx.project.postgres)
            result = AnalysedQuery(query, used, resolution, tree)
        finally:
            self.busy.discard(name)
        self.analysed[name] = result
        return result
