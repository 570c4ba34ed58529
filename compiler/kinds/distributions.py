"""target citus: a table distributed by a column (create_distributed_table, colocated with the
tenant root) or made a reference table (create_reference_table); its reverse undistributes it.
Each call runs only where the citus extension is installed: elsewhere the table stays local and
a notice says so, so the same migration applies on plain PostgreSQL (dev, CI).

Ordering (Distribution.requires): a table is distributed after the tables its foreign keys
point at and after the one it is colocated with: reference tables, the root, then tenant
tables in foreign-key order, as Citus accepts them."""
from __future__ import annotations

from .base import Create, Drop
from .kind import Kind, register

_VERBS = {"create": "distribute", "drop": "undistribute"}

KIND = register(Kind(
    "distribution", rank=16, operations=(Create, Drop), rebuilt_around=True,
    names=lambda obj: [(("distribution", obj.schema, obj.table), f"distribution of {obj.table}")],
    phrase=lambda op, rebuilt: f"{'redistribute' if op.key in rebuilt else _VERBS[op.verb]}_{op.key[-1]}"))
