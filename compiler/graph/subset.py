"""`graph --tables PATTERN`: a part of the diagram. The entities whose names match a glob are
drawn whole; the tables they reference are drawn as stubs (the referenced key columns only), so
each foreign key still has both ends. Edges from tables left out are not drawn. A big schema,
whose Mermaid text GitHub refuses, is drawn this way one area at a time."""
from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatchcase

from .diagram import Diagram

STUB_NOTE = "drawn as a stub: referenced from the tables drawn, outside --tables"


class NoTableMatches(ValueError):
    """A --tables pattern names nothing in the diagram (a typo would draw an empty diagram)."""


def subset(diagram: Diagram, patterns: tuple[str, ...]) -> Diagram:
    """The entities matching any pattern (on the shown name: `leads`, `auth.users`), their edges,
    and stubs of what those edges point at."""
    if not patterns:
        return diagram
    names = [entity.name for entity in diagram.entities]
    unmatched = [p for p in patterns if not any(fnmatchcase(name, p) for name in names)]
    if unmatched:
        raise NoTableMatches(f"--tables {', '.join(unmatched)} matches no table of the spec")
    chosen = {name for name in names if any(fnmatchcase(name, p) for p in patterns)}
    edges = tuple(edge for edge in diagram.edges if edge.child in chosen)
    referenced: dict[str, set[str]] = {}
    for edge in edges:
        if edge.parent not in chosen:
            referenced.setdefault(edge.parent, set()).update(edge.ref_columns)
    entities = []
    for entity in diagram.entities:
        if entity.name in chosen:
            entities.append(entity)
        elif entity.name in referenced:
            keys = tuple(a for a in entity.attributes if a.name in referenced[entity.name])
            entities.append(replace(entity, attributes=keys, comment=STUB_NOTE, stub=True))
    return replace(diagram, entities=tuple(entities), edges=edges)
