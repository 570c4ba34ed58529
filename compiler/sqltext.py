"""Quoting rules for identifiers and literals (pglast's rule: quote keywords and anything
that is not a plain lower-case name; double embedded quotes)."""
from __future__ import annotations

import re
from functools import lru_cache

from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")
_KEYWORDS = RESERVED_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS | COL_NAME_KEYWORDS


# A build quotes the same few thousand names over and over (every statement on a table names
# it): each is worked out once.
@lru_cache(maxsize=None)
def ident(name: str) -> str:
    if _PLAIN.match(name) and name not in _KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


@lru_cache(maxsize=None)
def qualified(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"


def literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def dollar_quote(body: str) -> str:
    """A dollar-quoted string whose tag never occurs in the body."""
    tag, n = "$body$", 0
    while tag in body:
        n += 1
        tag = f"$body{n}$"
    return f"{tag}\n{body}\n{tag}"
