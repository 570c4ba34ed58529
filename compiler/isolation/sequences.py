"""Sequences left as they were by a probing transaction that is rolled back.

Rolling back undoes rows, never ``nextval``.  The seed and the probes give identity and serial
columns explicit values (``consume_sequences=False``), but rows written by triggers (audit rows,
whose ``id`` is an identity) still draw from their sequence.  :func:`restore_sequences` sets such
a sequence back, with ``setval`` (which no rollback undoes), only when it stands exactly where
this transaction left it: had another session drawn from it meanwhile, setting it back would
hand out that value twice, so it is left advanced (a gap, as any failed insert leaves) and
reported.
"""

from __future__ import annotations

import psycopg

# every sequence: (last_value, is_called), read from the sequence itself
_STATES_SQL = """
select format('%I.%I', n.nspname, c.relname)
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'S' and n.nspname not in ('pg_catalog', 'information_schema')
  and case when c.relkind = 'S' then pg_catalog.has_sequence_privilege(c.oid, 'SELECT') end
order by 1
"""


def sequence_states(conn: psycopg.Connection) -> dict[str, tuple[int, bool]]:
    """``last_value`` and ``is_called`` of every sequence the connection may read."""
    states = {}
    for (name,) in conn.execute(_STATES_SQL).fetchall():
        states[name] = tuple(conn.execute(f"select last_value, is_called from {name}").fetchone())
    return states


def restore_sequences(conn: psycopg.Connection, before: dict[str, tuple[int, bool]]) -> list[str]:
    """Set every sequence this transaction advanced back to ``before``; returns the ones left
    advanced because another session drew from them (their state is not what we left)."""
    left = []
    for name, state in sequence_states(conn).items():
        old = before.get(name)
        if old is None or state == old:
            continue
        # guarded in one statement: only if the sequence still stands where we left it
        moved = conn.execute(f"select pg_catalog.setval(%s::regclass, %s, %s) from {name} "
                             "where last_value = %s and is_called = %s",
                             (name, old[0], old[1], state[0], state[1])).fetchall()
        if not moved:
            left.append(name)
    return left
