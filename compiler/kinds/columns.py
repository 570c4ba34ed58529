"""Columns of tables that stay: added, removed (archived, so `down` can put values back),
renamed, altered, and defaults taken off and put back around a replaced function.

NOT NULL through a check is taken back piece by piece (a runner layout's files, one per part):
the validation by adding the check again NOT VALID, SET NOT NULL by putting the validated check
back and dropping NOT NULL, the check itself with the rest of the main transaction's change. A
batched backfill changes no catalog: the values it wrote go with the column.

The columns of one table that a migration backfills are filled by one batched UPDATE, and while it
runs a trigger fills the rows the application writes, when one of them is NOT NULL (backfills.py:
its NOT VALID check holds every row version written after the main transaction)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..expressions import function_calls
from ..model import Column
from ..names import fit
from .backfills import gather_backfills
from .base import (
    CHANGE,
    CREATE,
    DELETES_DATA,
    LOSSY_CAST,
    REMOVE,
    TABLE_REWRITE,
    TABLE_SCAN,
    Renaming,
    SelfInverse,
    Twin,
    pair,
)
from .casts import rewrites as cast_rewrites
from .enums import EnumMove
from .kind import Kind, register
from .stages import BUILD, CATALOG, FINISH, MAIN, PLAIN, ROWS, VALIDATE, Piece, Undo, nothing, undone_by

# Built-in functions a default may call without PostgreSQL filling every row (not volatile).
_STABLE_FUNCTIONS = frozenset({"now", "transaction_timestamp", "statement_timestamp", "current_setting",
                               "timezone", "to_timestamp", "make_date", "lower", "upper"})


# The statements that take back the pieces of NOT NULL through a check (templates/column/_statements).
UNDO_NOT_NULL = {"undo_validate_not_null": ("drop_not_null_check", "add_not_null_check"),
                 "undo_finish_not_null": ("add_not_null_check", "validate_not_null_check", "drop_not_null")}
BACKFILLED = ("nothing to take back: the backfill changed rows, not the catalog; the values it wrote stay "
              "until the main transaction's down drops the column (and it fills only what is still null, "
              "so it runs again as it is)")


def undo_not_null(op, piece) -> tuple | None:
    if piece.form == "validate_not_null":
        return (undone_by(op, VALIDATE, "undo_validate_not_null"),)
    if piece.form == "finish_not_null":
        return (undone_by(op, FINISH, "undo_finish_not_null", ROWS),)
    return None


class _ProvesNotNull:
    """NOT NULL set on a table that stays (AlterColumn, RestoreColumn): through `check (c is not
    null) not valid` in the main transaction, validated in a later one (writes go on), then SET
    NOT NULL, which the validated check spares the scan, and the check dropped (the last
    transaction; a table rewritten by the same change is still spared the second scan under its
    lock). Not when identity must follow NOT NULL in the same change."""

    @property
    def not_null_check(self) -> str:
        return fit(f"{self.table}_{self.key[3]}_not_null")

    def online(self) -> tuple | None:
        found = self.statements
        if "set_not_null" not in found or "add_identity" in found[found.index("set_not_null"):]:
            return None
        main = ROWS if self.archive else CATALOG     # restored values go back in the main transaction
        return (Piece(MAIN, "not_null_check", main), Piece(VALIDATE, "validate_not_null", ROWS),
                Piece(FINISH, "finish_not_null", CATALOG))

    def undo(self, piece) -> tuple:
        """The main transaction's check goes with the reverse change (which leaves NOT NULL alone:
        the column is not NOT NULL yet); the later pieces as undo_not_null says."""
        if piece.form == "not_null_check" and isinstance(self, AlterColumn):
            return (undone_by(self.reverse(), MAIN, "undo_not_null_check", piece.timeout),)
        return undo_not_null(self, piece) or super().undo(piece)

    def statements_in(self, form: str) -> tuple[str, ...]:
        """The statements of one piece (`statements` for the plain form)."""
        if form in UNDO_NOT_NULL:
            return UNDO_NOT_NULL[form]
        if form == "undo_not_null_check":
            return ("drop_not_null_check", *(name for name in self.statements if name != "drop_not_null"))
        if form == "validate_not_null":
            return ("validate_not_null_check",)
        if form == "finish_not_null":
            return ("set_not_null", "drop_not_null_check")
        found = self.statements
        if form == PLAIN:
            return found
        return tuple("add_not_null_check" if name == "set_not_null" else name for name in found)


class _OfColumn:
    """Key and needs of an operation on one column of a table."""

    family = "column"

    @property
    def key(self):
        return ("column", self.schema, self.table, self.column.name)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    @property
    def touches(self) -> frozenset:
        # A star PostgreSQL expanded lists the table's columns by their names at creation.
        if self.verb == "restore":
            return frozenset()
        removed = {self.key} if self.verb in ("drop", "archive") else set()
        return frozenset({("table-columns", self.schema, self.table), *removed})


@dataclass(frozen=True)
class _Added(_OfColumn, Twin):
    schema: str
    table: str
    column: Column
    revoke_from: tuple[str, ...] = ()   # API roles kept off a new identity sequence
    backfill: str | None = None         # backfill_sql: fills the rows already there (AddColumn)


@dataclass(frozen=True)
class AddColumn(_Added):
    verb = "add"

    @property
    def phase(self):
        # A default that calls a spec function waits until the functions are created.
        return CREATE if self.column.default and function_calls(self.column.default) else CHANGE

    @property
    def needs(self):
        called = function_calls(self.column.default) if self.column.default else set()
        return {("table", self.schema, self.table)} | {("function", self.schema, f) for f in called}

    @property
    def rewrites(self) -> bool:
        """A default that calls a function is taken as volatile (the model's functions may be):
        PostgreSQL then fills every row under the lock. A constant default is stored once."""
        default = self.column.default
        return default is not None and bool(function_calls(default) - _STABLE_FUNCTIONS)

    @property
    def hazards(self):
        # A NOT NULL column without a default cannot be added to a table that has rows.
        if self.backfill and not self.column.identity:
            return (TABLE_SCAN,)          # backfilled in batches: every row is written
        if self.rewrites:
            # backfilled in batches (every row is written), or filled under the lock with identity
            return (TABLE_REWRITE,) if self.column.identity else (TABLE_SCAN,)
        return (TABLE_SCAN,) if not self.column.nullable and self.column.default is None else ()

    @property
    def not_null_check(self) -> str:
        return fit(f"{self.table}_{self.column.name}_not_null")

    def online(self) -> tuple | None:
        """A default PostgreSQL would evaluate for every row under the lock (a function call):
        the column is added bare with its default for new rows, the rows already there are
        filled in committed batches outside a transaction, and NOT NULL follows through a
        validated check, as for a column that becomes NOT NULL."""
        if not (self.rewrites or self.backfill) or self.column.identity:
            return None
        pieces = [Piece(MAIN, "add_for_backfill", CATALOG), Piece(BUILD, "backfill", ROWS)]
        if not self.column.nullable:
            pieces += [Piece(VALIDATE, "validate_not_null", ROWS), Piece(FINISH, "finish_not_null", CATALOG)]
        return tuple(pieces)

    def statements_in(self, form: str) -> tuple[str, ...]:
        """The statements of one piece of the online form (templates/column/_statements.sql.j2)."""
        column = self.column
        if form == "add_for_backfill":
            return ("add_without_default", *(("set_default",) if column.default is not None else ()),
                    *(("add_not_null_check",) if not column.nullable else ()),
                    *(("set_comment",) if column.comment else ()))
        return {"backfill": ("backfill",), "validate_not_null": ("validate_not_null_check",),
                "finish_not_null": ("set_not_null", "drop_not_null_check"), **UNDO_NOT_NULL}[form]

    def statements_of(self, piece) -> tuple[str, ...]:
        """statements_in(piece.form), with the table's fill trigger (backfills.py) where the piece
        carries it: created last by the main transaction, dropped last by the last one, created
        first again by that one's undo."""
        found = self.statements_in(piece.form)
        if piece.fill_trigger is None:
            return found
        if piece.form == "undo_finish_not_null":
            return ("create_fill_trigger", *found)
        return (*found, "create_fill_trigger" if piece.stage == MAIN else "drop_fill_trigger")

    def fills(self, piece) -> tuple[tuple[str, str], ...]:
        """(column, value) that the backfill's UPDATE sets: its own column, then those it fills
        too (piece.together). DEFAULT for a volatile default: the very expression new rows get."""
        return tuple((op.column.name, op.backfill or "DEFAULT") for op in (self, *piece.together))

    def unfilled(self, piece) -> tuple[str, ...]:
        """The columns whose NULL marks a row not filled yet (any of them): its own; filling several,
        the NOT NULL ones. Their checks make every row written since the main transaction hold
        them all, so a chosen row has every column still null (one run's batches fill a row whole,
        and a row filled is not chosen again). A nullable column's value may be null: the row
        would be chosen again and again."""
        if not piece.together:
            return (self.column.name,)
        return tuple(op.column.name for op in (self, *piece.together) if not op.column.nullable)

    def undo(self, piece) -> tuple:
        if piece.form == "backfill":
            return (nothing(BACKFILLED),)
        if piece.form == "finish_not_null" and piece.fill_trigger is not None:
            again = (f"and the trigger {piece.fill_trigger.name} and its function again, as the backfill left them",)
            return ((Undo(self, Piece(FINISH, "undo_finish_not_null", ROWS, again, fill_trigger=piece.fill_trigger)),),)
        return undo_not_null(self, piece) or super().undo(piece)


@dataclass(frozen=True)
class DropColumn(_Added):
    """Drops a column without keeping its values: the reverse of adding it."""

    verb = "drop"
    phase = REMOVE
    hazards = (DELETES_DATA,)


@dataclass(frozen=True)
class _Archived(_OfColumn, Twin):
    schema: str
    table: str
    column: Column
    key_columns: tuple[str, ...]
    archive: str
    revoke_from: tuple[str, ...] = ()
    phase = REMOVE


@dataclass(frozen=True)
class ArchiveColumn(_Archived):
    """Copies (primary key, value) of a removed column to atlas_archive, then drops it."""

    verb = "archive"
    hazards = (DELETES_DATA,)
    reads_rows = True


@dataclass(frozen=True)
class RestoreColumn(_ProvesNotNull, _Archived):
    verb = "restore"
    hazards = ()
    reads_rows = True

    @property
    def statements(self) -> tuple[str, ...]:
        """As AlterColumn's: the column comes back bare (nullable, no identity) so the saved
        values can go back first; NOT NULL and identity follow them."""
        column = self.column
        return ("add_bare", "restore_values", *(("set_not_null",) if not column.nullable else ()),
                *(("add_identity",) if column.identity else ()), *(("set_comment",) if column.comment else ()),
                "drop_archive")


@dataclass(frozen=True)
class RenameColumn(Renaming):
    schema: str
    table: str
    old: str
    new: str
    family = "column"

    @property
    def key(self):
        return ("column", self.schema, self.table, self.new)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    @property
    def touches(self) -> frozenset:
        # Only a star's expansion: PostgreSQL follows a rename in views, keys, policies, checks.
        return frozenset({("table-columns", self.schema, self.table)})


@dataclass(frozen=True)
class AlterColumn(_ProvesNotNull, SelfInverse):
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
    swaps = ("before", "after")
    flips = ("restoring",)

    @property
    def key(self):
        return ("column", self.schema, self.table, self.after.name)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    @property
    def touches(self) -> frozenset:
        if not self.type_changes:
            return frozenset()
        return frozenset({self.key, ("table-columns", self.schema, self.table)})

    @property
    def type_changes(self) -> bool:
        return self.before.type != self.after.type

    @property
    def rewrites(self) -> bool:
        """Binary-compatible changes (varchar(n) -> varchar(m >= n), -> text, ...) do not."""
        return self.type_changes and cast_rewrites(self.before.type, self.after.type)

    @property
    def hazards(self):
        found = []
        if self.rewrites:
            found.append(TABLE_REWRITE)
        if self.type_changes and self.archive and not self.restoring:
            found.append(LOSSY_CAST)
        if self.before.nullable and not self.after.nullable:
            found.append(TABLE_SCAN)
        return tuple(found)

    @property
    def statements(self) -> tuple[str, ...]:
        """What the change runs, in order, by the name of the macro that lays each out
        (templates/column/_statements.sql.j2). Old values are saved before the cast may lose
        them; identity leaves before the type changes and comes back once NOT NULL is set (an
        identity column needs it); the old default goes before the cast it may not survive and
        a default is set again after it; saved values go back before NOT NULL holds them."""
        before, after = self.before, self.after
        found = []
        if self.archive and not self.restoring:
            found.append("archive_values")
        if before.identity and before.identity != after.identity:
            found.append("drop_identity")
        if self.type_changes:
            if self.enum_move and self.enum_move.missing:
                found.append("refuse_held_values")
            if before.default is not None:
                found.append("drop_default")
            found.append("retype_through_text" if self.enum_move else "retype")
        if after.default is not None and (after.default != before.default or self.type_changes):
            found.append("set_default")
        elif after.default is None and before.default is not None and not self.type_changes:
            found.append("drop_default")
        if self.archive and self.restoring:
            found += ["restore_values", "drop_archive"]
        if before.nullable != after.nullable:
            found.append("drop_not_null" if after.nullable else "set_not_null")
        if after.identity and before.identity != after.identity:
            found.append("set_generated" if before.identity else "add_identity")
        if after.comment != before.comment:
            found.append("set_comment")
        return tuple(found)

    @property
    def reads_rows(self) -> bool:
        return bool(self.archive) or super().reads_rows

    def reverse(self) -> "AlterColumn":
        return replace(super().reverse(), enum_move=self.enum_move and self.enum_move.reverse())

    def summary(self) -> str:
        b, a = self.before, self.after
        parts = []
        if b.type != a.type:
            parts.append(f"type {b.type} -> {a.type}" + (" (old values archived for down)" if self.archive else ""))
        if b.nullable != a.nullable:
            parts.append("not null" if not a.nullable else "nullable")
        if b.default != a.default:
            parts.append(f"default {a.default}" if a.default is not None else "no default")
        if b.identity != a.identity:
            parts.append(f"identity {a.identity}" if a.identity else "no identity")
        if b.comment != a.comment:
            parts.append("comment")
        if b.sensitive != a.sensitive:
            parts.append("sensitive" if a.sensitive else "no longer sensitive")
        return f"alter column {a.name}: " + ", ".join(parts)


@dataclass(frozen=True)
class _Default(Twin):
    """A default that calls a function being replaced goes before the function does (DropDefault)
    and comes back once the new function exists (SetDefault)."""

    schema: str
    table: str
    column: Column
    family = "column"
    hazards = ()

    @property
    def key(self):
        return ("default", self.schema, self.table, self.column.name)

    @property
    def needs(self):
        """A default needs its column and the functions it calls."""
        return {("column", self.schema, self.table, self.column.name)} | {
            ("function", self.schema, f) for f in function_calls(self.column.default)}


@dataclass(frozen=True)
class DropDefault(_Default):
    verb = "drop_default"
    phase = REMOVE


@dataclass(frozen=True)
class SetDefault(_Default):
    verb = "set_default"
    phase = CREATE


pair(AddColumn, DropColumn)
pair(ArchiveColumn, RestoreColumn)
pair(DropDefault, SetDefault)


def _summary(op) -> str:
    if isinstance(op, AlterColumn):
        return op.summary()
    return f"{op.verb.replace('_', ' ')} column {op.column.name} {op.column.type}" + (
        " (values archived in atlas_archive)" if op.verb == "archive" else "")


_SLUG_WORDS = {"add": "add", "archive": "drop", "drop": "drop", "rename": "rename", "alter": "alter"}


def _phrase(op, rebuilt) -> str | None:
    word = _SLUG_WORDS.get(op.verb)
    return f"{word}_{op.table}_{op.key[3]}" if word else None


KIND = register(Kind(
    "column", rank=5, leads_slug=True, summary=_summary, phrase=_phrase, gather=gather_backfills,
    operations=(AddColumn, DropColumn, ArchiveColumn, RestoreColumn, RenameColumn, AlterColumn, DropDefault,
                SetDefault)))
