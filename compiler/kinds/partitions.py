"""The online forms that PostgreSQL 15 refuses on a partitioned table that stays (issue 12),
swapped for forms it accepts, with their hazards kept:

- CREATE / DROP INDEX CONCURRENTLY: refused on the parent (kinds/indexes.py CreateOnPartitioned).
- ADD FOREIGN KEY ... NOT VALID: "not yet supported on partitioned tables" (before PG 18): the
  key is added and validated at once, in the main transaction.
- ADD UNIQUE / PRIMARY KEY USING INDEX: the index would have to be built concurrently first:
  added with its index in the main transaction.
CHECK ... NOT VALID then VALIDATE works on partitioned tables and keeps its online form.
A table that this migration converts is rebuilt whole (kinds/partition_swap.py) and left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from .base import Create, Drop
from .constraints import AddConstraint
from .indexes import CreateOnPartitioned, DropOnPartitioned
from .stages import MAIN, PLAIN, ROWS, Piece

REFUSED_ONLINE = {"foreign_key": "NOT VALID is refused for a foreign key of a partitioned table",
                  "unique": "USING INDEX needs an index built concurrently, refused on a partitioned table",
                  "primary_key": "USING INDEX needs an index built concurrently, refused on a partitioned table"}


@dataclass(frozen=True)
class AddConstraintOnPartitioned(AddConstraint):
    """A foreign key or unique key added to a partitioned table that stays: in the main
    transaction, validated (or its index built) there, holding the table's lock meanwhile."""

    def online(self) -> tuple | None:
        why = REFUSED_ONLINE[self.constraint.kind]
        return (Piece(MAIN, PLAIN, ROWS, (f"{why}: added and checked in this transaction (writes wait)",)),)


@dataclass(frozen=True)
class CreateForeignKeyOnPartitioned(Create):
    """A foreign key object (one a cycle deferred) of a partitioned table that stays."""

    def online(self) -> tuple | None:
        return (Piece(MAIN, PLAIN, ROWS, (f"{REFUSED_ONLINE['foreign_key']}: added and checked in this "
                                          "transaction (writes wait)",)),)


def on_partitioned_tables(ops: list, old, new) -> list:
    """The operations of a plan with those on tables partitioned before and after it in the
    forms above."""
    both = ({(t.schema, t.name) for t in old.of("table") if t.partition}
            & {(t.schema, t.name) for t in new.of("table") if t.partition})
    return [_form(op, both) for op in ops] if both else ops


def _form(op, both: set):
    cls = type(op)
    if cls in (Create, Drop) and op.family == "index" and not op.obj.on_view and (op.obj.schema, op.obj.table) in both:
        return (CreateOnPartitioned if cls is Create else DropOnPartitioned)(op.obj, op.on_new_table)
    if cls is Create and op.family == "foreign_key" and (op.obj.schema, op.obj.table) in both:
        return CreateForeignKeyOnPartitioned(op.obj, op.on_new_table)
    if (cls is AddConstraint and not op.on_new_table and op.constraint.kind in REFUSED_ONLINE
            and (op.schema, op.table) in both):
        return AddConstraintOnPartitioned(op.schema, op.table, op.constraint, op.referenced_key, op.on_new_table)
    return op

