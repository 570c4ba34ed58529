"""The ``partitions`` family: no partition of a partitioned tenant table is a side door.

PostgreSQL applies the policies of the table a statement names; a statement that names a
partition skips the parent's.  So, for every tenant table that is partitioned in the database
(every partition found recursively, the default one too, :mod:`.partitions`), signed in as each
role of tenant **B** (naming B where requests name their tenant):

  partition_own_rows        control: rows of A and B are put into every partition the probe
                            can route a row to (the lower bound of each range, and a date far
                            in the past for the default), then B sees all of B's rows through
                            the parent, across those partitions (else "nothing of A" below
                            would prove nothing)
  partition_parent_*        through the parent, naming tenant A: select sees none of A's
  (select/insert/update/    rows; a valid row of A routed into each partition is refused;
  delete)_other             update / delete of A's rows touch 0 rows or are refused
  partition_select          naming each partition directly: no row at all is read (a fenced
                            partition has row level security and no policy, or no privilege)
  partition_insert          ... a valid row of A that fits the partition is refused
  partition_update /        ... updates / deletes touch 0 rows or are refused
  partition_delete
  partition_owner_select    a non-superuser made the partition's owner (superuser only, else
                            skipped) reads no row of it directly: row level security is forced
  later_partition_made      control: ``atlas_private.maintain_partitions`` (with a date ahead
                            where it takes one) makes a new partition (skipped where the
                            database has no such function)
  later_partition_fenced    each partition it made has row level security enabled and forced
                            and no privilege for an API role, and B reads nothing of it

Every step runs in a savepoint that is rolled back: the rows, the owner change and the
partitions made later are gone afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql

from . import catalog
from .catalog import SeedError
from .partitions import Partition, is_partitioned, maintain_call, partition_tree
from .prober import Outcome, Prober, attempt
from .report import ERROR, FAIL, PASS, SKIP
from .rows import delete_rows, ident, insert_statement, touch_rows, where

FAR_PAST = "1900-01-01"   # lands in the default partition where one exists

CHECKS = ("partition_parent_select_other", "partition_parent_insert_other", "partition_parent_update_other",
          "partition_parent_delete_other", "partition_select", "partition_insert", "partition_update",
          "partition_delete", "partition_owner_select", "later_partition_fenced")
CONTROLS = ("partition_own_rows", "later_partition_made")

_KEY_COLUMN = """
select a.attname::text from pg_catalog.pg_partitioned_table pt
join pg_catalog.pg_attribute a on a.attrelid = pt.partrelid and a.attnum = any(pt.partattrs::int2[])
where pt.partrelid = pg_catalog.to_regclass(%s) limit 1
"""


def partition_tables(seed) -> list[str]:
    """Tenant tables; those that are not partitioned are passed over by :func:`partitions`."""
    return seed.tables_of_kind("tenant")


def partitions(p: Prober, qualified: str) -> None:
    if not is_partitioned(p.conn, qualified):
        return
    roles = catalog.api_roles(p.conn)
    tree = partition_tree(p.conn, qualified, roles)
    if not tree:
        p.add(qualified, "partition_select", "superuser", ERROR, "a partitioned table without any partition")
        return
    column = catalog.scalar(p.conn, _KEY_COLUMN, (qualified,))
    with p.scope():
        values = _fill(p, qualified, column, tree) if column else {}
        _own_rows(p, qualified, tree, values)
        rows_of_a = _rows_of_a(p, qualified, column, values)
        for role in p.roles:
            with p.as_member(role, of=p.b) as s:
                _through_parent(p, s, qualified, role, rows_of_a)
                for part in tree:
                    _direct(p, s, qualified, part, f"B:{role}", rows_of_a.get(part.qualified))
        _owner(p, qualified, tree)
    with p.scope():
        _later(p, qualified, tree, roles)


def _fill(p: Prober, qualified: str, column: str, tree: list[Partition]) -> dict[str, Any]:
    """Rows of A and B in every leaf partition a value can be routed to; returns a value of the
    partition column for each partition (every level) that holds them."""
    parents = {part.qualified: part.parent for part in tree}
    values: dict[str, Any] = {}
    for value in dict.fromkeys([part.lower for part in tree if part.leaf and part.lower] + [FAR_PAST]):
        try:
            rows = {key: p.seed.new_row(p.conn, qualified, key, {column: value}) for key in ("A", "B")}
        except SeedError:
            continue   # no partition takes it (no default partition, or a bound of another kind)
        key = p.seed.key_of(qualified, rows["A"])
        landed = catalog.scalar(p.conn, sql.SQL(
            "select n.nspname || '.' || c.relname from {t} x join pg_catalog.pg_class c on c.oid = x.tableoid "
            "join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {w}").format(
            t=ident(qualified), w=where(key)), list(key.values()))
        while landed in parents and landed not in values:
            values[landed] = rows["A"][column]
            landed = parents[landed]
    return values


def _own_rows(p: Prober, qualified: str, tree: list[Partition], values: dict[str, Any]) -> None:
    """Control: as every role of B, B's rows through the parent, in every partition holding them."""
    col = p.t.column
    leaves = [part.qualified for part in tree if part.leaf]
    total, spread = p.conn.execute(_spread(qualified, col), (p.b.id,)).fetchone()
    if not p.member_may(qualified, "select"):
        p.add(qualified, "partition_own_rows", f"B:{'|'.join(p.roles)}", SKIP,
              "members may not read the table: only the refusals are probed")
        return
    seen = {}
    for role in p.roles:
        with p.as_member(role, of=p.b) as s:
            out = attempt(s.conn, _spread(qualified, col), (p.b.id,))
        seen[role] = tuple(out.rows[0]) if out.error is None else (0, 0)
    best = max(seen, key=lambda r: seen[r])
    filled = len([leaf for leaf in leaves if leaf in values])
    if seen[best] == (total, spread) and spread >= min(2, filled):
        p.add(qualified, "partition_own_rows", f"B:{best}", PASS,
              f"sees all {total} of B's rows through the parent, in {spread} partition(s) "
              f"({filled} of {len(leaves)} leaf partitions hold rows of A and B)")
    else:
        p.add(qualified, "partition_own_rows", f"B:{'|'.join(p.roles)}", FAIL,
              f"B holds {total} row(s) in {spread} partition(s), but the best role of B sees {seen[best][0]} in "
              f"{seen[best][1]}: refusals of A's rows prove nothing")


def _spread(qualified: str, column: str) -> sql.Composable:
    return sql.SQL("select count(*), count(distinct tableoid) from {t} where {c} = %s").format(
        t=ident(qualified), c=sql.Identifier(column))


def _rows_of_a(p: Prober, qualified: str, column: str | None, values: dict[str, Any]) -> dict[str, dict]:
    """A valid row of A (found as the superuser, not kept) that fits each partition."""
    rows = {}
    for partition, value in values.items():
        try:
            rows[partition] = p.seed.valid_values(p.conn, qualified, "A", {column: value})
        except SeedError as exc:
            p.add(qualified, "seed", "superuser", ERROR, str(exc), subject=partition)
    return rows


def _through_parent(p: Prober, s, qualified: str, role: str, rows_of_a: dict[str, dict]) -> None:
    col, actor, info = p.t.column, f"B:{role}", p.seed.info[qualified]
    count = sql.SQL("select count(*) from {t} where {c} = %s").format(t=ident(qualified), c=sql.Identifier(col))
    out = attempt(s.conn, count, (p.a.id,))
    if out.error is not None:
        p.add(qualified, "partition_parent_select_other", actor, PASS if p.is_refusal(out) else ERROR,
              f"select A's rows through the parent: {out.describe()}", out)
    else:
        n = out.rows[0][0]
        p.add(qualified, "partition_parent_select_other", actor, PASS if n == 0 else FAIL,
              f"select A's rows through the parent: sees {n}", out)
    for partition, values in rows_of_a.items():
        p.refused(qualified, "partition_parent_insert_other", actor, attempt(s.conn, *insert_statement(info, values)),
                  f"insert a valid row of A (routed to {partition}) through the parent", partition)
    for probe, query, what in (("partition_parent_update_other", touch_rows(qualified, col), "update"),
                               ("partition_parent_delete_other", delete_rows(qualified, col), "delete")):
        p.refused_or_none(qualified, probe, actor, attempt(s.conn, query, (p.a.id,)),
                          f"{what} A's rows through the parent")


def _direct(p: Prober, s, qualified: str, part: Partition, actor: str, row_of_a: dict | None) -> None:
    """Naming the partition itself: nothing read, nothing written."""
    col, name, info = p.t.column, part.qualified, p.seed.info[qualified]
    count = sql.SQL("select count(*) filter (where {c} = %s), count(*) from {t}").format(
        t=ident(name), c=sql.Identifier(col))
    out = attempt(s.conn, count, (p.a.id,))
    if out.error is not None:
        p.add(qualified, "partition_select", actor, PASS if p.is_refusal(out) else ERROR,
              f"select from {name}: {out.describe()}", out, name)
    else:
        of_a, total = out.rows[0]
        p.add(qualified, "partition_select", actor, PASS if total == 0 else FAIL,
              f"select from {name} directly: {total} row(s) ({of_a} of A)" +
              ("" if total == 0 else ": the partition skips the parent's policies"), out, name)
    if row_of_a is not None:
        q, params = insert_statement(replace(info, qualified=name), row_of_a)
        p.refused(qualified, "partition_insert", actor, attempt(s.conn, q, params),
                  f"insert a valid row of A into {name} directly", name)
    for probe, query, what in (("partition_update", sql.SQL("update {t} set {c} = {c}"), "update"),
                               ("partition_delete", sql.SQL("delete from {t}"), "delete")):
        statement = query.format(t=ident(name), c=sql.Identifier(col))
        p.refused_or_none(qualified, probe, actor, attempt(s.conn, statement), f"{what} every row of {name}", name)


def _owner(p: Prober, qualified: str, tree: list[Partition]) -> None:
    """Without FORCE a partition's owner skips its row level security: made owner, a role
    signed in as B must still read nothing of it."""
    if not catalog.scalar(p.conn, "select rolsuper from pg_catalog.pg_roles where rolname = current_user"):
        p.add(qualified, "partition_owner_select", "owner", SKIP,
              "skipped: making a probe role a partition's owner needs a superuser")
        return
    role = f"atlas_probe_owner_{uuid.uuid4().hex[:8]}"
    p.conn.execute(sql.SQL("create role {} nologin nosuperuser nobypassrls").format(sql.Identifier(role)))
    if "authenticated" in catalog.api_roles(p.conn):
        p.conn.execute(sql.SQL("grant authenticated to {}").format(sql.Identifier(role)))
    member = p.roles[0]
    for part in tree:
        p.conn.execute(sql.SQL("alter table {} owner to {}").format(ident(part.qualified), sql.Identifier(role)))
        with p.as_user(p.b.users[member], role, tenant=p.b.id) as s:
            out = attempt(s.conn, sql.SQL("select count(*) from {}").format(ident(part.qualified)))
        actor = f"owner+B:{member}"
        if out.error is not None:
            p.add(qualified, "partition_owner_select", actor, PASS if p.is_refusal(out) else ERROR,
                  f"select from {part.qualified} as its owner: {out.describe()}", out, part.qualified)
            continue
        n = out.rows[0][0]
        p.add(qualified, "partition_owner_select", actor, PASS if n == 0 else FAIL,
              f"the owner of {part.qualified} reads {n} row(s) of it directly: row level security is "
              + ("forced" if n == 0 else "not forced"), out, part.qualified)


def _later(p: Prober, qualified: str, tree: list[Partition], roles: list[str]) -> None:
    """A partition made later by the maintenance is fenced as the first ones were."""
    call, what = maintain_call(p.conn)
    if call is None:
        p.add(qualified, "later_partition_made", "superuser", SKIP, f"skipped: {what}")
        return
    statement = f"select {call}"
    out = attempt_kept(p, statement)
    if out is not None:
        p.add(qualified, "later_partition_made", "superuser", ERROR, f"{what}: {out}", Outcome(statement=statement))
        return
    known = {part.qualified for part in tree}
    made = [part for part in partition_tree(p.conn, qualified, roles) if part.qualified not in known]
    if not made:
        p.add(qualified, "later_partition_made", "superuser", FAIL,
              f"{what} made no new partition of {qualified}: a partition made later is not probed",
              Outcome(statement=statement))
        return
    p.add(qualified, "later_partition_made", "superuser", PASS,
          f"{what} made {len(made)} partition(s): {', '.join(m.qualified for m in made)}", Outcome(statement=statement))
    column = catalog.scalar(p.conn, _KEY_COLUMN, (qualified,))
    values = _fill(p, qualified, column, made) if column else {}   # rows of A and B in them too
    rows_of_a = _rows_of_a(p, qualified, column, values)
    for part in made:
        problems = part.problems()
        p.add(qualified, "later_partition_fenced", "catalog", FAIL if problems else PASS,
              f"{part.describe()}: " + ("; ".join(problems) if problems else
                                         "row level security enabled and forced, no privilege for the API roles"),
              subject=part.qualified)
        with p.as_member(p.roles[0], of=p.b) as s:
            _direct(p, s, qualified, part, f"B:{p.roles[0]}", rows_of_a.get(part.qualified))


def attempt_kept(p: Prober, statement: str) -> str | None:
    """Run ``statement`` as the superuser, kept until the enclosing scope is rolled back;
    the error's first line, or None."""
    try:
        with p.conn.transaction():
            p.conn.execute(statement)
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None

