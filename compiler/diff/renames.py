"""Applies the spec's renamed_from hints to the previous model, so the rest of the diff compares
like with like; and pairs generated objects whose only change is a name that followed a rename."""
from __future__ import annotations

from dataclasses import replace

from ..expressions import rename_column_refs
from ..kinds import RenameColumn, RenameObject, RenameTable, kind_of
from ..meaning.hints import RenameHints
from ..model import PUBLIC, Model
from ..names import audit_table_name


def resolve(old: Model, new: Model, hints: RenameHints) -> tuple[dict, dict]:
    """Renames that apply: old table -> new table, and (new table, old column) -> new column.
    A hint whose old name is gone from the previous model is stale and ignored."""
    old_tables = {o.name: o for o in old.of("table") if o.schema == PUBLIC}
    new_tables = {o.name: o for o in new.of("table") if o.schema == PUBLIC}
    table_map = {}
    for new_name, old_name in sorted(hints.tables.items()):
        if old_name in old_tables and new_name not in old_tables and new_name in new_tables:
            table_map[old_name] = new_name
            old_audit, new_audit = audit_table_name(old_name), audit_table_name(new_name)
            if old_audit in old_tables and new_audit in new_tables and new_audit not in old_tables:
                table_map[old_audit] = new_audit
    back = {v: k for k, v in table_map.items()}
    column_map = {}
    for (table, new_column), old_column in sorted(hints.columns.items()):
        before = old_tables.get(back.get(table, table))
        after = new_tables.get(table)
        if before and after and before.column(old_column) and not before.column(new_column) and after.column(new_column):
            column_map[(table, old_column)] = new_column
    return table_map, column_map


def rename_operations(old: Model, table_map: dict, column_map: dict) -> list:
    tables = {o.name: o for o in old.of("table") if o.schema == PUBLIC}
    ops = [RenameTable(PUBLIC, name, new, tuple(c.name for c in tables[name].columns if c.identity))
           for name, new in sorted(table_map.items())]
    ops += [RenameColumn(PUBLIC, table, old, new) for (table, old), new in sorted(column_map.items())]
    return ops


class Renames:
    """How this migration's renames map names, for the kinds' rename hooks."""

    def __init__(self, table_map: dict, column_map: dict):
        self.table_map, self.column_map = table_map, column_map

    def table(self, name: str) -> str:
        return self.table_map.get(name, name)

    def column(self, table: str, name: str) -> str:
        return self.column_map.get((table, name), name)

    def expression(self, text: str | None, table: str, qualifiers: tuple = ()) -> str | None:
        """PostgreSQL follows a column rename inside the expressions it stores."""
        renames = tuple(sorted((old, new) for (t, old), new in self.column_map.items() if t == table))
        if text is None or not renames:
            return text
        return rename_column_refs(text, renames, qualifiers or (table,))


def apply(old: Model, table_map: dict, column_map: dict) -> tuple[Model, dict]:
    """The previous model as it is once the renames have run, and for each of its keys the
    object as it was before (removals run before renames, so they use the old names)."""
    if not table_map and not column_map:
        return old, old.by_key()
    renames = Renames(table_map, column_map)
    objects = []
    origin = {}
    for original in old.objects:
        obj = original
        rename = kind_of(obj.family).rename
        if getattr(obj, "schema", None) == PUBLIC and rename is not None:
            obj = rename(obj, renames)
        objects.append(obj)
        origin[obj.key] = original
    return replace(old, objects=tuple(sorted(objects, key=lambda o: o.key))), origin


def _without_name(obj):
    return replace(obj, name="")


def pair_renamed(removed: list, added: list) -> list[tuple]:
    """(old, new) pairs of the same family and table whose definitions differ only by name:
    generated names follow table and column names, so a rename changes them."""
    pairs = []
    taken = set()
    for before in sorted(removed, key=lambda o: str(o.key)):
        if not kind_of(before.family).follows_table_name:
            continue
        for after in sorted(added, key=lambda o: str(o.key)):
            if id(after) in taken or after.family != before.family or after.table != before.table:
                continue
            if _without_name(before) == _without_name(after):
                pairs.append((before, after))
                taken.add(id(after))
                break
    return pairs


def rename_object(before, after) -> RenameObject:
    return RenameObject(before.family, before.schema, before.table, before.name, after.name)
