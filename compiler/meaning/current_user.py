"""How the compiler reads `tenancy.current_user_id` when it reads a setting.

A setting set for one transaction (`set_config(name, value, true)`, `SET LOCAL`) reads '' (not
NULL) in every later transaction of the session once it has been set, so on a pooled connection
`current_setting('app.user_id', true)::uuid` fails with `invalid input syntax for type uuid: ""`
in whatever runs next without a user: the audit writer (every write of a background job or of
the service) and the membership lookups. '' is never a user id, so every `current_setting(...)`
call is read through `nullif(..., '')`: no user, as Supabase's `auth.uid()` treats its own.
"""
from __future__ import annotations

from pglast import ast, enums, parse_sql
from pglast.stream import RawStream
from pglast.visitors import Visitor

SETTING_READERS = ("current_setting", "pg_catalog.current_setting")
_PREFIX = "SELECT "


def _is_setting_read(node) -> bool:
    return isinstance(node, ast.FuncCall) and ".".join(n.sval for n in node.funcname) in SETTING_READERS


def _empty_string() -> ast.A_Const:
    return ast.A_Const(isnull=False, val=ast.String(sval=""))


class _ReadEmptyAsNull(Visitor):
    def __init__(self) -> None:
        self.guarded: set[int] = set()   # calls already written as nullif(current_setting(...), '')

    def visit_A_Expr(self, ancestors, node):
        if (node.kind == enums.A_Expr_Kind.AEXPR_NULLIF and _is_setting_read(node.lexpr)
                and isinstance(node.rexpr, ast.A_Const) and isinstance(node.rexpr.val, ast.String)
                and node.rexpr.val.sval == ""):
            self.guarded.add(id(node.lexpr))

    def visit_FuncCall(self, ancestors, node):
        if not _is_setting_read(node) or id(node) in self.guarded:
            return None
        self.guarded.add(id(node))
        return ast.A_Expr(kind=enums.A_Expr_Kind.AEXPR_NULLIF, name=(ast.String(sval="="),),
                          lexpr=node, rexpr=_empty_string())


def unset_settings_read_as_null(expression: str) -> str:
    """`expression` (already normalized by expressions.parse_expression) with every
    `current_setting(...)` not yet inside `nullif(..., '')` wrapped in it."""
    statement = parse_sql(_PREFIX + expression)[0].stmt
    target = statement.targetList[0]
    _ReadEmptyAsNull()(target)
    return RawStream()(target.val)
