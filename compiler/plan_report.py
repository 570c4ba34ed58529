"""What the next migration does, in words a reviewer reads in a minute: hazards first (a widening
of access before anything else), then the changes grouped by table. Access changes read as who
gains or loses what (plan_access.py) in place of the policy operations behind them; a dropped
table is one line, not one per index, policy and trigger that goes with it. Used by
`atlas-compile plan`."""
from __future__ import annotations

from .kinds import kind_of
from .lower.generated import AUDIT_ROW
from .model import PRIVATE, Model
from .names import policy_name
from .plan_access import AccessChange, access_changes, grantees
from .policy_rules import table_rules
from .render import render_operation

WIDER_LABEL = "AUTHZ_UPDATE (wider)"
MAY_WIDEN_LABEL = "AUTHZ_UPDATE (may widen)"
AUTHZ_LABEL = "AUTHZ_UPDATE"


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


def _access(previous: Model | None, model: Model | None, operations: list, hints=None) -> list[AccessChange]:
    return access_changes(previous, model, operations, hints) if model is not None and operations else []


def plan_data(migration: str | None, operations: list, warnings: list, *,
              previous: Model | None = None, model: Model | None = None, hints=None) -> dict:
    """The plan as data. ``previous`` (the lock's model) and ``model`` (the spec's) give the
    access changes; without ``model`` there are none to tell. ``hints`` (NextMigration.hints)
    tell `none` from `service` on the spec's side."""
    return {
        "migration": migration,
        "access": [change.data() for change in _access(previous, model, operations, hints)],
        "operations": [
            {"group": group_of(op), "verb": op.verb, "family": op.family, "target": op.describe(),
             "summary": summary_of(op) + column_note(op, model), "hazards": list(op.hazards), "sql": render_operation(op)}
            for op in operations
        ],
        "warnings": [w.render() for w in warnings],
    }


def plan_text(migration: str | None, operations: list, warnings: list, *,
              previous: Model | None = None, model: Model | None = None, hints=None) -> str:
    if migration is None:   # the spec's own warnings (W1xx) still apply
        return "\n".join(["No changes: the spec matches build/schema.lock.json."] + _warning_lines(warnings))
    access = _access(previous, model, operations, hints)
    shown, dropped = _shown(operations, access)
    lines = [f"Next migration: {migration} ({len(operations)} operations)", ""]
    risky = _hazard_lines(operations, access)
    if risky:
        lines.append("Hazards:")
        lines += [f"  {label:<28} {text}" for label, _, text in risky]
        lines.append("")
    groups: dict[str, list] = {}
    for change in access:
        groups.setdefault(change.table, [])
    for op in shown:
        groups.setdefault(group_of(op), []).append(op)
    for group in sorted(groups):
        lines.append(group)
        lines += [f"  {c.line(with_table=False)}" for c in access if c.table == group and c.direction != "dropped"]
        lines += [f"  {_text(op, text, operations, dropped)}{column_note(op, model)}"
                  for op, text, _ in _collapsed(groups[group])]
    return "\n".join(lines + _warning_lines(warnings))


def hazard_lines(operations: list, *, previous: Model | None = None,
                 model: Model | None = None, hints=None) -> list[tuple[str, str, str]]:
    """The plan's hazards as (label, table, line): widenings of access first, then the changes
    that may widen, then the other access changes, then the operations' hazards, once for a
    dropped table and once for a rebuild. The table is the spec's table the line belongs to
    (`--format github` locates it there): a generated table's (an audit trail's) is the table
    whose spec entry makes it."""
    home = spec_tables(previous, model)
    return [(label, home.get(table, table), line)
            for label, table, line in _hazard_lines(operations, _access(previous, model, operations, hints))]


def _hazard_lines(operations: list, access: list[AccessChange]) -> list[tuple[str, str, str]]:
    shown, dropped = _shown(operations, access)
    lines = [(_label(c), c.table, c.line()) for c in access if c.direction not in ("new", "dropped") or c.widens]
    return lines + [(", ".join(risks), group_of(op), f"{group_of(op)}: {_text(op, text, operations, dropped)}")
                    for op, text, risks in _collapsed(shown) if risks]


def _label(change: AccessChange) -> str:
    return WIDER_LABEL if change.widens else MAY_WIDEN_LABEL if change.may_widen else AUTHZ_LABEL


def _shown(operations: list, access: list[AccessChange]) -> tuple[list, set[str]]:
    """The operations the plan shows (not those an access line says in words, nor those that go
    with a dropped table), and the dropped tables."""
    explained, dropped = _explained(operations, access), _dropped_tables(operations)
    return [op for op in operations if id(op) not in explained and not _goes_with_a_drop(op, dropped)], dropped


def _collapsed(operations: list) -> list[tuple[object, str, tuple[str, ...]]]:
    """(operation, line, hazards) in order; a drop and a create of the same object read as one
    rebuild, with the hazards of both."""
    created = {op.key for op in operations if op.verb == "create"}
    rebuilt = created & {op.key for op in operations if op.verb == "drop"}
    result, seen = [], {}
    for op in operations:
        if op.key not in rebuilt:
            result.append((op, summary_of(op), tuple(op.hazards)))
        elif op.key in seen:
            first, text, risks = result[seen[op.key]]
            result[seen[op.key]] = (first, text, risks + tuple(h for h in op.hazards if h not in risks))
        else:
            seen[op.key] = len(result)
            result.append((op, f"rebuild {op.family.replace('_', ' ')} {op.describe()}", tuple(op.hazards)))
    return result


def _explained(operations: list, access: list[AccessChange]) -> set[int]:
    """The policy operations an access line says in words: a command's generated policy whose
    rules change, a hand-written policy added, removed or changed, every policy of a new table.
    A renamed table's policies may be dropped under its old name."""
    old_name = {op.new: op.old for op in operations if op.verb == "rename" and op.family == "table"}
    explained = set()
    for op in operations:
        policy = getattr(op, "obj", None)
        if op.family != "policy" or policy is None:
            continue
        if any(policy.table in (change.table, old_name.get(change.table)) and _says(change, policy)
               for change in access):
            explained.add(id(op))
    return explained


def _says(change: AccessChange, policy) -> bool:
    """A command's line says its generated policy; a reach change also the tenant fence that
    goes or comes and the hand-written policies it names."""
    if change.command is None:
        return change.direction == "new"
    if change.policy is not None:
        return policy.name == change.policy
    named = {policy_name(policy.table, change.command)}
    if change.scope:
        named |= {g[len("policy "):] for g in (*change.old, *change.new) if g.startswith("policy ")}
    if change.moves_fence:
        named.add(policy_name(policy.table, "tenant_fence"))
    return policy.name in named


def _dropped_tables(operations: list) -> set[str]:
    """Tables this migration drops (rows archived) and does not create again."""
    archived = {op.table.name for op in operations if op.family == "table" and op.verb == "archive"}
    return archived - {group_of(op) for op in operations if op.family == "table" and op.verb == "create"}


def _goes_with_a_drop(op, dropped: set[str]) -> bool:
    """An index, policy, trigger, key or grant of a table being dropped: the drop says it."""
    return group_of(op) in dropped and not (op.family == "table" and op.verb == "archive")


def _text(op, text: str, operations: list, dropped: set[str]) -> str:
    """A dropped table's line names what goes with it."""
    if op.family != "table" or op.verb != "archive" or op.table.name not in dropped:
        return text
    counts: dict[str, int] = {}
    for other in operations:
        if other is not op and _goes_with_a_drop(other, dropped) and group_of(other) == op.table.name:
            counts[other.family] = counts.get(other.family, 0) + 1
    if not counts:
        return text
    return f"{text}, with its " + ", ".join(_counted(family, n) for family, n in sorted(counts.items()))


def _counted(family: str, n: int) -> str:
    word = family.replace("_", " ")
    if n == 1 or word == "grants":
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}es" if word.endswith("x") else f"{n} {word}s"


def _warning_lines(warnings: list) -> list[str]:
    """Located and coded as build prints them, so an editor can jump to the definition."""
    if not warnings:
        return []
    return ["", "Warnings:"] + ["  " + w.render().replace("\n", "\n  ") for w in warnings]


def _audit_trails(model: Model | None) -> dict[str, str]:
    """audit table -> the table it records (the audit trigger names its trail first)."""
    if model is None:
        return {}
    return {t.arguments[0]: t.table for t in model.of("trigger") if t.function == AUDIT_ROW and t.arguments}


def spec_tables(*models: Model | None) -> dict[str, str]:
    """Generated object -> the spec table whose entry makes it, on either side: an audit trail
    (`audit: true`), a table's own trigger function (`soft_delete: true`)."""
    found: dict[str, str] = {}
    for model in filter(None, models):
        callers: dict[str, set[str]] = {}
        for trigger in model.of("trigger"):
            if trigger.function_schema == PRIVATE:
                callers.setdefault(trigger.function, set()).add(trigger.table)
        found |= {function: tables.pop() for function, tables in callers.items() if len(tables) == 1}
        found |= _audit_trails(model)
    return found


def column_note(op, model: Model | None) -> str:
    """What a column's `sensitive` changing does: its values go into the table's audit trail
    from now on (where the trail's readers see them), or stop going in."""
    before, after = getattr(op, "before", None), getattr(op, "after", None)
    if op.family != "column" or op.verb != "alter" or before.sensitive == after.sensitive or model is None:
        return ""
    trail = next((audit for audit, table in _audit_trails(model).items() if table == op.table), None)
    if trail is None:
        return " (the table keeps no audit trail: nothing else changes)"
    if after.sensitive:
        return f" (left out of {trail} from now on)"
    table = next((t for t in model.of("table") if t.name == trail), None)
    readers = grantees(table_rules(model, table)["select"]) if table is not None else ()
    return f" (now recorded in {trail}, which {', '.join(readers) or 'only the service role'} may read)"
