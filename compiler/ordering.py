"""Orders a migration's operations, and cuts them into migrations where PostgreSQL needs a
commit between two parts (added enum values). Inside a migration operations go by phase,
then inside a phase by the dependency graph (what an object needs is created before it and
removed after it). Ties break by rank and name, so the order is the same on every run;
reversing a valid order gives a valid order for `down`.

`staged` then says where each operation of an ordered list runs in the file (kinds/stages.py):
its online form when the rest of the migration allows it, else the plain form in the main
transaction. The up and the down list are staged each on its own, by the same rules."""
from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

from .kinds import AddEnumValue, Create, Drop, KeepEnum, SwapEnum, all_kinds, kind_of
from .kinds.base import CHANGE, CREATE, EARLY, RENAME
from .kinds.stages import MAIN, Piece
from .model import Model
from .slugs import slug_for

_BUILDING = (EARLY, RENAME, CHANGE, CREATE)   # phases where what is needed must come first


def order(operations: list) -> list:
    # An operation asked for twice (an enum rebuild and the dependent rebuilds both rebuild the
    # membership lookup) runs once.
    operations = _once_each(operations)
    phases: dict[int, list] = {}
    for op in operations:
        phases.setdefault(op.phase, []).append(op)
    result = []
    for phase in sorted(phases):
        result += _order_phase(phases[phase], phase in _BUILDING)
    return result


def _once_each(operations: list) -> list:
    """The operations without repeats, in order. Equal operations have equal keys: only those
    that share a key are compared whole (hashing an operation hashes its model object, column
    by column)."""
    by_key: dict = {}
    for op in operations:
        by_key.setdefault((type(op), op.key), []).append(op)
    if len(by_key) == len(operations):
        return list(operations)
    repeated = {id(op) for ops in by_key.values() if len(ops) > 1 for op in ops}
    kept = dict.fromkeys(op for op in operations if id(op) in repeated)
    return [op for op in operations if id(op) not in repeated or kept.pop(op, False) is None]


def _order_phase(operations: list, building: bool) -> list:
    edges = _edges(operations, building)
    def tie_break(i):
        op = operations[i]
        return (op.rank if building else -op.rank, str(op.key), op.verb)
    ordered = topological_order(len(operations), edges, tie_break)
    if ordered is None:
        # networkx only for the message: a valid plan never has a cycle
        import networkx as nx
        graph = nx.DiGraph()
        graph.add_nodes_from(range(len(operations)))
        graph.add_edges_from((a, b) for a, targets in edges.items() for b in targets)
        cycle = nx.find_cycle(graph)
        names = " -> ".join(operations[a].describe() for a, _ in cycle)
        raise RuntimeError(f"operations depend on each other in a cycle: {names}")
    return [operations[i] for i in ordered]


def _edges(operations: list, building: bool) -> dict[int, list]:
    """i -> [j, ...] where operation i must run before j. No pair twice: an operation's needs
    are a set, and each provider has one key."""
    providers: dict = {}
    for i, op in enumerate(operations):
        providers.setdefault(op.key, []).append(i)
    provided = providers.get
    edges: dict[int, list] = {}
    for i, op in enumerate(operations):
        for need in op.needs:
            for j in provided(need, ()):
                if j == i:
                    continue
                if building:
                    edges.setdefault(j, []).append(i)   # the dependency exists first
                else:
                    edges.setdefault(i, []).append(j)   # the dependent goes first
    return edges


def topological_order(count: int, edges: dict, key) -> list[int] | None:
    """Nodes 0..count-1 with every edge's source before its target, the smallest (key(node),
    node) first whenever several are ready: networkx's lexicographical_topological_sort, without
    importing networkx (a tenth of a second of every build). None when the edges hold a cycle."""
    indegree = [0] * count
    for targets in edges.values():
        for b in targets:
            indegree[b] += 1
    # Every node's place in (key, node) order, worked out by one sort: the heap then compares
    # small integers rather than keys.
    by_key = sorted(range(count), key=lambda i: (key(i), i))
    place = [0] * count
    for position, node in enumerate(by_key):
        place[node] = position
    ready = [place[i] for i in range(count) if not indegree[i]]
    heapq.heapify(ready)
    result = []
    pop, push, targets_of = heapq.heappop, heapq.heappush, edges.get
    while ready:
        node = by_key[pop(ready)]
        result.append(node)
        for child in targets_of(node, ()):
            indegree[child] -= 1
            if not indegree[child]:
                push(ready, place[child])
    return result if len(result) == count else None


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
    one (Kind.gather: the backfills of one table, one UPDATE filling every new column). A
    migration that removes enum values keeps every operation plain, in one transaction: rows that
    still hold a removed value refuse it, and that refusal must leave nothing changed, where an
    index dropped concurrently beforehand would already be gone (the rebuild locks its tables
    for its whole length anyway)."""
    operations = _expanded(operations)
    refusable = online and any(isinstance(op, SwapEnum) and _removes_values(op) for op in operations)
    whole, removed, changed = set(), set(), set()
    for op in operations:
        if op.family in ("table", "view") and op.verb in _WHOLE:
            whole.add(op.key)
            if op.verb in ("drop", "archive"):
                removed.add(op.key)
        if op.verb != "add":   # an added column is no danger to a swap
            changed.add(op.key)
    later = _Later(operations)
    result = []
    for position, op in enumerate(operations):
        if getattr(op, "runs", ()):
            result.append((op, (Piece(MAIN, "heading"),)))
            continue
        if op.family == "index" and op.verb == "drop" and _relation_of(op) in removed:
            result.append((op, ()))
            continue
        pieces = op.online() if online else None
        if not pieces:
            result.append((op, pieces if pieces is not None else op.pieces()))
            continue
        if refusable:
            result.append((op, tuple(replace(p, note=REMOVES_ENUM_VALUES) for p in op.pieces())))
            continue
        relation = _relation_of(op)
        if later.renames(relation, position):
            result.append((op, tuple(replace(p, note=RENAMED_AFTER) for p in op.pieces())))
            continue
        if relation in whole or _made_too_late(op, pieces, later):
            pieces = None
        swap = _swap(op, later, changed) if pieces else None
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


# The whole file is one transaction then: what Squawk objects to holds for every statement of it
# (a line's squawk-ignore covers only the line after it, and a statement may span several).
REMOVES_ENUM_VALUES = ("plain form: this migration removes enum values, and rows that still hold one refuse it;",
                       "the refusal must leave nothing changed, so the whole migration is one transaction",
                       "squawk-ignore-file require-concurrent-index-creation, require-concurrent-index-deletion, "
                       "adding-not-nullable-field, constraint-missing-not-valid, adding-foreign-key-constraint, "
                       "disallowed-unique-constraint")


class _Later:
    """What staging asks of the whole migration about one operation, each worked out once for
    every operation (asked per operation, a scan of the migration each time would grow with the
    square of its size): whether a relation is renamed after a position, who needs a key, the
    whole-object operations of a key."""

    def __init__(self, operations: list):
        self.operations = operations
        self._renamed: dict | None = None
        self._needed: dict | None = None
        self._wholes: dict | None = None

    def renames(self, relation: tuple, position: int) -> bool:
        """Whether an operation after `position` renames the relation, or a column of it (by
        any name it has)."""
        if self._renamed is None:
            self._renamed = {}
            for at, op in enumerate(self.operations):   # the last position wins
                for renamed in _renamed_by(op):
                    self._renamed[renamed] = at
        return self._renamed.get(relation, -1) > position

    def needed_by(self, key) -> set:
        """The ids of the operations that need `key`."""
        if self._needed is None:
            self._needed = {}
            for op in self.operations:
                for need in op.needs:
                    self._needed.setdefault(need, set()).add(id(op))
        return self._needed.get(key, set())

    def wholes(self, key) -> list:
        """The Create and Drop operations of `key`, in order."""
        if self._wholes is None:
            self._wholes = {}
            for op in self.operations:
                if isinstance(op, (Create, Drop)):
                    self._wholes.setdefault(op.key, []).append(op)
        return self._wholes.get(key, [])


def _removes_values(swap) -> bool:
    return not swap.undo and any(value not in swap.after.values for value in swap.before.values)


def _renamed_by(op) -> tuple:
    """The relations op renames, or renames a column of (by every name they have)."""
    if op.verb == "rename" and op.family == "column":
        return (("table", op.schema, op.table),)
    if op.verb == "rename" and op.family == "table":
        return (("table", op.schema, op.old), ("table", op.schema, op.new))
    return ()


def _expanded(operations: list) -> list:
    """An operation that runs a plan of its own (the enum rebuild of a `down`) followed by it."""
    result = []
    for op in operations:
        result.append(op)
        runs = getattr(op, "runs", ())
        if runs:
            result += _expanded(list(runs))
    return result


def _relation_of(op) -> tuple:
    """The key of the table (or materialized view) the operation works on."""
    target = getattr(op, "obj", op)
    family = "view" if getattr(target, "on_view", False) else "table"
    return (family, getattr(target, "schema", None), getattr(target, "table", None))


def _made_too_late(op, pieces, later: _Later) -> bool:
    if any(p.stage == MAIN for p in pieces):
        return False
    return bool(later.needed_by(op.key) - {id(op)})


def _swap(op, later: _Later, changed: set) -> tuple | None:
    """The pieces of op in a swap (the Drop's are none), or None when op is not in one."""
    hook = kind_of(op.family).swap
    if not hook or not isinstance(op, (Create, Drop)):
        return None
    twin = next((o for o in later.wholes(op.key) if o is not op and o.verb != op.verb), None)
    if twin is None:
        return None
    create, drop = (op, twin) if isinstance(op, Create) else (twin, op)
    built_on = {k for k in set(create.needs) | set(drop.needs) if k[0] != "table"}
    pieces = hook(create, drop)
    if pieces is None or built_on & changed or not drop.online():
        return None
    return pieces if op is create else ()
