"""What the catalog says about the partitions of a partitioned table, for the partition probes
(:mod:`.partition_probes`), ``verify``'s partition checks and the pgTAP files.

A partition is a table of its own: PostgreSQL applies the row level security and the privileges
of the table a statement names, so ``select * from messages_p2026_01`` skips every policy of
``messages``.  Each partition must therefore be fenced by itself: row level security enabled
and forced (with no policy, a direct read sees nothing, the owner too) and no privilege for the
API roles.  :func:`partition_tree` lists every partition, recursively (``pg_partition_tree``:
sub-partitions and the default partition included), with those facts;
:func:`maintain_call` is how a partition made later is asked for
(``atlas_private.maintain_partitions``, with a date ahead where it takes one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

MAINTAIN = ("atlas_private", "maintain_partitions")
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
TIME_TYPES = ("timestamp with time zone", "timestamp without time zone", "date")
AHEAD = "2 years"   # how far ahead the maintenance is asked to make partitions

_TREE = """
select n.nspname || '.' || c.relname, pn.nspname || '.' || pc.relname, t.level, t.isleaf,
       coalesce(pg_catalog.pg_get_expr(c.relpartbound, c.oid), ''), c.relrowsecurity, c.relforcerowsecurity,
       array(select r || ' ' || p from unnest(%(roles)s::text[]) r cross join unnest(%(privileges)s::text[]) p
             where pg_catalog.has_table_privilege(r, c.oid, p) order by 1),
       array(select distinct case when x.grantee = 0 then 'PUBLIC' else pg_catalog.pg_get_userbyid(x.grantee)::text end
                    || ' ' || x.privilege_type || ' (' || a.attname || ')'
             from pg_catalog.pg_attribute a cross join lateral pg_catalog.aclexplode(a.attacl) x
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
               and (x.grantee = 0 or pg_catalog.pg_get_userbyid(x.grantee) = any(%(roles)s)) order by 1),
       array(select polname::text from pg_catalog.pg_policy where polrelid = c.oid order by 1)
from pg_catalog.pg_partition_tree(%(parent)s::regclass) t
join pg_catalog.pg_class c on c.oid = t.relid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_class pc on pc.oid = t.parentrelid
join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
where t.level > 0
order by t.level, 1
"""

_RELKIND = "select relkind::text from pg_catalog.pg_class where oid = pg_catalog.to_regclass(%s)"

_MAINTAIN = """
select pg_catalog.oidvectortypes(p.proargtypes), p.pronargs, p.pronargdefaults,
       pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = %s and p.proname = %s order by p.pronargs
"""


@dataclass(frozen=True)
class Partition:
    qualified: str                     # "public.messages_p2026_01"
    parent: str                        # its direct parent (the table, or a partition of it)
    level: int                         # 1: a partition of the table; 2: of a partition ...
    leaf: bool                         # holds rows (not partitioned itself)
    bound: str                         # "FOR VALUES FROM (...) TO (...)" | "DEFAULT"
    rls_enabled: bool
    rls_forced: bool
    privileges: tuple[str, ...]        # "authenticated SELECT": what an API role may do to it
    column_privileges: tuple[str, ...]  # "authenticated UPDATE (body)"
    policies: tuple[str, ...]

    @property
    def default(self) -> bool:
        return self.bound == "DEFAULT"

    @property
    def lower(self) -> str | None:
        """The lower bound of a range partition as text (None: default, MINVALUE, list, hash)."""
        found = re.match(r"FOR VALUES FROM \('((?:[^']|'')*)'\)", self.bound)
        return found.group(1).replace("''", "'") if found else None

    @property
    def fenced(self) -> bool:
        return self.rls_enabled and self.rls_forced and not self.privileges and not self.column_privileges

    def describe(self) -> str:
        return f"{self.qualified} ({'default' if self.default else self.bound or 'partition'}, of {self.parent})"

    def grants(self) -> str:
        return ", ".join((*self.privileges, *self.column_privileges))

    def problems(self) -> list[str]:
        """What breaks the fence, in words (empty: fenced)."""
        problems = []
        if not self.rls_enabled:
            problems.append("row level security is disabled")
        elif not self.rls_forced:
            problems.append("row level security is not forced (its owner reads every row)")
        if self.privileges or self.column_privileges:
            problems.append(f"API roles hold {self.grants()}")
        return problems


def is_partitioned(conn: psycopg.Connection, qualified: str) -> bool:
    row = conn.execute(_RELKIND, (qualified,)).fetchone()
    return bool(row and row[0] == "p")


def partition_tree(conn: psycopg.Connection, qualified: str, roles: list[str]) -> list[Partition]:
    """Every partition of ``qualified`` (levels below it, the default ones too), by level and
    name, with its fence as ``roles`` (the API roles present) see it."""
    rows = conn.execute(_TREE, {"parent": qualified, "roles": list(roles), "privileges": list(PRIVILEGES)})
    return [Partition(q, parent, level, leaf, bound, enabled, forced, tuple(privs), tuple(columns), tuple(pols))
            for q, parent, level, leaf, bound, enabled, forced, privs, columns, pols in rows.fetchall()]


def partitioned_tables(conn: psycopg.Connection, model) -> list[str]:
    """The model's tables that are partitioned in the database or declared so (``partition:``)."""
    return [f"{t.schema}.{t.name}" for t in sorted(model.of("table"), key=lambda t: (t.schema, t.name))
            if t.partition is not None or is_partitioned(conn, f"{t.schema}.{t.name}")]


def maintain_call(conn: psycopg.Connection) -> tuple[str | None, str]:
    """The call (an expression: select or perform it) that asks ``atlas_private.maintain_partitions`` for partitions ahead, and
    what it asks: with a date ``AHEAD`` of now where the function takes one (its first
    argument a timestamp or date), else called as it is; (None, why) when there is none."""
    rows = conn.execute(_MAINTAIN, MAINTAIN).fetchall()
    if not rows:
        return None, "no atlas_private.maintain_partitions() in the database"
    name = ".".join(MAINTAIN)
    if not any(executable for *_, executable in rows):
        # Only its owner runs it (it makes tables); verify under a role of fewer rights skips it.
        return None, f"the verifying role may not execute {name} (its owner's only)"
    for types, count, defaults, _ in rows:
        first = types.split(", ")[0] if count else ""
        if count and first in TIME_TYPES and count - defaults <= 1:
            return f"{name}((now() + interval '{AHEAD}')::{first})", f"{name}(now() + {AHEAD})"
    if any(count == defaults for _, count, defaults, _ in rows):
        return f"{name}()", f"{name}() (it takes no date: only what it makes ahead of now)"
    return None, f"{name} takes arguments the probes cannot give: {', '.join(r[0] for r in rows)}"
