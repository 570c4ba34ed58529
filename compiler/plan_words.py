"""The words of `plan`'s access lines: the directions, who a command admits, and the tail that
says for whom a change widens or narrows. Shared by the generated rules' changes
(plan_access.py) and the hand-written policies' (plan_policies.py)."""
from __future__ import annotations

COMMANDS = ("select", "insert", "update", "delete")
WIDER, NARROWER, CHANGED, UNKNOWN = "wider", "narrower", "changed", "unknown"
EQUIVALENT, NEW, DROPPED = "equivalent", "new", "dropped"
# No generated policy: `service` (the service role only) or `none` leave the same catalog, so
# a side read back from policies alone cannot tell them apart.
SERVICE_OR_NONE = "service/none"
DELETED_ROWS = "soft-deleted rows"


def nobody_word(declared):
    """command -> the word for "no member may": the spec's own (`none`, `service`) where its
    declared access says, else `service/none`."""
    def word(command: str) -> str:
        rules = declared.of(command) if declared is not None else ()
        return rules[0] if tuple(rules) in (("none",), ("service",)) else SERVICE_OR_NONE
    return word


def grantees_text(grantees: tuple[str, ...]) -> str:
    return ", ".join(grantees) or SERVICE_OR_NONE


def per_command_text(grantees: dict) -> str:
    """`all member` when every command agrees, else `select public; insert member; ...`; then
    the hand-written policies with their commands."""
    values = {grantees[c] for c in COMMANDS}
    if len(values) == 1:
        text = f"all {grantees_text(next(iter(values)))}"
    else:
        text = "; ".join(f"{command} {grantees_text(grantees[command])}" for command in COMMANDS)
    raw = grantees.get("policies", {})
    return text + "".join(f"; policy {name} ({p['command']})" for name, p in raw.items())


def tail(direction: str, widens_for: tuple, narrows_for: tuple, policy: bool) -> str:
    """` — wider for role:agent`, ` — narrower for member; soft-deleted rows hidden`, ..."""
    if direction == UNKNOWN:
        return " — changed, direction unknown: may widen"
    if direction == EQUIVALENT:
        return " — equivalent" + ("" if policy else ": every member holds one of these roles (role is NOT NULL)")
    if direction in (NEW, DROPPED):
        return f" — wider for {', '.join(widens_for)}" if widens_for else ""
    if policy and direction != CHANGED:
        return f" — {direction}"
    if direction == CHANGED:
        return f" — changed: {_who(WIDER, widens_for)}, {_who(NARROWER, narrows_for)}"
    return f" — {_who(direction, widens_for if direction == WIDER else narrows_for)}"


def _who(direction: str, whom: tuple) -> str:
    """`wider for a, b`; soft-deleted rows are rows, not people: `wider: soft-deleted rows
    reappear` (narrower: hidden)."""
    people = [w for w in whom if w != DELETED_ROWS]
    text = f"{direction} for {', '.join(people)}" if people else direction
    if DELETED_ROWS in whom:
        text += ("; " if people else ": ") + DELETED_ROWS + (" reappear" if direction == WIDER else " hidden")
    return text
