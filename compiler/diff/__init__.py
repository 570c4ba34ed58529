"""Previous model vs new model -> ordered operations for the next migration.

Phases, in the spirit of Django's autodetector: renames first (so everything after compares
like with like), then each family's additions, removals and changes, then the objects that
must be rebuilt because something they depend on was (views over a changed table, policies
over a retyped column, triggers on a replaced function).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..expressions import column_refs, function_calls, type_names
from ..kinds import (
    AddConstraint,
    AlterColumn,
    Create,
    DiffContext,
    Drop,
    DropConstraint,
    DropDefault,
    RenameColumn,
    RenameObject,
    SetDefault,
    SwapEnum,
    kind_of,
)
from ..kinds.partitions import on_partitioned_tables
from ..meaning.hints import RenameHints
from ..model import PUBLIC, Model
from ..ordering import order
from . import encryption, enums, partitions, renames
from .backfills import check_backfill_reads


@dataclass
class Changes:
    operations: list = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)   # (table, message, code)
    notices: list = field(default_factory=list)   # warnings with their own code and place (Diagnostic)
    # Keys whose released object, no rename applied, equals (==) the new one: the lock's history
    # need not compare them again (lockfile.history_entry).
    unchanged: frozenset = frozenset()


def diff_models(old: Model, new: Model, hints: RenameHints | None = None, number: int = 2) -> Changes:
    hints = hints or RenameHints()
    changes = Changes()
    table_map, column_map = renames.resolve(old, new, hints)
    ops = renames.rename_operations(old, table_map, column_map)
    originals = {(o.schema, o.name): o for o in old.of("table")}
    released = old
    old, origin = renames.apply(old, table_map, column_map)
    before, after = old.by_key(), new.by_key()
    # In the order of the models (pair_renamed and the loops below sort them by key anyway).
    gone, new_keys = before.keys() - after.keys(), after.keys() - before.keys()
    removed = [o for k, o in before.items() if k in gone] if gone else []
    added = [o for k, o in after.items() if k in new_keys] if new_keys else []
    renamed = renames.pair_renamed(removed, added)
    for b, a in renamed:
        ops.append(renames.rename_object(b, a))
        removed.remove(b)
        added.remove(a)
    ctx = DiffContext(number, originals, {(o.schema, o.name): o for o in new.of("table")}, changes.warnings,
                      hints.backfills)
    new_tables = {o.key for o in added if o.family == "table"}
    for obj in sorted(removed, key=lambda o: str(o.key)):
        obj = origin[obj.key]
        removing = kind_of(obj.family).removed
        ops += removing(obj, ctx) if removing else [Drop(obj)]
    for obj in sorted(added, key=lambda o: str(o.key)):
        on_new = any(req in new_tables for req in obj.requires if req[0] == "table") or obj.family == "table"
        ops.append(Create(obj, on_new_table=on_new))
    common = sorted(before.keys() & after.keys(), key=str)   # the keys of both models, in one order
    equal = set()   # compared once: the rebuild of dependents and the lock's history ask again
    for key in common:
        a, b = before[key], after[key]
        if a != b:
            converted = a.family == "table" and partitions.conversion(origin[key], a, b, ctx, before, after, hints.places)
            if converted:   # partitioning turned on or off: the table is rebuilt and swapped in
                ops += converted
                continue
            changed = kind_of(a.family).changed
            ops += changed(origin[key], a, b, ctx) if changed else [Drop(origin[key]), Create(b)]
        else:
            equal.add(key)
    if old is released:   # no renames: `before` holds the released objects themselves
        changes.unchanged = frozenset(equal)
    else:                 # only the objects the renames left as they were keep their key
        kept = released.by_key()
        changes.unchanged = frozenset({key for key in equal if before[key] is kept.get(key)})
    ops = encryption.archived_encrypted(encryption.without_flag_changes(ops))
    ops, changes.notices = enums.follow(ops, old, new, origin, hints.places, _ordered_diff)
    ops += _rebuild_dependents(ops, before, after, common, origin, table_map, equal)
    ops = _rebuild_renamed(ops, renamed, origin, table_map)
    ops = _rebuild_table_parts(ops, before, after, common, origin, table_map)
    ops = partitions.swap_takes_along(ops)
    check_backfill_reads(ops, hints.places)
    changes.operations = on_partitioned_tables(ops, old, new)
    return changes


def _ordered_diff(old: Model, new: Model) -> list:
    """The plan between two models, in order: what `down` runs to rebuild an enum without the
    labels this migration added in place."""
    return order(diff_models(old, new).operations)


def _touched(ops, table_map: dict) -> set:
    """Keys whose old definition goes away or changes shape in this migration, under the
    table names before and after the renames."""
    touched = set().union(*(op.touches for op in ops))
    # Old objects (a view's recorded reads) name columns and tables as they were.
    renamed = {(op.table, op.new): op.old for op in ops if isinstance(op, RenameColumn)}
    for key in list(touched):
        if key[0] == "column" and (key[2], key[3]) in renamed:
            touched.add(key[:3] + (renamed[(key[2], key[3])],))
    back = {new: old for old, new in table_map.items()}
    for key in list(touched):
        if len(key) >= 3 and key[2] in table_map:
            touched.add(key[:2] + (table_map[key[2]],) + key[3:])
        if len(key) >= 3 and key[2] in back:
            touched.add(key[:2] + (back[key[2]],) + key[3:])
    return touched


def _rebuild_dependents(ops, before: dict, after: dict, common: list, origin: dict, table_map: dict,
                        equal: set) -> list:
    """Unchanged objects that depend on something this migration replaces are dropped before it
    and created again after it: views over a table whose columns change, policies naming a
    retyped or removed column, triggers and policies calling a replaced function, and so on."""
    touched = _touched(ops, table_map)
    rebuilt: list = []
    done = set()
    changed = True
    # Only unchanged objects of a kind rebuilt around what it depends on are candidates; each pass
    # looks at those not rebuilt yet, until a pass adds none.
    candidates = [key for key in common if key in equal and kind_of(before[key].family).rebuilt_around]
    needs: dict = {}   # per candidate, worked out on its first pass (requires parses expressions)
    while changed:
        changed = False
        for key in candidates:
            if key in done:
                continue
            old, new = before[key], after[key]
            kind = kind_of(old.family)
            moved = kind.reads_moved is not None and kind.reads_moved(old, new)
            if moved or (needs[key] if key in needs else needs.setdefault(key, _needs(old))) & touched:
                rebuilt += [Drop(origin[key]), Create(new)]
                touched.add(key)
                done.add(key)
                changed = True
    return rebuilt


def _needs(old) -> set:
    """What an unchanged object is rebuilt around when this migration replaces it."""
    depends_on = kind_of(old.family).depends_on
    return depends_on(old) if depends_on else set(old.requires)


def _rebuild_renamed(ops, pairs, origin: dict, table_map: dict) -> list:
    """An index, policy or trigger whose generated name follows a renamed table is renamed in
    place, unless something it depends on is replaced in this migration (the membership lookup
    of a rebuilt role enum, a replaced function, a retyped column): then, like an unchanged
    dependent, it is dropped under its old name before and created under its new one after."""
    touched = _touched(ops, table_map)
    rebuild = [(b, a) for b, a in pairs if _needs(b) & touched]
    if not rebuild:
        return ops
    renames_away = {(b.family, b.schema, b.table, b.name) for b, _ in rebuild}
    result = [op for op in ops if not (isinstance(op, RenameObject)
                                       and (op.family, op.schema, op.table, op.old) in renames_away)]
    for b, a in rebuild:
        result += [Drop(origin[b.key]), Create(a)]
    return result


def _rebuild_table_parts(ops, before: dict, after: dict, common: list, origin: dict, table_map: dict) -> list:
    """Checks and defaults of tables that stay: a check over a retyped column would keep the
    old type's casts, and a check or default calling a replaced function or casting to a rebuilt
    enum blocks its drop; both are removed before and put back after."""
    touched = _touched(ops, table_map)
    # A check or default that casts to a rebuilt enum holds back the old type's drop.
    rebuilt_enums = {op.key[2] for op in ops if isinstance(op, SwapEnum)}
    touched |= {("enum", PUBLIC, name) for name in rebuilt_enums}
    if not touched:   # nothing replaced: no check or default is in the way
        return ops
    changed_constraints = {op.key for op in ops if op.family == "constraint"}
    extra: list = []
    neutral: set = set()
    # A table's checks use its own columns, functions and enums; its defaults functions and enums:
    # with no function or enum replaced, only tables with a touched column can have either.
    anywhere = any(k[0] in ("function", "enum") for k in touched)
    column_tables = {k[1:3] for k in touched if k[0] == "column"}
    for key in common:
        old, new = before[key], after[key]
        if old.family != "table" or not anywhere and (new.schema, new.name) not in column_tables:
            continue
        original = origin[key]
        new_checks = {c.name: c for c in new.constraints}
        for c in old.constraints:
            if c.kind != "check" or new_checks.get(c.name) != c:
                continue
            if ("constraint", new.schema, new.name, c.name) in changed_constraints:
                continue
            uses = {("column", new.schema, new.name, n) for n in column_refs(c.expression)}
            uses |= {("function", PUBLIC, f) for f in function_calls(c.expression)}
            uses |= {("enum", PUBLIC, n) for n in type_names(c.expression)}
            if uses & touched:
                was = next(x for x in original.constraints if x.name == c.name)
                extra += [DropConstraint(original.schema, original.name, was), AddConstraint(new.schema, new.name, c)]
        new_columns = {col.name: col for col in new.columns}
        for col in old.columns:
            if not col.default:
                continue
            uses = {("function", PUBLIC, f) for f in function_calls(col.default)}
            if enums.enum_of(col.type) not in rebuilt_enums:   # a column of the type: moved with it
                uses |= {("enum", PUBLIC, n) for n in type_names(col.default)}
            if not uses & touched:
                continue
            was = next((x for x in original.columns if x.name == col.name), col)
            extra.append(DropDefault(original.schema, original.name, was))
            after_col = new_columns.get(col.name)
            if after_col is not None and after_col.default:
                extra.append(SetDefault(new.schema, new.name, after_col))
            neutral.add((new.name, col.name))
    result = []
    for op in ops:
        if isinstance(op, AlterColumn) and (op.table, op.after.name) in neutral:
            op = replace(op, before=replace(op.before, default=None), after=replace(op.after, default=None))
            if op.before == op.after:
                continue
        result.append(op)
    return result + extra
