"""What every operation shares, the phases, and Create and Drop of whole model objects.

Per-family facts (rank, hazards, early phase) come from the family's Kind (kind.py).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .kind import kind_of
from .stages import MAIN, Undo, plain

# What reviewers must notice, printed as SQL comments above the statement.
DELETES_DATA = "DELETES_DATA"      # rows or values leave the live schema (archived where possible)
AUTHZ_UPDATE = "AUTHZ_UPDATE"      # who may read or write changes
INDEX_BUILD = "INDEX_BUILD"        # an index is built on a table that may hold rows
TABLE_REWRITE = "TABLE_REWRITE"    # the whole table is rewritten under an exclusive lock
TABLE_SCAN = "TABLE_SCAN"          # existing rows are scanned to validate a constraint
LOSSY_CAST = "LOSSY_CAST"          # values may not survive the cast (old values kept for down)

# Phases of a migration (Django's autodetector does the same): additions the rest relies on;
# removals, by the names objects had before (dependents first); renames; in-place changes;
# creations, by the new names (dependencies first); removals of what the removals needed.
# Reversing the whole list stays valid: `down` undoes changes before it undoes renames, and
# puts removed objects back once their old names are back.
EARLY, REMOVE, RENAME, CHANGE, CREATE, LATE = range(6)

_READS_ROWS = frozenset({INDEX_BUILD, TABLE_SCAN, TABLE_REWRITE})


class Operation:
    """Shared behaviour; subclasses are frozen dataclasses."""

    on_new_table = False

    @property
    def template(self) -> str:
        return f"{self.family}/{self.verb}.sql.j2"

    @property
    def rank(self) -> int:
        return kind_of(self.family).rank

    def describe(self) -> str:
        return ".".join(map(str, self.key[1:]))

    @property
    def reads_rows(self) -> bool:
        """Whether the plain form reads or writes every row (the long statement_timeout)."""
        hazards = self.hazards
        return bool(hazards) and not _READS_ROWS.isdisjoint(hazards)

    def online(self) -> tuple | None:
        """The pieces (stages.py) of a form that keeps the table writable, or None when there
        is none; ordering.staged decides whether the migration may use it."""
        return None

    def pieces(self, online: bool = False) -> tuple:
        return (online and self.online()) or plain(self.reads_rows)

    def undo(self, piece) -> tuple[tuple[Undo, ...], ...]:
        """How each statement of `piece` (one entry for a transaction piece) is taken back alone,
        in order (stages.Undo). A piece of the main transaction goes back through the reverse
        operation in its plain form, as the plain down does; the online forms' later pieces say
        their own undo beside them (their kind's module)."""
        if piece.stage == MAIN:
            return ((Undo(self.reverse()),),)
        raise ValueError(f"no undo for the {piece.form} piece of {self.verb} {self.family} {self.describe()}")

    @property
    def touches(self) -> frozenset:
        """Keys whose old definition this operation removes or reshapes: the diff rebuilds what
        is built on them around it (views, policies, checks over a retyped column)."""
        return frozenset({self.key}) if self.verb in ("drop", "archive") else frozenset()


class Twin(Operation):
    """One of two operations with the same fields, each the reverse of the other (add and drop,
    archive and restore); `pair` ties them."""

    twin: type

    def reverse(self):
        return self.twin(**{f.name: getattr(self, f.name) for f in fields(self)})


def pair(first: type, second: type) -> None:
    first.twin, second.twin = second, first


class SelfInverse(Operation):
    """An operation whose reverse is itself with two fields exchanged (old and new names, before
    and after) and flags negated (`undo`)."""

    swaps: tuple[str, str] | tuple = ()
    flips: tuple[str, ...] = ()

    def reverse(self):
        changes = {name: not getattr(self, name) for name in self.flips}
        if self.swaps:
            a, b = self.swaps
            changes |= {a: getattr(self, b), b: getattr(self, a)}
        return replace(self, **changes)


class Renaming(SelfInverse):
    """A rename (of a table, a column, a generated name): its reverse renames back."""

    verb = "rename"
    phase = RENAME
    hazards = ()
    swaps = ("old", "new")


class _once:
    """functools.cached_property without its lock (a compile runs on one thread): the value,
    worked out on first use, goes into the instance's dict, which later reads find first (this
    descriptor defines no __set__, and a frozen dataclass's own setattr is not involved)."""

    def __init__(self, compute):
        self.compute, self.name = compute, compute.__name__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.compute(obj)
        return value


@dataclass(frozen=True)
class _Whole(Twin):
    obj: object
    on_new_table: bool = False   # an index or key on a table this migration creates: no hazard

    # Asked for several times per operation by ordering, staging and rendering (tens of
    # thousands of operations): worked out once (a frozen dataclass's instance dict takes it).
    @_once
    def family(self):
        return self.obj.family

    @_once
    def key(self):
        return self.obj.key

    @property
    def needs(self):
        return self.obj.requires

    def reverse(self):
        # Twin.reverse for the two fields, keeping what the operation has worked out of its
        # object (the same for its twin): every operation of a build is reversed for its down.
        twin = self.twin(self.obj, self.on_new_table)
        known = self.__dict__
        for name in ("family", "key"):
            if name in known:
                twin.__dict__[name] = known[name]
        return twin

    @property
    def reads_rows(self) -> bool:
        hook = kind_of(self.family).reads_rows
        return hook(self) if hook else super().reads_rows

    def online(self) -> tuple | None:
        hook = kind_of(self.family).online
        return hook(self) if hook else None

    def undo(self, piece) -> tuple:
        hook = kind_of(self.family).undo
        return (hook and hook(self, piece)) or super().undo(piece)


@dataclass(frozen=True)
class Create(_Whole):
    verb = "create"

    @property
    def phase(self):
        return EARLY if kind_of(self.family).early else CREATE

    @property
    def hazards(self) -> tuple[str, ...]:
        # nothing can read or hold rows of a table this migration creates
        return () if self.on_new_table else kind_of(self.family).create_hazards


@dataclass(frozen=True)
class Drop(_Whole):
    verb = "drop"

    @property
    def phase(self):
        return LATE if kind_of(self.family).early else REMOVE

    @property
    def hazards(self) -> tuple[str, ...]:
        return kind_of(self.family).drop_hazards


pair(Create, Drop)
