"""No two generated or written objects may share a name (E602)."""
from __future__ import annotations

from ..kinds import kind_of
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
        if obj.family == "trigger" and obj.name in (entry.get("triggers") or {}):
            return entry, ("triggers", obj.name)
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

    for obj in objects:
        table = getattr(obj, "table", None) or getattr(obj, "name", None)
        if obj.family != "table" and table in collided:
            continue
        names = kind_of(obj.family).names
        # The object's own name first: when it collides, its parts' names would only repeat it.
        for n, (space, what) in enumerate(names(obj) if names else ()):
            if not claim(space, what, obj) and n == 0:
                break
