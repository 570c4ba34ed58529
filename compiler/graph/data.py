"""A diagram as JSON: every column of every entity, whatever the compact views show, and the
edges with what the renderers draw from them (optional, one-to-one, tenant-safe)."""
from __future__ import annotations

import json
from dataclasses import asdict

from .diagram import Diagram


def render(diagram: Diagram, *, all_columns: bool = True) -> str:
    document = {
        "tenant": {"root": diagram.tenant_root, "column": diagram.tenant_column},
        "entities": [
            {"name": e.name, "kind": e.kind, "comment": e.comment, "stub": e.stub,
             "columns": [asdict(a) for a in e.shown(all_columns)]}
            for e in diagram.entities
        ],
        "edges": [asdict(e) for e in diagram.edges],
    }
    return json.dumps(document, indent=2) + "\n"
