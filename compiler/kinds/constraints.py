"""Constraints of existing tables, added and dropped one by one."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Constraint
from .base import CREATE, INDEX_BUILD, REMOVE, TABLE_SCAN, Operation


def constraint_needs(schema: str, table: str, c: Constraint, referenced_key=None) -> set:
    needs = {("table", schema, table)} | {("column", schema, table, col) for col in c.columns}
    if c.kind == "foreign_key":
        needs.add(("table", c.ref_schema, c.ref_table))
        needs |= {("column", c.ref_schema, c.ref_table, col) for col in c.ref_columns}
        if referenced_key:
            needs.add(referenced_key)
    return needs


@dataclass(frozen=True)
class AddConstraint(Operation):
    schema: str
    table: str
    constraint: Constraint
    referenced_key: tuple | None = None   # the unique or primary key a foreign key points at
    on_new_table: bool = False
    family = "constraint"
    verb = "add"
    phase = CREATE

    @property
    def key(self):
        return ("constraint", self.schema, self.table, self.constraint.name)

    @property
    def needs(self):
        return constraint_needs(self.schema, self.table, self.constraint, self.referenced_key)

    @property
    def hazards(self):
        if self.on_new_table:
            return ()
        return (INDEX_BUILD,) if self.constraint.kind in ("primary_key", "unique") else (TABLE_SCAN,)

    def reverse(self) -> "DropConstraint":
        return DropConstraint(self.schema, self.table, self.constraint, self.referenced_key, self.on_new_table)


@dataclass(frozen=True)
class DropConstraint(Operation):
    schema: str
    table: str
    constraint: Constraint
    referenced_key: tuple | None = None
    on_new_table: bool = False
    family = "constraint"
    verb = "drop"
    phase = REMOVE
    hazards = ()

    @property
    def key(self):
        return ("constraint", self.schema, self.table, self.constraint.name)

    @property
    def needs(self):
        return constraint_needs(self.schema, self.table, self.constraint, self.referenced_key)

    def reverse(self) -> AddConstraint:
        return AddConstraint(self.schema, self.table, self.constraint, self.referenced_key, self.on_new_table)
