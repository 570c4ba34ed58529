"""What the policy lints read from a policy's expression, parsed with pglast.

The text is PostgreSQL's own deparse (``pg_get_expr`` under ``search_path =
''``, so calls print schema-qualified, ``auth.uid()``), read here as a syntax
tree rather than matched as text: parentheses, spacing and letter case cannot
change an answer, and a word inside a string is not mistaken for a call.  Each
question keeps the shape splinter asks about (see the lint that uses it).

One difference from splinter's text matching, on purpose: a string constant
that spells a call (``'auth.uid()'``) is not taken for one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType, SubLinkType

_PREFIX = "SELECT "

#: auth.<name>() calls that read the JWT of the request.
_AUTH_CALLS = frozenset({"uid", "jwt", "role", "email"})
#: Those that are NULL for a request without a signed-in user.
_NULLABLE_AUTH_CALLS = frozenset({"uid", "jwt", "role"})


@lru_cache(maxsize=1024)
def parse(expression: str) -> ast.Node:
    """The syntax tree of one value expression (as ``pg_get_expr`` prints it)."""
    return parse_sql(_PREFIX + expression)[0].stmt.targetList[0].val


def _nodes(node) -> Iterator[ast.Node]:
    """``node`` and every node below it, parents first."""
    if isinstance(node, tuple):
        for inner in node:
            yield from _nodes(inner)
    elif isinstance(node, ast.Node):
        yield node
        for name in type(node).__slots__:
            yield from _nodes(getattr(node, name, None))


def _names(strings) -> tuple[str, ...]:
    """A function's or an operator's name, as its parts."""
    return tuple(part.sval for part in strings or ())


def _auth_call(node, names=_AUTH_CALLS) -> str | None:
    """``uid`` for ``auth.uid()`` (no arguments), and so on; else None."""
    if isinstance(node, ast.FuncCall) and not node.args:
        parts = _names(node.funcname)
        if len(parts) == 2 and parts[0] == "auth" and parts[1] in names:
            return parts[1]
    return None


def _is_current_setting(node) -> bool:
    return isinstance(node, ast.FuncCall) and _names(node.funcname)[-1] == "current_setting"


def _text(node) -> str | None:
    """The text of a string constant, or of a name (a column reference)."""
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return node.val.sval
    if isinstance(node, ast.ColumnRef):
        return ".".join(f.sval for f in node.fields if isinstance(f, ast.String))
    return None


# --------------------------------------------------------------------------
# 0003 auth_rls_initplan
# --------------------------------------------------------------------------


def unwrapped_calls(expression: str | None) -> list[str]:
    """The calls of ``auth.uid()`` / ``jwt()`` / ``role()`` / ``email()`` and of
    ``current_setting(...)`` that PostgreSQL runs once per row: those not written
    as the first item of a sub-select, ``(select auth.uid())``, which runs once.

    splinter passes an expression as soon as one call of a function is
    wrapped; this checks every call (stricter)."""
    if not expression:
        return []
    tree = parse(expression)
    # A call starting where a SELECT's first item starts is that item (or its
    # leftmost operand): `(select auth.uid())`, evaluated once per statement.
    # `select distinct auth.uid()` does not count: splinter looks for the
    # words `select auth.uid()`.
    once = {node.targetList[0].location for node in _nodes(tree)
            if isinstance(node, ast.SelectStmt) and node.targetList and not node.distinctClause}
    calls = []
    for node in _nodes(tree):
        auth = _auth_call(node)
        if (auth or _is_current_setting(node)) and node.location not in once:
            calls.append(f"auth.{auth}()" if auth else "current_setting(...)")
    return calls


# --------------------------------------------------------------------------
# 0015 rls_references_user_metadata
# --------------------------------------------------------------------------


def _reads_jwt(node) -> bool:
    return bool(_auth_call(node, {"jwt"})) or (
        _is_current_setting(node)
        and any("request.jwt.claims" in (_text(inner) or "") for inner in _nodes(node.args)))


def reads_user_metadata(expression: str | None) -> bool:
    """The expression reads the JWT (``auth.jwt()``, or ``current_setting()`` of
    ``request.jwt.claims``) and, after it, names ``user_metadata`` (a key or a
    path in a string, or a name).  "After" is in the order of the syntax tree,
    which is the order of the text."""
    if not expression:
        return False
    seen_jwt = False
    for node in _nodes(parse(expression)):
        if seen_jwt and "user_metadata" in (_text(node) or ""):
            return True
        seen_jwt = seen_jwt or _reads_jwt(node)
    return False


# --------------------------------------------------------------------------
# 0024 rls_policy_always_true
# --------------------------------------------------------------------------


def _is_true(node) -> bool:
    return isinstance(node, ast.A_Const) and isinstance(node.val, ast.Boolean) and bool(node.val.boolval)


def _integer(node) -> int | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        return node.val.ival
    return None


def is_always_true(expression: str | None) -> bool:
    """The expression is the constant ``true`` or ``1 = 1`` (how a policy says
    "every row"); a missing expression is not."""
    if not expression:
        return False
    tree = parse(expression)
    return _is_true(tree) or (isinstance(tree, ast.A_Expr) and tree.kind == A_Expr_Kind.AEXPR_OP
            and _names(tree.name) == ("=",) and _integer(tree.lexpr) == 1 == _integer(tree.rexpr))


# --------------------------------------------------------------------------
# rls_policy_null_auth_disjunct
# --------------------------------------------------------------------------


def _nullable_auth_value(node) -> bool:
    """``auth.uid()`` / ``jwt()`` / ``role()``, ``current_setting(name, true)``
    (NULL when the setting is missing), or one of those as ``(select ...)``."""
    if isinstance(node, ast.SubLink) and node.subLinkType == SubLinkType.EXPR_SUBLINK:
        select = node.subselect
        if (isinstance(select, ast.SelectStmt) and len(select.targetList or ()) == 1
                and not select.fromClause and not select.whereClause):
            node = select.targetList[0].val
    if _auth_call(node, _NULLABLE_AUTH_CALLS):
        return True
    return _is_current_setting(node) and len(node.args or ()) == 2 and _is_true(node.args[1])


def _is_null_check(node) -> bool:
    """``<nullable auth value> IS NULL`` or ``NOT (<it> IS NOT NULL)``."""
    wanted = NullTestType.IS_NULL
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.NOT_EXPR:
        node, wanted = node.args[0], NullTestType.IS_NOT_NULL
    return isinstance(node, ast.NullTest) and node.nulltesttype == wanted and _nullable_auth_value(node.arg)


def has_null_auth_disjunct(expression: str | None) -> bool:
    """The expression is an OR with a branch that is true whenever the request
    has no signed-in user (``auth.uid() IS NULL OR ...``): such a policy admits
    every row to anon."""
    if not expression:
        return False
    tree = parse(expression)
    return (isinstance(tree, ast.BoolExpr) and tree.boolop == BoolExprType.OR_EXPR
            and any(_is_null_check(arg) for arg in tree.args))
