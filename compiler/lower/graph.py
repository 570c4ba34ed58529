"""The dependency graphs of the spec (networkx): foreign keys that close a cycle of tables are
added after their tables, and views may not read each other in a cycle (E801). networkx is
imported only for a graph that has a cycle: most specs have none, and importing it costs a
tenth of a second of every build."""
from __future__ import annotations

from ..meaning.context import Context
from ..model import PUBLIC, Constraint, ForeignKey
from ..ordering import topological_order
from .tables import TableDraft


def _acyclic(edges: list[tuple]) -> bool:
    nodes = list(dict.fromkeys(n for edge in edges for n in edge))
    number = {n: i for i, n in enumerate(nodes)}
    successors: dict[int, dict] = {}
    for a, b in edges:
        successors.setdefault(number[a], {})[number[b]] = None
    return topological_order(len(nodes), successors, lambda i: i) is not None


def break_cycles(drafts: dict[str, TableDraft]) -> dict[str, list[ForeignKey]]:
    """Foreign keys inside a cycle of the table graph are added after their tables, deferrable
    so that rows pointing at each other can be inserted in one transaction."""
    edges = [(draft.name, c.ref_table) for draft in drafts.values() for c in draft.constraints
             # (a key to a table outside the spec, auth.users, is never part of a cycle)
             if c.kind == "foreign_key" and c.ref_schema == PUBLIC and c.ref_table != draft.name and c.ref_table in drafts]
    if _acyclic(edges):
        return {}
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(drafts))
    graph.add_edges_from(edges)
    deferred: dict[str, list[ForeignKey]] = {}
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        for name in sorted(component):
            draft = drafts[name]
            keep = []
            for c in draft.constraints:
                if (c.kind == "foreign_key" and c.ref_schema == PUBLIC and c.ref_table in component
                        and c.ref_table != name):
                    deferred.setdefault(name, []).append(
                        ForeignKey(PUBLIC, name, Constraint(**{**c.__dict__, "deferrable": True})))
                else:
                    keep.append(c)
            draft.constraints = keep
    return deferred


def check_view_cycles(ctx: Context, objects) -> None:
    edges = [(view.key, dep) for view in (o for o in objects if o.family == "view") for dep in view.reads
             if dep[0] == "view"]
    if _acyclic(edges):
        return
    import networkx as nx

    graph = nx.DiGraph(edges)
    cycles = [_rotate_to_smallest(c) for c in nx.simple_cycles(graph)]
    if cycles:
        cycle = min(cycles)  # the same cycle and wording whatever the hash seed
        entry = ctx.spec.views.get(cycle[0][2])
        if entry is not None:
            chain = " -> ".join(k[2] for k in cycle + [cycle[0]])
            ctx.error("E801", f"views read each other in a cycle: {chain}", entry, "query")


def _rotate_to_smallest(cycle: list) -> list:
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]
