"""No two generated or written objects may share a name (E602)."""
from __future__ import annotations

from ..meaning.context import Context


def check_names(ctx: Context, objects) -> None:
    """Relations (tables, views, indexes, key indexes) share one namespace per schema;
    constraints, policies and triggers are per table. No two objects may share a name.
    A collision is reported once, where the author wrote the second name."""
    seen: dict[tuple, str] = {}
    collided: set[str] = set()   # tables whose other names would only repeat the same collision

    def where(obj) -> tuple:
        table = getattr(obj, "table", None) or obj.name
        entry = ctx.spec.tables.get(table) or ctx.spec.views.get(table)
        if entry is None and obj.family == "table" and obj.kind == "audit":
            entry = ctx.spec.tables.get(obj.name)
        if entry is None:
            return ctx.spec.project, ()
        for i, index in enumerate(entry.get("indexes") or ()):
            if obj.family == "index" and index.get("name") == obj.name:
                return entry, ("indexes", i, "name")
        return entry, ()

    owners: dict[tuple, object] = {}

    def claim(space: tuple, what: str, obj) -> bool:
        if space not in seen:
            seen[space] = what
            owners[space] = obj
            return True
        entry, keys = where(obj)
        first_entry, first_keys = where(owners[space])
        if first_keys and not keys:   # point at a name the author chose over a generated one
            entry, keys = first_entry, first_keys
        ctx.error("E602", f"name '{space[-1]}' is used by {seen[space]} and by {what}", entry, *keys,
                  hint="rename one of them (generated names come from table and column names)")
        collided.add(getattr(obj, "table", None) or obj.name)
        return False

    def describe(obj) -> str:
        if obj.family == "table" and obj.kind == "audit":
            return f"the audit table generated for {obj.comment.split()[-2] if obj.comment else obj.name}"
        return f"table {obj.name}"

    for obj in objects:
        table = getattr(obj, "table", None) or getattr(obj, "name", None)
        if obj.family != "table" and table in collided:
            continue
        if obj.family == "table":
            if not claim(("relation", obj.schema, obj.name), describe(obj), obj):
                continue
            for c in obj.constraints:
                claim(("constraint", obj.schema, obj.name, c.name), f"constraint {c.name} of {obj.name}", obj)
                if c.kind in ("primary_key", "unique"):
                    claim(("relation", obj.schema, c.name), f"key {c.name} of {obj.name}", obj)
        elif obj.family == "view":
            claim(("relation", obj.schema, obj.name), f"view {obj.name}", obj)
        elif obj.family == "index":
            claim(("relation", obj.schema, obj.name), f"index {obj.name} of {obj.table}", obj)
        elif obj.family == "foreign_key":
            c = obj.constraint
            claim(("constraint", obj.schema, obj.table, c.name), f"constraint {c.name} of {obj.table}", obj)
        elif obj.family in ("policy", "trigger"):
            claim((obj.family, obj.schema, obj.table, obj.name), f"{obj.family} {obj.name} of {obj.table}", obj)
        elif obj.family in ("function", "enum"):
            claim((obj.family, obj.schema, obj.name), f"{obj.family} {obj.name}", obj)
