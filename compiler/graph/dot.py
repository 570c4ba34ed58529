"""A diagram as Graphviz dot: one HTML-label node per entity (a header with its name and kind,
a row per column shown), one edge per foreign key from the referencing column's row to the
referenced column's row. Kinds differ by colour and line style; a legend is the graph label, so
the nodes are the entities and nothing else. Every identifier is quoted (tables may be called
`node`, `edge` or `graph`) and every label text escaped."""
from __future__ import annotations

from html import escape

import networkx

from .diagram import AUDIT, EXTERNAL, KIND_LABELS, ROOT, SHARED, TENANT, VIEW, Attribute, Diagram, Edge, Entity

# kind -> (header fill, border style)
STYLES = {
    ROOT: ("#f6c453", "solid"),
    TENANT: ("#9ec5fe", "solid"),
    SHARED: ("#a3e4b7", "solid"),
    AUDIT: ("#d9c7f5", "solid"),
    EXTERNAL: ("#d0d0d0", "dashed"),
    VIEW: ("#f0f0f0", "dashed"),
}
LEGEND = ("tenant root: gold  |  tenant-scoped: blue (tenant column in italics)  |  shared: green  |  "
          "audit: violet  |  external: grey, dashed  |  view: dashed  |  edge label: the foreign key's "
          "columns; a bold edge is a composite tenant-safe key; a dashed edge may be null")


# dot's ranked layout routes an edge through one virtual node per rank it crosses: a deep chain
# of references with a few tables everyone points at (the tenant root, the membership table) makes
# hundreds of thousands of them and minutes of layout. Past this many, the force-directed sfdp
# lays the graph out instead (well under a second for 500 tables), still run as `dot`. Measured:
# 2,500 virtual nodes take 3 s, 10,000 more than two minutes.
RANKED_LAYOUT_LIMIT = 3_000


def render(diagram: Diagram, *, all_columns: bool = False) -> str:
    layout = "dot" if virtual_nodes(diagram) <= RANKED_LAYOUT_LIMIT else "sfdp"
    placement = ("rankdir=LR, nodesep=0.3, ranksep=0.8" if layout == "dot"
                 else "layout=sfdp, overlap=prism, overlap_scaling=2, K=1.2")
    lines = [
        "digraph erd {",
        f'  graph [{placement}, fontname="Helvetica", fontsize=10, labelloc=b,',
        f'         label="{_quoted(LEGEND)}"];',
        '  node [shape=plain, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555", arrowsize=0.7];',
    ]
    shown = {}
    for entity in diagram.entities:
        attributes = entity.shown(all_columns)
        shown[entity.name] = {a.name for a in attributes}
        lines.append(f'  "{_quoted(entity.name)}" [label=<{_table(entity, attributes)}>];')
    for edge in diagram.edges:
        lines.append("  " + _edge(edge, shown))
    lines.append("}")
    return "\n".join(lines) + "\n"


def virtual_nodes(diagram: Diagram) -> int:
    """How many virtual nodes dot's ranking would make: each edge's span in a longest-path
    ranking, less one (references in a cycle are taken as one rank)."""
    graph = networkx.DiGraph((e.child, e.parent) for e in diagram.edges if e.child != e.parent)
    dag = networkx.condensation(graph)
    rank = {}
    for node in networkx.topological_sort(dag):
        rank[node] = max((rank[p] + 1 for p in dag.predecessors(node)), default=0)
    where = dag.graph["mapping"]
    return sum(max(abs(rank[where[e.parent]] - rank[where[e.child]]) - 1, 0)
               for e in diagram.edges if e.child != e.parent)


def _table(entity: Entity, attributes: tuple[Attribute, ...]) -> str:
    fill, style = STYLES[entity.kind]
    dashed = ' STYLE="dashed"' if style == "dashed" else ""
    head = (f'<TR><TD COLSPAN="3" BGCOLOR="{fill}" PORT="_head"><B>{escape(entity.name)}</B>'
            f'<BR/><FONT POINT-SIZE="8">{escape(KIND_LABELS[entity.kind] + (", stub" if entity.stub else ""))}'
            '</FONT></TD></TR>')
    rows = [_row(a) for a in attributes]
    return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"{dashed}>'
            + head + "".join(rows) + "</TABLE>")


def _row(attribute: Attribute) -> str:
    name = escape(attribute.name)
    if attribute.tenant:
        name = f"<I>{name}</I>"
    elif not attribute.nullable:
        name = f"<B>{name}</B>"
    keys = escape(" ".join(attribute.keys)) or " "
    return (f'<TR><TD ALIGN="LEFT" PORT="{_port(attribute.name)}">{name}</TD>'
            f'<TD ALIGN="LEFT"><FONT COLOR="#555555">{escape(attribute.type)}</FONT></TD>'
            f'<TD ALIGN="LEFT">{keys}</TD></TR>')


def _edge(edge: Edge, shown: dict[str, set[str]]) -> str:
    """child:column -> parent:column, the crow's foot at the child; the row ports are used when
    both columns are shown, else the headers."""
    skip = 1 if edge.tenant_safe else 0   # the tenant column is in every row; the other names the edge
    tail = _end(edge.child, edge.columns[skip:], shown)
    head = _end(edge.parent, edge.ref_columns[skip:], shown)
    if edge.reads:
        return f'{tail} -> {head} [style=dotted, arrowhead=vee, label="reads"];'
    attributes = [f'label="{_quoted(edge.label)}"', "arrowtail=" + ("crowodot" if not edge.one_to_one else "teeodot"),
                  "arrowhead=" + ("teeodot" if edge.optional else "teetee"), "dir=both"]
    if edge.tenant_safe:
        attributes.append("penwidth=1.8")
    if edge.optional:
        attributes.append("style=dashed")
    return f'{tail} -> {head} [{", ".join(attributes)}];'


def _end(entity: str, columns: tuple[str, ...], shown: dict[str, set[str]]) -> str:
    column = columns[0] if columns and columns[0] in shown.get(entity, ()) else None
    port = _port(column) if column else "_head"
    return f'"{_quoted(entity)}":"{port}"'


def _port(column: str) -> str:
    # prefixed, so that a column called n, s or c is never read as a compass point
    return "c_" + "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in column)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
