"""What the probes must leave as they found it on a live database: the row count of every
managed table (and of Supabase's ``auth.users``, which the seed writes), every sequence's
last_value, and the catalog of the managed schemas.  Taken before and after the rolled-back
probe transaction; one check, ``nothing_left_behind``, compares them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

from ..postgres import diff_catalogs, snapshot_catalog
from .checks import FAIL, PASS, Check

_TABLES = """
select n.nspname, c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and (n.nspname = any(%s) or (n.nspname, c.relname) = ('auth', 'users'))
order by 1, 2
"""
# pg_sequences.last_value is null for a sequence never used, or one the role may not read.
_SEQUENCES = "select schemaname || '.' || sequencename, last_value from pg_catalog.pg_sequences order by 1"


@dataclass(frozen=True)
class State:
    counts: dict[str, int]
    sequences: dict[str, int | None]
    catalog: dict[str, Any]


def database_state(conn, schemas: list[str]) -> State:
    counts = {}
    for schema, name in conn.execute(_TABLES, [schemas]).fetchall():
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, name))
        counts[f"{schema}.{name}"] = conn.execute(query).fetchone()[0]
    sequences = dict(conn.execute(_SEQUENCES).fetchall())
    return State(counts, sequences, snapshot_catalog(conn, schemas))


def compare_states(before: State, after: State) -> Check:
    problems = [f"{name}: {before.counts.get(name)} rows before, {after.counts.get(name)} after"
                for name in sorted(before.counts.keys() | after.counts.keys())
                if before.counts.get(name) != after.counts.get(name)]
    problems += [f"sequence {name}: last_value {before.sequences.get(name)} before, {after.sequences.get(name)} after"
                 for name in sorted(before.sequences.keys() | after.sequences.keys())
                 if before.sequences.get(name) != after.sequences.get(name)]
    problems += diff_catalogs(before.catalog, after.catalog, ("before", "after"))
    if problems:
        return Check("isolation", "database", "nothing_left_behind", FAIL,
                     "the probes left changes behind: " + "; ".join(problems))
    return Check("isolation", "database", "nothing_left_behind", PASS,
                 f"row counts of {len(before.counts)} tables, last_value of {len(before.sequences)} sequences and "
                 "the catalog are as before the probes")
