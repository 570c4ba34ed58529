"""Orders operations: by phase, then inside a phase by the dependency graph (what an object
needs is created before it and removed after it). Ties break by rank and name, so the order
is the same on every run; reversing a valid order gives a valid order for `down`."""
from __future__ import annotations

import networkx as nx

from .model import Model
from .ops import Create
from .ops.base import CHANGE, CREATE, EARLY, RENAME

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


def initial_plan(model: Model) -> list:
    """Everything created from nothing."""
    return order([Create(obj, on_new_table=True) for obj in model.objects])


def reverse_plan(up: list) -> list:
    return [op.reverse() for op in reversed(up)]
