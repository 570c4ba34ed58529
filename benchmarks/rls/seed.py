"""Seeding any spec's tables fast: INSERT ... SELECT from generate_series as superuser, triggers
and foreign key checks off (session_replication_role = replica), CHECK constraints dropped for
the load and put back (NOT VALID when a generated value breaks one), the measured table's
other indexes dropped and rebuilt from their own definitions.

Row g of every seeded table belongs to tenant ((g - 1) % orgs) + 1: rows of one tenant are spread
over the whole heap (the hard case). Keys are derived from g, so a script (pgbench) can name
rows: the tenant root's n-th row is org_uuid(n), row g of another table row_uuid(tag, g) (or g
for an identity key), member m of tenant o user_uuid(o, m). A NOT NULL foreign key of a row of
tenant o points at row g = o of the table it references (seeded first, one row per tenant).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import psycopg

from compiler.model import Model, Table

from .spec import Target

TS = "(timestamptz '2025-06-01' - (abs(hashint4({g} + 3)) % 63072000) * interval '1 second')"


def org_uuid_sql(n: str) -> str:
    return f"('00000000-0000-4000-8000-' || lpad(to_hex({n}), 12, '0'))::uuid"


def user_uuid_sql(o: str, m: str) -> str:
    return f"('00000000-0000-4000-9' || lpad(to_hex({m}), 3, '0') || '-' || lpad(to_hex({o}), 12, '0'))::uuid"


def row_uuid_sql(tag: int, g: str) -> str:
    return f"('00000000-0000-4000-a{tag:03x}-' || lpad(to_hex({g}), 12, '0'))::uuid"


def org_uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012x}"


def user_uuid(o: int, m: int) -> str:
    return f"00000000-0000-4000-9{m:03x}-{o:012x}"


@dataclass
class Seeding:
    """What the seed knows of the model: tables by name, their tags, enum values."""

    model: Model
    target: Target
    orgs: int
    deleted_pct: int
    tables: dict[str, Table] = field(init=False)
    tags: dict[str, int] = field(init=False)
    enums: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        listed = self.model.of("table")
        self.tables = {t.name: t for t in listed if t.schema == "public"}
        self.tags = {t.name: i + 1 for i, t in enumerate(listed)}
        self.enums = {f"{e.schema}.{e.name}": e.values for e in self.model.of("enum")}

    def key_sql(self, table: str, g: str) -> str:
        """The primary key of row g of a seeded table."""
        t = self.tables[table]
        if table == self.model.tenancy.root:
            return org_uuid_sql(g)
        (pk,) = next(c.columns for c in t.constraints if c.kind == "primary_key")
        return g if t.column(pk).type in ("integer", "bigint", "smallint") else row_uuid_sql(self.tags[table], g)

    def parents(self, table: Table) -> dict[str, str]:
        """NOT NULL foreign key columns (other than the tenant column) -> the seeded table they name."""
        out = {}
        for c in table.constraints:
            if c.kind != "foreign_key" or c.ref_schema != "public" or c.ref_table not in self.tables:
                continue
            for col in c.columns:
                if col != self.model.tenancy.column and not table.column(col).nullable:
                    out[col] = c.ref_table
        return out

    def typed(self, type_: str, name: str, g: str, salt: int, unique: bool) -> str | None:
        """A value of `type_` for row g; distinct per row where `unique`."""
        base = type_.split("(")[0].strip()
        if type_.endswith("[]"):
            return "'{}'"
        if type_ in self.enums:
            return f"(enum_range(null::{type_}))[1 + abs(hashint4({g} + {salt})) % {len(self.enums[type_])}]"
        if base in ("text", "citext", "character varying", "varchar"):
            return f"'{name[:3]}' || {g} || '@example.com'"
        if base in ("integer", "bigint", "smallint", "numeric", "real", "double precision"):
            return f"({g})" if unique else f"(abs(hashint4({g} + {salt})) % 101)"
        simple = {"boolean": f"({g} % 2 = 0)", "timestamptz": TS.format(g=g), "timestamp": TS.format(g=g) + "::timestamp",
                  "date": TS.format(g=g) + "::date", "time": "time '12:00'", "interval": "interval '1 hour'",
                  "uuid": f"md5('{name}' || {g})::uuid", "jsonb": "'{}'", "json": "'{}'", "inet": "'127.0.0.1'",
                  "bytea": "'\\x00'"}
        return simple.get(base)

    def values(self, table: Table, g: str, o: str, m: str | None = None, insert: bool = False) -> list[tuple[str, str]]:
        """(column, SQL value) of row g of tenant o (member m of it, for the membership table).
        Columns left out get their default or NULL."""
        tenancy, target = self.model.tenancy, self.target
        parents = self.parents(table)
        uniques = {col for c in table.constraints if c.kind in ("unique", "primary_key") for col in c.columns}
        indexed = {k.column for i in self.model.of("index") if i.table == table.name and not i.unique for k in i.keys}
        out: list[tuple[str, str]] = []
        for salt, col in enumerate(table.columns):
            name, value = col.name, None
            is_target = table.name == target.table
            if name == tenancy.column and table.name != tenancy.root:
                value = org_uuid_sql(o)
            elif (name,) == next(c.columns for c in table.constraints if c.kind == "primary_key"):
                if not (insert and col.default) and not col.identity and not (col.default or "").startswith("nextval"):
                    value = self.key_sql(table.name, o if table.name == tenancy.root else g)
            elif table.name == tenancy.membership and name == tenancy.user_column:
                value = user_uuid_sql(o, m)
            elif table.name == tenancy.membership and name == tenancy.role_column:
                roles = self.enums[col.type]
                value = f"(case when {m} = 1 then '{roles[0]}' else (array{list(roles[1:]) or list(roles)})" \
                        f"[1 + {m} % {max(1, len(roles) - 1)}] end)::{col.type}"
            elif name in parents:
                value = self.key_sql(parents[name], o)
            elif is_target and name == target.soft_delete:
                value = None if insert else (f"case when abs(hashint4({g} + 2)) % 100 < {self.deleted_pct} "
                                             f"then {TS.format(g=g)} + interval '3 days' end")
            elif is_target and insert and name == target.status:
                value = f"'{target.status_values[0]}'"
            elif is_target and (name == target.status or col.origin == "timestamps" or name == target.recency):
                value = "now()" if insert and col.origin == "timestamps" else self.typed(col.type, name, g, salt, False)
            elif not col.nullable and not col.default and not col.identity:
                value = self.typed(col.type, name, g, salt, name in uniques)
                if value is None:
                    raise SystemExit(f"the seed has no value for {table.name}.{name} ({col.type}); pick another --table")
            elif is_target and col.nullable and name in indexed and name not in uniques and not col.type.startswith("uuid"):
                filled = self.typed(col.type, name, f"({g} % 7)", salt, False)
                value = filled and f"case when {g} % 3 = 0 then {filled} end"
            if value is not None:
                out.append((name, value))
        return out

    def seed_table(self, conn: psycopg.Connection, table: Table, rows: int, per_member: bool = False) -> None:
        o = f"(((g - 1) % {self.orgs}) + 1)"
        m = f"(((g - 1) / {self.orgs}) + 1)" if per_member else None
        pairs = self.values(table, "g", o, m)
        conn.execute(f"insert into public.{table.name} ({', '.join(c for c, _ in pairs)}) "
                     f"select {', '.join(v for _, v in pairs)} from generate_series(1, {rows}) as g")


def _checks(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute("select conname, pg_get_constraintdef(oid) from pg_constraint "
                        "where conrelid = %s::regclass and contype = 'c'", (f"public.{table}",)).fetchall()


def seed(conn: psycopg.Connection, seeding: Seeding, rows: int, members: int, log) -> None:
    """Tenant root, memberships, the NOT NULL parents of the target, then the target's rows."""
    tenancy, target = seeding.model.tenancy, seeding.target
    order = [tenancy.root, tenancy.membership]
    pending = [target.table]
    while pending:                      # parents (and theirs) before children
        name = pending.pop()
        for parent in seeding.parents(seeding.tables[name]).values():
            if parent not in order and parent != name:
                order.insert(2, parent)
                pending.append(parent)
    order.append(target.table)
    sizes = {tenancy.root: seeding.orgs, tenancy.membership: seeding.orgs * members, target.table: rows}
    t0 = time.perf_counter()
    indexes = conn.execute(
        "select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) from pg_index i where i.indrelid = "
        "%s::regclass and not exists (select from pg_constraint c where c.conindid = i.indexrelid)",
        (target.qualified,)).fetchall()
    checks = {name: _checks(conn, name) for name in order}
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")   # no triggers, no FK checks
        for name, _ in indexes:
            conn.execute(f"drop index {name}")
        for name in order:
            for con, _ in checks[name]:
                conn.execute(f"alter table public.{name} drop constraint {con}")
            seeding.seed_table(conn, seeding.tables[name], sizes.get(name, seeding.orgs),
                               per_member=name == tenancy.membership)
    log(f"  inserted {', '.join(f'{sizes.get(n, seeding.orgs):,} {n}' for n in order)} in {time.perf_counter() - t0:.1f}s")
    t1 = time.perf_counter()
    conn.execute("set maintenance_work_mem = '512MB'")
    for _, ddl in indexes:
        conn.execute(ddl)
    loose = [con for name in order for con in add_checks(conn, name, checks[name])]
    log(f"  rebuilt {len(indexes)} {target.table} indexes, {sum(map(len, checks.values()))} checks"
        + (f" ({', '.join(loose)} NOT VALID: the generated values break them)" if loose else "")
        + f" in {time.perf_counter() - t1:.1f}s")


def add_checks(conn: psycopg.Connection, table: str, checks: list[tuple[str, str]]) -> list[str]:
    """Puts CHECK constraints (name, definition) on `table`; NOT VALID where the seeded rows break
    one (new rows are still checked). Returns those."""
    loose = []
    for con, definition in checks:
        try:
            with conn.transaction():
                conn.execute(f"alter table public.{table} add constraint {con} {definition}")
        except psycopg.errors.CheckViolation:
            conn.execute(f"alter table public.{table} add constraint {con} {definition} not valid")
            loose.append(con)
    return loose


def build_seed_copy(conn: psycopg.Connection, seeding: Seeding) -> str:
    """<target>_seed_pattern: a copy of the target with its btree indexes and only the seed's
    literal policy `tenant IN (SELECT tenant FROM membership WHERE user = <current user>)`
    (FOR ALL; no triggers are copied, which flatters its writes)."""
    tenancy, target = seeding.model.tenancy, seeding.target
    copy = f"{target.table}_seed_pattern"
    conn.execute(f"create table public.{copy} (like {target.qualified} including defaults)")
    conn.execute(f"insert into public.{copy} select * from {target.qualified}")
    add_checks(conn, copy, _checks(conn, target.table))
    btree = conn.execute(
        "select c.relname, pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid "
        "join pg_am a on a.oid = c.relam where i.indrelid = %s::regclass and a.amname = 'btree'",
        (target.qualified,)).fetchall()
    for name, ddl in btree:
        conn.execute(ddl.replace(f"INDEX {name} ON {target.qualified} ", f"INDEX sp_{name} ON public.{copy} ", 1))
    rule = (f"{tenancy.column} in (select {tenancy.column} from public.{tenancy.membership} "
            f"where {tenancy.user_column} = {tenancy.current_user_id})")
    conn.execute(f"alter table public.{copy} enable row level security")
    conn.execute(f"revoke all on table public.{copy} from anon, authenticated")
    conn.execute(f"grant select, insert, update, delete on table public.{copy} to authenticated")
    conn.execute(f"create policy seed_pattern on public.{copy} as permissive for all to authenticated "
                 f"using ({rule}) with check ({rule})")
    return copy
