"""A hand-written policy (`policies:`) added, removed or changed, and which way that moves access.
Adding a permissive policy only grants, removing one only takes away (a restrictive one the
other way round). A changed one is judged where it can be told from the text alone: a condition
that becomes `true`, an old condition the new one ORs something onto (or ANDs something onto),
the roles it applies to growing or shrinking. Anything else is `unknown`, which `plan` labels
"may widen" and lists right after the widenings."""
from __future__ import annotations

from .model import Policy
from .plan_words import CHANGED, EQUIVALENT, NARROWER, UNKNOWN, WIDER
from .policy_rules import top_level_terms, without_live

SAME = "same"
# Where AND and OR do not join whole conditions, the terms say nothing: unknown.
_OPAQUE = (" BETWEEN ", "CASE ")


def policy_change(before: Policy | None, after: Policy | None) -> dict:
    """The AccessChange fields (but the table) of one hand-written policy's change."""
    policy = after or before
    old, new = policy_data(before), policy_data(after)
    if old is not None and new is not None:
        direction = _changed_direction(old, new)
    elif policy.permissive:
        direction = WIDER if after is not None else NARROWER
    else:    # a restrictive policy only takes away while it exists
        direction = NARROWER if after is not None else WIDER
    who = (f"policy {policy.name}",)
    return {"command": policy.command, "old": old, "new": new, "direction": direction,
            "widens_for": who if direction in (WIDER, CHANGED) else (),
            "narrows_for": who if direction in (NARROWER, CHANGED) else (), "policy": policy.name}


def policy_data(policy: Policy | None) -> dict | None:
    """A hand-written policy as the spec wrote it: without the soft_delete wrapper, which
    `soft_delete` itself adds or removes (the table's reach says that, not the policy)."""
    if policy is None:
        return None
    return {"command": policy.command, "permissive": policy.permissive, "roles": list(policy.roles),
            "using": _live_free(policy.using), "with_check": _live_free(policy.with_check)}


def _live_free(expression: str | None) -> str | None:
    return None if expression is None else without_live(expression)


def _changed_direction(old: dict, new: dict) -> str:
    """Each part's way (roles, using, with check), put together; a restrictive policy admits
    more by restricting less, so its ways turn round."""
    if old["command"] != new["command"] or old["permissive"] != new["permissive"]:
        return UNKNOWN
    ways = {_roles_way(old["roles"], new["roles"])} | {_condition_way(old[k], new[k]) for k in ("using", "with_check")}
    ways.discard(SAME)
    if UNKNOWN in ways:
        return UNKNOWN
    if not ways:
        return EQUIVALENT
    way = CHANGED if len(ways) > 1 else ways.pop()
    if not new["permissive"] and way in (WIDER, NARROWER):
        way = NARROWER if way == WIDER else WIDER
    return way


def _roles_way(old: list, new: list) -> str:
    """No roles is every role (PUBLIC)."""
    if set(old) == set(new):
        return SAME
    if not new or (old and set(new) > set(old)):
        return WIDER
    if not old or set(new) < set(old):
        return NARROWER
    return CHANGED


def _condition_way(old: str | None, new: str | None) -> str:
    if old == new:
        return SAME
    if old is None or new is None:
        return UNKNOWN
    if _is(new, "true") or _is(old, "false"):
        return WIDER
    if _is(old, "true") or _is(new, "false"):
        return NARROWER
    if any(word in e.upper() for e in (old, new) for word in _OPAQUE):
        return UNKNOWN
    old_any, new_any = _terms(old, " OR "), _terms(new, " OR ")
    if old_any == new_any:
        return SAME
    if old_any < new_any:
        return WIDER      # new = old OR more
    if new_any < old_any:
        return NARROWER
    if len(old_any) == 1 and len(new_any) == 1:
        old_all, new_all = _terms(old, " AND "), _terms(new, " AND ")
        if old_all < new_all:
            return NARROWER   # new = old AND more
        if new_all < old_all:
            return WIDER
    return UNKNOWN


def _is(expression: str, literal: str) -> bool:
    return expression.strip().strip("()").strip().lower() == literal


def _terms(expression: str, operator: str) -> frozenset[str]:
    """The terms at ``operator``, a literal that changes nothing (`OR false`, `AND true`) left out."""
    neutral = "false" if operator == " OR " else "true"
    terms = top_level_terms(expression, operator)
    return frozenset(t for t in terms if t.lower() != neutral) or frozenset(terms)


def policy_text(policy: dict | None, other: dict | None) -> str:
    """A hand-written policy in a few words; beside its other side, only what differs."""
    if policy is None:
        return "none"
    differs = [k for k in policy if other is None or policy[k] != other[k]]
    words = [f"for {policy['command']}"] if other is not None and "command" in differs else []
    if other is None or {"permissive", "roles"} & set(differs):
        words += ["permissive" if policy["permissive"] else "restrictive",
                  "to " + ", ".join(policy["roles"] or ["public"])]
    for key, label in (("using", "using"), ("with_check", "with check")):
        if policy[key] is not None and key in differs:
            words.append(f"{label} ({policy[key]})")
        elif key in differs and other is not None:
            words.append(f"no {label}")
    return " ".join(words)
