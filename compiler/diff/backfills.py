"""What a migration's backfills may read. The columns of a table that one migration adds by a
batched backfill (`backfill_sql`, or a volatile default) are filled together, from the rows as
they were (kinds/backfills.py: one UPDATE): a `backfill_sql` that reads another of them, or a
column added in the same migration without a value for the rows already there, would read NULL.
That is an error at the `backfill_sql` (E410), never a migration that fails, or fills NULLs, on
the server."""
from __future__ import annotations

from ..diagnostics import CompileError, Diagnostic, Location
from ..expressions import column_refs
from ..kinds.columns import AddColumn


def check_backfill_reads(ops: list, places: dict) -> None:
    added: dict[tuple[str, str], list[AddColumn]] = {}
    for op in ops:
        if isinstance(op, AddColumn):
            added.setdefault((op.schema, op.table), []).append(op)
    errors = []
    for (schema, table), columns in added.items():
        unfilled = {op.column.name: _why(op) for op in columns if _why(op)}
        for op in columns:
            if not op.backfill:
                continue
            reads = column_refs(op.backfill, (table, f"{schema}.{table}")) & (set(unfilled) - {op.column.name})
            for name in sorted(reads):
                where = places.get(("backfill_sql", f"{table}.{op.column.name}")) or places.get(("tables", table))
                errors.append(Diagnostic(
                    "E410", f"backfill_sql of {table}.{op.column.name} reads {name}, which this migration adds "
                    f"{unfilled[name]}: it is NULL when the rows already there are filled",
                    where or Location("schema"),
                    f"compute it from the columns the table already has (repeat {name}'s expression), or add "
                    f"{name} in an earlier migration"))
    if errors:
        raise CompileError(errors)


def _why(op: AddColumn) -> str | None:
    """How an added column gets its value for the rows already there, when it is not at once."""
    if op.backfill:
        return "with its own backfill_sql"
    if op.rewrites:
        return "with a volatile default (filled in batches)"
    if op.column.default is None and op.column.identity is None:
        return "without a default"
    return None
