"""Rows through the chain round trip (compiler.verify.roundtrip): what a migration's `down` says
it deletes, whether every other value came back after down and up, and emptying the tables
when a `down` refuses to run over rows the earlier model cannot hold."""
from __future__ import annotations

import re

from psycopg import sql

from .evolution import TableValues

# An operation's heading in a rendered migration, then its hazards (compiler.render).
_HEADING = re.compile(r"^-- (\w+) (table|column) (\S+)")
_HAZARD = re.compile(r"^-- hazard: (\w+)$")
_LOSES_VALUES = {"DELETES_DATA", "LOSSY_CAST"}   # values leave the live schema or may change


def declared_losses(down_sql: str) -> set[str]:
    """Tables ("schema.table") and columns ("schema.table.column") whose values the `down`
    declares it deletes or may change (a DELETES_DATA or LOSSY_CAST hazard on its operation):
    what was created by the `up` goes with the `down`, by design."""
    lost, current = set(), None
    for line in down_sql.splitlines():
        heading, hazard = _HEADING.match(line), _HAZARD.match(line)
        if heading:
            current = heading[3]
        elif not line.strip():
            current = None   # operations are separated by blank lines
        elif hazard and current and hazard[1] in _LOSES_VALUES:
            lost.add(current)
    return lost


def rows_differences(before: dict[str, TableValues], after: dict[str, TableValues], lost: set[str]) -> list[str]:
    """What a round trip lost or changed beyond what the `down` declares (`lost`): every other
    table is there again with its columns, types and every row's values as they were."""
    problems = []
    for table, old in sorted(before.items()):
        if table in lost or not old.rows:
            continue
        kept = [c for c in old.types if f"{table}.{c}" not in lost]
        new = after.get(table)
        if new is None:
            problems.append(f"{table} is gone after down and up (its {len(old.rows)} row(s) with it)")
            continue
        missing = [c for c in kept if new.types.get(c) != old.types[c]]
        if missing:
            problems.append(f"{table}: column(s) {', '.join(missing)} not there again with their type")
            continue
        expected, found = _project(old, kept), _project(new, kept)
        if expected == found:
            continue
        if len(expected) != len(found):
            problems.append(f"{table}: {len(expected)} row(s) before down, {len(found)} after up")
            continue
        for i, column in enumerate(kept):
            was, now = sorted(r[i] for r in expected), sorted(r[i] for r in found)
            if was != now:
                gone = [v for v in was if v not in now]
                problems.append(f"{table}.{column} changed" + (f": {gone[0]!r} is gone" if gone else ""))
    return problems


def _project(values: TableValues, columns: list[str]) -> list[tuple]:
    index = [list(values.types).index(c) for c in columns]
    return sorted((tuple(row[i] for i in index) for row in values.rows), key=lambda r: tuple(map(_order, r)))


def _order(value):
    return (value is None, value or "")


def count_rows(values: dict[str, TableValues]) -> int:
    return sum(len(v.rows) for v in values.values())


def clear_rows(conn, tables: list[str]) -> None:
    """Empties `tables` ("schema.table"), triggers off (an audit table may refuse truncation):
    the throwaway chain database only, as its superuser."""
    if not tables:
        return
    names = sql.SQL(", ").join(sql.Identifier(*t.split(".", 1)) for t in tables)
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")
        conn.execute(sql.SQL("truncate {} cascade").format(names))
