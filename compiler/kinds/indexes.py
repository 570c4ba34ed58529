"""Indexes: built on tables that may hold rows; their generated names follow a renamed table.

On a table that stays, an index is built CONCURRENTLY after the main transaction (an index of
the same name left invalid by a failed build is dropped first, so the part can be re-run) and
dropped CONCURRENTLY before it; a changed index is built under a temporary name, the old one
dropped, the new one renamed (the swap), so the table never lacks it.

Each statement of these forms is taken back alone (a runner layout's file holds one): a build
by dropping what it built, a drop by building the old definition again (concurrently), the
swap's rename by renaming back; the `DROP INDEX CONCURRENTLY IF EXISTS` before a build, which
only clears what a failed build left, by nothing."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..expressions import column_refs, function_calls
from ..model import PUBLIC
from ..names import fit
from .base import INDEX_BUILD, Create, Drop, pair
from .kind import Kind, mentions, register
from .renamed import RenameObject
from .stages import BUILD, CATALOG, MAIN, PRE, ROWS, Piece, nothing, undone_by


def _rename(obj, renames):
    if obj.on_view:
        return obj
    name = renames.table(obj.table)
    return replace(obj, table=name, keys=tuple(replace(k, column=renames.column(name, k.column)) for k in obj.keys),
                   where=renames.expression(obj.where, name))


def _depends_on(obj) -> set:
    if obj.on_view:
        return set(obj.requires)
    # PostgreSQL rebuilds an index whose key column changes type by itself, but a predicate
    # over that column would keep the old type's casts.
    if not obj.where:
        return set()
    return ({("function", PUBLIC, f) for f in function_calls(obj.where)}
            | {("column", obj.schema, obj.table, c) for c in column_refs(obj.where)})


@dataclass(frozen=True)
class CreateOnPartitioned(Create):
    """An index added to a partitioned table that stays. PostgreSQL refuses CREATE INDEX
    CONCURRENTLY on the parent, and the per-partition form (ON ONLY, each partition's index
    built concurrently, ATTACH) needs the partitions' names, which only the apply-time
    maintenance knows: the index is built in the main transaction, every partition's with it
    (writes to the table wait for the build; the hazard stays)."""

    partitioned = True


@dataclass(frozen=True)
class DropOnPartitioned(Drop):
    """DROP INDEX CONCURRENTLY refuses a partitioned index too: dropped in the main transaction."""

    partitioned = True


pair(CreateOnPartitioned, DropOnPartitioned)
PARTITIONED_NOTES = {
    "create": ("CONCURRENTLY is refused on a partitioned table: built in this transaction, every "
               "partition's index with it (writes wait)",),
    "drop": ("CONCURRENTLY is refused on a partitioned index: dropped in this transaction",)}


def _online(op) -> tuple | None:
    if op.on_new_table:
        return None
    if getattr(op, "partitioned", False):
        return (Piece(MAIN, "partitioned", ROWS if isinstance(op, Create) else CATALOG, PARTITIONED_NOTES[op.verb]),)
    if isinstance(op, Create):
        return (Piece(BUILD, "concurrently", ROWS),)
    return (Piece(PRE, "concurrently", CATALOG),)


def _swap(op, replaced) -> tuple | None:
    return (Piece(BUILD, "swap", ROWS, replaces=replaced.obj),) if _online(op) else None


CLEARED = "nothing to take back: DROP INDEX CONCURRENTLY IF EXISTS {} only cleared what a failed build left"


def _undo(op, piece) -> tuple | None:
    """Per statement of the form (templates/index/create.sql.j2, drop.sql.j2)."""
    if piece.form == "concurrently" and isinstance(op, Create):
        return (nothing(CLEARED.format(op.obj.name)), undone_by(op.reverse(), PRE, "concurrently"))
    if piece.form == "concurrently":
        return (undone_by(op.reverse(), BUILD, "rebuild", ROWS),)
    if piece.form == "swap":
        return (nothing(CLEARED.format(swap_name(op.obj))), undone_by(op, BUILD, "undo_swap_build"),
                undone_by(Create(piece.replaces), BUILD, "rebuild", ROWS), undone_by(op, BUILD, "undo_swap_rename"))
    return None


def swap_name(index) -> str:
    """The name a changed index is built under before it replaces the old one."""
    return fit(f"{index.name}_atlas_new")


KIND = register(Kind(
    "index", rank=8, create_hazards=(INDEX_BUILD,), rename=_rename, follows_table_name=True,
    rebuilt_around=True, depends_on=_depends_on,
    names_enum=lambda obj, name: mentions([obj.where], name),
    names=lambda obj: [(("relation", obj.schema, obj.name), f"index {obj.name} of {obj.table}")],
    online=_online, swap=_swap, undo=_undo,
    operations=(Create, Drop, CreateOnPartitioned, DropOnPartitioned, RenameObject)))
