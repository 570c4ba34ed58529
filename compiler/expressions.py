"""SQL in specs is parsed by PostgreSQL's own parser (pglast) and normalized.

An expression must be exactly one value expression; a view query exactly one SELECT. Comments
and semicolons are refused outright: they are how code hides inside an expression. What we store
and render is the parser's deparse, so formatting-only edits never change the model.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pglast import ast, parse_sql, parser
from pglast.stream import IndentedStream, RawStream
from pglast.visitors import Visitor

from .sqltext import ident

_PREFIX = "SELECT "


class SqlError(ValueError):
    """An expression or query that is not what its key requires."""


@dataclass(frozen=True)
class ParsedType:
    names: tuple[str, ...]   # as the parser gives them, e.g. ('pg_catalog', 'int4')
    base: str                # the last name: int4, text, lead_status
    is_array: bool
    text: str                # canonical spelling for rendering, e.g. numeric(10, 2)


def _tokens_check(text: str, what: str = "one expression only") -> None:
    try:
        tokens = parser.scan(text)
    except parser.ParseError as exc:
        raise SqlError(f"cannot be scanned: {exc.args[0]}") from None
    for token in tokens:
        if token.name in ("SQL_COMMENT", "C_COMMENT"):
            raise SqlError(f"comments are not allowed in SQL expressions (at character {token.start + 1})")
        if token.name == "ASCII_59":
            raise SqlError(f"';' is not allowed: {what} (at character {token.start + 1})")


def _parse(sql: str, offset: int):
    try:
        return parse_sql(sql)
    except parser.ParseError as exc:
        message, position = exc.args[0], exc.args[1] if len(exc.args) > 1 else None
        where = f" (at character {max(position - offset, 0) + 1})" if position is not None else ""
        raise SqlError(f"{message}{where}") from None


@lru_cache(maxsize=8192)
def parse_expression(text: str, subqueries: bool = True) -> str:
    """Normalized text of exactly one SQL value expression; raises SqlError otherwise.
    `subqueries=False` where PostgreSQL refuses them (checks, defaults, index predicates)."""
    if not isinstance(text, str) or not text.strip():
        raise SqlError("an SQL expression must be a non-empty string")
    _tokens_check(text)
    statements = _parse(_PREFIX + text, len(_PREFIX))
    select = statements[0].stmt if len(statements) == 1 else None
    if (
        not isinstance(select, ast.SelectStmt)
        or select.op.name != "SETOP_NONE"
        or len(select.targetList or ()) != 1
        or any(getattr(select, part) for part in (
            "fromClause", "whereClause", "groupClause", "havingClause", "sortClause",
            "limitCount", "limitOffset", "windowClause", "distinctClause", "intoClause",
            "lockingClause", "withClause", "valuesLists"))
    ):
        raise SqlError("must be exactly one SQL expression")
    target = select.targetList[0]
    if target.name:
        raise SqlError("must be exactly one SQL expression (no alias)")
    if isinstance(target.val, ast.ColumnRef) and isinstance(target.val.fields[-1], ast.A_Star):
        raise SqlError("must be exactly one SQL expression, not '*'")
    if not subqueries:
        finder = _SubqueryFinder()
        finder(target.val)
        if finder.found:
            raise SqlError("cannot contain a subquery here (PostgreSQL refuses them in checks, defaults "
                           "and index predicates)")
    return RawStream()(target.val)


class _SubqueryFinder(Visitor):
    def __init__(self):
        self.found = False

    def visit_SubLink(self, ancestors, node):
        self.found = True


def parse_query(text: str) -> tuple[str, tuple[tuple[str | None, str], ...]]:
    """Normalized text of exactly one SELECT, and the relations it reads."""
    if not isinstance(text, str) or not text.strip():
        raise SqlError("a view query must be a non-empty string")
    _tokens_check(text, "one SELECT statement only")
    statements = _parse(text, 0)
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        raise SqlError("must be exactly one SELECT statement")
    select = statements[0].stmt
    if select.intoClause or select.lockingClause:
        raise SqlError("must be a plain SELECT (no INTO, no FOR UPDATE)")
    relations = _RelationCollector()
    relations(select)
    ctes = relations.cte_names
    used = tuple(sorted({r for r in relations.found if not (r[0] is None and r[1] in ctes)}, key=str))
    return IndentedStream()(select), used


def expand_stars(query: str, columns_of: dict[str, list[str]]) -> str:
    """`*` and `t.*` over tables of the spec, spelled out in the spec's column order.

    PostgreSQL expands `*` when a view is created, in the table's physical column order, which
    a migration cannot keep (an added column goes last): spelled out here, a view reads the same
    after a chain of migrations as after a fresh build. Stars over other relations stay."""
    select = parse_sql(query)[0].stmt
    if select.op.name != "SETOP_NONE" or not select.targetList:
        return query
    sources = _from_tables(select.fromClause or ())
    if not sources or any(name not in columns_of for _, name in sources):
        return query
    targets, changed = [], False
    for target in select.targetList:
        ref = target.val
        if isinstance(ref, ast.ColumnRef) and isinstance(ref.fields[-1], ast.A_Star):
            qualifier = ref.fields[0].sval if len(ref.fields) == 2 else None
            chosen = [(alias, name) for alias, name in sources if qualifier in (None, alias)]
            if not chosen:
                return query
            for alias, name in chosen:
                for column in columns_of[name]:
                    fields = (ast.String(sval=alias), ast.String(sval=column))
                    targets.append(ast.ResTarget(val=ast.ColumnRef(fields=fields)))
            changed = True
        else:
            targets.append(target)
    if not changed:
        return query
    select.targetList = tuple(targets)
    return IndentedStream()(select)


def _from_tables(items) -> list[tuple[str, str]]:
    """(alias, table) of a FROM list made of plain tables and joins of them, else []."""
    found = []
    for item in items:
        if isinstance(item, ast.RangeVar) and item.schemaname in (None, "public"):
            found.append((item.alias.aliasname if item.alias else item.relname, item.relname))
        elif isinstance(item, ast.JoinExpr):
            inner = _from_tables((item.larg, item.rarg))
            if not inner:
                return []
            found += inner
        else:
            return []
    return found


@lru_cache(maxsize=4096)
def column_refs(expression: str, qualifiers: tuple[str, ...] = ()) -> frozenset[str]:
    """Column names an expression mentions (what a dropped or retyped column would break):
    unqualified ones, and those qualified by one of `qualifiers` (NEW/OLD in a trigger's WHEN)."""
    found = _ColumnNames(qualifiers)
    found(parse_sql("SELECT " + expression)[0].stmt)
    return frozenset(found.names)


@lru_cache(maxsize=4096)
def rename_column_refs(expression: str, renames: tuple[tuple[str, str], ...], qualifiers: tuple[str, ...] = ()) -> str:
    """The expression as PostgreSQL shows it once columns of its table are renamed (it stores
    columns, not names, in checks, policies, index predicates and trigger conditions).
    Renamed: bare names, and names qualified by one of `qualifiers` (the table, NEW/OLD).
    Inside a subquery a name may belong to another table, so it is left alone: the expression
    then differs from the new spec's and is rebuilt, which is always correct. Only the names
    change, the rest of the text stays as it was written."""
    text = _PREFIX + expression
    target = parse_sql(text)[0].stmt.targetList[0].val
    edits: list[tuple[int, int, str]] = []
    _renamed_refs(target, dict(renames), qualifiers, edits)
    if not edits:
        return expression
    if not text.isascii():   # parser locations count bytes: left as it is, so it is rebuilt
        return expression
    tokens = parser.scan(text)
    starts = {token.start: i for i, token in enumerate(tokens)}
    for location, fields, new in sorted(edits, reverse=True):
        token = tokens[starts[location] + 2 * (fields - 1)]   # name . name: the last name
        text = text[:token.start] + ident(new) + text[token.end + 1:]
    return text[len(_PREFIX):]


@lru_cache(maxsize=1024)
def read_from_row(expression: str, schema: str, table: str, row: str = "new") -> str:
    """The expression with the columns of its table read from a trigger's row: `title`,
    `notes.title` and `public.notes.title` become `new.title` (a backfill_sql evaluated in a row
    trigger). Names under another qualifier stay as they are; a subquery is refused where such an
    expression is checked (E501), so every bare name is a column of the table (E402)."""
    target = parse_sql(_PREFIX + expression)[0].stmt.targetList[0].val
    _RowReads({(), (table,), (schema, table)}, row)(target)
    return RawStream()(target)


class _RowReads(Visitor):
    def __init__(self, qualifiers: set, row: str):
        self.qualifiers, self.row = qualifiers, row

    def visit_ColumnRef(self, ancestors, node):
        fields = node.fields
        if all(isinstance(f, ast.String) for f in fields) and tuple(f.sval for f in fields[:-1]) in self.qualifiers:
            node.fields = (ast.String(sval=self.row), fields[-1])


def _renamed_refs(node, mapping: dict, qualifiers: tuple[str, ...], edits: list) -> None:
    """(location, number of names, new name) of each column reference to rename."""
    if isinstance(node, tuple):
        for inner in node:
            _renamed_refs(inner, mapping, qualifiers, edits)
        return
    if not isinstance(node, ast.Node) or isinstance(node, ast.SelectStmt):
        return
    if isinstance(node, ast.ColumnRef):
        names = [f.sval if isinstance(f, ast.String) else None for f in node.fields]
        if len(names) == 1 and names[0] in mapping:
            edits.append((node.location, 1, mapping[names[0]]))
        elif len(names) == 2 and names[0] in qualifiers and names[1] in mapping:
            edits.append((node.location, 2, mapping[names[1]]))
        return
    for name in node.__slots__:
        _renamed_refs(getattr(node, name), mapping, qualifiers, edits)


@lru_cache(maxsize=4096)
def function_calls(sql: str, statement: bool = False) -> frozenset[str]:
    """Names of public or unqualified functions an expression (or a statement) calls: what a
    replaced function would break."""
    found = _FunctionNames()
    tree = parse_sql(sql if statement else "SELECT " + sql)
    for raw in tree:
        found(raw.stmt)
    return frozenset(found.names)


@lru_cache(maxsize=4096)
def type_names(expression: str) -> frozenset[str]:
    """Names of public or unqualified types an expression casts to (`x::currency`,
    `null::currency[]`): what PostgreSQL ties the expression to, so a rebuilt type breaks it."""
    found = _TypeNames()
    found(parse_sql("SELECT " + expression)[0].stmt)
    return frozenset(found.names)


def statement_relations(sql: str) -> frozenset[str]:
    """Unqualified or public relations the statements of an sql function body read or write."""
    found = _RelationCollector()
    try:
        for raw in parse_sql(sql):
            found(raw.stmt)
    except parser.ParseError:
        return frozenset()
    return frozenset(name for schema, name in found.found if schema in (None, "public"))


class _FunctionNames(Visitor):
    def __init__(self):
        self.names: set[str] = set()

    def visit_FuncCall(self, ancestors, node):
        parts = [n.sval for n in node.funcname]
        if len(parts) == 1 or parts[0] == "public":
            self.names.add(parts[-1])


class _TypeNames(Visitor):
    def __init__(self):
        self.names: set[str] = set()

    def visit_TypeName(self, ancestors, node):
        parts = [n.sval for n in node.names or () if isinstance(n, ast.String)]
        if len(parts) == 1 or (len(parts) == 2 and parts[0] == "public"):
            self.names.add(parts[-1])


class _ColumnNames(Visitor):
    """Column names an expression reads, in order of appearance (repeats kept): unqualified
    ones, and those qualified by one of `qualifiers` (a trigger's new/old)."""

    def __init__(self, qualifiers: tuple[str, ...] = ()):
        self.names: list[str] = []
        self.qualifiers = qualifiers

    def visit_ColumnRef(self, ancestors, node):
        fields = node.fields
        if not all(isinstance(f, ast.String) for f in fields):
            return
        if len(fields) == 1:
            self.names.append(fields[0].sval)
        elif len(fields) == 2 and fields[0].sval in self.qualifiers:
            self.names.append(fields[1].sval)


def column_names_in(tree) -> list[str]:
    """The unqualified column names a parsed tree reads, in order of appearance."""
    visitor = _ColumnNames()
    visitor(tree)
    return visitor.names


class _RelationCollector(Visitor):
    def __init__(self):
        self.found: set[tuple[str | None, str]] = set()
        self.cte_names: set[str] = set()

    def visit_RangeVar(self, ancestors, node):
        self.found.add((node.schemaname, node.relname))

    def visit_CommonTableExpr(self, ancestors, node):
        self.cte_names.add(node.ctename)


@lru_cache(maxsize=8192)
def parse_type(text: str) -> ParsedType:
    """A column type name checked by the parser (no expressions, no statements)."""
    if not isinstance(text, str) or not text.strip():
        raise SqlError("a type must be a non-empty string")
    _tokens_check(text, "a type name only")
    statements = _parse(f"SELECT NULL::{text}", len("SELECT NULL::"))
    select = statements[0].stmt if len(statements) == 1 else None
    if (
        not isinstance(select, ast.SelectStmt)
        or select.fromClause or select.whereClause
        or len(select.targetList or ()) != 1
        or select.targetList[0].name
        or not isinstance(select.targetList[0].val, ast.TypeCast)
        or not isinstance(select.targetList[0].val.arg, ast.A_Const)
    ):
        raise SqlError("is not a type name")
    type_name = select.targetList[0].val.typeName
    for mod in type_name.typmods or ():
        if not isinstance(mod, ast.A_Const):
            raise SqlError("type modifiers must be constants")
    names = tuple(n.sval for n in type_name.names)
    return ParsedType(names, names[-1], bool(type_name.arrayBounds), RawStream()(type_name))
