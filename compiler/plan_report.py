"""What the next migration does, in words a reviewer reads in a minute: hazards first, then
the changes grouped by table. Used by `atlas-compile plan`."""
from __future__ import annotations

from .kinds import kind_of
from .render import render_operation


def group_of(op) -> str:
    """The table (or other object) a change belongs to."""
    for attr in ("table",):
        value = getattr(op, attr, None)
        if isinstance(value, str):
            return value
        if value is not None and hasattr(value, "name"):
            return value.name
    obj = getattr(op, "obj", None)
    if obj is not None:
        return getattr(obj, "table", None) or getattr(obj, "name", None) or str(obj.key[-1])
    for attr in ("new", "enum", "name"):
        if isinstance(getattr(op, attr, None), str):
            return getattr(op, attr)
    after = getattr(op, "after", None)
    return getattr(after, "name", "?")


def summary_of(op) -> str:
    """The plan's line for one operation: the kind's own words, else verb, family and target."""
    verb, family = op.verb.replace("_", " "), op.family.replace("_", " ")
    if op.verb == "rename":
        return f"rename {family} {op.old} -> {op.new}"
    summary = kind_of(op.family).summary
    return (summary and summary(op)) or f"{verb} {family} {op.describe()}"


def plan_data(migration: str | None, operations: list, warnings: list) -> dict:
    return {
        "migration": migration,
        "operations": [
            {"group": group_of(op), "verb": op.verb, "family": op.family, "target": op.describe(),
             "summary": summary_of(op), "hazards": list(op.hazards), "sql": render_operation(op)}
            for op in operations
        ],
        "warnings": [w.render() for w in warnings],
    }


def _group_lines(operations: list) -> list[str]:
    """A drop and a create of the same object read as one rebuild."""
    created = {op.key for op in operations if op.verb == "create"}
    dropped = {op.key for op in operations if op.verb == "drop"}
    rebuilt = created & dropped
    lines, shown = [], set()
    for op in operations:
        if op.key in rebuilt:
            if op.key not in shown:
                lines.append(f"rebuild {op.family.replace('_', ' ')} {op.describe()}")
                shown.add(op.key)
            continue
        lines.append(summary_of(op))
    return lines


def plan_text(migration: str | None, operations: list, warnings: list) -> str:
    if migration is None:   # the spec's own warnings (W1xx) still apply
        return "\n".join(["No changes: the spec matches build/schema.lock.json."] + _warning_lines(warnings))
    lines = [f"Next migration: {migration} ({len(operations)} operations)", ""]
    risky = [op for op in operations if op.hazards]
    if risky:
        lines.append("Hazards:")
        lines += [f"  {', '.join(op.hazards):<28} {group_of(op)}: {summary_of(op)}" for op in risky]
        lines.append("")
    groups: dict[str, list] = {}
    for op in operations:
        groups.setdefault(group_of(op), []).append(op)
    for group in sorted(groups):
        lines.append(group)
        lines += [f"  {line}" for line in _group_lines(groups[group])]
    return "\n".join(lines + _warning_lines(warnings))


def _warning_lines(warnings: list) -> list[str]:
    """Located and coded as build prints them, so an editor can jump to the definition."""
    if not warnings:
        return []
    return ["", "Warnings:"] + ["  " + w.render().replace("\n", "\n  ") for w in warnings]
