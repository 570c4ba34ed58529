"""The enum follow-up of the diff: what a type's own change (kinds/enums.py: labels added in
place, or a rebuild) asks of the rest of the models.

`follow` moves every column of a rebuilt type over to it, rebuilds what the old type holds back
(functions taking or returning it, views, policies, index predicates and trigger conditions
naming it), warns that rows holding a removed label fail the migration, and for labels added in
place plans how `down` rebuilds the previous type. Views, policies, checks and defaults over the
moved columns follow from the column moves (they are AlterColumn type changes), through the
diff's dependent rebuilds.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..diagnostics import Diagnostic, Location
from ..kinds import (
    AddColumn,
    AddEnumValue,
    AlterColumn,
    Create,
    Drop,
    KeepEnum,
    ReplaceFunction,
    SetDefault,
    StageEnum,
    SwapEnum,
    kind_of,
)
from ..kinds.base import CHANGE
from ..kinds.enums import TEMP_SUFFIX, EnumMove
from ..model import PUBLIC, Enum, Model
from ..names import fit
from ..sqltext import qualified


def follow(ops: list, old: Model, new: Model, origin: dict, places: dict, rediff) -> tuple[list, list]:
    """(operations, warnings): `ops` completed for every enum change in it. `old` is the previous
    model with the renames applied, `origin` its objects as they were before them."""
    before, after = old.by_key(), new.by_key()
    warnings = []
    result = list(ops)
    for swap in [op for op in ops if isinstance(op, SwapEnum)]:
        result, swap = _free_temporary_name(result, swap, before, after)
        result = _move_columns(result, swap, before, after)
        result = _rebuild_users(result, swap, before, after, origin)
        removed = [v for v in swap.before.values if v not in swap.after.values]
        if removed:
            name = swap.after.name
            warnings.append(Diagnostic(
                "W002", f"enum {name}: value(s) {', '.join(removed)} are removed: the migration fails while "
                        "rows still hold them (update those rows first)",
                places.get(("enums", name), Location("schema")), severity="warning"))
    result = _cast_between_enums(result, before, after)
    for key in sorted({("enum", op.schema, op.enum) for op in ops if isinstance(op, AddEnumValue)}, key=str):
        a, b = before[key], after[key]
        added = tuple(v for v in b.values if v not in a.values)
        result.append(KeepEnum(a, added, _down_rebuild(old, origin, a, b, rediff)))
    return result, warnings


def enum_of(type_text: str) -> str | None:
    """The spec enum a rendered column type names (`public.x` or `public.x[]`), if any."""
    if not type_text.startswith(PUBLIC + "."):
        return None
    return type_text[len(PUBLIC) + 1:].removesuffix("[]").strip('"')


def _free_temporary_name(ops: list, swap: SwapEnum, before: dict, after: dict) -> tuple[list, SwapEnum]:
    """A temporary name no type, table or view of either model has (they share pg_type)."""
    schema = swap.after.schema
    taken = {k[2] for k in (*before, *after) if k[0] in ("enum", "table", "view") and k[1] == schema}
    temp, n = swap.temp, 1
    while temp in taken:
        n += 1
        temp = fit(f"{swap.after.name}{TEMP_SUFFIX}{n}")
    if temp == swap.temp:
        return ops, swap
    stage = next(op for op in ops if isinstance(op, StageEnum) and op.temp == swap.temp and op.enum == swap.after)
    moved = replace(swap, temp=temp)
    return [replace(stage, temp=temp) if op is stage else moved if op is swap else op for op in ops], moved


def _move_columns(ops: list, swap: SwapEnum, before: dict, after: dict) -> list:
    """Every column of the enum moves to the staged type before the swap: columns that stay
    get an AlterColumn, changes the diff already made are aimed at the staged type, columns
    added before the swap are added on it. Defaults (which name the type) come back after."""
    schema, name, temp = swap.after.schema, swap.after.name, swap.temp
    altered = {op.key: op for op in ops if isinstance(op, AlterColumn)}
    added = {op.key: op for op in ops if isinstance(op, AddColumn)}
    replaced: dict = {}
    extra: list = []
    moving: list = []
    for table in sorted((o for o in after.values() if o.family == "table"), key=lambda t: t.key):
        was_table = before.get(table.key)
        for col in table.columns:
            key = ("column", table.schema, table.name, col.name)
            current = altered.get(key)
            if enum_of(col.type) != name:
                if current is not None and enum_of(current.before.type) == name:
                    moving.append(key)   # leaves the type: before the old type goes
                continue
            staged = replace(col, type=qualified(schema, temp) + ("[]" if col.type.endswith("[]") else ""))
            if current is not None:
                source = before.get(("enum", schema, enum_of(current.before.type)))
                replaced[id(current)] = replace(current, after=replace(staged, default=None),
                                                enum_move=source and _move(source, swap.after))
            elif key in added:
                if added[key].phase != CHANGE:
                    continue   # added after the swap, on the type under its own name
                replaced[id(added[key])] = replace(added[key], column=replace(
                    staged, default=_aim_default(col.default, schema, name, temp)))
                moving.append(key)
                continue
            elif was_table is not None and was_table.column(col.name) is not None:
                extra.append(AlterColumn(table.schema, table.name, was_table.column(col.name),
                                         replace(staged, default=None), revoke_from=table.revoke_from,
                                         enum_move=_move(swap.before, swap.after)))
            else:
                continue       # a table this migration creates: after the swap
            moving.append(key)
            if col.default is not None:
                extra.append(SetDefault(table.schema, table.name, col))
    swapped = replace(swap, columns=tuple(sorted(set(moving))))
    result = [swapped if op is swap else replaced.get(id(op), op) for op in ops]
    return result + extra


def _move(source: Enum, target: Enum) -> EnumMove:
    return EnumMove(target.name, tuple(v for v in source.values if v not in target.values),
                    tuple(v for v in target.values if v not in source.values))


def _cast_between_enums(ops: list, before: dict, after: dict) -> list:
    """A column retyped from one spec enum to another: PostgreSQL has no cast between two
    enums, so it goes through text, after refusing rows that hold a label the target lacks."""
    result = []
    for op in ops:
        if isinstance(op, AlterColumn) and op.enum_move is None and op.type_changes:
            source = before.get(("enum", PUBLIC, enum_of(op.before.type)))
            target = after.get(("enum", PUBLIC, enum_of(op.after.type)))
            if source is not None and target is not None:
                op = replace(op, enum_move=_move(source, target))
        result.append(op)
    return result


def _aim_default(default: str | None, schema: str, name: str, temp: str) -> str | None:
    """A default added with its column before the swap names the staged type."""
    if default is None:
        return None
    pattern = re.compile(r"::" + re.escape(qualified(schema, name)) + r"(?![\w$\"])")
    return pattern.sub(lambda _: "::" + qualified(schema, temp), default)


def _rebuild_users(ops: list, swap: SwapEnum, before: dict, after: dict, origin: dict) -> list:
    """Objects that name the old type hold back its drop: functions taking or returning it (the
    membership lookup takes the role enum), and views, policies and index predicates that cast
    to it. They are dropped before and created after (a function replaced in place would keep
    the old type); their own dependents follow through the diff's dependent rebuilds."""
    name = swap.after.name
    users = {key for key in set(before) & set(after) if _names_enum(before[key], name) or _names_enum(after[key], name)}
    in_place = {op.key for op in ops if isinstance(op, ReplaceFunction) and op.key in users}
    result = [op for op in ops if not (isinstance(op, ReplaceFunction) and op.key in in_place)]
    for key in sorted(users, key=str):
        if before[key] == after[key] or key in in_place:
            result += [Drop(origin[key]), Create(after[key])]
    return result


def _names_enum(obj, name: str) -> bool:
    names_enum = kind_of(obj.family).names_enum
    return names_enum is not None and names_enum(obj, name)


def _down_rebuild(old: Model, origin: dict, previous: Enum, extended: Enum, rediff) -> tuple:
    """The plan `down` runs for labels added in place: from the previous model with the new
    labels (what the database holds once the rest of this change is undone) back to the
    previous model, which is a rebuild without them."""

    original = replace(old, objects=tuple(origin[o.key] for o in old.objects))
    with_labels = replace(original, objects=tuple(
        replace(o, values=extended.values) if o.key == previous.key else o for o in original.objects))
    return tuple(rediff(with_labels, original))
