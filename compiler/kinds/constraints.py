"""Constraints: those of a table that stays are added, dropped and renamed one by one; foreign
keys are objects of their own (they may point at a table created later).

On a table that stays, a check or a foreign key is added NOT VALID in the main transaction (a
short lock, no scan) and validated in a later one (which lets writes go on); a unique key is
built as a unique index CONCURRENTLY, then attached with ADD CONSTRAINT ... UNIQUE USING INDEX.

Taken back piece by piece (a runner layout's files, one per part or outside statement): a
validation by adding the constraint again NOT VALID (PostgreSQL cannot un-validate), the unique
index by dropping it, the attach by dropping the constraint and building its index again."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..expressions import column_refs
from ..model import PUBLIC, Constraint
from .base import CREATE, INDEX_BUILD, REMOVE, TABLE_SCAN, Create, Drop, Twin, pair
from .kind import Kind, register
from .renamed import RenameObject
from .stages import BUILD, CATALOG, FINISH, MAIN, ROWS, VALIDATE, Piece, nothing, undone_by

# Added NOT VALID in the main transaction, validated in a later one.
NOT_VALID_THEN_VALIDATE = (Piece(MAIN, "not_valid", CATALOG), Piece(VALIDATE, "validate", ROWS))
# Built as a unique index outside a transaction, attached as the constraint at the end.
INDEX_THEN_ATTACH = (Piece(BUILD, "unique_index", ROWS), Piece(FINISH, "using_index", CATALOG))


def online_constraint(kind: str, on_new_table: bool) -> tuple | None:
    if on_new_table:
        return None
    if kind in ("check", "foreign_key"):
        return NOT_VALID_THEN_VALIDATE
    return INDEX_THEN_ATTACH if kind == "unique" else None


# The attach's undo runs in its file's one transaction: no CONCURRENTLY there.
REBUILT_UNDER_LOCK = ("the unique index comes back in this transaction, built under a lock that blocks writes",
                      "squawk-ignore require-concurrent-index-creation")


def undo_constraint(op, piece) -> tuple | None:
    """Per statement of the online forms' pieces (templates/constraint/add.sql.j2 and
    foreign_key/create.sql.j2); None for the main transaction's NOT VALID (the reverse drops it)."""
    if piece.form == "validate":
        return (undone_by(op, VALIDATE, "undo_validate"),)
    if piece.form == "unique_index":
        return (nothing("nothing to take back: DROP INDEX CONCURRENTLY IF EXISTS only cleared what a failed "
                        "build left"), undone_by(op, BUILD, "undo_unique_index"))
    if piece.form == "using_index":
        return (undone_by(op, FINISH, "undo_using_index", ROWS, REBUILT_UNDER_LOCK),)
    return None


def constraint_needs(schema: str, table: str, c: Constraint, referenced_key=None) -> set:
    needs = {("table", schema, table)} | {("column", schema, table, col) for col in c.columns}
    if c.kind == "foreign_key":
        needs.add(("table", c.ref_schema, c.ref_table))
        needs |= {("column", c.ref_schema, c.ref_table, col) for col in c.ref_columns}
        if referenced_key:
            needs.add(referenced_key)
    return needs


@dataclass(frozen=True)
class _OfConstraint(Twin):
    schema: str
    table: str
    constraint: Constraint
    referenced_key: tuple | None = None   # the unique or primary key a foreign key points at
    on_new_table: bool = False
    family = "constraint"

    @property
    def key(self):
        return ("constraint", self.schema, self.table, self.constraint.name)

    @property
    def needs(self):
        return constraint_needs(self.schema, self.table, self.constraint, self.referenced_key)


@dataclass(frozen=True)
class AddConstraint(_OfConstraint):
    verb = "add"
    phase = CREATE

    @property
    def hazards(self):
        if self.on_new_table:
            return ()
        return (INDEX_BUILD,) if self.constraint.kind in ("primary_key", "unique") else (TABLE_SCAN,)

    def online(self) -> tuple | None:
        return online_constraint(self.constraint.kind, self.on_new_table)

    def undo(self, piece) -> tuple:
        return undo_constraint(self, piece) or super().undo(piece)


@dataclass(frozen=True)
class DropConstraint(_OfConstraint):
    verb = "drop"
    phase = REMOVE
    hazards = ()


pair(AddConstraint, DropConstraint)


def referenced_key(tables: dict, constraint) -> tuple | None:
    """The key (constraint) a foreign key points at: it must outlive the foreign key."""
    if constraint.kind != "foreign_key":
        return None
    target = tables.get((constraint.ref_schema, constraint.ref_table))
    if target is None:
        return None
    for c in target.constraints:
        if c.kind in ("primary_key", "unique") and c.columns == constraint.ref_columns:
            return ("constraint", target.schema, target.name, c.name)
    return None


def pair_constraints(removed: list[Constraint], added: list[Constraint]) -> list[tuple]:
    """(old, new) pairs whose definitions differ only by name."""
    pairs, taken = [], set()
    for before in sorted(removed, key=lambda c: c.name):
        for after in sorted(added, key=lambda c: c.name):
            if after.name not in taken and replace(before, name="") == replace(after, name=""):
                pairs.append((before, after))
                taken.add(after.name)
                break
    return pairs


def constraint_changes(original, before, after, ctx, retyped: set) -> list:
    """The constraints of a table that stays: renamed where only the name changed, else dropped
    (by the names before the renames) and added."""
    schema, name = after.schema, after.name
    as_before = {c.name: c for c in original.constraints}
    old = {c.name: c for c in before.constraints}
    new = {c.name: c for c in after.constraints}
    removed = [c for n, c in old.items() if n not in new or new[n] != c]
    added = [c for n, c in new.items() if n not in old or old[n] != c]
    ops = []
    # A check over a retyped column is rebuilt, not renamed: PostgreSQL rewrites it with casts.
    def renamable(c):
        return not (c.kind == "check" and column_refs(c.expression) & retyped)
    renamed = pair_constraints([c for c in removed if c.name not in new and renamable(c)],
                               [c for c in added if c.name not in old and renamable(c)])
    for b, a in renamed:
        ops.append(RenameObject("constraint", schema, name, b.name, a.name))
        removed.remove(b)
        added.remove(a)
    ops += [DropConstraint(schema, original.name, as_before[c.name],
                           referenced_key(ctx.tables_before, as_before[c.name])) for c in removed]
    ops += [AddConstraint(schema, name, c, referenced_key(ctx.tables_after, c)) for c in added]
    return ops


def rename_constraint(c: Constraint, table: str, renames) -> Constraint:
    """A constraint of `table` (its new name) once tables and columns are renamed."""
    c = replace(c, columns=tuple(renames.column(table, x) for x in c.columns),
                on_delete_columns=tuple(renames.column(table, x) for x in c.on_delete_columns),
                expression=renames.expression(c.expression, table))
    if c.ref_schema != PUBLIC:   # a table outside the spec (auth.users) is never renamed
        return c
    ref = renames.table(c.ref_table) if c.ref_table else c.ref_table
    return replace(c, ref_table=ref, ref_columns=tuple(renames.column(ref, x) for x in c.ref_columns))


def _rename_foreign_key(obj, renames):
    name = renames.table(obj.table)
    return replace(obj, table=name, constraint=rename_constraint(obj.constraint, name, renames))


def _summary(op) -> str:
    return f"{op.verb.replace('_', ' ')} {op.constraint.kind.replace('_', ' ')} {op.constraint.name}"


CONSTRAINT = register(Kind("constraint", rank=6, summary=_summary,
                           operations=(AddConstraint, DropConstraint, RenameObject)))
FOREIGN_KEY = register(Kind(
    "foreign_key", rank=7, create_hazards=(TABLE_SCAN,), rename=_rename_foreign_key, rebuilt_around=True,
    online=lambda op: online_constraint("foreign_key", op.on_new_table) if isinstance(op, Create) else None,
    undo=undo_constraint,
    names=lambda obj: [(("constraint", obj.schema, obj.table, obj.constraint.name),
                        f"constraint {obj.constraint.name} of {obj.table}")],
    operations=(Create, Drop)))
