"""`atlas-compile graph`: the schema as an entity-relationship diagram (Mermaid, Graphviz dot,
SVG through `dot`, or JSON). `diagram` turns the model into entities and edges; each format is a
module that only lays them out."""
from .command import FORMATS, graph_text, run_graph

__all__ = ["FORMATS", "graph_text", "run_graph"]
