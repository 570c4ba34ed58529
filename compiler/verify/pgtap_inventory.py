"""What the managed schemas hold where the files are written: the expected side of the
"nothing extra" assertions (:mod:`.pgtap_contents`).

The files are written from a database where the migrations of the spec were just applied (the
command gives a throwaway one), so its catalog *is* what the spec compiles to; reading it there
keeps every name exactly as the server spells it (indexes and triggers the compiler names, the
enum labels in their order).  What the server deparses (function signatures, column defaults,
column privileges) is read through the very ``pg_temp`` helpers the files call
(:data:`.pgtap_script.CONTENT_HELPERS`), which fix their own ``search_path``: the same text on
both sides, whatever search path the run has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from .pgtap_script import CONTENT_HELPERS


@dataclass(frozen=True)
class ForeignKeyFacts:
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass
class TableContents:
    columns: list[str]
    triggers: list[str]
    indexes: list[str]
    fks: list[ForeignKeyFacts]
    defaults: dict[str, str | None]     # every column: its default as deparsed, or None


@dataclass
class SchemaContents:
    name: str
    tables: list[str]
    views: list[str]
    materialized_views: list[str]
    functions: list[str]                 # signatures, extension members aside
    enums: dict[str, list[str]]          # name -> labels in order
    column_grants: list[str]             # "table.column ROLE PRIVILEGE" for the API roles
    tables_of: dict[str, TableContents] = field(default_factory=dict)


_RELATIONS = """
select c.relname::text from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = %s and c.relkind = any(%s::"char"[]) order by 1
"""
_ENUMS = """
select t.typname::text, array(select e.enumlabel::text from pg_catalog.pg_enum e where e.enumtypid = t.oid
                               order by e.enumsortorder)
from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
where n.nspname = %s and t.typtype = 'e' order by 1
"""
_COLUMNS = """
select a.attname::text, pg_temp.atlas_default(%s, a.attname) from pg_catalog.pg_attribute a
where a.attrelid = pg_catalog.to_regclass(%s) and a.attnum > 0 and not a.attisdropped order by a.attnum
"""
_TRIGGERS = "select tgname::text from pg_catalog.pg_trigger where tgrelid = pg_catalog.to_regclass(%s) " \
            "and not tgisinternal order by 1"
_INDEXES = "select c.relname::text from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid " \
           "where i.indrelid = pg_catalog.to_regclass(%s) order by 1"
_FOREIGN_KEYS = """
select array(select a.attname::text from unnest(con.conkey) with ordinality k(num, ord)
             join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.ord),
       rn.nspname::text, rc.relname::text,
       array(select a.attname::text from unnest(con.confkey) with ordinality k(num, ord)
             join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.ord)
from pg_catalog.pg_constraint con
join pg_catalog.pg_class rc on rc.oid = con.confrelid
join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
where con.conrelid = pg_catalog.to_regclass(%s) and con.contype = 'f'
order by con.conname
"""


def _names(conn, query: str, params) -> list[str]:
    return [r[0] for r in conn.execute(query, params).fetchall()]


def table_contents(conn: psycopg.Connection, schema: str, table: str) -> TableContents:
    qualified = f'"{schema}"."{table}"'
    columns = conn.execute(_COLUMNS, (qualified, qualified)).fetchall()
    fks = [ForeignKeyFacts(tuple(c), s, t, tuple(r))
           for c, s, t, r in conn.execute(_FOREIGN_KEYS, (qualified,)).fetchall()]
    return TableContents(columns=[c for c, _ in columns], triggers=_names(conn, _TRIGGERS, (qualified,)),
                         indexes=_names(conn, _INDEXES, (qualified,)), fks=fks, defaults=dict(columns))


def read_inventory(conn: psycopg.Connection, schemas: list[str], roles: list[str]) -> list[SchemaContents]:
    """The contents of each of ``schemas`` that exists, with every table's; ``conn`` is left as
    it was (the helpers are created in a transaction that is rolled back)."""
    found = []
    with conn.transaction(force_rollback=True):
        conn.execute(CONTENT_HELPERS)
        for schema in schemas:
            if not conn.execute("select 1 from pg_catalog.pg_namespace where nspname = %s", (schema,)).fetchone():
                continue
            contents = SchemaContents(
                name=schema,
                tables=_names(conn, _RELATIONS, (schema, ["r", "p"])),
                views=_names(conn, _RELATIONS, (schema, ["v"])),
                materialized_views=_names(conn, _RELATIONS, (schema, ["m"])),
                functions=conn.execute("select pg_temp.atlas_functions(%s)", (schema,)).fetchone()[0],
                enums=dict(conn.execute(_ENUMS, (schema,)).fetchall()),
                column_grants=conn.execute("select pg_temp.atlas_column_grants(%s, %s)",
                                           (schema, roles)).fetchone()[0])
            contents.tables_of = {t: table_contents(conn, schema, t) for t in contents.tables}
            found.append(contents)
    return found
