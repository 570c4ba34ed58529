"""A migration's name: a short deterministic slug saying what it does."""
from __future__ import annotations

from .model import PRIVATE


def slug_for(operations: list) -> str:
    """A short deterministic name saying what a migration does."""
    phrases = []
    # What the author changed (tables, columns, enums) names the migration before what follows
    # from it (rebuilt views, policies).
    primary = [op for op in operations if op.family in ("table", "column", "enum")]
    # Dropped and created again in the same migration: a rebuild, not a removal.
    rebuilt = {op.key for op in operations if op.verb == "drop"} & {op.key for op in operations if op.verb == "create"}
    for op in primary + [op for op in operations if op not in primary]:
        phrase = _phrase(op, rebuilt)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        return "changes"
    return _fit(phrases)


SLUG_LIMIT = 60


def _fit(phrases: list[str]) -> str:
    """The first two phrases, "_and_more" when some are left out, within SLUG_LIMIT characters:
    whole phrases first, then whole words of the first one; never a word cut in the middle."""
    shown = phrases[:2]
    while True:
        more = "_and_more" if len(shown) < len(phrases) else ""
        slug = "_".join(shown) + more
        if len(slug) <= SLUG_LIMIT:
            return slug
        if len(shown) == 1:
            break
        shown = shown[:1]
    words = shown[0].split("_")
    kept = words[:1]
    for word in words[1:]:
        if len("_".join(kept + [word]) + more) > SLUG_LIMIT:
            break
        kept.append(word)
    return ("_".join(kept) + more)[:SLUG_LIMIT].rstrip("_")


def _phrase(op, rebuilt: frozenset | set = frozenset()) -> str | None:
    family, verb = op.family, op.verb
    if family == "enum" and verb in ("stage", "swap"):   # an enum rebuild
        return f"rebuild_{op.name}"
    if family == "table":
        if verb == "rename":
            return f"rename_{op.old}"
        table = op.key[2]
        return {"create": f"create_{table}", "archive": f"drop_{table}"}.get(verb)
    if family == "column":
        name = op.key[3]
        word = {"add": "add", "archive": "drop", "drop": "drop", "rename": "rename", "alter": "alter"}.get(verb)
        return f"{word}_{op.table}_{name}" if word else None
    if family == "enum" and verb == "add_value":
        return f"add_{op.enum}_{op.value}"
    if family == "function" and op.key[1] == PRIVATE:
        return None   # a generated helper: named by the table or view it serves
    if family in ("enum", "function", "view") and verb in ("create", "drop", "replace"):
        return f"{'rebuild' if op.key in rebuilt else verb}_{op.key[-1]}"
    if family == "policy":
        return f"access_{op.key[2]}"
    return None
