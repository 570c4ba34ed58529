"""Enums: created and dropped whole, labels added in place, or the type rebuilt.

PostgreSQL can add a label to an enum but never drop or reorder one, so a type whose labels are
removed or reordered is rebuilt: the new type is staged under a temporary name, every column
moves to it (AlterColumn, cast through text), then the old type is dropped and the new one
takes its name. Each step reverses into the inverse rebuild, so `down` gives back the previous
type exactly. `down` of labels added in place is such a rebuild too. The diff's enum follow-up
(diff/enums.py) moves the columns and rebuilds what names the type.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Enum
from ..names import fit
from .base import CHANGE, EARLY, LATE, Create, Drop, SelfInverse, Twin, pair
from .comments import SetComment
from .kind import Kind, register, whole_object_phrase

TEMP_SUFFIX = "__new"


@dataclass(frozen=True)
class EnumMove:
    """What a column moving between two versions of an enum checks before the cast."""

    enum: str                    # the enum's name (schema public), for the message
    missing: tuple[str, ...]     # labels the target type lacks: a row holding one fails the migration
    extra: tuple[str, ...] = ()  # labels only the target type has (what the reverse move checks)

    def reverse(self) -> "EnumMove":
        return EnumMove(self.enum, self.extra, self.missing)


@dataclass(frozen=True)
class AddEnumValue(SelfInverse):
    """ALTER TYPE ... ADD VALUE. PostgreSQL cannot drop a label, so the reverse only says so:
    the KeepEnum next to it makes `down` rebuild the type without the label."""

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
    flips = ("kept",)

    @property
    def key(self):
        return ("enum_value", self.schema, self.enum, self.value)

    @property
    def needs(self):
        return {("enum_value", self.schema, self.enum, self.neighbour)} if self.neighbour else set()

    def describe(self) -> str:
        return f"{self.schema}.{self.enum}.{self.value}"

    # What it runs, by the name of the macro that lays each out (templates/enum/_statements.sql.j2).
    statements = property(lambda self: ("note_rebuild",) if self.kept else ("add_value",))


@dataclass(frozen=True)
class StageEnum(SelfInverse):
    """CREATE TYPE <temp> with the new labels, for the columns to move to; undone by DROP TYPE."""

    enum: Enum                   # the type as it will be, under its own name
    temp: str
    undo: bool = False
    family = "enum"
    verb = "stage"
    hazards = ()
    flips = ("undo",)

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

    statements = property(lambda self: ("drop_staged",) if self.undo else ("create_staged",))


@dataclass(frozen=True)
class SwapEnum(SelfInverse):
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
    flips = ("undo",)

    @property
    def key(self):
        return self.after.key

    @property
    def name(self) -> str:   # what `plan` groups the operation under
        return self.after.name

    @property
    def needs(self):
        return set(self.columns)

    statements = property(
        lambda self: ("rename_to_staged", "create_before") if self.undo else ("drop_before", "rename_staged"))


@dataclass(frozen=True)
class _PreviousEnum(Twin):
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


@dataclass(frozen=True)
class RestoreEnum(_PreviousEnum):
    """`down` of labels added in place: the rebuild KeepEnum remembered, rendered step by step."""

    verb = "restore"

    @property
    def runs(self) -> tuple:
        """The operations it runs, which ordering.staged stages one by one under its heading."""
        return self.steps


pair(KeepEnum, RestoreEnum)


def only_added(a: Enum, b: Enum) -> bool:
    """The old labels are all still there, in the same order: ADD VALUE can do it."""
    return [v for v in b.values if v in a.values] == list(a.values)


def label_changes(original: Enum, a: Enum, b: Enum, ctx=None) -> list:
    """Operations on the type itself: ADD VALUE per new label, or a rebuild (staged under a
    temporary name, swapped in once the diff's enum follow-up has moved the columns)."""
    if not only_added(a, b):
        temp = fit(f"{b.name}{TEMP_SUFFIX}")
        return [StageEnum(b, temp), SwapEnum(a, b, temp)]
    old, new = list(a.values), list(b.values)
    ops = []
    for i, value in enumerate(new):
        if value in old:
            continue
        # After the label before it (already there, or added by the previous operation, which
        # this one needs); a new first label goes before the first label that already exists.
        if i > 0:
            ops.append(AddEnumValue(a.schema, a.name, value, new[i - 1], "after"))
        else:
            ops.append(AddEnumValue(a.schema, a.name, value, next((v for v in new if v in old), None), "before"))
    if a.comment != b.comment:
        ops.append(SetComment("TYPE", a.schema, a.name, a.comment, b.comment))
    return ops


def _summary(op) -> str | None:
    return f"add value '{op.value}' to enum {op.enum}" if op.verb == "add_value" else None


def _phrase(op, rebuilt) -> str | None:
    if op.verb in ("stage", "swap"):   # an enum rebuild
        return f"rebuild_{op.name}"
    if op.verb == "add_value":
        return f"add_{op.enum}_{op.value}"
    return whole_object_phrase(op, rebuilt)


KIND = register(Kind(
    "enum", rank=2, early=True, leads_slug=True, changed=label_changes, summary=_summary, phrase=_phrase,
    names=lambda obj: [(("enum", obj.schema, obj.name), f"enum {obj.name}")],
    operations=(Create, Drop, AddEnumValue, StageEnum, SwapEnum, KeepEnum, RestoreEnum)))
