"""Two tenants' rows for the pgTAP files, found once on the database and written as literals
(keys as run-time expressions: :mod:`.pgtap_keys`).

:func:`capture` seeds tenants A and B with :func:`compiler.isolation.seed_tenants` inside a
transaction that is rolled back (``consume_sequences=False``: identity and serial columns get
explicit values, so the seed advances no sequence), builds the further rows the probes try to
insert (valid rows of B), and reads back every row the seed added -- ``auth.users`` first, the
tenant root, then the tables in the seed's foreign-key order -- so that each file can insert them
again with plain ``INSERT`` statements (the rows of a foreign-key cycle go in with the cycle's
column null and are updated once the other side exists, as the seed did).  Audit tables are not
written: their rows come from the triggers when the file inserts the others.

It also records what the probes need to know beforehand: which role of A sees A's own rows (the
positive control signs in as that role) and which error a caller that is not signed in gets from
``current_user_id`` itself (a ``current_setting('app.user_id')::uuid`` form raises: a refusal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from ..isolation import Seed, SeedError, seed_tenants
from ..isolation.catalog import TableInfo, has_auth_users, load_table
from ..isolation.prober import Prober, attempt
from ..isolation.rows import count_rows, ident, insert_statement, update_statement
from ..model import Model, Table
from .pgtap_keys import Keys, client_cursor, largest_now, mark_rows, plan_keys

AUTH_USERS = ("auth", "users")


@dataclass
class TableFacts:
    """What one table's behavioural tests use, found on the seeded database."""

    insert_other: str | None = None     # a valid row of B (audit: of A), values bound
    insert_problem: str | None = None   # why there is none
    members_read: bool = False          # members may read the table: the positive control applies
    control_role: str | None = None     # the role of A that sees A's own rows


@dataclass
class Captured:
    seed: Seed
    statements: list[str]                        # the seed, as literal statements in order
    facts: dict[str, TableFacts] = field(default_factory=dict)
    anon_error: str | None = None                # SQLSTATE current_user_id raises without a user
    bind: Any = None                             # (query, params) -> SQL text
    keys: Keys = field(default_factory=Keys)     # values written relative to run-time counters

    def value(self, table: str, column: str, value: Any) -> Any:
        """A value of ``table.column`` as the file writes it (bind it with :attr:`bind`)."""
        return self.keys.value(table, column, value)


def _info(conn, schema: str, name: str) -> TableInfo:
    return load_table(conn, Table(schema=schema, name=name, columns=()), [])


def _stored(conn, info: TableInfo) -> list[dict[str, str | None]]:
    """Every row, each non-generated column as text (the literal the file writes)."""
    cols = [c.name for c in info.columns.values() if not c.generated]
    query = sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in cols), ident(info.qualified))
    return [dict(zip(cols, row)) for row in conn.execute(query).fetchall()]


def _key(info: TableInfo, row: dict) -> tuple:
    return tuple(row[c] for c in info.key) if info.key else tuple(row.items())


def capture(conn: psycopg.Connection, model: Model) -> Captured:
    """Seed, look and roll back; returns the seed as statements and each table's facts."""
    cursor = client_cursor(conn)

    def bind(query, params=None) -> str:
        return cursor.mogrify(query, params)

    with conn.transaction(force_rollback=True):
        infos = {f"{t.schema}.{t.name}": _info(conn, t.schema, t.name) for t in model.of("table")}
        if has_auth_users(conn):
            infos = {".".join(AUTH_USERS): _info(conn, *AUTH_USERS), **infos}
        before = {q: {_key(i, r) for r in _stored(conn, i)} for q, i in infos.items()}
        largest = largest_now(conn, infos)            # before the seed: what the database holds
        seed = seed_tenants(conn, model, consume_sequences=False)
        keys = plan_keys({**infos, **seed.info}, seed.tenancy, largest)
        prober = Prober(conn, seed, None)
        captured = Captured(seed=seed, statements=[], bind=bind, keys=keys)
        for qualified in behaviour_tables(seed):
            captured.facts[qualified] = _facts(prober, qualified, bind, keys)
        captured.anon_error = _anon_error(prober)

        def added(qualified: str) -> list[dict]:
            return [r for r in _stored(conn, infos[qualified]) if _key(infos[qualified], r) not in before[qualified]]
        mark_rows(conn, keys, infos, added)
        order = [q for q in infos if q == ".".join(AUTH_USERS)] + [seed.root, *seed.order]
        captured.statements = _statements(seed, infos, added, order, bind, keys)
    return captured


def behaviour_tables(seed: Seed) -> list[str]:
    """The tables whose rows belong to a tenant: the root, tenant tables, audit tables."""
    return [q for q, i in seed.info.items() if i.table.kind in ("root", "tenant", "audit")]


def _facts(p: Prober, qualified: str, bind, keys: Keys) -> TableFacts:
    seed, t = p.seed, p.t
    info = seed.info[qualified]
    facts = TableFacts(members_read=p.member_may(qualified, "select"))
    column = t.root_key if qualified == seed.root else t.column
    counts = {}
    for role in seed.tenants["A"].users:
        with p.as_member(role) as s:
            out = attempt(s.conn, count_rows(qualified, column), (p.a.id,))
        counts[role] = out.rows[0][0] if out.error is None else 0
    facts.control_role = next((r for r, n in counts.items() if n), next(iter(counts)))
    if qualified == seed.root:
        return facts
    tenant = "A" if info.table.kind == "audit" else "B"   # audit rows: not even the own tenant's
    try:   # on the membership table, the obvious attack: make oneself a member of B, top role
        values = p.attack_values(qualified, tenant, p.a.user())
        facts.insert_other = bind(*insert_statement(info, keys.values(qualified, values)))
    except SeedError as exc:
        facts.insert_problem = str(exc)
    return facts


def _anon_error(p: Prober) -> str | None:
    with p.as_anon() as s:
        out = attempt(s.conn, sql.SQL(f"select {p.t.current_user_id}"))
    return out.sqlstate


def _statements(seed: Seed, infos, added, order: list[str], bind, keys: Keys) -> list[str]:
    deferred: dict[str, list[str]] = {}
    for qualified, name in seed.deferred:
        fk = next(f for f in seed.info[qualified].fks if f.name == name)
        deferred.setdefault(qualified, []).extend(c for c in fk.columns if c != seed.tenancy.column)
    inserts, updates = [], []
    for qualified in order:
        info = infos[qualified]
        later = deferred.get(qualified, [])
        for row in sorted(added(qualified), key=lambda r: [str(v) for v in _key(info, r)]):
            values = {c: (None if c in later else v) for c, v in row.items()}
            inserts.append(bind(*insert_statement(info, keys.values(qualified, values))))
            sets = {c: row[c] for c in later if row[c] is not None}
            if sets:
                key = {c: row[c] for c in info.key}
                updates.append(bind(*update_statement(qualified, keys.values(qualified, sets),
                                                      keys.values(qualified, key))))
    return inserts + updates
