"""How a security definer function's body leans on search_path, read with pglast.

Definer functions are created with `SET search_path = ''` (lower/functions.py), so no caller can
plant an object ahead of theirs. Two things undo that: a body that names the spec's objects
without `public.` (PL/pgSQL resolves names when the function runs, so they are simply not found;
an sql body is analysed at creation, where an unqualified table is already error E401), and a
body that sets search_path itself, after which every name follows the new path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pglast
from pglast import ast
from pglast.parser import ParseError
from pglast.visitors import Visitor

from ..sqltext import dollar_quote

# PL/pgSQL's parse modes (PostgreSQL's RawParseMode): a statement, an expression, an assignment.
_STATEMENT, _EXPRESSION = 0, 2
_ASSIGNMENT = re.compile(r"^[^:=]*?:?=", re.S)


@dataclass(frozen=True)
class PathReliance:
    unqualified: tuple[str, ...]   # the spec's tables, views and functions named without a schema
    sets_search_path: bool


def path_reliance(data: dict, functions: set, relations: set) -> PathReliance:
    """What the body of the spec function `data` names of `functions` and `relations` (the
    spec's own, all in public) without a schema, and whether it sets search_path."""
    finder = _Names()
    for statement in _statements(data):
        finder(statement)
    named = [f"{name}()" for name in sorted(finder.calls & functions)]
    named[:0] = sorted((finder.relations - finder.ctes) & relations)
    return PathReliance(tuple(named), finder.sets_path)


def _statements(data: dict) -> list:
    body = data.get("body", "")
    try:
        if data.get("language") == "sql":
            return [raw.stmt for raw in pglast.parse_sql(body)]
        if data.get("language") != "plpgsql":
            return []
        arguments = ", ".join(f"{a.get('name')} {a.get('type')}" for a in data.get("arguments") or ())
        tree = pglast.parse_plpgsql(f"CREATE FUNCTION f({arguments}) RETURNS {data.get('returns') or 'void'} "
                                    f"LANGUAGE plpgsql AS {dollar_quote(body)}")
    except ParseError:
        return []   # reported as E504
    return [statement for expression in _expressions(tree) for statement in _parsed(*expression)]


def _expressions(node) -> list[tuple[str, int]]:
    """(query, parse mode) of every SQL piece of a PL/pgSQL parse tree (its JSON form)."""
    if isinstance(node, list):
        return [found for inner in node for found in _expressions(inner)]
    if not isinstance(node, dict):
        return []
    if "PLpgSQL_expr" in node:
        expression = node["PLpgSQL_expr"]
        return [(expression.get("query", ""), expression.get("parseMode", _STATEMENT))]
    return [found for value in node.values() for found in _expressions(value)]


def _parsed(query: str, mode: int) -> list:
    if mode != _STATEMENT:
        # An expression, or an assignment `target := expression`: its value is what names things.
        value = query if mode == _EXPRESSION else _ASSIGNMENT.sub("", query, count=1)
        query = "SELECT " + value
    try:
        return [raw.stmt for raw in pglast.parse_sql(query)]
    except ParseError:
        return []


class _Names(Visitor):
    def __init__(self):
        self.calls: set[str] = set()
        self.relations: set[str] = set()
        self.ctes: set[str] = set()
        self.sets_path = False

    def visit_FuncCall(self, ancestors, node):
        parts = [n.sval for n in node.funcname]
        if len(parts) == 1:
            self.calls.add(parts[0])
        first = node.args[0] if node.args else None
        if parts[-1] == "set_config" and isinstance(first, ast.A_Const) and isinstance(first.val, ast.String):
            self.sets_path |= first.val.sval.lower() == "search_path"

    def visit_RangeVar(self, ancestors, node):
        if node.schemaname is None:
            self.relations.add(node.relname)

    def visit_CommonTableExpr(self, ancestors, node):
        self.ctes.add(node.ctename)

    def visit_VariableSetStmt(self, ancestors, node):
        self.sets_path |= (node.name or "").lower() == "search_path"
