"""Model-driven tenant isolation probes (shared by the test suite and ``atlas-compile verify``).

Given a superuser connection to a database where a compiled migration is applied, and the
compiled :class:`~compiler.model.Model`:

* :func:`seed_tenants` creates two tenants, ``A`` and ``B``: a root row each, one membership row
  (and one ``auth.users`` row) per value of the membership role enum, and one valid row per
  tenant for every tenant table, inserted in foreign-key order.  Values are generated from the
  catalog (enum: first label; text; numbers; times; jsonb ``'{}'`` ...); check constraints are
  satisfied by trying further candidates (including the string literals of the check) when the
  server names a violated constraint.  Tables in a foreign-key cycle are inserted with the
  nullable cycle column null and updated once the other side exists.  A row that cannot be
  generated raises :class:`SeedError` naming the table.
* :func:`probe_isolation` signs in as a member of ``A`` (role ``authenticated``, JWT claims as
  PostgREST sets them, plus the settings a ``current_setting('<name>')`` form of
  ``current_user_id`` reads; with the most privileged membership role -- the first enum label --
  unless ``actor_role`` says otherwise) and as ``anon``, and tries to reach ``B``.  Positive
  controls come first, so that no probe passes because the member reaches nothing at all:

  =====================  ==========================================================
  sign_in                every role of A: ``current_user_id`` returns the member's user id
                         (else every probe would pass vacuously: nothing else runs)
  own_rows_visible       A sees its own seeded rows of a table that members may read
  own_insert /           a member of A inserts a valid row of A / updates A's row where
  own_update             its rules allow the command
  select_other_tenant    (a) any row of another tenant visible (every role of A)
  insert_other_tenant    (b) insert a fully valid row with the tenant column = B
  update_other_tenant    (c) update B's rows (must touch 0 rows or be refused)
  delete_other_tenant    (c) delete B's rows (must touch 0 rows or be refused)
  move_to_other_tenant   (d) set the tenant column of A's own row to B
  fk_to_other_tenant     (e) point a foreign key of A's row (update, and a new row) at B's row
  anon_select / _insert  (f) anon reads rows only where select access is public, and
  anon_update / _delete      writes nothing
  audit_insert/_update/  (g) a member cannot write audit rows, not even its own tenant's
  audit_delete
  root_select_other      (h) the tenant root shows A's member only A; B cannot be
  root_update_other /        updated or deleted
  root_delete_other
  view_select_other      views readable by the API roles show no other tenant's rows
  lookup_other_user      security definer functions callable by the member return nothing
                         about another tenant's user
  sequence_privileges    anon / authenticated can neither read nor setval a sequence behind
                         a table (it is shared by every tenant)
  =====================  ==========================================================

  Every probe runs in a savepoint inside a transaction that is rolled back, so probing changes
  nothing (the seed itself is committed unless the caller wraps it in a transaction).
  The result is an :class:`IsolationReport`: one :class:`Finding` per probe, table and actor.

Statuses: ``pass`` (isolation held), ``fail`` (a leak: the statement reached another tenant, or
row level security admitted a row that only a later constraint stopped), ``error`` (the probe
could not be run meaningfully).
"""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Mapping

import psycopg
from psycopg import sql

from ..model import ForeignKey, Function, Model, Table, View
from ..postgres.session import acting_as, sign_in_for

__all__ = [
    "ERROR",
    "FAIL",
    "PASS",
    "Finding",
    "IsolationReport",
    "Seed",
    "SeedError",
    "SeededTenant",
    "Tenancy",
    "probe_isolation",
    "seed_tenants",
    "tenancy_from_model",
]

PASS = "pass"
FAIL = "fail"
ERROR = "error"

INSUFFICIENT_PRIVILEGE = "42501"  # permission denied and "violates row-level security policy"
FOREIGN_KEY_VIOLATION = "23503"
UNIQUE_VIOLATION = "23505"
CHECK_VIOLATION = "23514"

TENANT_KEYS = ("A", "B")
MEMBER = "member"  # the role name used when the membership table has no role column
MAX_ATTEMPTS = 200
AUTH_USERS = "auth.users"   # Supabase's users: a table outside the spec that rows may reference


class SeedError(RuntimeError):
    """The seeder could not produce a valid row; the message names the table."""


# -- tenancy -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenancy:
    """The tenancy settings the probes need, as the compiled model expresses them."""

    root: str                      # "public.organizations"
    root_key: str                  # column of the root that tenant columns reference ("id")
    column: str                    # tenant column of every tenant table ("organization_id")
    membership: str                # "public.auth_users"
    user_column: str               # compared with the signed-in user id ("auth_id")
    role_column: str | None        # membership role ("role"), if any
    roles: tuple[str, ...] = ()    # labels of the role enum, most privileged first
    current_user_id: str = "auth.uid()"   # how the policies read the signed-in user


def _qn(schema: str, name: str) -> str:
    return f"{schema}.{name}"


def _split(qualified: str) -> tuple[str, str]:
    schema, _, name = qualified.partition(".")
    return schema, name


def tenancy_from_model(model: Model) -> Tenancy:
    """Read the tenancy settings back from the model.

    The root is the table of kind ``root``; the tenant column is the column every tenant table
    got from the tenancy settings (origin ``tenant``); the membership table, its user and role
    columns come from the generated ``user_tenant_ids`` lookup.  Raises ValueError when the
    model does not say (pass a :class:`Tenancy` explicitly then).
    """
    tables = [o for o in model.objects if isinstance(o, Table)]
    roots = [t for t in tables if t.kind == "root"]
    if len(roots) != 1:
        raise ValueError(f"expected one tenant root table in the model, found {len(roots)}")
    root = roots[0]
    column = next((c.name for t in tables if t.kind == "tenant" for c in t.columns if c.origin == "tenant"), None)
    if column is None:
        raise ValueError("no tenant table with a tenant column in the model")
    root_key = next(
        (c.ref_columns[0] for t in tables for c in t.constraints
         if c.kind == "foreign_key" and c.columns == (column,)
         and (c.ref_schema, c.ref_table) == (root.schema, root.name)),
        "id",
    )
    settings = model.tenancy
    if settings is None:
        raise ValueError("the model carries no tenancy settings")
    roles: tuple[str, ...] = ()
    if settings.role_enum:
        enum = next((o for o in model.objects if o.family == "enum" and o.name == settings.role_enum), None)
        roles = tuple(enum.values) if enum else ()
    mschema, mname = "public", settings.membership
    return Tenancy(
        root=_qn(root.schema, root.name), root_key=root_key, column=column,
        membership=_qn(mschema, mname), user_column=settings.user_column,
        role_column=settings.role_column, roles=roles, current_user_id=settings.current_user_id,
    )


# -- catalog -------------------------------------------------------------------------------


@dataclass
class _Column:
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


@dataclass
class _TableInfo:
    qualified: str
    table: Table
    columns: dict[str, _Column]
    checks: dict[str, tuple[tuple[str, ...], str]]   # constraint name -> (columns, definition)
    uniques: dict[str, tuple[str, ...]]              # unique and primary key constraints
    key: tuple[str, ...]                             # columns identifying a row
    fks: list                                        # model Constraint objects (kind foreign_key)


_COLUMNS_SQL = """
select a.attname, a.attnum::int, format_type(a.atttypid, a.atttypmod),
       coalesce(bt.typname, t.typname), coalesce(bt.typcategory, t.typcategory)::text,
       coalesce(bt.typtype, t.typtype)::text, coalesce(bt.oid, t.oid),
       a.attnotnull, a.atthasdef, a.attidentity::text, a.attgenerated::text
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


def _load_table(conn: psycopg.Connection, table: Table, fks: list) -> _TableInfo:
    qualified = _qn(table.schema, table.name)
    rows = conn.execute(_COLUMNS_SQL, (table.schema, table.name)).fetchall()
    if not rows:
        raise SeedError(f"{qualified}: table not found in the database (is the migration applied?)")
    columns: dict[str, _Column] = {}
    for name, ordinal, type_sql, base, category, typtype, type_oid, not_null, has_def, ident, gen in rows:
        labels: tuple[str, ...] = ()
        if typtype == "e":
            labels = tuple(r[0] for r in conn.execute(
                "select enumlabel from pg_catalog.pg_enum where enumtypid = %s order by enumsortorder",
                (type_oid,)).fetchall())
        columns[name] = _Column(name, ordinal, type_sql, base, category, labels, not_null, has_def, ident, gen)
    checks: dict[str, tuple[tuple[str, ...], str]] = {}
    uniques: dict[str, tuple[str, ...]] = {}
    primary: tuple[str, ...] = ()
    for name, contype, definition, cols in conn.execute(_CONSTRAINTS_SQL, (table.schema, table.name)).fetchall():
        if contype == "c":
            checks[name] = (tuple(cols), definition)
        else:
            uniques[name] = tuple(cols)
            if contype == "p":
                primary = tuple(cols)
    key = primary or next(iter(uniques.values()), ())
    return _TableInfo(qualified, table, columns, checks, uniques, key, fks)


# -- seeding -------------------------------------------------------------------------------


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


def _literals(definition: str) -> list[str]:
    return [m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", definition)]


class Seed:
    """The seeded database state, and a factory of further valid rows.

    :meth:`new_row` (kept) and :meth:`valid_values` (tried, then rolled back) build rows with
    the same generator as the seed; call them inside a transaction you roll back if the
    database must stay as seeded.
    """

    def __init__(self, conn: psycopg.Connection, model: Model, tenancy: Tenancy) -> None:
        self.model = model
        self.tenancy = tenancy
        self.tenants: dict[str, SeededTenant] = {}
        self.order: list[str] = []                 # tables in the order they were seeded
        self.deferred: list[tuple[str, str]] = []  # (table, fk constraint) filled after the cycle
        self._counter = 0
        self._shared_rows: dict[str, dict] = {}   # shared (non-tenant) tables: one row each
        self.has_auth_users = conn.execute("select to_regclass('auth.users') is not null").fetchone()[0]
        tables = [o for o in model.objects if isinstance(o, Table)]
        fks: dict[str, list] = {_qn(t.schema, t.name): [c for c in t.constraints if c.kind == "foreign_key"]
                                for t in tables}
        for o in model.objects:
            if isinstance(o, ForeignKey):
                fks.setdefault(_qn(o.schema, o.table), []).append(o.constraint)
        self.info: dict[str, _TableInfo] = {
            _qn(t.schema, t.name): _load_table(conn, t, fks[_qn(t.schema, t.name)]) for t in tables
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

    def table(self, qualified: str) -> _TableInfo:
        if "." not in qualified:
            qualified = f"public.{qualified}"
        return self.info[qualified]

    def tables_of_kind(self, *kinds: str) -> list[str]:
        return [q for q, i in self.info.items() if i.table.kind in kinds]

    def key_of(self, qualified: str, row: Mapping[str, Any]) -> dict[str, Any]:
        info = self.table(qualified)
        if not info.key:
            raise SeedError(f"{info.qualified}: no primary key or unique constraint to identify rows by")
        return {c: row[c] for c in info.key}

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def _candidates(self, info: _TableInfo, col: _Column, n: int, tag: str) -> list[Any]:
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

    def _parent_row(self, conn, ref: str, tenant: SeededTenant | None, fresh: bool) -> dict | None:
        info = self.info.get(ref)
        if info is None or info.table.kind not in ("tenant", "shared"):
            return None
        if fresh:
            return self.new_row(conn, ref, tenant.key if tenant and info.table.kind == "tenant" else None,
                                fresh_parents=True)
        if ref == self.tenancy.membership and tenant is not None:
            return next(iter(tenant.memberships.values()), None)
        owner = tenant.rows if (tenant and info.table.kind == "tenant") else self._shared_rows
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
            ref = _qn(fk.ref_schema, fk.ref_table)
            own = [(c, r) for c, r in zip(fk.columns, fk.ref_columns) if c != t.column]
            if not own or ref == t.root or fk.name in skip_fks or ref == qualified:
                continue
            if any(c in overrides for c, _ in own):
                continue
            if ref == AUTH_USERS:   # the signed-in user's row: the tenant's member, or a new user
                if qualified == t.membership and any(c == t.user_column for c, _ in own):
                    continue   # a membership row is a new user (below)
                user = tenant.user() if tenant is not None and tenant.users else self.new_auth_user(conn)
                fixed.update({c: user for c, _ in own})
                continue
            fresh = fresh_parents and any(c in unique_cols for c, _ in own)
            parent = self._parent_row(conn, ref, tenant, fresh)
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
        if qualified == t.membership and t.user_column not in fixed:
            fixed[t.user_column] = self.new_auth_user(conn)
            if t.role_column and t.roles:
                fixed.setdefault(t.role_column, t.roles[0])
        fixed.update(overrides)
        generate = [
            c.name for c in info.columns.values()
            if c.name not in fixed and c.not_null and not c.has_default and not c.identity and not c.generated
        ]
        return fixed, generate, (tenant.key.lower() if tenant else "s")

    def _attempt_insert(self, conn, qualified: str, tenant: SeededTenant | None, overrides: Mapping[str, Any],
                        keep: bool, fresh_parents: bool, skip_fks: set[str] = frozenset()):
        info = self.table(qualified)
        fixed, generate, tag = self._build(conn, qualified, tenant, overrides, fresh_parents, set(skip_fks))
        idx = {c: 0 for c in generate}
        n = self._next()
        last: psycopg.Error | None = None
        for _ in range(MAX_ATTEMPTS):
            cands = {c: self._candidates(info, info.columns[c], n, tag) for c in generate}
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
                culprits = self._culprits(info, exc, generate)
                if not culprits or not _advance(idx, culprits, {c: len(cands[c]) for c in generate}):
                    break
        raise SeedError(f"cannot generate a valid row for {qualified}: {last}".rstrip())

    @staticmethod
    def _culprits(info: _TableInfo, exc: psycopg.Error, generate: list[str]) -> list[str]:
        state = exc.sqlstate or ""
        if state == CHECK_VIOLATION:
            cols = info.checks.get(exc.diag.constraint_name or "", (None, ""))[0]
            if cols is None:   # a domain check, or one we do not know
                return list(generate)
            return [c for c in generate if c in cols]
        if state.startswith("22"):   # data exceptions: too long, out of range, bad format
            return list(generate)
        return []

    # -- public row factories -------------------------------------------------------------

    def new_row(self, conn: psycopg.Connection, table: str, tenant: str | None,
                overrides: Mapping[str, Any] | None = None, *, fresh_parents: bool = False) -> dict:
        """Insert (as the connection's superuser) and keep a new valid row; return it.

        Foreign keys point at the tenant's seeded rows, or, with ``fresh_parents``, at new
        parent rows where the key is part of a unique constraint (so the row is unique).
        """
        tenant_obj = self.tenants[tenant] if tenant else None
        _, row = self._attempt_insert(conn, self.table(table).qualified, tenant_obj, overrides or {},
                                      keep=True, fresh_parents=fresh_parents)
        return row

    def valid_values(self, conn: psycopg.Connection, table: str, tenant: str | None,
                     overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Column values of a new row that the superuser could insert right now (tried in a
        savepoint and rolled back); parents needed for uniqueness are created and kept."""
        tenant_obj = self.tenants[tenant] if tenant else None
        values, _ = self._attempt_insert(conn, self.table(table).qualified, tenant_obj, overrides or {},
                                         keep=False, fresh_parents=True)
        return values


def _advance(idx: dict[str, int], cols: list[str], lengths: dict[str, int]) -> bool:
    """Odometer over ``cols``: the next combination of candidate indexes, False when done."""
    for c in cols:
        if idx[c] + 1 < lengths[c]:
            idx[c] += 1
            return True
        idx[c] = 0
    return False


def insert_statement(info: _TableInfo, values: Mapping[str, Any], *, returning: bool = False):
    """``insert into t (cols) values (%s::type, ...)`` and its parameters."""
    cols = list(values)
    if not cols:   # every column has a default
        query = sql.SQL("insert into {} default values").format(sql.Identifier(info.table.schema, info.table.name))
        return (query + sql.SQL(" returning *") if returning else query), []
    query = sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier(info.table.schema, info.table.name),
        sql.SQL(", ").join(sql.Identifier(c) for c in cols),
        sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(info.columns[c].type_sql)) for c in cols),
    )
    if returning:
        query = query + sql.SQL(" returning *")
    return query, [values[c] for c in cols]


def _fk_order(seed: Seed, tables: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Tables in foreign-key order; cycles broken at a nullable foreign key (filled later)."""
    t = seed.tenancy
    deps: dict[str, dict[str, tuple[str, Any]]] = {}
    for q in tables:
        info = seed.info[q]
        deps[q] = {fk.name: (_qn(fk.ref_schema, fk.ref_table), fk) for fk in info.fks
                   if _qn(fk.ref_schema, fk.ref_table) in tables and _qn(fk.ref_schema, fk.ref_table) != q}
    remaining = sorted(tables)
    order: list[str] = []
    deferred: list[tuple[str, str]] = []
    while remaining:
        ready = [q for q in remaining
                 if all(ref not in remaining for name, (ref, _) in deps[q].items() if (q, name) not in deferred)]
        if ready:
            order += ready
            remaining = [q for q in remaining if q not in ready]
            continue
        broken = False
        for q in remaining:
            for name, (ref, fk) in sorted(deps[q].items()):
                cols = [c for c in fk.columns if c != t.column]
                nullable = all(not seed.info[q].columns[c].not_null for c in cols)
                if ref in remaining and (q, name) not in deferred and nullable:
                    deferred.append((q, name))
                    broken = True
                    break
            if broken:
                break
        if not broken:
            raise SeedError(f"foreign-key cycle without a nullable column among: {', '.join(remaining)}")
    return order, deferred


def seed_tenants(conn: psycopg.Connection, model: Model, tenancy: Tenancy | None = None,
                 tenant_keys: tuple[str, ...] = TENANT_KEYS) -> Seed:
    """Create tenants ``A`` and ``B`` with one member per role and one row per tenant table.

    ``conn`` must bypass row level security (a superuser).  The rows are committed when the
    connection is in autocommit mode (wrap the call in a transaction to keep them temporary).
    """
    tenancy = tenancy or tenancy_from_model(model)
    seed = Seed(conn, model, tenancy)
    with conn.transaction():
        for key in tenant_keys:
            root = seed.new_row(conn, tenancy.root, None)
            seed.tenants[key] = SeededTenant(key=key, id=root[tenancy.root_key], rows={tenancy.root: root})
        order, deferred = _fk_order(seed, seed.tables_of_kind("tenant", "shared"))
        seed.order, seed.deferred = order, deferred
        for qualified in order:
            info = seed.info[qualified]
            skip = {name for q, name in deferred if q == qualified}
            if info.table.kind == "shared":
                _, row = seed._attempt_insert(conn, qualified, None, {}, keep=True, fresh_parents=False,
                                              skip_fks=skip)
                seed._shared_rows[qualified] = row
                continue
            for tenant in seed.tenants.values():
                if qualified == tenancy.membership:
                    for role in tenancy.roles or (MEMBER,):
                        user_id = seed.new_auth_user(conn, f"{tenant.key.lower()}-{role}")
                        overrides = {tenancy.user_column: user_id}
                        if tenancy.role_column and tenancy.roles:
                            overrides[tenancy.role_column] = role
                        _, row = seed._attempt_insert(conn, qualified, tenant, overrides, keep=True,
                                                      fresh_parents=False, skip_fks=skip)
                        tenant.users[role] = user_id
                        tenant.memberships[role] = row
                        tenant.rows.setdefault(qualified, row)
                else:
                    _, row = seed._attempt_insert(conn, qualified, tenant, {}, keep=True, fresh_parents=False,
                                                  skip_fks=skip)
                    tenant.rows[qualified] = row
        for qualified, name in deferred:
            info = seed.info[qualified]
            fk = next(f for f in info.fks if f.name == name)
            ref = _qn(fk.ref_schema, fk.ref_table)
            for tenant in seed.tenants.values():
                parent = seed._parent_row(conn, ref, tenant, fresh=False)
                row = tenant.rows[qualified]
                sets = {c: parent[r] for c, r in zip(fk.columns, fk.ref_columns) if c != tenancy.column}
                where = seed.key_of(qualified, row)
                query = sql.SQL("update {} set {} where {} returning *").format(
                    sql.Identifier(info.table.schema, info.table.name),
                    sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in sets),
                    _where(where))
                cur = conn.execute(query, [*sets.values(), *where.values()])
                tenant.rows[qualified] = dict(zip([d.name for d in cur.description], cur.fetchone()))
                if qualified == tenancy.membership:
                    first = next(iter(tenant.memberships))
                    tenant.memberships[first] = tenant.rows[qualified]
    return seed


def _where(columns: Mapping[str, Any]) -> sql.Composable:
    return sql.SQL(" and ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in columns)


# -- report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """The outcome of one probe against one table, as one actor."""

    table: str                 # "public.leads"
    probe: str                 # "select_other_tenant", ...
    actor: str                 # "A:owner", "anon"
    status: str                # pass | fail | error
    detail: str
    sqlstate: str | None = None
    rowcount: int | None = None
    subject: str | None = None  # e.g. the foreign key probed

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def line(self) -> str:
        subject = f"[{self.subject}]" if self.subject else ""
        return f"{self.status.upper():5} {self.table} {self.probe}{subject} as {self.actor}: {self.detail}"


@dataclass
class IsolationReport:
    findings: list[Finding]
    tenant_tables: tuple[str, ...]   # tenant tables of the model
    tables_probed: tuple[str, ...]   # tenant tables probes (a)-(e) ran on

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == FAIL]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.status == ERROR]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors

    def for_table(self, table: str) -> list[Finding]:
        table = table if "." in table else f"public.{table}"
        return [f for f in self.findings if f.table == table]

    def probes(self) -> set[str]:
        return {f.probe for f in self.findings}

    def summary(self) -> str:
        passed = sum(f.passed for f in self.findings)
        return (f"{len(self.findings)} probes on {len(self.tables_probed)}/{len(self.tenant_tables)} tenant tables: "
                f"{passed} passed, {len(self.failures)} failed, {len(self.errors)} errors")

    def format(self, verbose: bool = False) -> str:
        shown = self.findings if verbose else [f for f in self.findings if not f.passed]
        return "\n".join([*(f.line() for f in shown), self.summary()])

    def to_data(self) -> dict:
        return {"tenant_tables": list(self.tenant_tables), "tables_probed": list(self.tables_probed),
                "findings": [asdict(f) for f in self.findings]}


# -- probing -------------------------------------------------------------------------------


@dataclass
class _Outcome:
    rowcount: int | None = None
    rows: list | None = None
    error: psycopg.Error | None = None

    @property
    def sqlstate(self) -> str | None:
        return self.error.sqlstate if self.error is not None else None

    def describe(self) -> str:
        if self.error is not None:
            message = str(self.error).strip().splitlines()[0] if str(self.error).strip() else type(self.error).__name__
            return f"error {self.sqlstate}: {message}"
        return f"{self.rowcount} row(s)"


def _try(conn: psycopg.Connection, query: Any, params: Any = None) -> _Outcome:
    """Run one statement in a savepoint that is always rolled back."""
    try:
        with conn.transaction(force_rollback=True):
            cur = conn.execute(query, params)
            rows = cur.fetchall() if cur.description else None
            return _Outcome(rowcount=cur.rowcount, rows=rows)
    except psycopg.Error as exc:
        return _Outcome(error=exc)


class _Prober:
    def __init__(self, conn: psycopg.Connection, seed: Seed, actor_role: str | None) -> None:
        self.conn = conn
        self.seed = seed
        self.t = seed.tenancy
        self.a = seed.tenants["A"]
        self.b = seed.tenants["B"]
        roles = list(self.a.users)
        self.actor_role = actor_role or roles[0]
        if self.actor_role not in self.a.users:
            raise ValueError(f"no seeded member with role {self.actor_role!r} (roles: {roles})")
        self.sign_in = sign_in_for(self.t.current_user_id)
        self.anonymous_error: tuple[str | None, str] | None = None   # set by signed_in()
        self.findings: list[Finding] = []

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _scope(self) -> Iterator[None]:
        """A transaction (savepoint) rolled back at exit, with deferred constraints checked at once."""
        with self.conn.transaction(force_rollback=True):
            self.conn.execute("set constraints all immediate")
            yield

    @contextmanager
    def _as_member(self, role: str | None = None):
        user = self.a.users[role or self.actor_role]
        with acting_as(self.conn, user, "authenticated", settings=self.sign_in.values(user)) as session:
            yield session

    @contextmanager
    def _as_anon(self):
        # not signed in: the user settings are empty, as on a pooled connection between requests
        with acting_as(self.conn, None, "anon", settings=self.sign_in.values(None)) as session:
            yield session

    def _actor(self, role: str | None = None) -> str:
        return f"A:{role or self.actor_role}"

    def _add(self, table: str, probe: str, actor: str, status: str, detail: str,
             outcome: _Outcome | None = None, subject: str | None = None) -> None:
        self.findings.append(Finding(
            table=table, probe=probe, actor=actor, status=status, detail=detail,
            sqlstate=outcome.sqlstate if outcome else None,
            rowcount=outcome.rowcount if outcome and outcome.error is None else None, subject=subject))

    def _is_refusal(self, outcome: _Outcome) -> bool:
        """Refused by privileges or row level security (42501), or, for a caller that is not
        signed in, by ``current_user_id`` itself: ``current_setting('app.user_id')::uuid``
        raises without a user, before any row is reached."""
        if outcome.sqlstate == INSUFFICIENT_PRIVILEGE:
            return True
        return outcome.error is not None and self.anonymous_error == (outcome.sqlstate, outcome.describe())

    def _refused_or_none(self, table, probe, actor, outcome: _Outcome, what: str, subject=None) -> None:
        """Writes to rows the actor must not reach: refused (42501) or 0 rows, nothing else."""
        if outcome.error is None:
            status = PASS if outcome.rowcount == 0 else FAIL
            detail = f"{what}: {outcome.rowcount} row(s) affected"
        elif self._is_refusal(outcome):
            status, detail = PASS, f"{what}: refused ({outcome.describe()})"
        else:
            status = FAIL
            detail = (f"{what}: row level security let the statement reach the rows; it failed only "
                      f"later ({outcome.describe()})")
        self._add(table, probe, actor, status, detail, outcome, subject)

    def _refused(self, table, probe, actor, outcome: _Outcome, what: str, subject=None) -> None:
        """Inserts (or moves) that must be refused by privileges or row level security."""
        if outcome.error is None:
            status, detail = FAIL, f"{what}: succeeded ({outcome.rowcount} row(s))"
        elif self._is_refusal(outcome):
            status, detail = PASS, f"{what}: refused ({outcome.describe()})"
        else:
            status = FAIL
            detail = (f"{what}: row level security admitted the row; only a later check stopped it "
                      f"({outcome.describe()})")
        self._add(table, probe, actor, status, detail, outcome, subject)

    def _ident(self, qualified: str) -> sql.Identifier:
        schema, name = _split(qualified)
        return sql.Identifier(schema, name)

    def _count_foreign(self, qualified: str, column: str) -> sql.Composable:
        return sql.SQL("select count(*) filter (where {c} is distinct from %s), count(*) filter (where {c} = %s) "
                       "from {t}").format(c=sql.Identifier(column), t=self._ident(qualified))

    def _member_may(self, qualified: str, command: str) -> bool:
        """The signed-in role holds the privilege and a permissive policy (generated or raw) of
        the table lets some member run ``command``: then some role of A must manage it."""
        schema, name = _split(qualified)
        granted = self.conn.execute("select has_table_privilege('authenticated', %s::regclass, %s)",
                                    (self._ident(qualified).as_string(self.conn), command)).fetchone()[0]
        return granted and any(
            p.family == "policy" and (p.schema, p.table) == (schema, name) and p.permissive
            and p.command in (command, "all") and {"authenticated", "public"} & set(p.roles)
            for p in self.seed.model.objects)

    def _select_other(self, qualified: str, column: str, probe: str, control: bool = False) -> None:
        """(a): every role of A sees no row whose tenant is not A.  With ``control``, first the
        positive control: where members may read the table, some role of A sees A's own rows
        (seen by nobody, "0 rows of other tenants" would prove nothing)."""
        outcomes = {}
        for role in self.a.users:
            with self._as_member(role) as s:
                outcomes[role] = _try(s.conn, self._count_foreign(qualified, column), (self.a.id, self.a.id))
        if control and self._member_may(qualified, "select"):
            seen = {role: out.rows[0][1] for role, out in outcomes.items() if out.error is None}
            best = max(seen, key=seen.get) if seen else None
            if best is None or not seen[best]:
                self._add(qualified, "own_rows_visible", f"A:{'|'.join(self.a.users)}", FAIL,
                          "no role of A sees any of A's own seeded rows, though members may read the table: "
                          "the probes are not really signed in (or the seed is hidden from every role), so "
                          "seeing no row of other tenants proves nothing")
            else:
                self._add(qualified, "own_rows_visible", self._actor(best), PASS,
                          f"sees {seen[best]} of A's own row(s)")
        for role, out in outcomes.items():
            actor = self._actor(role)
            if out.error is not None:
                status = PASS if out.sqlstate == INSUFFICIENT_PRIVILEGE else ERROR
                self._add(qualified, probe, actor, status, f"select: {out.describe()}", out)
                continue
            foreign, own = out.rows[0]
            status = PASS if foreign == 0 else FAIL
            self._add(qualified, probe, actor, status,
                      f"sees {foreign} row(s) of other tenants ({own} of its own)", out)

    def _own_writes(self, qualified: str, statements: dict[str, tuple[Any, list]]) -> None:
        """Positive controls for writes: where members may run the command, some role of A
        inserts its own valid row / updates its own row (refusing B proves nothing otherwise)."""
        for command, (query, params) in statements.items():
            if not self._member_may(qualified, command):
                continue
            last = None
            for role in self.a.users:
                with self._as_member(role) as s:
                    last = _try(s.conn, query, params)
                if last.error is None and last.rowcount:
                    self._add(qualified, f"own_{command}", self._actor(role), PASS,
                              f"{command} of A's own row: {last.describe()}", last)
                    break
            else:
                self._add(qualified, f"own_{command}", f"A:{'|'.join(self.a.users)}", FAIL,
                          f"no role of A can {command} A's own row, though members may {command} rows of the "
                          f"table ({last.describe()}): refusals of B's rows prove nothing", last)

    def signed_in(self) -> bool:
        """Every role of A is signed in for real: ``current_user_id``, evaluated in its session,
        returns its user id.  Otherwise every other probe would pass without testing anything."""
        expression = self.t.current_user_id
        user_sql = sql.SQL("select ({})::text").format(sql.SQL(expression))
        if not self.sign_in.problem:
            with self._as_anon() as s:
                out = _try(s.conn, user_sql)
            if out.error is not None:
                self.anonymous_error = (out.sqlstate, out.describe())
        for role, user in self.a.users.items():
            if self.sign_in.problem:
                self._add(self.t.membership, "sign_in", self._actor(role), FAIL,
                          f"the probes cannot sign in: {self.sign_in.problem} (current_user_id: {expression})")
                continue
            with self._as_member(role) as s:
                out = _try(s.conn, user_sql)
            got = out.rows[0][0] if out.error is None else out.describe()
            if got == str(user):
                self._add(self.t.membership, "sign_in", self._actor(role), PASS,
                          f"current_user_id returns the member's user id {user}", out)
            else:
                how = ", ".join(self.sign_in.settings) or "JWT claims"
                self._add(self.t.membership, "sign_in", self._actor(role), FAIL,
                          f"the probes cannot sign in: signed in as {user} ({how}), "
                          f"current_user_id ({expression}) returns {got}", out)
        return not any(f.status == FAIL for f in self.findings if f.probe == "sign_in")

    # -- probe groups ------------------------------------------------------------------------

    def tenant_table(self, qualified: str) -> bool:
        info = self.seed.info[qualified]
        col = self.t.column
        probes_before = len(self.findings)
        a_row = self.a.rows.get(qualified)
        b_row = self.b.rows.get(qualified)
        with self._scope():
            b_count = self.conn.execute(
                sql.SQL("select count(*) from {} where {} = %s").format(self._ident(qualified), sql.Identifier(col)),
                (self.b.id,)).fetchone()[0]
            if a_row is None or b_row is None or not b_count:
                self._add(qualified, "seed", "superuser", ERROR, "no seeded row for tenant A or B: nothing to probe")
                return False
            overrides: dict[str, Any] = {}
            if qualified == self.t.membership:
                # the obvious attack: make yourself a (top role) member of the other tenant
                overrides[self.t.user_column] = self.a.users[self.actor_role]
                if self.t.role_column and self.t.roles:
                    overrides[self.t.role_column] = self.t.roles[0]
            try:
                b_values = self.seed.valid_values(self.conn, qualified, "B", overrides)
                a_values = self.seed.valid_values(self.conn, qualified, "A")
            except SeedError as exc:
                self._add(qualified, "seed", "superuser", ERROR, str(exc))
                return False
            a_key = self.seed.key_of(qualified, a_row)
            fk_targets = self._fk_targets(info)

            self._select_other(qualified, col, "select_other_tenant", control=True)
            self._own_writes(qualified, {
                "insert": insert_statement(info, a_values),
                "update": (sql.SQL("update {t} set {c} = {c} where {w}").format(
                    t=self._ident(qualified), c=sql.Identifier(col), w=_where(a_key)), list(a_key.values())),
            })
            actor = self._actor()
            with self._as_member() as s:
                # (b) insert a valid row of B
                q, p = insert_statement(info, b_values)
                self._refused(qualified, "insert_other_tenant", actor, _try(s.conn, q, p),
                              f"insert a valid row with {col} = B")
                # (c) update / delete B's rows
                q = sql.SQL("update {t} set {c} = {c} where {c} = %s").format(t=self._ident(qualified),
                                                                             c=sql.Identifier(col))
                self._refused_or_none(qualified, "update_other_tenant", actor, _try(s.conn, q, (self.b.id,)),
                                      "update B's rows")
                q = sql.SQL("delete from {t} where {c} = %s").format(t=self._ident(qualified), c=sql.Identifier(col))
                self._refused_or_none(qualified, "delete_other_tenant", actor, _try(s.conn, q, (self.b.id,)),
                                      "delete B's rows")
                # (d) move A's own row to B
                q = sql.SQL("update {t} set {c} = %s where {w}").format(t=self._ident(qualified),
                                                                         c=sql.Identifier(col), w=_where(a_key))
                out = _try(s.conn, q, [self.b.id, *a_key.values()])
                if out.error is None and out.rowcount == 0:
                    self._add(qualified, "move_to_other_tenant", actor, PASS,
                              f"set {col} = B on A's row: 0 rows (the actor cannot update it)", out)
                else:
                    self._refused(qualified, "move_to_other_tenant", actor, out, f"set {col} = B on A's row")
                # (e) point each tenant-scoped foreign key at B's row
                for fk, sets in fk_targets:
                    q = sql.SQL("update {t} set {s} where {w}").format(
                        t=self._ident(qualified),
                        s=sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in sets),
                        w=_where(a_key))
                    out = _try(s.conn, q, [*sets.values(), *a_key.values()])
                    self._fk_result(qualified, actor, out, fk.name, "update A's row")
                    values = dict(a_values)
                    values.update(sets)
                    q, p = insert_statement(info, values)
                    out = _try(s.conn, q, p)
                    self._fk_result(qualified, actor, out, fk.name, "insert an A row")
        return len(self.findings) > probes_before

    def _fk_targets(self, info: _TableInfo) -> list[tuple[Any, dict[str, Any]]]:
        targets = []
        for fk in info.fks:
            ref = _qn(fk.ref_schema, fk.ref_table)
            ref_info = self.seed.info.get(ref)
            if ref_info is None or ref_info.table.kind != "tenant":
                continue   # the root (that is the tenant column itself) or a shared table
            parent = (next(iter(self.b.memberships.values())) if ref == self.t.membership
                      else self.b.rows.get(ref))
            if parent is None:
                continue
            sets = {c: parent[r] for c, r in zip(fk.columns, fk.ref_columns) if c != self.t.column}
            if sets:
                targets.append((fk, sets))
        return targets

    def _fk_result(self, table, actor, out: _Outcome, subject: str, what: str) -> None:
        what = f"{what} with {subject} -> B's row"
        if out.error is None:
            if out.rowcount == 0:
                self._add(table, "fk_to_other_tenant", actor, PASS, f"{what}: 0 rows (the actor cannot write it)",
                          out, subject)
            else:
                self._add(table, "fk_to_other_tenant", actor, FAIL, f"{what}: succeeded", out, subject)
        elif out.sqlstate in (FOREIGN_KEY_VIOLATION, INSUFFICIENT_PRIVILEGE):
            self._add(table, "fk_to_other_tenant", actor, PASS, f"{what}: refused ({out.describe()})", out, subject)
        else:
            self._add(table, "fk_to_other_tenant", actor, ERROR, f"{what}: inconclusive ({out.describe()})",
                      out, subject)

    def audit_table(self, qualified: str) -> None:
        info = self.seed.info[qualified]
        col = self.t.column
        if col not in info.columns:
            self._add(qualified, "audit", "superuser", ERROR, f"audit table has no {col} column")
            return
        with self._scope():
            own = self.conn.execute(
                sql.SQL("select count(*) from {} where {} = %s").format(self._ident(qualified), sql.Identifier(col)),
                (self.a.id,)).fetchone()[0]
            try:
                a_values = self.seed.valid_values(self.conn, qualified, "A")
            except SeedError as exc:
                self._add(qualified, "seed", "superuser", ERROR, str(exc))
                return
            self._select_other(qualified, col, "select_other_tenant")
            actor = self._actor()
            with self._as_member() as s:
                q, p = insert_statement(info, a_values)
                self._refused(qualified, "audit_insert", actor, _try(s.conn, q, p), "insert an audit row for A")
                q = sql.SQL("update {t} set {c} = {c} where {c} = %s").format(t=self._ident(qualified),
                                                                             c=sql.Identifier(col))
                self._refused_or_none(qualified, "audit_update", actor, _try(s.conn, q, (self.a.id,)),
                                      f"update A's audit rows ({own} present)")
                self._refused_or_none(qualified, "update_other_tenant", actor, _try(s.conn, q, (self.b.id,)),
                                      "update B's audit rows")
                q = sql.SQL("delete from {t} where {c} = %s").format(t=self._ident(qualified), c=sql.Identifier(col))
                self._refused_or_none(qualified, "audit_delete", actor, _try(s.conn, q, (self.a.id,)),
                                      f"delete A's audit rows ({own} present)")
                self._refused_or_none(qualified, "delete_other_tenant", actor, _try(s.conn, q, (self.b.id,)),
                                      "delete B's audit rows")

    def root_table(self) -> None:
        root = self.t.root
        key = self.t.root_key
        with self._scope():
            self._select_other(root, key, "root_select_other", control=True)
            self._own_writes(root, {"update": (sql.SQL("update {t} set {k} = {k} where {k} = %s").format(
                t=self._ident(root), k=sql.Identifier(key)), [self.a.id])})
            actor = self._actor()
            with self._as_member() as s:
                q = sql.SQL("update {t} set {k} = {k} where {k} = %s").format(t=self._ident(root),
                                                                             k=sql.Identifier(key))
                self._refused_or_none(root, "root_update_other", actor, _try(s.conn, q, (self.b.id,)),
                                      "update B's root row")
                q = sql.SQL("delete from {t} where {k} = %s").format(t=self._ident(root), k=sql.Identifier(key))
                self._refused_or_none(root, "root_delete_other", actor, _try(s.conn, q, (self.b.id,)),
                                      "delete B's root row")

    def anon(self, qualified: str) -> None:
        info = self.seed.info[qualified]
        table = info.table
        # only a policy for anon by name makes reads public: `TO public` (target postgres) is every
        # role, signed in or not, and the fence still holds anon to no tenant
        public = any(p.table == table.name and p.schema == table.schema and p.command in ("select", "all")
                     and "anon" in p.roles for p in self.seed.model.objects if p.family == "policy")
        tenant = "A" if info.table.kind in ("tenant", "audit") else None
        with self._scope():
            try:
                values = self.seed.valid_values(self.conn, qualified, tenant)
            except SeedError as exc:
                self._add(qualified, "seed", "superuser", ERROR, str(exc))
                values = None
            first = next(c for c in info.columns.values() if not c.generated and c.identity != "a")
            with self._as_anon() as s:
                out = _try(s.conn, sql.SQL("select count(*) from {}").format(self._ident(qualified)))
                if out.error is not None:
                    status = PASS if self._is_refusal(out) else ERROR
                    self._add(qualified, "anon_select", "anon", status, f"select: {out.describe()}", out)
                else:
                    n = out.rows[0][0]
                    if public:
                        self._add(qualified, "anon_select", "anon", PASS,
                                  f"select is public: anon reads {n} row(s)", out)
                    else:
                        self._add(qualified, "anon_select", "anon", PASS if n == 0 else FAIL,
                                  f"select is not public: anon reads {n} row(s)", out)
                if values is not None:
                    q, p = insert_statement(info, values)
                    self._refused(qualified, "anon_insert", "anon", _try(s.conn, q, p), "insert a valid row")
                q = sql.SQL("update {t} set {c} = {c}").format(t=self._ident(qualified), c=sql.Identifier(first.name))
                self._refused_or_none(qualified, "anon_update", "anon", _try(s.conn, q), "update every row")
                q = sql.SQL("delete from {t}").format(t=self._ident(qualified))
                self._refused_or_none(qualified, "anon_delete", "anon", _try(s.conn, q), "delete every row")

    def views(self) -> None:
        views = [o for o in self.seed.model.objects if isinstance(o, View)]
        if not views:
            return
        with self._scope():
            for v in views:
                if v.materialized:
                    self.conn.execute(sql.SQL("refresh materialized view {}").format(sql.Identifier(v.schema, v.name)))
            for v in views:
                qualified = _qn(v.schema, v.name)
                has_col = self.conn.execute(
                    "select exists (select from pg_catalog.pg_attribute where attrelid = to_regclass(%s) "
                    "and attname = %s and not attisdropped)",
                    (sql.Identifier(v.schema, v.name).as_string(self.conn), self.t.column)).fetchone()[0]
                if not has_col:
                    continue
                for role, probe in (("authenticated", "view_select_other"), ("anon", "anon_select")):
                    allowed = self.conn.execute(
                        "select has_table_privilege(%s, to_regclass(%s), 'select')",
                        (role, sql.Identifier(v.schema, v.name).as_string(self.conn))).fetchone()[0]
                    if not allowed:
                        continue
                    if role == "anon":
                        with self._as_anon() as s:
                            out = _try(s.conn, sql.SQL("select count(*) from {}").format(self._ident(qualified)))
                        if out.error is None:
                            n = out.rows[0][0]
                            self._add(qualified, probe, "anon", PASS if n == 0 else FAIL,
                                      f"anon reads {n} row(s) of the view", out)
                        else:
                            status = PASS if self._is_refusal(out) else ERROR
                            self._add(qualified, probe, "anon", status, f"select: {out.describe()}", out)
                        continue
                    self._select_other(qualified, self.t.column, probe)

    def lookups(self) -> None:
        """Security definer functions the member may call must not answer about B's users."""
        b_ids = {str(self.b.id), *(str(m[k]) for m in self.b.memberships.values()
                                   for k in self.seed.key_of(self.t.membership, m))}
        b_user = self.b.user()
        with self._scope():
            for v in self.seed.model.objects:
                if isinstance(v, View) and v.materialized:
                    self.conn.execute(sql.SQL("refresh materialized view {}").format(sql.Identifier(v.schema, v.name)))
            for f in self.seed.model.objects:
                if not isinstance(f, Function) or f.security != "definer" or f.returns == "trigger":
                    continue
                name = sql.Identifier(f.schema, f.name).as_string(self.conn)
                signature = f"{name}({', '.join(a.type for a in f.arguments)})"
                allowed = self.conn.execute(
                    "select has_function_privilege('authenticated', to_regprocedure(%s), 'execute')",
                    (signature,)).fetchone()[0]
                if not allowed:
                    continue
                args = []
                for a in f.arguments:
                    if a.type == "uuid":
                        args.append(b_user)
                    elif a.default is not None:
                        break
                    else:
                        args = None
                        break
                if args is None:
                    continue
                call = sql.SQL("{}({})").format(sql.Identifier(f.schema, f.name),
                                                sql.SQL(", ").join(sql.SQL("%s::uuid") for _ in args))
                if f.returns.lower().startswith(("setof", "table")):
                    q = sql.SQL("select coalesce(jsonb_agg(to_jsonb(r)), '[]'::jsonb)::text from {} as r").format(call)
                else:
                    q = sql.SQL("select to_jsonb({})::text").format(call)
                qualified = _qn(f.schema, f.name)
                what = f"call {qualified}({', '.join(['<B user id>'] * len(args))})"
                with self._as_member() as s:
                    out = _try(s.conn, q, args)
                if out.error is not None:
                    status = PASS if out.sqlstate == INSUFFICIENT_PRIVILEGE else ERROR
                    self._add(qualified, "lookup_other_user", self._actor(), status, f"{what}: {out.describe()}", out)
                    continue
                text = out.rows[0][0] or ""
                leaked = sorted(i for i in b_ids if i in text)
                if leaked:
                    self._add(qualified, "lookup_other_user", self._actor(), FAIL,
                              f"{what} returns tenant B's identifiers: {text}", out)
                else:
                    self._add(qualified, "lookup_other_user", self._actor(), PASS, f"{what}: nothing of B", out)

    def sequences(self) -> None:
        """A sequence behind a table is shared by every tenant: an API role that can read it
        learns how many rows all tenants wrote; one that can ``setval`` it can exhaust it and make
        every tenant's inserts fail.  Checked in the catalog: ``setval`` is not transactional."""
        rows = self.conn.execute(
            """
            select s.oid::regclass::text, n.nspname, c.relname
            from pg_catalog.pg_class s
            join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_class'::regclass and d.objid = s.oid
                 and d.refclassid = 'pg_catalog.pg_class'::regclass and d.deptype in ('a', 'i')
            join pg_catalog.pg_class c on c.oid = d.refobjid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where s.relkind = 'S'
            order by 2, 3, 1
            """).fetchall()
        roles = [r for (r,) in self.conn.execute(
            "select rolname from pg_catalog.pg_roles where rolname in ('anon', 'authenticated') order by 1")]
        for sequence, schema, name in rows:
            qualified = _qn(schema, name)
            if qualified not in self.seed.info:
                continue
            for role in roles:
                select, update = self.conn.execute(
                    "select has_sequence_privilege(%s, %s::regclass, 'SELECT'), "
                    "has_sequence_privilege(%s, %s::regclass, 'UPDATE')",
                    (role, sequence, role, sequence)).fetchone()
                if select or update:
                    what = [w for w, ok in (("read last_value (a count across all tenants)", select),
                                            ("setval (exhaust it for every tenant)", update)) if ok]
                    self._add(qualified, "sequence_privileges", role, FAIL,
                              f"{role} can {' and '.join(what)} of sequence {sequence}", subject=sequence)
                else:
                    self._add(qualified, "sequence_privileges", role, PASS,
                              f"{role} can neither read nor set sequence {sequence}", subject=sequence)

    def run(self) -> IsolationReport:
        tenant_tables = tuple(self.seed.tables_of_kind("tenant"))
        if not self.signed_in():
            return IsolationReport(findings=self.findings, tenant_tables=tenant_tables, tables_probed=())
        probed = tuple(q for q in tenant_tables if self.tenant_table(q))
        self.root_table()
        for q in self.seed.tables_of_kind("audit"):
            self.audit_table(q)
        for q in self.seed.tables_of_kind("root", "tenant", "shared", "audit"):
            self.anon(q)
        self.views()
        self.lookups()
        self.sequences()
        return IsolationReport(findings=self.findings, tenant_tables=tenant_tables, tables_probed=probed)


def probe_isolation(conn: psycopg.Connection, model: Model, *, seed: Seed | None = None,
                    tenancy: Tenancy | None = None, actor_role: str | None = None) -> IsolationReport:
    """Seed (unless ``seed`` is given) and run every isolation probe; nothing is changed by
    the probes themselves.  ``conn`` must be a superuser connection."""
    if seed is None:
        seed = seed_tenants(conn, model, tenancy)
    return _Prober(conn, seed, actor_role).run()
