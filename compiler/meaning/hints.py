"""renamed_from hints of the current spec. They sit beside the model, not in it: the lock
file stores the model alone, and a hint whose old name is already gone is simply stale."""
from __future__ import annotations

from dataclasses import dataclass, field

from .context import Context


@dataclass(frozen=True)
class RenameHints:
    tables: dict = field(default_factory=dict)    # new table name -> old table name
    columns: dict = field(default_factory=dict)   # (new table name, new column) -> old column
    places: dict = field(default_factory=dict)    # (section, name) -> Location, for diff errors
    backfills: dict = field(default_factory=dict)  # (table, column) -> backfill_sql, for a column added
    access: dict = field(default_factory=dict)     # "schema.table" -> DeclaredAccess, for verify's probes


def collect_hints(ctx: Context) -> RenameHints:
    """The hints, checked for consistency (E603): a rename must not name itself, an object
    that still exists, or an old name another object also claims."""
    spec = ctx.spec
    tables: dict = {}
    claimed: dict = {}
    for name, entry in spec.tables.items():
        old = entry.get("renamed_from")
        if old is None:
            continue
        if old == name:
            ctx.error("E603", f"table '{name}' is renamed_from itself", entry, "renamed_from", value=True)
        elif old in spec.tables:
            ctx.error("E603", f"table '{name}' is renamed_from '{old}', which is still defined at "
                              f"{spec.tables[old].at()}", entry, "renamed_from", value=True)
        elif old in claimed:
            ctx.error("E603", f"tables '{claimed[old]}' and '{name}' are both renamed_from '{old}'", entry,
                      "renamed_from", value=True)
        else:
            claimed[old] = name
            tables[name] = old
    columns: dict = {}
    for name, entry in spec.tables.items():
        spec_columns = entry.get("columns") or {}
        seen: dict = {}
        for column, data in spec_columns.items():
            old = (data or {}).get("renamed_from")
            if old is None:
                continue
            keys = ("columns", column, "renamed_from")
            if old == column:
                ctx.error("E603", f"column '{column}' is renamed_from itself", entry, *keys, value=True)
            elif old in spec_columns:
                ctx.error("E603", f"column '{column}' is renamed_from '{old}', which is still a column of "
                                  f"'{name}'", entry, *keys, value=True)
            elif old in seen:
                ctx.error("E603", f"columns '{seen[old]}' and '{column}' are both renamed_from '{old}'", entry,
                          *keys, value=True)
            else:
                seen[old] = column
                columns[(name, column)] = old
    places = {(section, name): entry.at() for section in ("enums", "tables", "views", "functions")
              for name, entry in spec.section(section).items()}
    return RenameHints(tables, columns, places)
