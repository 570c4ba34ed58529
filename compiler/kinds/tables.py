"""Tables: created whole, archived (rows kept, restored by `down`), renamed; the changes inside a
table that stays (columns, constraints, comment); and the API roles' grants on it."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import Grant, Table
from ..names import fit, identity_sequence_name
from .base import AUTHZ_UPDATE, CHANGE, DELETES_DATA, REMOVE, Create, Drop, Renaming, SelfInverse, Twin, pair
from .casts import is_widening
from .columns import AddColumn, AlterColumn, ArchiveColumn, DropColumn
from .comments import SetComment
from .constraints import constraint_changes, rename_constraint
from .kind import Kind, register


@dataclass(frozen=True)
class _Archived(Twin):
    table: Table
    archive: str
    family = "table"
    phase = REMOVE

    @property
    def key(self):
        return self.table.key

    @property
    def needs(self):
        return self.table.requires


@dataclass(frozen=True)
class ArchiveTable(_Archived):
    """Moves a removed table's rows into atlas_archive (as text, so no type holds them back)
    and drops the table; the reverse recreates it and puts every row back."""

    verb = "archive"
    hazards = (DELETES_DATA,)
    reads_rows = True


@dataclass(frozen=True)
class RestoreTable(_Archived):
    verb = "restore"
    hazards = ()
    reads_rows = True


pair(ArchiveTable, RestoreTable)


@dataclass(frozen=True)
class RenameTable(Renaming):
    """Renaming a table leaves its identity sequences' names behind; they follow it here, so a
    renamed table matches a fresh build of it."""

    schema: str
    old: str
    new: str
    identity_columns: tuple[str, ...] = ()
    family = "table"

    @property
    def key(self):
        return ("table", self.schema, self.new)

    @property
    def needs(self):
        return set()

    @property
    def touches(self) -> frozenset:
        return frozenset({("table-columns", self.schema, self.old), ("table-columns", self.schema, self.new)})

    def sequences(self) -> list[tuple[str, str]]:
        return [(identity_sequence_name(self.old, c), identity_sequence_name(self.new, c))
                for c in self.identity_columns]


@dataclass(frozen=True)
class SetGrants(SelfInverse):
    """Privileges of the API roles on a table or view change together."""

    schema: str
    table: str
    before: tuple[Grant, ...]
    after: tuple[Grant, ...]
    revoke_from: tuple[str, ...]
    family = "grants"
    verb = "set"
    phase = CHANGE
    hazards = (AUTHZ_UPDATE,)
    swaps = ("before", "after")

    @property
    def key(self):
        return ("grants", self.schema, self.table)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    def revocations(self) -> list[Grant]:
        """Privileges granted before, to roles not revoked wholesale, that are not granted after."""
        after = {g.role: set(g.privileges) for g in self.after}
        result = []
        for grant in self.before:
            if grant.role in self.revoke_from:
                continue
            gone = tuple(p for p in grant.privileges if p not in after.get(grant.role, set()))
            if gone:
                result.append(Grant(grant.role, gone))
        return result


def primary_key(table: Table) -> tuple[str, ...]:
    return next((c.columns for c in table.constraints if c.kind == "primary_key"), ())


def remove_table(table: Table, ctx) -> list:
    archive = fit(f"{ctx.number:04d}_{table.name}")
    ctx.warnings.append((table.name, f"table {table.name} is removed: its rows are kept in "
                                     f"atlas_archive.{archive} and restored by down", "W001"))
    return [ArchiveTable(table, archive)]


def _warn_uniques_made_global(before: Table, after: Table, warnings: list) -> None:
    """A tenant table made shared loses its tenant column, and each unique key the tenant column
    led becomes global: two tenants' rows with one value then make the migration fail, after
    the parts before it committed."""
    if before.kind != "tenant" or after.kind != "shared":
        return
    old = {c.name: c.columns for c in before.constraints if c.kind == "unique"}
    for constraint in after.constraints:
        if constraint.kind == "unique" and len(old.get(constraint.name, ())) > len(constraint.columns):
            warnings.append((after.name, f"table {after.name} becomes shared: unique ({', '.join(constraint.columns)}) "
                             "becomes global, across tenants: the migration fails while two tenants' rows share a "
                             "value (make them distinct first)", "W004"))


def diff_table(original: Table, before: Table, after: Table, ctx) -> list:
    """`original` is the table before this migration's renames, `before` the same table with
    them applied: removals run before the renames, so they name the original."""
    ops = []
    warnings, number = ctx.warnings, ctx.number
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
            backfill = ctx.backfills.get((name, column.name))
            ops.append(AddColumn(schema, name, column, after.revoke_from, backfill))
            if not column.nullable and column.default is None and column.identity is None and backfill is None:
                warnings.append((name, f"column {name}.{column.name} is added NOT NULL without a default: the "
                                       "migration fails if the table has rows (give it a default or a backfill_sql, or add it "
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
    _warn_uniques_made_global(before, after, warnings)
    retyped = {c.name for c in after.columns if c.name in old_columns and old_columns[c.name].type != c.type}
    ops += constraint_changes(original, before, after, ctx, retyped)
    if before.comment != after.comment:
        ops.append(SetComment("TABLE", schema, name, before.comment, after.comment))
    if before.grants != after.grants or before.revoke_from != after.revoke_from:
        ops.append(SetGrants(schema, name, before.grants, after.grants, after.revoke_from))
    return ops


def _type_word(type_text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in type_text).strip("_")


def _rename(table: Table, renames) -> Table:
    name = renames.table(table.name)
    return replace(table, name=name,
                   columns=tuple(replace(c, name=renames.column(name, c.name)) for c in table.columns),
                   constraints=tuple(rename_constraint(c, name, renames) for c in table.constraints))


def _names(table: Table) -> list[tuple]:
    """Its own name first (the relation), then its constraints and the indexes of its keys."""
    if table.kind == "audit":
        own = f"the audit table generated for {table.comment.split()[-2] if table.comment else table.name}"
    else:
        own = f"table {table.name}"
    claims = [(("relation", table.schema, table.name), own)]
    if table.partition:   # the default partition the create form (or pg_partman) makes
        claims.append((("relation", table.schema, fit(f"{table.name}_default")), f"the default partition of {table.name}"))
    for c in table.constraints:
        claims.append((("constraint", table.schema, table.name, c.name), f"constraint {c.name} of {table.name}"))
        if c.kind in ("primary_key", "unique"):
            claims.append((("relation", table.schema, c.name), f"key {c.name} of {table.name}"))
    return claims


def _summary(op) -> str | None:
    return f"drop table {op.table.name} (rows archived in atlas_archive)" if op.verb == "archive" else None


def _phrase(op, rebuilt) -> str | None:
    if op.verb == "rename":
        return f"rename_{op.old}"
    return {"create": f"create_{op.key[2]}", "archive": f"drop_{op.key[2]}"}.get(op.verb)


TABLE = register(Kind(
    "table", rank=4, drop_hazards=(DELETES_DATA,), removed=remove_table, changed=diff_table, rename=_rename, names=_names,
    summary=_summary, phrase=_phrase, leads_slug=True,
    operations=(Create, Drop, ArchiveTable, RestoreTable, RenameTable)))
GRANTS = register(Kind("grants", rank=14, operations=(SetGrants,)))
