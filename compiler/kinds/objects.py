"""Renames of named objects, function replacement, enum values, comments."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Function
from .base import CHANGE, CREATE, EARLY, RENAME, Operation


@dataclass(frozen=True)
class RenameObject(Operation):
    """An index, constraint, policy or trigger whose generated name follows a renamed table."""

    family: str
    schema: str
    table: str
    old: str
    new: str
    verb = "rename"
    phase = RENAME
    hazards = ()

    @property
    def key(self):
        if self.family == "index":
            return ("index", self.schema, self.new)
        return (self.family, self.schema, self.table, self.new)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    def reverse(self) -> "RenameObject":
        return RenameObject(self.family, self.schema, self.table, self.new, self.old)


@dataclass(frozen=True)
class ReplaceFunction(Operation):
    """Same signature and return type: CREATE OR REPLACE keeps every dependent in place."""

    before: Function
    after: Function
    family = "function"
    verb = "replace"
    phase = CREATE
    hazards = ()

    @property
    def key(self):
        return self.after.key

    @property
    def needs(self):
        return self.after.requires

    def reverse(self) -> "ReplaceFunction":
        return ReplaceFunction(self.after, self.before)


@dataclass(frozen=True)
class AddEnumValue(Operation):
    """ALTER TYPE ... ADD VALUE. PostgreSQL cannot drop a label, so the reverse only says so:
    the KeepEnum next to it (ops/enums.py) makes `down` rebuild the type without the label."""

    schema: str
    enum: str
    value: str
    neighbour: str | None
    position: str            # before | after
    kept: bool = False       # True: the reverse (the label leaves with KeepEnum's rebuild)
    family = "enum"
    verb = "add_value"
    phase = EARLY
    hazards = ()

    @property
    def key(self):
        return ("enum_value", self.schema, self.enum, self.value)

    @property
    def needs(self):
        return {("enum_value", self.schema, self.enum, self.neighbour)} if self.neighbour else set()

    def describe(self) -> str:
        return f"{self.schema}.{self.enum}.{self.value}"

    def reverse(self) -> "AddEnumValue":
        return AddEnumValue(self.schema, self.enum, self.value, self.neighbour, self.position, not self.kept)


@dataclass(frozen=True)
class SetComment(Operation):
    """COMMENT ON <kind> <target>: tables, views and types."""

    kind: str                # TABLE | VIEW | MATERIALIZED VIEW | TYPE
    schema: str
    name: str
    before: str | None
    after: str | None
    family = "comment"
    verb = "set"
    phase = CHANGE
    hazards = ()

    @property
    def key(self):
        return ("comment", self.kind, self.schema, self.name)

    @property
    def needs(self):
        return set()

    def reverse(self) -> "SetComment":
        return SetComment(self.kind, self.schema, self.name, self.after, self.before)
