"""Column operations. Removed values are archived, so `down` can put them back."""
from __future__ import annotations

from dataclasses import dataclass

from ..expressions import function_calls
from ..model import Column
from .base import CHANGE, CREATE, DELETES_DATA, LOSSY_CAST, REMOVE, RENAME, TABLE_REWRITE, TABLE_SCAN, Operation
from .enums import EnumMove


def _column_key(schema, table, name):
    return ("column", schema, table, name)


@dataclass(frozen=True)
class AddColumn(Operation):
    schema: str
    table: str
    column: Column
    revoke_from: tuple[str, ...] = ()   # API roles kept off a new identity sequence
    family = "column"
    verb = "add"

    @property
    def phase(self):
        # A default that calls a spec function waits until the functions are created.
        return CREATE if self.column.default and function_calls(self.column.default) else CHANGE

    @property
    def key(self):
        return _column_key(self.schema, self.table, self.column.name)

    @property
    def needs(self):
        called = function_calls(self.column.default) if self.column.default else set()
        return {("table", self.schema, self.table)} | {("function", self.schema, f) for f in called}

    @property
    def hazards(self):
        # A NOT NULL column without a default cannot be added to a table that has rows.
        return (TABLE_SCAN,) if not self.column.nullable and self.column.default is None else ()

    def reverse(self) -> "DropColumn":
        return DropColumn(self.schema, self.table, self.column, self.revoke_from)


@dataclass(frozen=True)
class DropColumn(Operation):
    """Drops a column without keeping its values: the reverse of adding it."""

    schema: str
    table: str
    column: Column
    revoke_from: tuple[str, ...] = ()
    family = "column"
    verb = "drop"
    phase = REMOVE
    hazards = (DELETES_DATA,)

    @property
    def key(self):
        return _column_key(self.schema, self.table, self.column.name)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    def reverse(self) -> AddColumn:
        return AddColumn(self.schema, self.table, self.column, self.revoke_from)


@dataclass(frozen=True)
class ArchiveColumn(Operation):
    """Copies (primary key, value) of a removed column to atlas_archive, then drops it."""

    schema: str
    table: str
    column: Column
    key_columns: tuple[str, ...]
    archive: str
    revoke_from: tuple[str, ...] = ()
    family = "column"
    verb = "archive"
    phase = REMOVE
    hazards = (DELETES_DATA,)

    @property
    def key(self):
        return _column_key(self.schema, self.table, self.column.name)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    def reverse(self) -> "RestoreColumn":
        return RestoreColumn(self.schema, self.table, self.column, self.key_columns, self.archive, self.revoke_from)


@dataclass(frozen=True)
class RestoreColumn(Operation):
    schema: str
    table: str
    column: Column
    key_columns: tuple[str, ...]
    archive: str
    revoke_from: tuple[str, ...] = ()
    family = "column"
    verb = "restore"
    phase = REMOVE
    hazards = ()

    @property
    def key(self):
        return _column_key(self.schema, self.table, self.column.name)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    def reverse(self) -> ArchiveColumn:
        return ArchiveColumn(self.schema, self.table, self.column, self.key_columns, self.archive, self.revoke_from)


@dataclass(frozen=True)
class RenameColumn(Operation):
    schema: str
    table: str
    old: str
    new: str
    family = "column"
    verb = "rename"
    phase = RENAME
    hazards = ()

    @property
    def key(self):
        return _column_key(self.schema, self.table, self.new)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    def reverse(self) -> "RenameColumn":
        return RenameColumn(self.schema, self.table, self.new, self.old)


@dataclass(frozen=True)
class AlterColumn(Operation):
    """Type, nullability, default, identity and comment of one column, before and after.

    A lossy type change saves (primary key, old value) first; its reverse casts back and
    restores the saved values, so `down` returns the exact old data. A move between two
    versions of a rebuilt enum (`enum_move`) casts through text and first refuses rows that
    hold a label the target type lacks."""

    schema: str
    table: str
    before: Column
    after: Column
    key_columns: tuple[str, ...] = ()
    archive: str | None = None
    restoring: bool = False
    revoke_from: tuple[str, ...] = ()
    enum_move: EnumMove | None = None
    family = "column"
    verb = "alter"
    phase = CHANGE

    @property
    def key(self):
        return _column_key(self.schema, self.table, self.after.name)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    @property
    def type_changes(self) -> bool:
        return self.before.type != self.after.type

    @property
    def hazards(self):
        found = []
        if self.type_changes:
            found.append(TABLE_REWRITE)
            if self.archive and not self.restoring:
                found.append(LOSSY_CAST)
        if self.before.nullable and not self.after.nullable:
            found.append(TABLE_SCAN)
        return tuple(found)

    def reverse(self) -> "AlterColumn":
        return AlterColumn(self.schema, self.table, self.after, self.before, self.key_columns, self.archive,
                           not self.restoring, self.revoke_from, self.enum_move and self.enum_move.reverse())


def _default_needs(op) -> set:
    """A default needs its column and the functions it calls."""
    return {("column", op.schema, op.table, op.column.name)} | {
        ("function", op.schema, f) for f in function_calls(op.column.default)}


@dataclass(frozen=True)
class DropDefault(Operation):
    """A default that calls a function being replaced goes before the function does..."""

    schema: str
    table: str
    column: Column
    family = "column"
    verb = "drop_default"
    phase = REMOVE
    hazards = ()

    key = property(lambda self: ("default", self.schema, self.table, self.column.name))
    needs = property(lambda self: _default_needs(self))

    def reverse(self) -> "SetDefault":
        return SetDefault(self.schema, self.table, self.column)


@dataclass(frozen=True)
class SetDefault(Operation):
    """...and comes back once the new function exists."""

    schema: str
    table: str
    column: Column
    family = "column"
    verb = "set_default"
    phase = CREATE
    hazards = ()

    key = property(lambda self: ("default", self.schema, self.table, self.column.name))
    needs = property(lambda self: _default_needs(self))

    def reverse(self) -> DropDefault:
        return DropDefault(self.schema, self.table, self.column)
