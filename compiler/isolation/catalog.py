"""What the isolation engine asks the catalog, in one place.

The seeder needs what a catalog snapshot (:mod:`compiler.postgres.catalog`) does not carry:
the base type and type category of each column (to generate values), enum labels by column,
and the columns of each check and unique constraint (to know which value to change when the
server names a violated constraint).  The probes ask privilege questions the way PostgreSQL
answers them for a role (``has_*_privilege``, through role membership and ``PUBLIC``), which a
list of ACL entries does not answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from ..model import Table
from .tenancy import qualified as qn


class SeedError(RuntimeError):
    """The seeder could not produce a valid row; the message names the table."""


@dataclass
class Column:
    name: str
    ordinal: int
    type_sql: str          # format_type(), used for casts
    base_type: str         # typname of the (domain's base) type
    category: str          # typcategory of the base type
    enum_labels: tuple[str, ...]
    not_null: bool
    has_default: bool
    identity: str          # '' | 'a' | 'd'
    generated: str         # '' | 's'
    sequence: str | None = None   # the sequence an identity or serial column draws from


@dataclass
class TableInfo:
    qualified: str
    table: Table
    columns: dict[str, Column]
    checks: dict[str, tuple[tuple[str, ...], str]]   # constraint name -> (columns, definition)
    uniques: dict[str, tuple[str, ...]]              # unique and primary key constraints
    key: tuple[str, ...]                             # columns identifying a row
    fks: list                                        # model Constraint objects (kind foreign_key)


_COLUMNS_SQL = """
select a.attname, a.attnum::int, format_type(a.atttypid, a.atttypmod),
       coalesce(bt.typname, t.typname), coalesce(bt.typcategory, t.typcategory)::text,
       coalesce(bt.typtype, t.typtype)::text, coalesce(bt.oid, t.oid),
       a.attnotnull, a.atthasdef, a.attidentity::text, a.attgenerated::text,
       pg_catalog.pg_get_serial_sequence(format('%%I.%%I', n.nspname, c.relname), a.attname)
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_type t on t.oid = a.atttypid
left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped
order by a.attnum
"""

_CONSTRAINTS_SQL = """
select con.conname, con.contype::text, pg_catalog.pg_get_constraintdef(con.oid),
       array(select a.attname::text from unnest(con.conkey) with ordinality k(num, ord)
             join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num
             order by k.ord)
from pg_catalog.pg_constraint con
join pg_catalog.pg_class c on c.oid = con.conrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = %s and c.relname = %s and con.contype in ('c', 'u', 'p')
order by con.conname
"""

# sequences behind a table (serial: 'a'uto, identity: 'i'nternal dependency), by table
_SEQUENCES_SQL = """
select s.oid::regclass::text, n.nspname, c.relname
from pg_catalog.pg_class s
join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_class'::regclass and d.objid = s.oid
     and d.refclassid = 'pg_catalog.pg_class'::regclass and d.deptype in ('a', 'i')
join pg_catalog.pg_class c on c.oid = d.refobjid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where s.relkind = 'S'
order by 2, 3, 1
"""


def load_table(conn: psycopg.Connection, table: Table, fks: list) -> TableInfo:
    name = qn(table.schema, table.name)
    rows = conn.execute(_COLUMNS_SQL, (table.schema, table.name)).fetchall()
    if not rows:
        raise SeedError(f"{name}: table not found in the database (is the migration applied?)")
    columns: dict[str, Column] = {}
    for column, ordinal, type_sql, base, category, typtype, type_oid, not_null, has_def, ident, gen, seq in rows:
        labels: tuple[str, ...] = ()
        if typtype == "e":
            labels = tuple(r[0] for r in conn.execute(
                "select enumlabel from pg_catalog.pg_enum where enumtypid = %s order by enumsortorder",
                (type_oid,)).fetchall())
        columns[column] = Column(column, ordinal, type_sql, base, category, labels, not_null, has_def, ident, gen,
                                 seq)
    checks: dict[str, tuple[tuple[str, ...], str]] = {}
    uniques: dict[str, tuple[str, ...]] = {}
    primary: tuple[str, ...] = ()
    for constraint, contype, definition, cols in conn.execute(_CONSTRAINTS_SQL, (table.schema, table.name)):
        if contype == "c":
            checks[constraint] = (tuple(cols), definition)
        else:
            uniques[constraint] = tuple(cols)
            if contype == "p":
                primary = tuple(cols)
    key = primary or next(iter(uniques.values()), ())
    return TableInfo(name, table, columns, checks, uniques, key, fks)


def scalar(conn: psycopg.Connection, query, params=None):
    return conn.execute(query, params).fetchone()[0]


def has_auth_users(conn: psycopg.Connection) -> bool:
    """Supabase's ``auth.users`` exists: new users get a row there (rows may reference it)."""
    return scalar(conn, "select to_regclass('auth.users') is not null")


def regclass_text(conn: psycopg.Connection, schema: str, name: str) -> str:
    return sql.Identifier(schema, name).as_string(conn)


def table_privilege(conn: psycopg.Connection, role: str, schema: str, name: str, command: str) -> bool:
    return scalar(conn, "select has_table_privilege(%s, to_regclass(%s), %s)",
                  (role, regclass_text(conn, schema, name), command))


def function_privilege(conn: psycopg.Connection, role: str, signature: str) -> bool:
    return scalar(conn, "select has_function_privilege(%s, to_regprocedure(%s), 'execute')", (role, signature))


def has_column(conn: psycopg.Connection, schema: str, name: str, column: str) -> bool:
    return scalar(conn, "select exists (select from pg_catalog.pg_attribute where attrelid = to_regclass(%s) "
                        "and attname = %s and not attisdropped)", (regclass_text(conn, schema, name), column))


def sequences_by_table(conn: psycopg.Connection) -> list[tuple[str, str, str]]:
    """(sequence, table schema, table name) of every sequence a table owns."""
    return conn.execute(_SEQUENCES_SQL).fetchall()


def api_roles(conn: psycopg.Connection) -> list[str]:
    """Supabase's API roles present in the cluster."""
    return [r for (r,) in conn.execute(
        "select rolname from pg_catalog.pg_roles where rolname in ('anon', 'authenticated') order by 1")]


def sequence_privileges(conn: psycopg.Connection, role: str, sequence: str) -> tuple[bool, bool]:
    """Whether ``role`` may read (SELECT) and setval (UPDATE) ``sequence``."""
    return tuple(conn.execute("select has_sequence_privilege(%s, %s::regclass, 'SELECT'), "
                              "has_sequence_privilege(%s, %s::regclass, 'UPDATE')",
                              (role, sequence, role, sequence)).fetchone())

