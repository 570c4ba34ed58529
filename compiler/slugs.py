"""A migration's name: a short deterministic slug saying what it does."""
from __future__ import annotations

from .kinds import kind_of
from .kinds.kind import whole_object_phrase


def slug_for(operations: list) -> str:
    """A short deterministic name saying what a migration does."""
    phrases = []
    # What the author changed (tables, columns, enums) names the migration before what follows
    # from it (rebuilt views, policies).
    primary = [op for op in operations if kind_of(op.family).leads_slug]
    # Dropped and created again in the same migration: a rebuild, not a removal.
    rebuilt = {op.key for op in operations if op.verb == "drop"} & {op.key for op in operations if op.verb == "create"}
    for op in primary + [op for op in operations if op not in primary]:
        phrase = _phrase(op, rebuilt)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        # Only the generated helpers changed (a new compiler's lookup bodies, say): name them.
        phrases = list(dict.fromkeys(filter(None, (whole_object_phrase(op, rebuilt) for op in operations))))
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
    phrase = kind_of(op.family).phrase
    return phrase(op, rebuilt) if phrase else None
