"""Rows for two tenants: a root row each, one member per role of the membership enum (with its
``auth.users`` row where Supabase's table exists), and one valid row per tenant table (and per
shared table), inserted in foreign-key order.

Values come from the catalog (:func:`.rows.candidates`); a check the server names as violated
moves to the next candidate of its columns.  Tables in a foreign-key cycle are inserted with the
nullable cycle column null and updated once the other side exists.  A row that cannot be
generated raises :class:`SeedError` naming the table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

import networkx as nx
import psycopg
from psycopg import sql

from ..model import ForeignKey, Model, Table, Tenancy
from .catalog import SeedError, TableInfo, has_auth_users, load_table
from .rows import advance, candidates, insert_statement, next_free, sequence_columns, update_statement
from .tenancy import member_roles, public, tenancy_from_model
from .tenancy import qualified as qn

TENANT_KEYS = ("A", "B")
MEMBER = "member"  # the role name used when the membership table has no role column
MAX_ATTEMPTS = 200
AUTH_USERS = "auth.users"   # Supabase's users: a table outside the spec that rows may reference
UNIQUE_VIOLATION = "23505"
CHECK_VIOLATION = "23514"


@dataclass
class SeededTenant:
    """One seeded tenant: its root row id, its members and one row per tenant table."""

    key: str                                  # "A" or "B"
    id: Any                                   # the root row's key (the tenant column value)
    users: dict[str, str] = field(default_factory=dict)        # role -> auth user id
    memberships: dict[str, dict] = field(default_factory=dict)  # role -> membership row
    rows: dict[str, dict] = field(default_factory=dict)         # "schema.table" -> seeded row

    def user(self, role: str | None = None) -> str:
        """Auth user id of the member with ``role`` (default: the first, most privileged)."""
        return self.users[role] if role else next(iter(self.users.values()))


class Seed:
    """The seeded database state, and a factory of further valid rows.

    :meth:`new_row` (kept) and :meth:`valid_values` (tried, then rolled back) build rows with
    the same generator as the seed; call them inside a transaction you roll back if the
    database must stay as seeded.
    """

    def __init__(self, conn: psycopg.Connection, model: Model, tenancy: Tenancy, *,
                 consume_sequences: bool = True) -> None:
        self.model = model
        # False: identity and serial columns get explicit values (rows and probes' inserts), so
        # that seeding and probing in a transaction that is rolled back advance no sequence
        self.consume_sequences = consume_sequences
        self.tenancy = tenancy
        self.root = public(tenancy.root)              # qualified names of the tenancy's tables
        self.membership = public(tenancy.membership)
        self.roles = member_roles(model, tenancy)     # most privileged first
        self.tenants: dict[str, SeededTenant] = {}
        self.order: list[str] = []                 # tables in the order they were seeded
        self.deferred: list[tuple[str, str]] = []  # (table, fk constraint) filled after the cycle
        self._counter = 0
        self.shared_rows: dict[str, dict] = {}   # shared (non-tenant) tables: one row each
        self.has_auth_users = has_auth_users(conn)
        tables = [o for o in model.objects if isinstance(o, Table)]
        fks: dict[str, list] = {qn(t.schema, t.name): [c for c in t.constraints if c.kind == "foreign_key"]
                                for t in tables}
        for o in model.objects:
            if isinstance(o, ForeignKey):
                fks.setdefault(qn(o.schema, o.table), []).append(o.constraint)
        self.info: dict[str, TableInfo] = {
            qn(t.schema, t.name): load_table(conn, t, fks[qn(t.schema, t.name)]) for t in tables
        }

    # -- helpers --------------------------------------------------------------------------

    def new_auth_user(self, conn, label: str = "seed") -> str:
        """A new user id, with its Supabase ``auth.users`` row where that table exists (a
        membership or profile table may reference it)."""
        user_id = str(uuid.uuid4())
        if self.has_auth_users:
            with conn.transaction():
                conn.execute("insert into auth.users (id, email, aud, role) values "
                             "(%s, %s, 'authenticated', 'authenticated')",
                             (user_id, f"{label}-{user_id[:8]}@example.test"))
        return user_id

    def table(self, name: str) -> TableInfo:
        return self.info[public(name)]

    def tables_of_kind(self, *kinds: str) -> list[str]:
        return [q for q, i in self.info.items() if i.table.kind in kinds]

    def key_of(self, table: str, row: Mapping[str, Any]) -> dict[str, Any]:
        info = self.table(table)
        if not info.key:
            raise SeedError(f"{info.qualified}: no primary key or unique constraint to identify rows by")
        return {c: row[c] for c in info.key}

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def parent_row(self, conn, ref: str, tenant: SeededTenant | None, fresh: bool) -> dict | None:
        """The row a foreign key to ``ref`` points at: the tenant's (or the shared) seeded row,
        or with ``fresh`` a new one; None for tables the seed has no row of."""
        info = self.info.get(ref)
        if info is None or info.table.kind not in ("tenant", "shared"):
            return None
        if fresh:
            return self.new_row(conn, ref, tenant.key if tenant and info.table.kind == "tenant" else None,
                                fresh_parents=True)
        if ref == self.membership and tenant is not None:
            return next(iter(tenant.memberships.values()), None)
        owner = tenant.rows if (tenant and info.table.kind == "tenant") else self.shared_rows
        return owner.get(ref)

    def _build(self, conn, qualified: str, tenant: SeededTenant | None, overrides: Mapping[str, Any],
               fresh_parents: bool, skip_fks: set[str]) -> tuple[dict[str, Any], list[str], str]:
        """Fixed values (tenant, foreign keys, overrides) and the columns still to generate."""
        info = self.table(qualified)
        t = self.tenancy
        fixed: dict[str, Any] = {}
        if tenant is not None and t.column in info.columns:
            fixed[t.column] = tenant.id
        unique_cols = {c for cols in info.uniques.values() for c in cols}
        for fk in info.fks:
            ref = qn(fk.ref_schema, fk.ref_table)
            own = [(c, r) for c, r in zip(fk.columns, fk.ref_columns) if c != t.column]
            if not own or ref == self.root or fk.name in skip_fks or ref == qualified:
                continue
            if any(c in overrides for c, _ in own):
                continue
            if ref == AUTH_USERS:   # the signed-in user's row: the tenant's member, or a new user
                if qualified == self.membership and any(c == t.user_column for c, _ in own):
                    continue   # a membership row is a new user (below)
                user = tenant.user() if tenant is not None and tenant.users else self.new_auth_user(conn)
                fixed.update({c: user for c, _ in own})
                continue
            fresh = fresh_parents and any(c in unique_cols for c, _ in own)
            parent = self.parent_row(conn, ref, tenant, fresh)
            if parent is None:
                continue
            for c, r in own:
                fixed[c] = parent[r]
        if tenant is not None and tenant.users:
            # a column defaulting to the signed-in user (`created_by: {default_sql: auth.uid()}`,
            # an owner column) holds the tenant's member, as if that member had inserted the row
            for column in info.table.columns:
                if column.default == t.current_user_id and column.name not in fixed:
                    fixed[column.name] = tenant.user()
        if qualified == self.membership and t.user_column not in fixed:
            fixed[t.user_column] = self.new_auth_user(conn)
            if t.role_column and self.roles:
                fixed.setdefault(t.role_column, self.roles[0])
        fixed.update(overrides)
        if not self.consume_sequences:
            for col in sequence_columns(info):
                fixed.setdefault(col.name, next_free(conn, info, col, 1))
        generate = [
            c.name for c in info.columns.values()
            if c.name not in fixed and c.not_null and not c.has_default and not c.identity and not c.generated
        ]
        return fixed, generate, (tenant.key.lower() if tenant else "s")

    def insert(self, conn, qualified: str, tenant: SeededTenant | None, overrides: Mapping[str, Any],
               keep: bool, fresh_parents: bool, skip_fks: set[str] = frozenset()):
        """Try candidate values until the superuser can insert a row; keep it (and return it)
        or roll it back.  Returns (values, row)."""
        info = self.table(qualified)
        fixed, generate, tag = self._build(conn, qualified, tenant, overrides, fresh_parents, set(skip_fks))
        idx = {c: 0 for c in generate}
        n = self._next()
        last: psycopg.Error | None = None
        for _ in range(MAX_ATTEMPTS):
            cands = {c: candidates(info, info.columns[c], n, tag) for c in generate}
            values = dict(fixed)
            values.update({c: cands[c][idx[c]] for c in generate})
            query, params = insert_statement(info, values, returning=keep)
            try:
                with conn.transaction(force_rollback=not keep):
                    cur = conn.execute(query, params)
                    row = None
                    if keep:
                        names = [d.name for d in cur.description]
                        row = dict(zip(names, cur.fetchone()))
                return values, row
            except psycopg.Error as exc:
                last = exc
                if exc.sqlstate == UNIQUE_VIOLATION:
                    n = self._next()
                    if not generate or not (set(info.uniques.get(exc.diag.constraint_name or "", ())) & set(generate)):
                        break
                    continue
                culprits = _culprits(info, exc, generate)
                if not culprits or not advance(idx, culprits, {c: len(cands[c]) for c in generate}):
                    break
        raise SeedError(f"cannot generate a valid row for {qualified}: {last}".rstrip())

    # -- public row factories -------------------------------------------------------------

    def new_row(self, conn: psycopg.Connection, table: str, tenant: str | None,
                overrides: Mapping[str, Any] | None = None, *, fresh_parents: bool = False) -> dict:
        """Insert (as the connection's superuser) and keep a new valid row; return it.

        Foreign keys point at the tenant's seeded rows, or, with ``fresh_parents``, at new
        parent rows where the key is part of a unique constraint (so the row is unique).
        """
        tenant_obj = self.tenants[tenant] if tenant else None
        _, row = self.insert(conn, self.table(table).qualified, tenant_obj, overrides or {},
                             keep=True, fresh_parents=fresh_parents)
        return row

    def valid_values(self, conn: psycopg.Connection, table: str, tenant: str | None,
                     overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Column values of a new row that the superuser could insert right now (tried in a
        savepoint and rolled back); parents needed for uniqueness are created and kept."""
        tenant_obj = self.tenants[tenant] if tenant else None
        values, _ = self.insert(conn, self.table(table).qualified, tenant_obj, overrides or {},
                                keep=False, fresh_parents=True)
        return values


def _culprits(info: TableInfo, exc: psycopg.Error, generate: list[str]) -> list[str]:
    """The generated columns to change after ``exc``: those of the violated check, or all."""
    state = exc.sqlstate or ""
    if state == CHECK_VIOLATION:
        cols = info.checks.get(exc.diag.constraint_name or "", (None, ""))[0]
        if cols is None:   # a domain check, or one we do not know
            return list(generate)
        return [c for c in generate if c in cols]
    if state.startswith("22"):   # data exceptions: too long, out of range, bad format
        return list(generate)
    return []


def fk_order(seed: Seed, tables: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Tables in foreign-key order, in waves of tables whose parents are all seeded (sorted by
    name inside a wave).  A cycle is broken at a nullable foreign key, filled in later: the
    first (by table, then constraint name) among the tables still waiting that points at
    another waiting table."""
    graph = nx.MultiDiGraph()   # parent -> child, one edge per foreign key (keyed by its name)
    graph.add_nodes_from(tables)
    for q in tables:
        for fk in seed.info[q].fks:
            ref = qn(fk.ref_schema, fk.ref_table)
            if ref in tables and ref != q:
                graph.add_edge(ref, q, key=fk.name, fk=fk)
    order: list[str] = []
    deferred: list[tuple[str, str]] = []
    while True:
        waiting = graph.subgraph(n for n in graph if n not in order)
        try:
            for wave in nx.topological_generations(waiting):
                order += sorted(wave)
        except nx.NetworkXUnfeasible:   # the waves stop at a cycle
            pass
        if len(order) == len(tables):
            return order, deferred
        remaining = sorted(n for n in graph if n not in order)
        edge = _nullable_edge(seed, graph, remaining)
        if edge is None:
            raise SeedError(f"foreign-key cycle without a nullable column among: {', '.join(remaining)}")
        graph.remove_edge(*edge)
        deferred.append((edge[1], edge[2]))


def _nullable_edge(seed: Seed, graph: nx.MultiDiGraph, remaining: list[str]):
    column = seed.tenancy.column
    for q in remaining:
        for ref, _, name, fk in sorted(graph.in_edges(q, keys=True, data="fk"), key=lambda e: e[2]):
            cols = [c for c in fk.columns if c != column]
            if ref in remaining and all(not seed.info[q].columns[c].not_null for c in cols):
                return ref, q, name
    return None



def seed_tenants(conn: psycopg.Connection, model: Model, tenancy: Tenancy | None = None,
                 tenant_keys: tuple[str, ...] = TENANT_KEYS, *, consume_sequences: bool = True) -> Seed:
    """Create tenants ``A`` and ``B`` with one member per role and one row per tenant table.

    ``conn`` must bypass row level security (a superuser).  The rows are committed when the
    connection is in autocommit mode (wrap the call in a transaction to keep them temporary).
    With ``consume_sequences=False`` identity and serial columns get explicit values (here and
    in the probes' inserts), so that a transaction rolled back leaves every sequence as it was
    (rows written by triggers, audit rows, still draw: see :mod:`.sequences`).
    """
    tenancy = tenancy or tenancy_from_model(model)
    seed = Seed(conn, model, tenancy, consume_sequences=consume_sequences)
    with conn.transaction():
        for key in tenant_keys:
            root = seed.new_row(conn, seed.root, None)
            seed.tenants[key] = SeededTenant(key=key, id=root[tenancy.root_key], rows={seed.root: root})
        seed.order, seed.deferred = fk_order(seed, seed.tables_of_kind("tenant", "shared"))
        for qualified in seed.order:
            skip = {name for q, name in seed.deferred if q == qualified}
            if seed.info[qualified].table.kind == "shared":
                _, seed.shared_rows[qualified] = seed.insert(conn, qualified, None, {}, keep=True,
                                                             fresh_parents=False, skip_fks=skip)
            elif qualified == seed.membership:
                for tenant in seed.tenants.values():
                    _seed_members(conn, seed, tenant, skip)
            else:
                for tenant in seed.tenants.values():
                    _, tenant.rows[qualified] = seed.insert(conn, qualified, tenant, {}, keep=True,
                                                            fresh_parents=False, skip_fks=skip)
        for qualified, name in seed.deferred:
            _fill_deferred(conn, seed, qualified, name)
    return seed


def _seed_members(conn, seed: Seed, tenant: SeededTenant, skip: set[str]) -> None:
    """One member of ``tenant`` per role (one ``member`` without a role column), each a new user."""
    t = seed.tenancy
    for role in seed.roles or (MEMBER,):
        user_id = seed.new_auth_user(conn, f"{tenant.key.lower()}-{role}")
        overrides = {t.user_column: user_id}
        if t.role_column and seed.roles:
            overrides[t.role_column] = role
        _, row = seed.insert(conn, seed.membership, tenant, overrides, keep=True, fresh_parents=False,
                             skip_fks=skip)
        tenant.users[role] = user_id
        tenant.memberships[role] = row
        tenant.rows.setdefault(seed.membership, row)


def _fill_deferred(conn, seed: Seed, qualified: str, name: str) -> None:
    """Point the foreign key ``name`` of each tenant's row of ``qualified`` (left null to break
    a cycle) at the tenant's parent row, now that it exists."""
    info = seed.info[qualified]
    fk = next(f for f in info.fks if f.name == name)
    ref = qn(fk.ref_schema, fk.ref_table)
    for tenant in seed.tenants.values():
        parent = seed.parent_row(conn, ref, tenant, fresh=False)
        row = tenant.rows[qualified]
        sets = {c: parent[r] for c, r in zip(fk.columns, fk.ref_columns) if c != seed.tenancy.column}
        query, params = update_statement(qualified, sets, seed.key_of(qualified, row))
        cur = conn.execute(query + sql.SQL(" returning *"), params)
        tenant.rows[qualified] = dict(zip([d.name for d in cur.description], cur.fetchone()))
        if qualified == seed.membership:
            first = next(iter(tenant.memberships))
            tenant.memberships[first] = tenant.rows[qualified]
