"""Which way a row level security policy's change moves access, from the two policies' text
alone: the one judge of `plan`'s hand-written policies (plan_policies.py) and of the catalog
comparison `drift` and `verify --database-url` share (postgres/catalog_compare.py). Pure: no
database, so the PostgreSQL toolkit may import it (tests/test_layers.py).

Rows a role may use = (any permissive policy admits them) AND (every restrictive policy admits
them). A policy's change is judged part by part: the command (``all`` covers every one), the
roles (none or ``public``: every role), the USING expression and the check on new rows (WITH
CHECK, else USING: PostgreSQL's rule), each only for a command that has it on both sides. More
commands or roles widen a grant and narrow a fence; a looser expression widens either. A fence
made a grant only widens, a grant made a fence only narrows. A side that admits nothing (a grant
whose expressions are all ``false``) or restricts nothing (a fence of ``true``) is judged as if
the policy were absent.

An expression is known to imply another when it is ``false``, the other is ``true``, or by
their AND and OR terms (split at depth 0, outside parentheses, quotes, CASE ... END and
BETWEEN's AND; nested ones flattened; terms compared as text with whitespace outside quotes
collapsed): ``(a) AND (b)`` implies ``a``, ``a`` implies ``a OR b``. Anything else cannot be told:
UNKNOWN, which `plan` words "may widen" and the catalog comparison MAY_WIDEN."""
from __future__ import annotations

import re
from dataclasses import dataclass

WIDER, NARROWER, CHANGED, UNKNOWN, EQUIVALENT = "wider", "narrower", "changed", "unknown", "equivalent"
MAY_WIDEN = "may widen"
USES_USING = {"select", "update", "delete", "all"}
USES_CHECK = {"insert", "update", "all"}

# Quoted literals and identifiers (whole, so nothing inside counts), brackets, and the keywords
# that open, close or join at depth 0. A keyword right after a dot is a column's label.
_TOKEN = re.compile(r"""'(?:[^']|'')*'?|"(?:[^"]|"")*"?|[()\[\]]|(?<![\w$.])(?:CASE|END|BETWEEN|AND|OR)(?![\w$])""",
                    re.IGNORECASE)
_OPENS, _CLOSES = {"(", "[", "CASE"}, {")", "]", "END"}
_QUOTED_OR_SPACE = re.compile(r"""('(?:[^']|'')*'?|"(?:[^"]|"")*"?)|\s+""")

# An expression read for implication: (ATOM, text) | (AND | OR, frozenset of children).
ATOM, AND, OR = "atom", "and", "or"
TRUE, FALSE = (ATOM, "true"), (ATOM, "false")


def top_level_terms(expression: str, operator: str) -> list[str]:
    """``expression``'s terms at ``operator`` (" OR ", " AND ") at depth 0, each stripped and
    without the parentheses that enclose it whole; ``[expression]`` when it has no such cut."""
    keyword, parts, start, depth, between = operator.strip().upper(), [], 0, 0, {}
    for match in _TOKEN.finditer(expression):
        token = match.group().upper()
        if token in _OPENS:
            depth += 1
        elif token in _CLOSES:
            depth -= 1
        elif token == "BETWEEN":
            between[depth] = between.get(depth, 0) + 1
        elif token == "AND" and between.get(depth):
            between[depth] -= 1        # x BETWEEN a AND b: not a cut
        elif token == keyword and depth == 0:
            parts.append(expression[start:match.start()])
            start = match.end()
    parts.append(expression[start:])
    return [bare(part) for part in parts]


def bare(text: str) -> str:
    """``text`` stripped, without the parentheses that enclose it whole (only a matching pair)."""
    text = text.strip()
    while text.startswith("(") and _closing(text) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing(text: str) -> int:
    """The index of the parenthesis closing the one ``text`` starts with (-1 when unbalanced)."""
    depth = 0
    for match in _TOKEN.finditer(text):
        depth += {"(": 1, ")": -1}.get(match.group(), 0)
        if depth == 0:
            return match.start()
    return -1


@dataclass(frozen=True)
class Facts:
    """One policy as the judge reads it: lower-case command, roles (``public``: every role),
    the USING expression and the check on new rows (None where the policy has none)."""

    command: str
    permissive: bool
    roles: frozenset[str]
    using: str | None
    check: str | None

    @classmethod
    def of(cls, command: str, permissive: bool, roles, using: str | None, with_check: str | None) -> "Facts":
        return cls(command.lower(), permissive, frozenset(roles or ("public",)), using,
                   with_check if with_check is not None else using)


def spec_facts(data: dict | None) -> Facts | None:
    """A model policy as plan_policies.policy_data describes it."""
    if data is None:
        return None
    return Facts.of(data["command"], data["permissive"], data["roles"], data["using"], data["with_check"])


def catalog_facts(row: dict | None) -> Facts | None:
    """A pg_policies row of a catalog snapshot (permissive, roles, cmd, qual, with_check)."""
    if row is None:
        return None
    return Facts.of(row["cmd"], row["permissive"] == "PERMISSIVE", row["roles"], row.get("qual"),
                    row.get("with_check"))


def direction(old: Facts | None, new: Facts | None) -> str:
    """WIDER, NARROWER, CHANGED (both), UNKNOWN or EQUIVALENT: what the change from ``old`` to
    ``new`` (None: no such policy) does to access. A provable widening beside a part that cannot
    be told is WIDER (CHANGED when something provably narrows too): someone does gain access."""
    ways = _ways(old, new)
    if WIDER in ways:
        return CHANGED if NARROWER in ways else WIDER
    if UNKNOWN in ways:
        return UNKNOWN
    return NARROWER if NARROWER in ways else EQUIVALENT


def catalog_direction(live: dict | None, ref: dict | None) -> str | None:
    """The catalog comparison's words for a policy from ``ref`` (the reference) to ``live``:
    WIDER when someone provably gains access, MAY_WIDEN when it cannot be told, NARROWER, or
    None for rows that differ but admit the same."""
    way = direction(catalog_facts(ref), catalog_facts(live))
    return {CHANGED: WIDER, UNKNOWN: MAY_WIDEN, EQUIVALENT: None}.get(way, way)


def _ways(old: Facts | None, new: Facts | None) -> set[str]:
    """The ways (WIDER, NARROWER, UNKNOWN) some part of the change moves access."""
    if old is not None and new is not None and old.permissive != new.permissive:
        return {WIDER} if new.permissive else {NARROWER}
    old, new = (None if f is None or _inert(f) else f for f in (old, new))
    if old is None or new is None:
        if old is new:
            return set()
        grant = (old or new).permissive
        return {WIDER if (new is not None) == grant else NARROWER}
    ways = _command_ways(old.command, new.command) | _roles_ways(old.roles, new.roles)
    if not new.permissive:      # a fence over more commands or roles restricts more
        ways = {_TURNED[way] for way in ways}
    for part, uses in (("using", USES_USING), ("check", USES_CHECK)):
        if old.command in uses and new.command in uses:
            ways |= expression_ways(_read(getattr(old, part), old), _read(getattr(new, part), new))
    return ways


_TURNED = {WIDER: NARROWER, NARROWER: WIDER}


def _inert(facts: Facts) -> bool:
    """A grant that admits nothing, a fence that restricts nothing: as good as absent."""
    neutral = FALSE if facts.permissive else TRUE
    parts = [p for p, uses in (("using", USES_USING), ("check", USES_CHECK)) if facts.command in uses]
    return all(_read(getattr(facts, p), facts) == neutral for p in parts)


def _read(expression: str | None, facts: Facts) -> tuple:
    """An expression read; a missing one adds nothing: a grant's admits no row, a fence's
    restricts none (PostgreSQL skips a policy without the expression a command needs)."""
    if expression is None:
        return FALSE if facts.permissive else TRUE
    return read(expression)


def _command_ways(old: str, new: str) -> set[str]:
    if old == new:
        return set()
    return {WIDER} if new == "all" else {NARROWER} if old == "all" else {WIDER, NARROWER}


def _roles_ways(old: frozenset[str], new: frozenset[str]) -> set[str]:
    """Some role newly covered, some no longer: each is a way."""
    return {way for way, happens in ((WIDER, not _covers(old, new)), (NARROWER, not _covers(new, old))) if happens}


def _covers(roles: frozenset[str], others: frozenset[str]) -> bool:
    return "public" in roles or others <= roles


def expression_ways(old: tuple, new: tuple) -> set[str]:
    """WIDER when ``new`` admits more rows than ``old`` (old implies new), NARROWER when fewer,
    nothing when each implies the other, UNKNOWN when neither can be shown."""
    looser, stricter = _implies(old, new), _implies(new, old)
    if looser and stricter:
        return set()
    return {WIDER} if looser else {NARROWER} if stricter else {UNKNOWN}


def read(expression: str) -> tuple:
    """``expression`` as (ATOM, text) or (AND | OR, children): nested ANDs and ORs flattened,
    ``true`` and ``false`` folded (``x OR true`` is ``true``, ``x AND true`` is ``x``)."""
    text = bare(_QUOTED_OR_SPACE.sub(lambda m: m.group(1) or " ", expression))
    if text.lower() in ("true", "false"):
        return (ATOM, text.lower())
    for kind, operator, unit, zero in ((OR, " OR ", FALSE, TRUE), (AND, " AND ", TRUE, FALSE)):
        terms = top_level_terms(text, operator)
        if len(terms) == 1:
            continue
        children: set = set()
        for term in map(read, terms):
            if term == zero:
                return zero
            if term != unit:
                children |= term[1] if term[0] == kind else {term}
        if len(children) <= 1:
            return next(iter(children), unit)
        return (kind, frozenset(children))
    return (ATOM, text)


def _implies(stronger: tuple, weaker: tuple) -> bool:
    """Whether ``stronger`` provably implies ``weaker`` (sound, not complete)."""
    if stronger == weaker or stronger == FALSE or weaker == TRUE:
        return True
    if stronger[0] == OR:
        return all(_implies(term, weaker) for term in stronger[1])
    if weaker[0] == AND:
        return all(_implies(stronger, term) for term in weaker[1])
    return ((stronger[0] == AND and any(_implies(term, weaker) for term in stronger[1]))
            or (weaker[0] == OR and any(_implies(stronger, term) for term in weaker[1])))
