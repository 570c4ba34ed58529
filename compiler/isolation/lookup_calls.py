"""What the ``lookups`` probe calls and with what: the functions of the managed schemas that an
API role may execute (read from the catalog, so a function added by hand is probed too), the
argument sets drawn from the seeded identifiers of B, of A and of nobody, the statement that
calls a function and renders its output as comparable text, and the removal of tenant B.

Argument sets are bounded: at most :data:`MAX_VALUES` candidates per argument and
:data:`MAX_ARGUMENT_SETS` sets per function, chosen so that every candidate of every argument
is tried (B's values come first), alone and with the same candidate in the other arguments.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import product
from typing import Any, Iterator

import psycopg
from psycopg import sql

from .catalog import api_roles
from .seeding import Seed, SeededTenant
from .tenancy import qualified as qn

MAX_VALUES = 64           # candidates per argument
MAX_ARGUMENT_SETS = 128   # argument sets per function
OMITTED = object()        # an argument left to its default
NOWHERE_UUID = str(uuid.UUID("00000000-0000-4000-8000-00000000dead"))
NOWHERE_INT = 2_000_000_017
NOWHERE_TEXT = "no-such-identifier"

# every plain function of the schemas (not from an extension, not a trigger), its input
# arguments with their base type, and whether each API role may execute it
_FUNCTIONS_SQL = """
select p.oid::int, n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid),
       p.prosecdef, p.pronargdefaults::int,
       array(select pg_catalog.format_type(a.t, null) from unnest(p.proargtypes) with ordinality a(t, i)
             order by a.i),
       array(select coalesce(bt.typname, ty.typname)::text || ':' || coalesce(bt.typtype, ty.typtype)::text
             from unnest(p.proargtypes) with ordinality a(t, i)
             join pg_catalog.pg_type ty on ty.oid = a.t
             left join pg_catalog.pg_type bt on ty.typtype = 'd' and bt.oid = ty.typbasetype
             order by a.i),
       array(select coalesce(bt.oid, ty.oid)::int from unnest(p.proargtypes) with ordinality a(t, i)
             join pg_catalog.pg_type ty on ty.oid = a.t
             left join pg_catalog.pg_type bt on ty.typtype = 'd' and bt.oid = ty.typbasetype
             order by a.i)
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%s) and p.prokind = 'f'
  and p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
  and not exists (select from pg_catalog.pg_depend d where d.classid = 'pg_catalog.pg_proc'::regclass
                  and d.objid = p.oid and d.deptype = 'e')
order by 2, 3, 4
"""

# relations of the schemas carrying the tenant column (tables and what reads them)
_TENANT_RELATIONS_SQL = """
select n.nspname, c.relname, c.relkind::text
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = %s and not a.attisdropped and a.attnum > 0
where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm')
order by 1, 2
"""


@dataclass(frozen=True)
class Argument:
    type_sql: str        # the type to cast to (format_type)
    base: str            # typname of the (domain's) base type
    labels: tuple[str, ...] = ()   # enum labels


@dataclass(frozen=True)
class ApiFunction:
    """A function an API role may execute."""

    schema: str
    name: str
    identity: str                    # identity arguments, as \\df shows them
    definer: bool
    defaults: int                    # trailing arguments with a default
    arguments: tuple[Argument, ...]
    executors: frozenset[str]        # API roles that may execute it ("anon", "authenticated")

    @property
    def qualified(self) -> str:
        return qn(self.schema, self.name)

    @property
    def signature(self) -> str:
        return f"{self.qualified}({self.identity})"


@dataclass(frozen=True)
class Value:
    value: Any
    label: str           # "B tenant id", "A public.projects.id", "nowhere", "default"


def callable_functions(conn: psycopg.Connection, schemas: list[str]) -> list[ApiFunction]:
    roles = api_roles(conn)
    found = []
    for oid, schema, name, identity, definer, defaults, types, bases, base_oids in conn.execute(
            _FUNCTIONS_SQL, (schemas,)).fetchall():
        executors = frozenset(r for r in roles if conn.execute(
            "select has_function_privilege(%s, %s::oid, 'execute')", (r, oid)).fetchone()[0])
        if not executors:
            continue
        arguments = []
        for type_sql, base, base_oid in zip(types, bases, base_oids):
            typname, _, typtype = base.rpartition(":")
            labels = ()
            if typtype == "e":
                labels = tuple(r[0] for r in conn.execute(
                    "select enumlabel from pg_catalog.pg_enum where enumtypid = %s order by enumsortorder",
                    (base_oid,)).fetchall())
            arguments.append(Argument(type_sql, typname, labels))
        found.append(ApiFunction(schema, name, identity, definer, defaults, tuple(arguments), executors))
    return found


def tenant_relations(conn: psycopg.Connection, schemas: list[str], column: str) -> list[tuple[str, str, str]]:
    """(schema, name, relkind) of every relation of ``schemas`` with the tenant column."""
    return conn.execute(_TENANT_RELATIONS_SQL, (column, schemas)).fetchall()


# -- values -----------------------------------------------------------------------------

_FAMILIES = {"uuid": "uuid", "int2": "int", "int4": "int", "int8": "int",
             "text": "text", "varchar": "text", "bpchar": "text", "citext": "text", "name": "text"}


def family(base: str) -> str | None:
    return _FAMILIES.get(base)


def identifiers(seed: Seed, tenant: SeededTenant) -> dict[str, list[Value]]:
    """A tenant's identifiers by type family: its tenant id, its users, its membership rows'
    keys, the primary keys of its seeded rows, and the text values of those rows."""
    key = tenant.key
    pools: dict[str, list[Value]] = {"uuid": [], "int": [], "text": []}
    seen: set[tuple[str, str]] = set()

    def add(fam: str | None, value: Any, label: str) -> None:
        if fam is None or value is None or (fam, str(value)) in seen:
            return
        if isinstance(value, uuid.UUID):
            value = str(value)   # shown in statements as written, not as psycopg's hex
        seen.add((fam, str(value)))
        pools[fam].append(Value(value, label))

    root_key = seed.tenancy.root_key
    add(family(seed.info[seed.root].columns[root_key].base_type), tenant.id, f"{key} tenant id")
    for role, user in tenant.users.items():
        add("uuid", user, f"{key} user ({role})")
    membership = seed.info[seed.membership]
    for role, row in tenant.memberships.items():
        for c in membership.key:
            add(family(membership.columns[c].base_type), row.get(c), f"{key} membership ({role}).{c}")
    for qualified, row in tenant.rows.items():
        info = seed.info[qualified]
        for c in info.key:
            add(family(info.columns[c].base_type), row.get(c), f"{key} {qualified}.{c}")
    for qualified, row in tenant.rows.items():
        info = seed.info[qualified]
        for c, col in info.columns.items():
            if col.category == "S" and not col.enum_labels and family(col.base_type) == "text":
                add("text", row.get(c), f"{key} {qualified}.{c}")
    return pools


def candidates(argument: Argument, has_default: bool, pools: list[dict[str, list[Value]]]) -> list[Value]:
    """Values for one argument: its default first where it has one; B's, A's and nobody's
    identifiers of its type; an enum's labels; both booleans; NULL for any other type."""
    out = [Value(OMITTED, "default")] if has_default else []
    fam = family(argument.base)
    if argument.labels:
        out += [Value(v, repr(v)) for v in argument.labels]
    elif argument.base == "bool":
        out += [Value(True, "true"), Value(False, "false")]
    elif fam is not None:
        for pool in pools:
            out += pool[fam]
        out.append(Value({"uuid": NOWHERE_UUID, "int": NOWHERE_INT, "text": NOWHERE_TEXT}[fam], "nowhere"))
    if fam is None or argument.labels:
        out.append(Value(None, "null"))
    return out[:MAX_VALUES]


def argument_sets(function: ApiFunction, values: list[list[Value]]) -> tuple[list[tuple[Value, ...]], int]:
    """Up to :data:`MAX_ARGUMENT_SETS` sets (defaults only as a suffix), and how many there
    were in all: first every argument on the same candidate (B's tenant id everywhere, B's
    first user everywhere, ...), then each candidate of each argument with the others on
    their first, then the rest, lowest highest-index first."""
    total = 1
    for v in values:
        total *= len(v)
    chosen: list[tuple[Value, ...]] = []
    seen: set[tuple[int, ...]] = set()
    for combo in _ranked([len(v) for v in values]):
        if combo in seen:
            continue
        seen.add(combo)
        chosen_values = tuple(values[i][j] for i, j in enumerate(combo))
        if not _omits_a_prefix(chosen_values):
            chosen.append(chosen_values)
            if len(chosen) == MAX_ARGUMENT_SETS:
                break
    return chosen, total


def _ranked(sizes: list[int]) -> Iterator[tuple[int, ...]]:
    if not sizes:
        yield ()
        return
    longest = max(sizes)
    for k in range(longest):                      # the same candidate everywhere
        yield tuple(min(k, n - 1) for n in sizes)
    for i, n in enumerate(sizes):                 # one argument varies
        for j in range(n):
            yield tuple(j if x == i else 0 for x in range(len(sizes)))
    for k in range(longest):                      # the rest
        for combo in product(*(range(min(k + 1, n)) for n in sizes)):
            if max(combo) == k:
                yield combo


def _omits_a_prefix(values: tuple[Value, ...]) -> bool:
    """An omitted argument followed by a given one: not callable positionally."""
    omitted = False
    for v in values:
        if v.value is OMITTED:
            omitted = True
        elif omitted:
            return True
    return False


def call_statement(function: ApiFunction, values: tuple[Value, ...]) -> tuple[sql.Composed, list[Any]]:
    """``select`` of the function's output as one text: every row (a set-returning function's
    too) cast to text, sorted, as a JSON array; comparable between two calls."""
    given = [(a, v) for a, v in zip(function.arguments, values) if v.value is not OMITTED]
    args = sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(a.type_sql)) for a, _ in given)
    call = sql.SQL("{}({})").format(sql.Identifier(function.schema, function.name), args)
    query = sql.SQL("select coalesce(jsonb_agg(r order by r), '[]'::jsonb)::text "
                    "from (select ({})::text as r) as s").format(call)
    return query, [v.value for _, v in given]


def describe_call(function: ApiFunction, values: tuple[Value, ...]) -> str:
    labels = [v.label for v in values if v.value is not OMITTED]
    return f"{function.qualified}({', '.join(labels)})"


# -- removing tenant B ----------------------------------------------------------------------


def remove_tenant(conn: psycopg.Connection, seed: Seed, tenant: SeededTenant, schemas: list[str]) -> str | None:
    """Delete every row of ``tenant`` (every row with its tenant id, its root row, its users'
    ``auth.users`` rows), then refresh the materialized views.  Call inside a savepoint that is
    rolled back.  A superuser deletes with triggers and foreign keys off (replica mode); a
    role that may not (a BYPASSRLS verifier) deletes children before parents, and the audit
    rows the deletions wrote last.  Returns why it could not be done, or None."""
    t = seed.tenancy
    try:
        with conn.transaction():
            replica = _replica_mode(conn)
            for schema, name in _deletion_order(conn, seed, schemas):
                column = t.root_key if qn(schema, name) == seed.root else t.column
                conn.execute(sql.SQL("delete from {} where {} = %s").format(
                    sql.Identifier(schema, name), sql.Identifier(column)), (tenant.id,))
                if qn(schema, name) == seed.root and seed.has_auth_users and tenant.users:
                    conn.execute("delete from auth.users where id = any(%s::uuid[])", (list(tenant.users.values()),))
            if replica:
                conn.execute("set local session_replication_role = origin")
            refresh_materialized_views(conn, schemas)
    except psycopg.Error as exc:
        return f"cannot remove tenant {tenant.key}: {str(exc).strip().splitlines()[0]}"
    return None


def _replica_mode(conn: psycopg.Connection) -> bool:
    try:
        with conn.transaction():
            conn.execute("set local session_replication_role = replica")
        return True
    except psycopg.errors.InsufficientPrivilege:
        return False


def _deletion_order(conn: psycopg.Connection, seed: Seed, schemas: list[str]) -> list[tuple[str, str]]:
    """Tables the model does not know first, then the tenant tables children first, the root,
    and the audit tables last (the deletions themselves write audit rows)."""
    relations = [(s, n) for s, n, kind in tenant_relations(conn, schemas, seed.tenancy.column) if kind in ("r", "p")]
    known = set(seed.info)
    audit = set(seed.tables_of_kind("audit"))
    tenant_tables = [q for q in reversed(seed.order) if seed.info[q].table.kind == "tenant"]
    order = [(s, n) for s, n in relations if qn(s, n) not in known]
    order += [tuple(q.split(".", 1)) for q in tenant_tables]
    order.append(tuple(seed.root.split(".", 1)))
    order += [(s, n) for s, n in relations if qn(s, n) in audit]
    return order


def refresh_materialized_views(conn: psycopg.Connection, schemas: list[str]) -> None:
    """Every materialized view of the schemas, in dependency order as far as names allow
    (a view over another is refreshed again after it)."""
    names = conn.execute("select schemaname, matviewname from pg_catalog.pg_matviews "
                         "where schemaname = any(%s) order by 1, 2", (schemas,)).fetchall()
    for _ in range(2):   # a materialized view over another: the second pass sees the first's rows
        for schema, name in names:
            conn.execute(sql.SQL("refresh materialized view {}").format(sql.Identifier(schema, name)))
