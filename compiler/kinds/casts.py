"""Which type changes keep every value, and which PostgreSQL makes without rewriting the table.
Anything not known to widen is treated as lossy, and its old values are kept for `down`;
anything not known to be binary compatible is treated as a rewrite."""
from __future__ import annotations

import re

_INTEGERS = ["smallint", "integer", "bigint"]
_TEXT = "text"
_VARCHAR = re.compile(r"^(?:varchar|character varying)(?:\((\d+)\))?$")
_NUMERIC = re.compile(r"^numeric(?:\((\d+), (\d+)\))?$")


def _varchar_length(type_text: str):
    match = _VARCHAR.match(type_text)
    if not match:
        return None
    return int(match[1]) if match[1] else 10**9


def is_widening(before: str, after: str) -> bool:
    if before == after or after == _TEXT:
        return True   # every value has a text form, and `down` casts it back exactly
    if before in _INTEGERS and after in _INTEGERS:
        return _INTEGERS.index(after) >= _INTEGERS.index(before)
    if before in _INTEGERS and after == "numeric":
        return True
    if before == "real" and after == "double precision":
        return True
    old_len, new_len = _varchar_length(before), _varchar_length(after)
    if old_len is not None and new_len is not None:
        return new_len >= old_len
    old_num, new_num = _NUMERIC.match(before), _NUMERIC.match(after)
    if old_num and new_num:
        if not new_num[1]:
            return True
        if not old_num[1]:
            return False
        p1, s1, p2, s2 = int(old_num[1]), int(old_num[2]), int(new_num[1]), int(new_num[2])
        return s2 >= s1 and p2 - s2 >= p1 - s1
    if before in _INTEGERS and new_num and new_num[1]:
        digits = {"smallint": 5, "integer": 10, "bigint": 19}[before]
        return int(new_num[1]) - int(new_num[2]) >= digits
    return False


def rewrites(before: str, after: str) -> bool:
    """Whether ALTER COLUMN ... TYPE after USING col::after rewrites the table. PostgreSQL only
    relabels binary-compatible types (text and varchar) and drops a length or precision
    coercion that cannot fail (varchar(n) -> varchar(m >= n), numeric(p, s) -> numeric(q >= p, s)
    or unconstrained): those change the catalog only (tests/test_online_forms.py proves it)."""
    if before == after:
        return False
    old_len, new_len = _varchar_length(before), _varchar_length(after)
    if (old_len is not None or before == _TEXT) and (new_len is not None or after == _TEXT):
        if after == _TEXT or new_len == 10**9:
            return False      # unbounded: a relabel
        return old_len is None or new_len < old_len
    old_num, new_num = _NUMERIC.match(before), _NUMERIC.match(after)
    if old_num and new_num:
        if not new_num[1]:
            return False
        return not old_num[1] or old_num[2] != new_num[2] or int(new_num[1]) < int(old_num[1])
    return True
