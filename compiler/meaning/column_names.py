"""The name PostgreSQL gives an unnamed output column of a SELECT (its FigureColname rules).

A view's output names are what other views and a materialized view's indexes refer to, so
they must match PostgreSQL's exactly; where the rules are not mirrored here the name is None
(unknown), and whoever reads the view treats it as possibly having any column.
"""
from __future__ import annotations

from pglast import ast

NO_NAME = "?column?"

# Node types PostgreSQL never names: their column is "?column?".
_NAMELESS = (ast.A_Expr, ast.BoolExpr, ast.NullTest, ast.BooleanTest, ast.ParamRef)
_FIXED = {ast.A_ArrayExpr: "array", ast.RowExpr: "row", ast.CoalesceExpr: "coalesce", ast.GroupingFunc: "grouping"}


def output_name(node, subquery_names=None) -> str | None:
    """`subquery_names(select)` gives the output names of a scalar subquery (its first column
    names an `(SELECT x ...)` target)."""
    name, _ = _figure(node, subquery_names)
    return NO_NAME if name is None and _strength_known(node) else name


def _strength_known(node) -> bool:
    """Whether the rules below cover this node fully, so that no name means "?column?"."""
    if isinstance(node, ast.TypeCast):
        return True
    if isinstance(node, ast.CollateClause):
        return _strength_known(node.arg)
    if isinstance(node, ast.A_Const):
        return not isinstance(node.val, ast.Boolean)   # `true` was a cast to bool before PostgreSQL 15
    if isinstance(node, ast.SubLink):
        return node.subLinkType.name not in ("EXPR_SUBLINK", "MULTIEXPR_SUBLINK")
    return isinstance(node, _NAMELESS)


def _figure(node, subquery_names) -> tuple[str | None, int]:
    """(name, strength) as PostgreSQL's FigureColnameInternal: 2 a real name, 1 a fallback."""
    if isinstance(node, ast.ColumnRef):
        last = node.fields[-1]
        return (last.sval, 2) if isinstance(last, ast.String) else (None, 0)
    if isinstance(node, ast.A_Indirection):
        names = [i.sval for i in node.indirection if isinstance(i, ast.String)]
        return (names[-1], 2) if names else _figure(node.arg, subquery_names)
    if isinstance(node, ast.FuncCall):
        return node.funcname[-1].sval, 2
    if isinstance(node, ast.A_Expr):
        return ("nullif", 2) if node.kind.name == "AEXPR_NULLIF" else (None, 0)
    if isinstance(node, ast.TypeCast):
        name, strength = _figure(node.arg, subquery_names)
        if strength <= 1 and node.typeName is not None:
            return node.typeName.names[-1].sval, 1
        return name, strength
    if isinstance(node, ast.CollateClause):
        return _figure(node.arg, subquery_names)
    if isinstance(node, ast.SubLink):
        kind = node.subLinkType.name
        if kind == "EXISTS_SUBLINK":
            return "exists", 2
        if kind == "ARRAY_SUBLINK":
            return "array", 2
        if kind in ("EXPR_SUBLINK", "MULTIEXPR_SUBLINK") and subquery_names is not None:
            names = subquery_names(node.subselect)
            return (names[0], 2) if names and names[0] else (None, 0)
        return None, 0
    if isinstance(node, ast.CaseExpr):   # named after its ELSE when that has a real name
        name, strength = _figure(node.defresult, subquery_names) if node.defresult is not None else (None, 0)
        return (name, strength) if strength > 1 else ("case", 1)
    if type(node) in _FIXED:
        return _FIXED[type(node)], 2
    if isinstance(node, ast.MinMaxExpr):
        return ("greatest" if node.op.name == "IS_GREATEST" else "least"), 2
    if isinstance(node, ast.SQLValueFunction):
        return node.op.name.removeprefix("SVFOP_").removesuffix("_N").lower(), 2
    return None, 0
