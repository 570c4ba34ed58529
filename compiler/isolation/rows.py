"""One row of a table: candidate values for a column, and the statements that insert, touch,
update, delete and count rows (every value a parameter, cast to the column's type)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from psycopg import sql

from .catalog import Column, TableInfo
from .tenancy import split


def ident(qualified: str) -> sql.Identifier:
    return sql.Identifier(*split(qualified))


def _literals(definition: str) -> list[str]:
    return [m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", definition)]


def candidates(info: TableInfo, col: Column, n: int, tag: str) -> list[Any]:
    """Values to try for ``col``, most likely first: enum labels, the string literals of the
    table's checks on it, then typical values of its type (``n`` and ``tag`` keep them unique)."""
    literals: list[str] = []
    for cols, definition in info.checks.values():
        if col.name in cols:
            literals += [v for v in _literals(definition) if v not in literals]
    if col.enum_labels:
        return list(col.enum_labels)
    base = col.base_type
    if base in ("uuid",):
        return [str(uuid.uuid4())]
    if base in ("json", "jsonb"):
        return ["{}", "[]"]
    if base == "bool":
        return ["false", "true"]
    if col.category == "S":
        return literals + [f"seed-{tag}-{n}", f"seed-{tag}-{n}@example.com", f"Seed {tag.upper()} {n}",
                           "ABC", "#a1b2c3", "x"]
    if col.category == "N":
        return ["1", "10", "100", "0", "1000", "5", "-1"]
    if base in ("timestamptz", "timestamp"):
        start = datetime(2030, 1, 1, tzinfo=timezone.utc) + timedelta(days=n)
        return [(start + timedelta(hours=col.ordinal)).isoformat(),
                (start - timedelta(hours=col.ordinal)).isoformat()]
    if base == "date":
        start = datetime(2000, 1, 1) + timedelta(days=n + col.ordinal)
        return [start.date().isoformat(), (start - timedelta(days=2 * col.ordinal)).date().isoformat()]
    if base in ("time", "timetz"):
        return [f"{col.ordinal % 24:02d}:00", "12:00"]
    if base == "interval":
        return [f"{col.ordinal} hours", "1 day"]
    if col.category == "A":
        return ["{}"]
    if col.category == "I":
        return ["127.0.0.1"]
    if base == "bytea":
        return ["\\x00"]
    return literals + ["1", f"seed-{tag}-{n}"]


def advance(idx: dict[str, int], cols: list[str], lengths: dict[str, int]) -> bool:
    """Odometer over ``cols``: the next combination of candidate indexes, False when done."""
    for c in cols:
        if idx[c] + 1 < lengths[c]:
            idx[c] += 1
            return True
        idx[c] = 0
    return False


def insert_statement(info: TableInfo, values: Mapping[str, Any], *, returning: bool = False):
    """``insert into t (cols) values (%s::type, ...)`` and its parameters; ``overriding system
    value`` where a value is given for an ``identity always`` column (see :func:`explicit_keys`)."""
    cols = list(values)
    if not cols:   # every column has a default
        query = sql.SQL("insert into {} default values").format(ident(info.qualified))
    else:
        overriding = any(info.columns[c].identity == "a" for c in cols)
        query = sql.SQL("insert into {} ({}) {}values ({})").format(
            ident(info.qualified),
            sql.SQL(", ").join(sql.Identifier(c) for c in cols),
            sql.SQL("overriding system value " if overriding else ""),
            sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(info.columns[c].type_sql)) for c in cols),
        )
    if returning:
        query = query + sql.SQL(" returning *")
    return query, [values[c] for c in cols]


def where(columns: Mapping[str, Any]) -> sql.Composable:
    return sql.SQL(" and ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in columns)


def update_statement(qualified: str, sets: Mapping[str, Any], key: Mapping[str, Any]):
    """``update t set c = %s, ... where k = %s and ...`` and its parameters."""
    query = sql.SQL("update {t} set {s} where {w}").format(
        t=ident(qualified), s=sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in sets),
        w=where(key))
    return query, [*sets.values(), *key.values()]


def touch_rows(qualified: str, column: str) -> sql.Composable:
    """``update t set c = c where c = %s``: writes nothing new, but needs update rights on the rows."""
    return sql.SQL("update {t} set {c} = {c} where {c} = %s").format(t=ident(qualified), c=sql.Identifier(column))


def delete_rows(qualified: str, column: str) -> sql.Composable:
    return sql.SQL("delete from {t} where {c} = %s").format(t=ident(qualified), c=sql.Identifier(column))


def delete_rows_by(qualified: str, key: Mapping[str, Any]) -> sql.Composable:
    """``delete from t where k = %s and ...`` (the key's values are the parameters)."""
    return sql.SQL("delete from {} where {}").format(ident(qualified), where(key))


def count_rows(qualified: str, column: str) -> sql.Composable:
    return sql.SQL("select count(*) from {} where {} = %s").format(ident(qualified), sql.Identifier(column))


def sequence_columns(info: TableInfo) -> list[Column]:
    """Identity and serial columns: an insert without a value for them draws from a sequence."""
    return [c for c in info.columns.values() if c.sequence and not c.generated]


def next_free(conn, info: TableInfo, col: Column, offset: int) -> int:
    """A value for ``col`` that neither the table nor its sequence has handed out: past both the
    largest value in the table and the sequence's last value (a concurrent insert drawing from
    the sequence cannot collide with it before this transaction ends)."""
    query = sql.SQL("select greatest((select max({c}) from {t}), pg_catalog.pg_sequence_last_value({s}::regclass), 0)"
                    ).format(c=sql.Identifier(col.name), t=ident(info.qualified), s=sql.Literal(col.sequence))
    return int(conn.execute(query).fetchone()[0]) + offset
