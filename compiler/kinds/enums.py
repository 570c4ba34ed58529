"""Enum rebuilds. PostgreSQL can add a label to an enum but never drop or reorder one, so a type
whose labels are removed or reordered is rebuilt: the new type is staged under a temporary
name, every column moves to it (AlterColumn, cast through text), then the old type is dropped
and the new one takes its name. Each step reverses into the inverse rebuild, so `down` gives
back the previous type exactly. `down` of labels added in place is such a rebuild too."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Enum
from ..render import render_operation
from .base import CHANGE, EARLY, LATE, Operation


@dataclass(frozen=True)
class EnumMove:
    """What a column moving between two versions of an enum checks before the cast."""

    enum: str                    # the enum's name (schema public), for the message
    missing: tuple[str, ...]     # labels the target type lacks: a row holding one fails the migration
    extra: tuple[str, ...] = ()  # labels only the target type has (what the reverse move checks)

    def reverse(self) -> "EnumMove":
        return EnumMove(self.enum, self.extra, self.missing)


@dataclass(frozen=True)
class StageEnum(Operation):
    """CREATE TYPE <temp> with the new labels, for the columns to move to; undone by DROP TYPE."""

    enum: Enum                   # the type as it will be, under its own name
    temp: str
    undo: bool = False
    family = "enum"
    verb = "stage"
    hazards = ()

    @property
    def key(self):
        return ("enum", self.enum.schema, self.temp)

    @property
    def needs(self):
        return {("schema", self.enum.schema)}

    @property
    def phase(self):
        return LATE if self.undo else EARLY

    @property
    def name(self) -> str:   # what `plan` groups the operation under
        return self.enum.name

    def describe(self) -> str:
        return f"{self.enum.schema}.{self.temp}"

    def reverse(self) -> "StageEnum":
        return StageEnum(self.enum, self.temp, not self.undo)


@dataclass(frozen=True)
class SwapEnum(Operation):
    """Once every column has moved: DROP TYPE <name>; ALTER TYPE <temp> RENAME TO <name>.
    Undone by renaming the new type back to <temp> and creating the previous type again, for
    the columns to move back to."""

    before: Enum
    after: Enum
    temp: str
    columns: tuple[tuple, ...] = ()   # keys of the columns that move to or leave the type
    undo: bool = False
    family = "enum"
    verb = "swap"
    phase = CHANGE
    hazards = ()

    @property
    def key(self):
        return self.after.key

    @property
    def name(self) -> str:   # what `plan` groups the operation under
        return self.after.name

    @property
    def needs(self):
        return set(self.columns)

    def reverse(self) -> "SwapEnum":
        return SwapEnum(self.before, self.after, self.temp, self.columns, not self.undo)


@dataclass(frozen=True)
class _PreviousEnum(Operation):
    """What KeepEnum and RestoreEnum share: the type before labels were added in place, the
    labels, and the rebuild (`steps`: the type, its columns and everything that depends on
    them) that takes them back."""

    before: Enum
    added: tuple[str, ...]
    steps: tuple = ()
    family = "enum"
    phase = EARLY
    hazards = ()

    @property
    def key(self):
        return ("enum-previous",) + self.before.key[1:]

    @property
    def needs(self):
        # After the labels it takes back, so that `down` runs it before their (empty) reverses.
        return {("enum_value", self.before.schema, self.before.name, v) for v in self.added}

    @property
    def name(self) -> str:   # what `plan` groups the operation under
        return self.before.name

    def describe(self) -> str:
        return f"{self.before.schema}.{self.before.name}"


@dataclass(frozen=True)
class KeepEnum(_PreviousEnum):
    """Labels added in place (ADD VALUE) cannot be dropped again, so this remembers, next to
    them, how `down` rebuilds the previous type; `up` renders it as a comment."""

    verb = "keep"

    def reverse(self) -> "RestoreEnum":
        return RestoreEnum(self.before, self.added, self.steps)


@dataclass(frozen=True)
class RestoreEnum(_PreviousEnum):
    """`down` of labels added in place: the rebuild KeepEnum remembered, rendered step by step."""

    verb = "restore"

    @property
    def steps_sql(self) -> str:
        return "\n".join(render_operation(step) for step in self.steps)

    def reverse(self) -> KeepEnum:
        return KeepEnum(self.before, self.added, self.steps)
