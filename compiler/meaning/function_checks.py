"""What PostgreSQL checks when it creates a spec function, checked at build time instead.

CREATE FUNCTION resolves every type of the signature, and (check_function_bodies, on by
default) analyses an sql body completely: every table, view and column it names must exist,
resolved with the function's own search_path (empty for security definer functions). A body
or signature the server refuses would pass the build and fail the migration. PL/pgSQL bodies
are only parsed at creation (lower_functions.check_body); their names are resolved at run time.
"""
from __future__ import annotations

import pglast
from pglast import ast
from pglast.parser import ParseError

from ..expressions import ParsedType
from ..external_tables import unknown_hint
from ..sqltext import dollar_quote
from ..sqltypes import known_type
from .context import Context
from .suggest import suggest
from .view_catalog import SYSTEM_SCHEMAS, ViewCatalog
from .view_columns import resolve_query

# Pseudo-types a signature may name besides real types.
PSEUDO_TYPES = {
    "trigger", "event_trigger", "void", "record", "anyelement", "anyarray", "anynonarray", "anyenum",
    "anyrange", "anymultirange", "anycompatible", "anycompatiblearray", "anycompatiblenonarray",
    "anycompatiblerange", "anycompatiblemultirange", "internal", "cstring",
}
COMMON_TYPES = {"text", "integer", "bigint", "uuid", "boolean", "timestamptz", "date", "numeric", "jsonb",
                "void", "trigger", "record"}


def check_signature(ctx: Context, name: str, entry) -> bool:
    """Every type of `returns` and `arguments` must exist; False after an error."""
    data = entry.data
    arguments = [a for a in data.get("arguments") or () if isinstance(a, dict)]
    listed = ", ".join(f"{a.get('name')} {a.get('type')}" for a in arguments)
    returns = data.get("returns")
    # Arguments and return type apart first, so an error is located at the part that has it.
    for part, keys, arguments_text, returns_text in (
            (f"arguments ({listed})", ("arguments",), listed, "void"),
            (f"return type '{returns}'", ("returns",), "", returns)):
        if _signature(arguments_text, returns_text) is None:
            ctx.error("E404", f"function '{name}': {part} is not a list of types and names"
                      if keys == ("arguments",) else f"function '{name}': {part} is not a type", entry, *keys)
            return False
    statement = _signature(listed, returns)
    if statement is None:
        return False
    places: list[tuple[tuple, object]] = []
    position = 0
    for parameter in statement.parameters or ():
        if parameter.mode.name == "FUNC_PARAM_TABLE":
            places.append((("returns",), parameter.argType))
        else:
            places.append((("arguments", position, "type"), parameter.argType))
            position += 1
    if statement.returnType is not None:
        places.append((("returns",), statement.returnType))
    ok = True
    for keys, type_name in places:
        if type_name.pct_type:
            continue   # t.column%TYPE: the server resolves it
        names = tuple(n.sval for n in type_name.names)
        if not signature_type_known(ctx, names, bool(type_name.arrayBounds)):
            shown = ".".join(n for n in names if n != "pg_catalog")
            options = COMMON_TYPES | set(ctx.spec.enums) | set(ctx.spec.tables)
            ctx.error("E404", f"function '{name}': unknown type '{shown}'", entry, *keys,
                      hint=suggest(names[-1], options), value=True)
            ok = False
    return ok


def _signature(arguments: str, returns: str):
    """The CreateFunctionStmt of `CREATE FUNCTION f(arguments) RETURNS returns`, or None when
    that is not exactly one such statement (a `;` or a comment in a type is not)."""
    text = f"CREATE FUNCTION f({arguments}) RETURNS {returns} LANGUAGE sql AS {dollar_quote('')}"
    try:
        if any(t.name in ("SQL_COMMENT", "C_COMMENT", "ASCII_59") for t in pglast.parser.scan(text)):
            return None
        tree = pglast.parse_sql(text)
    except ParseError:
        return None
    statement = tree[0].stmt if len(tree) == 1 else None
    return statement if isinstance(statement, ast.CreateFunctionStmt) else None


def signature_type_known(ctx: Context, names: tuple, is_array: bool) -> bool:
    parsed = ParsedType(names, names[-1], is_array, ".".join(names))
    if known_type(parsed, ctx.spec.enums, ctx.project.extensions):
        return True
    if names[:-1] in ((), ("pg_catalog",)) and names[-1] in PSEUDO_TYPES:
        return True
    if names[:-1] in ((), ("public",)) and (names[-1] in ctx.spec.tables or names[-1] in ctx.spec.views):
        return True   # a table's or view's row type
    return ".".join(names) in ctx.project.external_tables


def check_sql_body(ctx: Context, name: str, entry, catalog: ViewCatalog) -> None:
    """The relations and columns an sql body names, as CREATE FUNCTION resolves them."""
    data = entry.data
    arguments = [a for a in data.get("arguments") or () if isinstance(a, dict)]
    if any(str(a.get("type", "")).lower().startswith("any") for a in arguments):
        return   # polymorphic arguments: PostgreSQL skips the analysis too
    try:
        statements = [raw.stmt for raw in pglast.parse_sql(data.get("body", ""))]
    except ParseError:
        return   # reported as E504
    definer = data.get("security") == "definer"
    parameters = tuple(a.get("name") for a in arguments if a.get("name"))
    for statement in statements:
        for problem in relation_problems(ctx, statement, definer):
            ctx.error(problem[0], f"function '{name}' body: {problem[1]}", entry, "body", hint=problem[2])
        if isinstance(statement, ast.SelectStmt):
            resolution = resolve_query(statement, catalog.relation, ctx.project.postgres, parameters, name)
            for problem in resolution.problems:
                ctx.error(problem.code, f"function '{name}' body: {problem.message}", entry, "body",
                          hint=problem.hint)


def relation_problems(ctx: Context, statement, definer: bool) -> list[tuple]:
    """(code, message, hint) for each table or view the statement names that will not be found."""
    collector = _Relations()
    collector(statement)
    problems = []
    known = sorted(set(ctx.spec.tables) | set(ctx.spec.views))
    for schema, relation in sorted(collector.found - {(None, c) for c in collector.ctes}, key=str):
        if schema in SYSTEM_SCHEMAS:
            continue
        if schema not in (None, "public"):
            if f"{schema}.{relation}" not in ctx.project.external_tables:
                problems.append(("E401", f"unknown table '{schema}.{relation}'",
                                 unknown_hint(f"{schema}.{relation}", sorted(ctx.project.external_tables))))
            continue
        if relation not in known:
            problems.append(("E401", f"unknown table or view '{relation}'", suggest(relation, known)))
        elif definer and schema is None:
            problems.append(("E401", f"'{relation}' is not found: a security definer function runs with "
                                     "search_path = ''", f"qualify it: public.{relation}"))
    return problems


class _Relations(pglast.visitors.Visitor):
    def __init__(self):
        self.found: set = set()
        self.ctes: set = set()

    def visit_RangeVar(self, ancestors, node):
        self.found.add((node.schemaname, node.relname))

    def visit_CommonTableExpr(self, ancestors, node):
        self.ctes.add(node.ctename)
