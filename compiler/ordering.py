"""Orders a migration's operations, and cuts them into migrations where PostgreSQL needs a
commit between two parts (added enum values). Inside a migration operations go by phase,
then inside a phase by the dependency graph (what an object needs is created before it and
removed after it). Ties break by rank and name, so the order is the same on every run;
reversing a valid order gives a valid order for `down`.

`staged` then says where each operation of an ordered list runs in the file (kinds/stages.py):
its online form when the rest of the migration allows it, else the plain form in the main
transaction. The up and the down list are staged each on its own, by the same rules."""
from __future__ import annotations

from dataclasses import dataclass, replace

import networkx as nx

from .kinds import AddEnumValue, Create, Drop, KeepEnum, all_kinds, kind_of
from .kinds.base import CHANGE, CREATE, EARLY, RENAME
from .kinds.stages import MAIN, Piece
from .model import Model
from .slugs import slug_for

_BUILDING = (EARLY, RENAME, CHANGE, CREATE)   # phases where what is needed must come first


def order(operations: list) -> list:
    # An operation asked for twice (an enum rebuild and the dependent rebuilds both rebuild the
    # membership lookup) runs once.
    operations = list(dict.fromkeys(operations))
    result = []
    for phase in sorted({op.phase for op in operations}):
        result += _order_phase([op for op in operations if op.phase == phase], phase in _BUILDING)
    return result


def _order_phase(operations: list, building: bool) -> list:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(operations)))
    providers: dict = {}
    for i, op in enumerate(operations):
        providers.setdefault(op.key, []).append(i)
    for i, op in enumerate(operations):
        for need in op.needs:
            for j in providers.get(need, ()):
                if j == i:
                    continue
                if building:
                    graph.add_edge(j, i)   # the dependency exists first
                else:
                    graph.add_edge(i, j)   # the dependent goes first
    def tie_break(i):
        op = operations[i]
        return (op.rank if building else -op.rank, str(op.key), op.verb)
    try:
        return [operations[i] for i in nx.lexicographical_topological_sort(graph, key=tie_break)]
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(graph)
        names = " -> ".join(operations[a].describe() for a, _ in cycle)
        raise RuntimeError(f"operations depend on each other in a cycle: {names}") from None


@dataclass(frozen=True)
class Step:
    """One migration: its name (NNNN_slug) and its operations in order."""

    name: str
    operations: list


def initial_plan(model: Model) -> list:
    """Everything created from nothing."""
    return order([Create(obj, on_new_table=True) for obj in model.objects])


def initial_steps(model: Model) -> list[Step]:
    return [Step("0001_initial", initial_plan(model))]


def steps_of(operations: list, number: int) -> list[Step]:
    """The migrations, numbered from `number`, that a diff's operations make (none for none)."""
    if not operations:
        return []
    parts = split_enum_values(order(operations))
    return [Step(f"{number + i:04d}_{slug_for(ops)}", ops) for i, ops in enumerate(parts)]


def split_enum_values(operations: list) -> list[list]:
    """A value added to an enum cannot be used in the transaction that adds it, so added enum
    values get a migration of their own, released just before the one that may use them (with
    the plan its `down` rebuilds the previous type by). A rebuilt enum needs no split: its new
    type is created and used in one transaction, which PostgreSQL allows."""
    values = [op for op in operations if isinstance(op, (AddEnumValue, KeepEnum))]
    rest = [op for op in operations if not isinstance(op, (AddEnumValue, KeepEnum))]
    return [values, rest] if values and rest else [operations]


def reverse_plan(up: list) -> list:
    return [op.reverse() for op in reversed(up)]


# Operations that make or remove a whole table or view: what is built on it goes with it.
_WHOLE = ("create", "archive", "restore", "drop")


def staged(operations: list, online: bool = True) -> list[tuple]:
    """(operation, pieces) in order; `online=False` keeps every operation in its plain form (what
    takes back one file's main transaction in a runner layout, unit_downs.py). An online form is used only on a table (or materialized
    view) that stays, not created, archived or restored by this migration, and only when
    nothing else in the migration needs what it makes before its stage (a foreign key on a
    unique key added here needs the key in the main transaction: then the key takes the plain
    form). An index dropped with its table or view runs nothing: the table's drop takes it. A
    changed index (dropped and created under one name) is swapped, unless the migration also
    changes what it is built on (the old index must not outlive a retype of its columns): then
    it is dropped before the main transaction and built after it. Nor is an online form used
    on a relation that the migration renames (or renames a column of) after the operation: its
    later pieces would name what the rename already took away (a down that sets NOT NULL on a
    column, then renames it back). Last, a kind may run pieces of several of its operations as
    one (Kind.gather: the backfills of one table, one UPDATE filling every new column)."""
    operations = _expanded(operations)
    whole = {op.key for op in operations if op.family in ("table", "view") and op.verb in _WHOLE}
    removed = {op.key for op in operations if op.family in ("table", "view") and op.verb in ("drop", "archive")}
    changed = {op.key for op in operations if op.verb != "add"}   # an added column is no danger to a swap
    result = []
    for position, op in enumerate(operations):
        if getattr(op, "runs", ()):
            result.append((op, (Piece(MAIN, "heading"),)))
            continue
        relation = _relation_of(op)
        if op.family == "index" and op.verb == "drop" and relation in removed:
            result.append((op, ()))
            continue
        pieces = op.online() if online else None
        if pieces and relation in _renamed(operations[position + 1:]):
            result.append((op, tuple(replace(p, note=RENAMED_AFTER) for p in op.pieces())))
            continue
        if pieces and (relation in whole or _made_too_late(op, pieces, operations)):
            pieces = None
        swap = _swap(op, operations, changed) if pieces else None
        if swap is not None:
            pieces = swap
        result.append((op, pieces if pieces is not None else op.pieces()))
    for kind in all_kinds():
        if kind.gather:
            result = kind.gather(result)
    return result


# The plain form where the online one cannot be used, and what Squawk then objects to.
RENAMED_AFTER = ("plain form: this migration renames the table or column afterwards, and the online form's",
                 "later parts would name what the rename took away (a rollback that sets NOT NULL, then renames)",
                 "squawk-ignore adding-not-nullable-field, require-concurrent-index-creation, "
                 "constraint-missing-not-valid, adding-foreign-key-constraint, disallowed-unique-constraint")


def _renamed(operations: list) -> set:
    """The relations these operations rename, or rename a column of (by every name they have)."""
    relations = set()
    for op in operations:
        if op.verb == "rename" and op.family == "column":
            relations.add(("table", op.schema, op.table))
        elif op.verb == "rename" and op.family == "table":
            relations |= {("table", op.schema, op.old), ("table", op.schema, op.new)}
    return relations


def _expanded(operations: list) -> list:
    """An operation that runs a plan of its own (the enum rebuild of a `down`) followed by it."""
    result = []
    for op in operations:
        result.append(op)
        result += _expanded(list(getattr(op, "runs", ())))
    return result


def _relation_of(op) -> tuple:
    """The key of the table (or materialized view) the operation works on."""
    target = getattr(op, "obj", op)
    family = "view" if getattr(target, "on_view", False) else "table"
    return (family, getattr(target, "schema", None), getattr(target, "table", None))


def _made_too_late(op, pieces, operations) -> bool:
    if any(p.stage == MAIN for p in pieces):
        return False
    return any(op.key in other.needs for other in operations if other is not op)


def _swap(op, operations, changed: set) -> tuple | None:
    """The pieces of op in a swap (the Drop's are none), or None when op is not in one."""
    hook = kind_of(op.family).swap
    if not hook or not isinstance(op, (Create, Drop)):
        return None
    twin = next((o for o in operations if o is not op and o.key == op.key and isinstance(o, (Create, Drop))
                 and o.verb != op.verb), None)
    if twin is None:
        return None
    create, drop = (op, twin) if isinstance(op, Create) else (twin, op)
    built_on = {k for k in set(create.needs) | set(drop.needs) if k[0] != "table"}
    pieces = hook(create, drop)
    if pieces is None or built_on & changed or not drop.online():
        return None
    return pieces if op is create else ()
