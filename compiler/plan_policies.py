"""A hand-written policy (`policies:`) added, removed or changed, and which way that moves access,
as policy_direction.py judges it (the judge the catalog comparison of `drift` and `verify`
shares): adding a permissive policy only grants, removing one only takes away (a restrictive
one the other way round); a changed one by its command, roles and conditions. What the text
cannot tell is `unknown`, which `plan` labels "may widen" and lists right after the widenings."""
from __future__ import annotations

from .model import Policy
from .plan_words import CHANGED, NARROWER, WIDER
from .policy_direction import direction, spec_facts
from .policy_rules import without_live


def policy_change(before: Policy | None, after: Policy | None) -> dict:
    """The AccessChange fields (but the table) of one hand-written policy's change."""
    policy = after or before
    old, new = policy_data(before), policy_data(after)
    way = direction(spec_facts(old), spec_facts(new))
    who = (f"policy {policy.name}",)
    return {"command": policy.command, "old": old, "new": new, "direction": way,
            "widens_for": who if way in (WIDER, CHANGED) else (),
            "narrows_for": who if way in (NARROWER, CHANGED) else (), "policy": policy.name}


def policy_data(policy: Policy | None) -> dict | None:
    """A hand-written policy as the spec wrote it: without the soft_delete wrapper, which
    `soft_delete` itself adds or removes (the table's reach says that, not the policy)."""
    if policy is None:
        return None
    return {"command": policy.command, "permissive": policy.permissive, "roles": list(policy.roles),
            "using": _live_free(policy.using), "with_check": _live_free(policy.with_check)}


def _live_free(expression: str | None) -> str | None:
    return None if expression is None else without_live(expression)


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
