"""Seed values that cannot collide with the rows a database already holds.

The files are written once, on a throwaway database, and run on staging or under ``supabase
test db``, where every table may already hold rows.  Values captured on the throwaway database
are not unique there: its identity and serial keys start at 1, and the generator's text and
numbers (``seed-s-1``, ``1``) are the same for every run.  Two means, chosen per column:

* **Counted columns** (identity and serial columns, and an integer column of a unique
  constraint that nothing else makes unique): the file computes, at run time and as its first
  statement, the largest value the table holds or the column's sequence has handed out
  (``greatest(max(c), pg_sequence_last_value(s), 0)``) and keeps it in a transaction-local
  setting ``atlas.key_<n>``; every value of the column, and of every foreign key column pointing
  at it (the tenant column included, when the tenant key is an identity), is written as
  ``(k + current_setting('atlas.key_<n>')::bigint)``, where ``k`` is its place after the same
  largest value on the throwaway database.  A setting rather than a psql variable: the probes'
  statements are dollar quoted, where psql substitutes nothing, and a setting is readable by
  ``authenticated`` and ``anon`` once the file has signed in.  Nothing is drawn from a sequence
  (a rollback would not give it back), and no fixed range is assumed free: the keys sit just
  past whatever the database holds when the file runs.
* **Marked columns** (a text column of a unique constraint that is not scoped to the tenant --
  ``slug unique`` on the tenant root or on a shared table): the captured row is updated, on the
  throwaway database, to carry a random mark drawn when the files are written
  (``seed-s-1-x3f9a2c1d``); the server checks the marked value against the column's checks, and
  a value it refuses stays as it was.

A unique constraint is scoped (needs nothing) when it holds the tenant column (the tenant is
new), a uuid (random) or a counted column.  One with none of these and no integer or text column
(an enum, a date) is left as it is: such a constraint can collide, and its table's file says so
by failing at the insert.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import ClientCursor, sql
from psycopg.adapt import Dumper

from ..isolation.catalog import TableInfo
from ..isolation.rows import ident, where
from ..isolation.tenancy import public
from ..isolation.tenancy import qualified as qn
from ..model import Tenancy
from .pgtap_script import TAG

INTEGERS = ("int2", "int4", "int8")
TEXTS = ("text", "varchar", "bpchar", "citext")
SETTING = "atlas.key_{}"


@dataclass(frozen=True)
class Counter:
    """One counted column and the largest value it held when the files were written."""

    index: int
    table: str
    column: str
    sequence: str | None
    written: int = 0

    def largest(self) -> sql.Composable:
        """The largest value the column holds or its sequence has handed out, as SQL."""
        parts = [sql.SQL("(select max({}) from {})").format(sql.Identifier(self.column), ident(self.table))]
        if self.sequence:
            parts.append(sql.SQL("pg_catalog.pg_sequence_last_value({}::regclass)").format(sql.Literal(self.sequence)))
        return sql.SQL("greatest({}, 0)").format(sql.SQL(", ").join(parts))


@dataclass(frozen=True)
class Counted:
    """A value written relative to its counter: ``k`` past the largest value at run time."""

    offset: int
    counter: Counter


class CountedDumper(Dumper):
    """Writes a :class:`Counted` as the run-time expression (client-side binding only)."""

    def dump(self, obj: Counted) -> bytes:
        raise TypeError("a counted value is SQL text, never a bound parameter")

    def quote(self, obj: Counted) -> bytes:
        setting = SETTING.format(obj.counter.index)
        return f"({obj.offset} + pg_catalog.current_setting('{setting}')::bigint)".encode()


@dataclass
class Keys:
    counters: dict[tuple[str, str], Counter] = field(default_factory=dict)   # (table, column) -> own
    follows: dict[tuple[str, str], Counter] = field(default_factory=dict)    # foreign key columns
    marked: list[tuple[str, str]] = field(default_factory=list)              # (table, column)
    mark: str = field(default_factory=lambda: "x" + secrets.token_hex(4))
    tenant: tuple[str, str, str] | None = None   # (root, root key, tenant column)

    def counter(self, table: str, column: str) -> Counter | None:
        return self.counters.get((table, column)) or self.follows.get((table, column))

    def value(self, table: str, column: str, value: Any) -> Any:
        """``value`` of ``table.column`` as the file writes it."""
        counter = self.counter(table, column)
        if counter is None or value is None:
            return value
        return Counted(int(value) - counter.written, counter)

    def values(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        return {c: self.value(table, c, v) for c, v in values.items()}

    def preamble(self) -> str:
        """The file's first statement after pgTAP: every counter's largest value, now."""
        if not self.counters:
            return ""
        lines = [f"  perform pg_catalog.set_config({sql.Literal(SETTING.format(c.index)).as_string(None)}, "
                 f"({c.largest().as_string(None)})::text, true);   -- {c.table}.{c.column}"
                 for c in self.counters.values()]
        return ("-- keys past every row the database holds now (see the seed below)\n"
                f"do {TAG}\nbegin\n" + "\n".join(lines) + f"\nend\n{TAG};\n")


def client_cursor(conn: psycopg.Connection) -> ClientCursor:
    cursor = ClientCursor(conn)
    cursor.adapters.register_dumper(Counted, CountedDumper)
    return cursor


def _scoped(info: TableInfo, columns: tuple[str, ...], tenant_column: str, keys: Keys, table: str) -> bool:
    return any(c == tenant_column or info.columns[c].base_type == "uuid" or keys.counter(table, c)
               for c in columns)


def _countable(info: TableInfo) -> list[str]:
    """The columns that may be counted: identity and serial, integers of a unique constraint."""
    unique = {c for cols in info.uniques.values() for c in cols}
    return [c.name for c in info.columns.values() if not c.generated
            and (c.sequence or (c.name in unique and c.base_type in INTEGERS))]


def largest_now(conn: psycopg.Connection, infos: dict[str, TableInfo]) -> dict[tuple[str, str], int]:
    """The largest value of every column that may be counted (read it before the seed)."""
    found = {}
    for table, info in infos.items():
        for column in _countable(info):
            counter = Counter(0, table, column, info.columns[column].sequence)
            found[(table, column)] = int(conn.execute(sql.SQL("select {}").format(counter.largest())).fetchone()[0])
    return found


def plan_keys(infos: dict[str, TableInfo], tenancy: Tenancy, largest: dict[tuple[str, str], int]) -> Keys:
    """Which columns are counted (with ``largest``, their values before the seed) and which are
    marked; ``infos`` carry their foreign keys."""
    keys = Keys(tenant=(public(tenancy.root), tenancy.root_key, tenancy.column))
    tenant_column = tenancy.column
    for table, info in infos.items():
        for col in info.columns.values():
            if col.sequence and not col.generated:
                keys.counters[(table, col.name)] = Counter(len(keys.counters) + 1, table, col.name, col.sequence)
    _follow(keys, infos)
    for table, info in infos.items():
        scope = tenant_column if tenant_column in info.columns else None
        for columns in info.uniques.values():
            if _scoped(info, columns, scope or "", keys, table):
                continue
            kinds = {c: info.columns[c].base_type for c in columns}
            number = next((c for c in columns if kinds[c] in INTEGERS), None)
            text = next((c for c in columns if kinds[c] in TEXTS), None)
            if number:
                keys.counters[(table, number)] = Counter(len(keys.counters) + 1, table, number, None)
                _follow(keys, infos)
            elif text and (table, text) not in keys.marked:
                keys.marked.append((table, text))
    keys.counters = {k: Counter(c.index, c.table, c.column, c.sequence, largest[k]) for k, c in keys.counters.items()}
    _follow(keys, infos)
    return keys


def _follow(keys: Keys, infos: dict[str, TableInfo]) -> None:
    """Foreign key columns take their referenced column's counter, through chains of keys; the
    tenant column of every table takes the tenant root's key's."""
    keys.follows = {}
    root = keys.counters.get(keys.tenant[:2]) if keys.tenant else None
    if root:
        keys.follows.update({(t, keys.tenant[2]): root for t, i in infos.items()
                             if keys.tenant[2] in i.columns and t != root.table})
    changed = True
    while changed:
        changed = False
        for table, info in infos.items():
            for fk in info.fks:
                ref = qn(fk.ref_schema, fk.ref_table)
                for column, referenced in zip(fk.columns, fk.ref_columns):
                    counter = keys.counter(ref, referenced)
                    if counter and (table, column) not in keys.counters and (table, column) not in keys.follows:
                        keys.follows[(table, column)] = counter
                        changed = True


def mark_rows(conn: psycopg.Connection, keys: Keys, infos: dict[str, TableInfo], rows) -> None:
    """Give the marked columns of the seed's rows (``rows(table)``: the rows it added) the
    mark, each in a savepoint: a value the server refuses (a check, a length) stays."""
    for table, column in keys.marked:
        info = infos[table]
        for row in rows(table):
            if row.get(column) is None or not info.key:
                continue
            update = sql.SQL("update {t} set {c} = {c} || %s where {w}").format(
                t=ident(table), c=sql.Identifier(column), w=where(dict.fromkeys(info.key)))
            try:
                with conn.transaction():
                    conn.execute(update, ["-" + keys.mark, *(row[c] for c in info.key)])
            except psycopg.Error:
                continue
