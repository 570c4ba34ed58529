"""Orders a migration's operations, and cuts them into migrations where PostgreSQL needs a
commit between two parts (added enum values). Inside a migration operations go by phase,
then inside a phase by the dependency graph (what an object needs is created before it and removed after it). Ties break by rank and name, so the order
is the same on every run; reversing a valid order gives a valid order for `down`."""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .kinds import AddEnumValue, Create, KeepEnum
from .kinds.base import CHANGE, CREATE, EARLY, RENAME
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
