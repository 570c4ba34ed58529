"""W108: a materialized view that reads a soft-delete table but never its deleted_at. Row level
security hides soft-deleted rows from members, but a materialized view is filled by its owner
past row level security, so it counts those rows unless its query says `deleted_at is null`."""
from __future__ import annotations

from collections.abc import Callable

from ..codes import SPEC_WARNINGS
from ..diagnostics import Diagnostic
from ..model import Model
from ..source.spec import Spec


def soft_deleted_rows_warnings(spec: Spec, model: Model, ignored: Callable) -> list[Diagnostic]:
    """`ignored(entry)`: the codes a view's `warnings: {ignore: [...]}` silences."""
    # (schema, table) -> its soft delete column
    soft_deleted = {(t.schema, t.name): c.name for t in model.of("table")
                    for c in t.columns if c.origin == "soft_delete"}
    found = []
    for view in model.of("view"):
        entry = spec.views.get(view.name)
        if not view.materialized or entry is None or "W108" in ignored(entry):
            continue
        reads = set(view.reads)
        for kind, *key in sorted(reads):
            table = tuple(key)
            if kind != "table" or table not in soft_deleted:
                continue
            column = soft_deleted[table]
            if ("column", *table, column) in reads:
                continue
            assert "W108" in SPEC_WARNINGS
            found.append(Diagnostic(
                "W108", f"materialized view '{view.name}' reads soft-delete table '{table[1]}' but not its "
                        f"{column}: it counts the soft-deleted rows, which members no longer see",
                entry.at("query"), severity="warning",
                hint=f"filter them in the query (where {table[1]}.{column} is null), or silence with "
                     "warnings: {ignore: [W108]} on the view if they are meant"))
    return found
