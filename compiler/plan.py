"""Orders operations with the dependency graph: what an object requires is created before it
and dropped after it. Ties break by phase and name, so the order is the same on every run."""
from __future__ import annotations

import networkx as nx

from .model import Model
from .ops import PHASE, Create, Drop


def order(operations: list) -> list:
    by_key = {op.obj.key: op for op in operations}
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(operations)))
    index = {op.obj.key: i for i, op in enumerate(operations)}
    for i, op in enumerate(operations):
        for dep in sorted(op.obj.requires, key=str):
            if dep not in by_key or dep == op.obj.key:
                continue
            j = index[dep]
            if isinstance(op, Create) and isinstance(operations[j], Create):
                graph.add_edge(j, i)   # the dependency exists first
            elif isinstance(op, Drop) and isinstance(operations[j], Drop):
                graph.add_edge(i, j)   # the dependent goes first
    def tie_break(i):
        op = operations[i]
        rank = PHASE[op.obj.family]
        return (rank if isinstance(op, Create) else -rank, str(op.obj.key))
    return [operations[i] for i in nx.lexicographical_topological_sort(graph, key=tie_break)]


def initial_plan(model: Model) -> list:
    """Everything created from nothing."""
    return order([Create(obj) for obj in model.objects])


def reverse_plan(up: list) -> list:
    return [op.reverse() for op in reversed(up)]
