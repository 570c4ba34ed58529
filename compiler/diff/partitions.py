"""A table that stays but gains or loses `partition:` (or is partitioned by another column): one
ConvertTable (kinds/partition_swap.py) instead of the table's own diff, which cannot turn a plain
table into a partitioned one in place (PostgreSQL has no ALTER TABLE ... PARTITION BY).

A change of interval, premake or manager is no such change: the partitions already there stay,
and only the maintenance (H1's function or pg_partman's configuration) changes; the table's own
diff then runs as always.

What the copy cannot carry is refused at the table's line (E411), never left to fail on the
server: a conversion that also changes the table's columns or renames it (the copy moves the
columns as they are: change them in another migration), a table without a primary key (the copy
walks it in key order, the trigger finds a row by its key), pg_partman on both sides (its
template table and part_config entry cannot serve two tables at once), and a foreign key of
another table to it: bound to the table itself rather than its name, it would stay with the
archived one. The views that read it (and the functions and views over those) are bound to it
as well: the swap drops them and makes them again over the new table (ConvertTable.readers)."""
from __future__ import annotations

from ..diagnostics import CompileError, Diagnostic, Location
from ..kinds import Create, kind_of
from ..kinds.partition_swap import ConvertTable
from ..model import Table
from ..names import fit
from ..ordering import order

# The objects of a table that the new one gets in the swap (kinds/partition_swap.py).
_ATTACHED = ("index", "policy", "trigger", "publication_table")


def repartitions(before: Table, after: Table) -> bool:
    """Whether the rows must move into a table of another shape."""
    old, new = before.partition, after.partition
    if old is None or new is None:
        return old is not new
    return (old.by, old.column) != (new.by, new.column)


def conversion(original: Table, before: Table, after: Table, ctx, objects_before: dict, objects_after: dict,
               places: dict) -> list | None:
    """The operations that rebuild the table partitioned (or plain), or None when its
    partitioning does not change shape."""
    if not repartitions(before, after):
        return None
    _refuse(original, before, after, objects_before, objects_after, places)
    verb = "partitioned" if after.partition else "plain"
    ctx.warnings.append((after.name, f"table {after.name} is rebuilt {verb}: its rows are copied in batches into a "
                         f"new table that takes its place; the old one is kept in atlas_archive."
                         f"{fit(f'{ctx.number:04d}_{after.name}')} until down", "W001"))
    return [ConvertTable(after.schema, after.name, before, after,
                         attached=_attached(objects_after, after), attached_before=_attached(objects_before, before),
                         readers=_readers(objects_after, after), readers_before=_readers(objects_before, before),
                         archive=fit(f"{ctx.number:04d}_{after.name}"))]


def swap_takes_along(ops: list) -> list:
    """Without the other operations on the indexes, policies, triggers and publication membership
    of a table rebuilt: the old table keeps its own until it is archived (or dropped) with them, and
    the new one is made with the new model's (ConvertTable.attached)."""
    converted = {(op.schema, op.table) for op in ops if isinstance(op, ConvertTable)}
    if not converted:
        return ops
    # a view made again by the swap: not by the main transaction too (over the old table); its
    # drop stays where it is (the swap drops it only if it is still there)
    remade = {o.key for op in ops if isinstance(op, ConvertTable) for o in op.readers}
    return [op for op in ops if isinstance(op, ConvertTable) or not (
        _on_converted(op, converted) or op.verb == "create" and getattr(op, "obj", None) is not None
        and op.obj.key in remade)]


def _on_converted(op, converted: set) -> bool:
    target = getattr(op, "obj", None)
    return (target is not None and target.family in _ATTACHED and not getattr(target, "on_view", False)
            and (target.schema, target.table) in converted)


def _readers(objects: dict, table: Table) -> tuple:
    """What is bound to the table through what it returns or reads: the views over it, the
    functions returning their rows, the views over those, ..., with the indexes of the
    materialized ones; in the order they are created (ordering.order)."""
    reached = {("table", table.schema, table.name)}
    candidates = [o for o in objects.values()
                  if o.family in ("view", "function") or o.family == "index" and o.on_view]
    found: dict = {}
    changed = True
    while changed:
        changed = False
        for obj in candidates:
            if obj.key not in found and _bound_keys(obj) & reached:
                found[obj.key] = obj
                reached.add(obj.key)
                changed = True
    return tuple(op.obj for op in order([Create(o, on_new_table=True) for o in found.values()]))


def _bound_keys(obj) -> set:
    """The relations and functions an object is rebuilt around (a column read names its table)."""
    depends_on = kind_of(obj.family).depends_on
    keys = depends_on(obj) if depends_on else set(obj.requires)
    return {("table", k[1], k[2]) if k[0] == "column" else tuple(k) for k in keys}


def _attached(objects: dict, table: Table) -> tuple:
    found = [o for o in objects.values() if o.family in _ATTACHED and getattr(o, "on_view", False) is False
             and o.schema == table.schema and o.table == table.name]
    return tuple(sorted(found, key=lambda o: (_ATTACHED.index(o.family), str(o.key))))


def _refuse(original: Table, before: Table, after: Table, objects_before: dict, objects_after: dict,
            places: dict) -> None:
    name = after.name
    where = places.get(("partition", name)) or places.get(("tables", name)) or Location("schema")
    change = "partitions" if after.partition else "stops partitioning"
    problems = []
    if original.name != before.name:
        problems.append((f"renamed from {original.name} in the migration that {change} it",
                         "rename it in a migration of its own first"))
    if before.columns != after.columns:
        problems.append(("changes its columns in the migration that " + change + " it: the rows are copied with "
                         "the columns as they are", "change the columns in a migration of its own"))
    if all(side.partition and side.partition.manager == "pg_partman" for side in (before, after)):
        problems.append(("is partitioned by pg_partman before and after, by another column: its template table "
                         "and part_config entry cannot be held by both tables during the copy",
                         "stop partitioning it in one migration, partition it again in the next"))
    for side in (before, after):
        if not any(c.kind == "primary_key" for c in side.constraints):
            problems.append(("has no primary key: the copy walks the rows in key order, and the trigger that keeps "
                             "writes finds a row by its key", "give it a primary key first"))
            break
    key = (after.schema, name)
    for objects in (objects_before, objects_after):
        for obj in objects.values():
            reason = _bound_to(obj, key)
            if reason:
                problems.append((reason, "remove it in the migration before, and add it again after"))
    seen, errors = set(), []
    for message, hint in problems:
        if message not in seen:
            seen.add(message)
            errors.append(Diagnostic("E411", f"table {name} {message}" if not message.startswith(("view", "table"))
                                     else f"{message}", where, hint))
    if errors:
        raise CompileError(errors)


def _bound_to(obj, key: tuple) -> str | None:
    """Why an object of another table would stay with the archived table."""
    schema, name = key
    if obj.family == "table" and obj.name != name:
        for c in obj.constraints:
            if c.kind == "foreign_key" and (c.ref_schema, c.ref_table) == key:
                return (f"table {obj.name} references {name} ({c.name}): a foreign key is bound to the table, not its "
                        f"name, and would stay with the one archived when {name} is rebuilt")
    if obj.family == "foreign_key" and (obj.constraint.ref_schema, obj.constraint.ref_table) == key:
        return (f"table {obj.table} references {name} ({obj.constraint.name}): a foreign key is bound to the table, "
                f"not its name, and would stay with the one archived when {name} is rebuilt")
    return None
