"""String literals PostgreSQL converts to a column's type when the SQL is created.

In `status = 'payed'`, `status in ('a', 'b')`, `case status when 'x' ...` or `'x'::lead_status`
the server reads the literal as the enum (or integer) while it creates the check, index, policy,
view or default, so a literal that is not a value of the type passes the build and then fails
the migration (`invalid input value for enum ...`). These are found here, on pglast's tree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pglast import ast

from ..sqltypes import INTEGER
from .suggest import suggest

COMPARISONS = {"=", "<>", "!=", "<", "<=", ">", ">="}
# Every integer spelling PostgreSQL 15 to 17 accepts (16 adds 0x/0o/0b and underscores):
# permissive on purpose, a literal refused here must be refused by every version.
_INTEGER = re.compile(r"^\s*[+-]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)\s*$")


@dataclass(frozen=True)
class LiteralProblem:
    code: str        # E702 not a value of the enum, E701 not valid input of the column's type
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class TargetType:
    """What a literal is read as: a spec enum (its values) or a built-in type (its base name)."""

    label: str                   # how the message names it: "column status" or "the cast"
    enum: str | None
    values: tuple[str, ...] = ()
    base: str | None = None


def target_type(label: str, type_text: str, enums: dict) -> TargetType | None:
    """A column's rendered type (`public.lead_status`, `integer`) as a TargetType; None for
    arrays and types whose input this module does not judge."""
    if not isinstance(type_text, str) or type_text.endswith("]"):
        return None
    name = type_text.removeprefix("public.").strip('"')
    if name in enums:
        return TargetType(label, name, tuple(enums[name]))
    if name in INTEGER:
        return TargetType(label, None, base=name)
    return None


def literal_problem(value: str, target: TargetType) -> LiteralProblem | None:
    if target.enum is not None:
        if value in target.values:
            return None
        close = suggest(value, target.values)
        values = ", ".join(target.values)
        return LiteralProblem("E702", f"'{value}' ({target.label}) is not a value of enum {target.enum}",
                              f"{close} (values: {values})" if close else f"values: {values}")
    if target.base in INTEGER and not _INTEGER.match(value):
        return LiteralProblem("E701", f"'{value}' ({target.label}) is not valid input for type {target.base}",
                              f"{target.base} input is a whole number, such as 42")
    return None


def literal_problems(node, column_type, enums: dict, subqueries: bool) -> list[LiteralProblem]:
    """Problems of the literals under `node`. `column_type(ColumnRef)` gives the column's
    TargetType or None; `subqueries=False` stays out of subqueries, whose names it cannot
    resolve."""
    finder = _Finder(column_type, enums, subqueries)
    finder.walk(node)
    return finder.problems


def default_problems(node, target: TargetType | None, enums: dict) -> list[LiteralProblem]:
    """A default_sql that is a bare string literal is read as the column's type."""
    problems = literal_problems(node, lambda ref: None, enums, subqueries=False)
    value = _string(node)
    problem = literal_problem(value, target) if value is not None and target is not None else None
    return ([problem] if problem else []) + problems


def _string(node) -> str | None:
    if isinstance(node, ast.A_Const) and not node.isnull and isinstance(node.val, ast.String):
        return node.val.sval
    return None


class _Finder:
    def __init__(self, column_type, enums: dict, subqueries: bool):
        self.column_type = column_type
        self.enums = enums
        self.subqueries = subqueries
        self.problems: list[LiteralProblem] = []

    def report(self, value: str | None, target: TargetType | None) -> None:
        if value is None or target is None:
            return
        problem = literal_problem(value, target)
        if problem is not None and problem not in self.problems:
            self.problems.append(problem)

    def column(self, node) -> TargetType | None:
        return self.column_type(node) if isinstance(node, ast.ColumnRef) else None

    def walk(self, node) -> None:
        if isinstance(node, tuple):
            for inner in node:
                self.walk(inner)
            return
        if not isinstance(node, ast.Node):
            return
        if isinstance(node, ast.SelectStmt) and not self.subqueries:
            return
        if isinstance(node, ast.A_Expr):
            self.comparison(node)
        elif isinstance(node, ast.CaseExpr):
            target = self.column(node.arg)
            for when in node.args or ():
                self.report(_string(when.expr), target)
        elif isinstance(node, ast.TypeCast):
            self.cast(node)
        for name in node.__slots__:
            value = getattr(node, name)
            if isinstance(value, (ast.Node, tuple)):
                self.walk(value)

    def comparison(self, node) -> None:
        operator = node.name[-1].sval if node.name and isinstance(node.name[-1], ast.String) else None
        kind = node.kind.name
        if (kind == "AEXPR_OP" and operator in COMPARISONS) or kind in ("AEXPR_DISTINCT", "AEXPR_NOT_DISTINCT"):
            self.report(_string(node.rexpr), self.column(node.lexpr))
            self.report(_string(node.lexpr), self.column(node.rexpr))
        elif kind == "AEXPR_IN" or "BETWEEN" in kind:
            target = self.column(node.lexpr)
            for item in node.rexpr if isinstance(node.rexpr, tuple) else ():
                self.report(_string(item), target)
        elif kind in ("AEXPR_OP_ANY", "AEXPR_OP_ALL") and isinstance(node.rexpr, ast.A_ArrayExpr):
            target = self.column(node.lexpr)
            for item in node.rexpr.elements or ():
                self.report(_string(item), target)

    def cast(self, node) -> None:
        type_name = node.typeName
        names = tuple(n.sval for n in type_name.names)
        if type_name.arrayBounds or names[:-1] not in ((), ("public",)) or names[-1] not in self.enums:
            return
        self.report(_string(node.arg), TargetType(f"cast to {names[-1]}", names[-1], tuple(self.enums[names[-1]])))
