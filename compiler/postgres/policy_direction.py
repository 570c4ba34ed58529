"""Which way a policy's change moves access, from the two catalog rows alone (pg_policies:
permissive, roles, cmd, qual, with_check as PostgreSQL deparses them).

Rows a role may use = (any permissive policy admits them) AND (every restrictive policy admits
them). So a permissive policy narrows access when it admits less (fewer commands or roles, a
stricter expression) and a restrictive one (the tenant fence) when it restricts more (more
commands or roles, a stricter expression); a fence made permissive widens, a grant made
restrictive narrows.

An expression is known to be stricter than the reference's when it is ``false``, when the
reference's is ``true``, or when it is the reference's conjuncts AND more (``(ref) AND (x)``,
compared conjunct by conjunct as deparsed); known to be looser in the mirror cases (``true``
above all). Anything else is ``MAY_WIDEN``: the comparison cannot tell, so it is kept as a
widening (classified ``widens_access``) but worded "may widen access"."""
from __future__ import annotations

WIDER, MAY_WIDEN, NARROWER = "wider", "may widen", "narrower"
_ORDER = (WIDER, MAY_WIDEN, NARROWER)          # the worst of a policy's field changes wins


def policy_direction(live: dict, ref: dict) -> str:
    """WIDER, MAY_WIDEN or NARROWER, for a policy on both sides whose rows differ."""
    fence, fenced = ref["permissive"] == "RESTRICTIVE", live["permissive"] == "RESTRICTIVE"
    if fence != fenced:
        return WIDER if fence else NARROWER    # a fence made a grant; a grant made a fence
    directions = []
    if live["cmd"] != ref["cmd"]:
        # ALL covers every command: a grant narrows from ALL to one, a fence from one to ALL.
        directions.append(NARROWER if (live["cmd"] if fence else ref["cmd"]) == "ALL" else WIDER)
    if live["roles"] != ref["roles"]:
        directions.append(_roles(ref["roles"], live["roles"], fence))
    for which in (_using, _check):
        if which(live) != which(ref):
            directions.append(expression_direction(which(ref), which(live)))
    return min(directions or [MAY_WIDEN], key=_ORDER.index)


def _using(facts: dict) -> str | None:
    return facts.get("qual")


def _check(facts: dict) -> str | None:
    """The check that applies to new rows: WITH CHECK, else USING (PostgreSQL's rule)."""
    return facts.get("with_check") if facts.get("with_check") is not None else facts.get("qual")


def _roles(ref: list | None, live: list | None, fence: bool) -> str:
    ref_roles, live_roles = set(ref or ["public"]), set(live or ["public"])
    if _covers(ref_roles, live_roles):          # fewer roles: a grant narrows, a fence widens
        return WIDER if fence else NARROWER
    if _covers(live_roles, ref_roles):
        return NARROWER if fence else WIDER
    return WIDER                                # some role gains a grant or loses its fence


def _covers(roles: set[str], others: set[str]) -> bool:
    return "public" in roles or others <= roles


def expression_direction(ref: str | None, live: str | None) -> str:
    """NARROWER when ``live`` implies ``ref``, WIDER when ``ref`` implies ``live``, else MAY_WIDEN."""
    if _implies(live, ref):
        return NARROWER
    if _implies(ref, live):
        return WIDER
    return MAY_WIDEN


def _implies(stronger: str | None, weaker: str | None) -> bool:
    if stronger is None or weaker is None:
        return stronger is not None and _atom(stronger) == "false"
    strong, weak = conjuncts(stronger), conjuncts(weaker)
    return "false" in strong or weak <= {"true"} or weak <= strong


def conjuncts(expression: str) -> frozenset[str]:
    """The top-level ANDed parts of a deparsed expression, nested ANDs flattened, outer
    parentheses dropped: ``((a = 1) AND ((b = 2) AND c))`` -> {``a = 1``, ``b = 2``, ``c``}."""
    parts = _split_and(_atom(expression))
    if len(parts) == 1:
        return frozenset(parts)
    return frozenset(atom for part in parts for atom in conjuncts(part))


def _atom(text: str) -> str:
    """Without the parentheses that enclose the whole text (only a pair that matches)."""
    text = " ".join(text.split())
    while text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one at ``start`` (-1 when unbalanced)."""
    depth = 0
    for index, char, quoted in _scan(text):
        if quoted or index < start:
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index
    return -1


def _split_and(text: str) -> list[str]:
    """``text`` cut at its depth-0 `` AND `` (outside parentheses and quotes); one part when a
    depth-0 CASE or BETWEEN leaves the cut in doubt."""
    depth, cuts = 0, []
    for index, char, quoted in _scan(text):
        if quoted:
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith(" AND ", index):
            cuts.append(index)
    if not cuts or " CASE " in f" {_unquoted(text)} " or " BETWEEN " in f" {_unquoted(text)} ":
        return [text]
    bounds = [0, *[c + 5 for c in cuts]]
    ends = [*cuts, len(text)]
    return [_atom(text[a:b]) for a, b in zip(bounds, ends)]


def _unquoted(text: str) -> str:
    return "".join(char if not quoted else " " for _, char, quoted in _scan(text))


def _scan(text: str):
    """(index, char, inside a quoted literal or identifier) for each character."""
    quote = None
    for index, char in enumerate(text):
        if quote is None and char in "'\"":
            quote = char
            yield index, char, True
        elif quote is not None:
            if char == quote:
                quote = None        # a doubled quote re-opens at once: still quoted overall
            yield index, char, True
        else:
            yield index, char, False
