"""Changes inside one table that exists before and after: columns, constraints, comment, grants."""
from __future__ import annotations

from ..expressions import column_refs
from ..kinds import (
    AddColumn,
    AddConstraint,
    AlterColumn,
    ArchiveColumn,
    DropColumn,
    DropConstraint,
    RenameObject,
    SetComment,
    SetGrants,
)
from ..model import Table
from ..names import fit
from .casts import is_widening
from .renames import pair_constraints


def primary_key(table: Table) -> tuple[str, ...]:
    return next((c.columns for c in table.constraints if c.kind == "primary_key"), ())


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


def diff_table(original: Table, before: Table, after: Table, number: int, originals: dict, tables_after: dict,
               warnings: list) -> list:
    """`original` is the table before this migration's renames, `before` the same table with
    them applied: removals run before the renames, so they name the original."""
    ops = []
    schema, name = after.schema, after.name
    old_name = original.name
    keys = primary_key(before)
    original_keys = primary_key(original)
    old_columns = {c.name: c for c in before.columns}
    new_columns = {c.name: c for c in after.columns}
    for column in before.columns:
        if column.name in new_columns:
            continue
        if keys and column.name not in keys:
            archive = fit(f"{number:04d}_{name}_{column.name}")
            ops.append(ArchiveColumn(schema, old_name, column, original_keys, archive, original.revoke_from))
            warnings.append((name, f"column {name}.{column.name} is removed: its values are kept in "
                            f"atlas_archive.{archive} and restored by down", "W001"))
        else:
            ops.append(DropColumn(schema, old_name, column, original.revoke_from))
            warnings.append((name, f"column {name}.{column.name} is removed without an archive "
                            "(the table has no primary key, or it is part of it): its values are lost", "W001"))
    for column in after.columns:
        old = old_columns.get(column.name)
        if old is None:
            ops.append(AddColumn(schema, name, column, after.revoke_from))
            if not column.nullable and column.default is None and column.identity is None:
                warnings.append((name, f"column {name}.{column.name} is added NOT NULL without a default: the "
                                       "migration fails if the table has rows (give it a default, or add it "
                                       "nullable and fill it first)", "W003"))
        elif old != column:
            if old.nullable and not column.nullable and column.identity is None:
                warnings.append((name, f"column {name}.{column.name} becomes NOT NULL: the migration fails while "
                                       "rows hold NULL in it (fill them first)", "W003"))
            archive = None
            if old.type != column.type and not is_widening(old.type, column.type):
                if keys and column.name not in keys:
                    archive = fit(f"{number:04d}_{name}_{column.name}_{_type_word(old.type)}")
                    warnings.append((name, f"column {name}.{column.name} changes type {old.type} -> {column.type}, "
                                    f"which may lose values: they are kept in atlas_archive.{archive} for down", "W001"))
                else:
                    warnings.append((name, f"column {name}.{column.name} changes type {old.type} -> {column.type}, "
                                    "which may lose values, and cannot be archived (no primary key)", "W001"))
            ops.append(AlterColumn(schema, name, old, column, keys if archive else (), archive, False, after.revoke_from))
    retyped = {c.name for c in after.columns if c.name in old_columns and old_columns[c.name].type != c.type}
    ops += _constraint_changes(original, before, after, originals, tables_after, retyped)
    if before.comment != after.comment:
        ops.append(SetComment("TABLE", schema, name, before.comment, after.comment))
    if before.grants != after.grants or before.revoke_from != after.revoke_from:
        ops.append(SetGrants(schema, name, before.grants, after.grants, after.revoke_from))
    return ops


def _type_word(type_text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in type_text).strip("_")


def _constraint_changes(original: Table, before: Table, after: Table, originals: dict, tables_after: dict,
                        retyped: set) -> list:
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
    ops += [DropConstraint(schema, original.name, as_before[c.name], referenced_key(originals, as_before[c.name]))
            for c in removed]
    ops += [AddConstraint(schema, name, c, referenced_key(tables_after, c)) for c in added]
    return ops
