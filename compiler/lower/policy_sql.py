"""What the access warnings read from a policy expression, parsed with pglast: the calls that
PostgreSQL runs once per row, and the table's columns the expression filters on.

Only the expression's own level counts: a subquery (`(SELECT auth.uid())`, `EXISTS (...)`) is
planned apart, an uncorrelated one once per statement as an init plan. A call is per row when no
argument reads the row and the planner cannot fold it: not immutable. The compiler knows the
spec's own functions' volatility; of the built-ins, those without arguments (`now()`) and the
settings and clock readers below are not immutable, and the rest with constant arguments
(`lower('X')`) are folded once. Any other schema's function (`auth.uid()`) is taken as per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pglast import ast, parse_sql
from pglast.stream import RawStream

# Built-ins that take arguments yet are not immutable (read settings, clocks, sequences, state).
NOT_IMMUTABLE_BUILTINS = frozenset({
    "current_setting", "set_config", "nextval", "currval", "timeofday", "random", "gen_random_uuid",
    "has_table_privilege", "has_schema_privilege", "has_function_privilege", "pg_has_role", "txid_current",
    "to_char", "to_date", "to_timestamp", "age", "date_trunc", "date_part", "extract",
})


@dataclass(frozen=True)
class PolicyReading:
    row_calls: tuple[str, ...]   # calls that do not depend on the row yet run once per row
    columns: tuple[str, ...]     # the table's columns, in order of first use


@lru_cache(maxsize=4096)
def target_list(expression: str) -> tuple:
    """The parse tree of `SELECT expression`'s target list, read only: the tables of a spec
    repeat their raw policies' texts, each parsed once."""
    return parse_sql("SELECT " + expression)[0].stmt.targetList


def read_policy(expression: str, table: str, volatility: dict[str, str] | None = None) -> PolicyReading:
    """`volatility`: the spec's functions (public) and theirs."""
    tree = target_list(expression)[0].val
    calls: list[str] = []
    columns: list[str] = []
    _walk(tree, (table, volatility or {}), calls, columns)
    return PolicyReading(tuple(calls), tuple(dict.fromkeys(columns)))


def _walk(node, context: tuple, calls: list, columns: list) -> None:
    table, volatility = context
    if isinstance(node, (tuple, list)):
        for inner in node:
            _walk(inner, context, calls, columns)
        return
    if not isinstance(node, ast.Node) or isinstance(node, (ast.SubLink, ast.SelectStmt)):
        return
    if isinstance(node, ast.ColumnRef):
        name = _column_name(node, table)
        if name is not None:
            columns.append(name)
        return
    if isinstance(node, ast.FuncCall) and _row_independent(node) and _not_folded(node, volatility):
        # The whole call is the value to hoist: `lower(auth.jwt() ->> 'email')`, not its inner call.
        calls.append(RawStream()(node))
        return
    for slot in node.__slots__:
        _walk(getattr(node, slot), context, calls, columns)


def _row_independent(call: ast.FuncCall) -> bool:
    """No column of the row among the arguments, and no subquery: an argument written as
    `(SELECT ...)` shows the author already hoisted what costs (`cardinality((SELECT ...))`)."""
    return call.over is None and not _has_row_or_subquery((call.args, call.agg_filter))


def _not_folded(call: ast.FuncCall, volatility: dict[str, str]) -> bool:
    *schema, name = [part.sval for part in call.funcname]
    if schema in ([], ["public"]) and name in volatility:
        return volatility[name] != "immutable"
    if schema in ([], ["pg_catalog"]):
        return not call.args or name in NOT_IMMUTABLE_BUILTINS
    return True


def _has_row_or_subquery(node) -> bool:
    return holds(node, (ast.ColumnRef, ast.SubLink))


def has_subquery(node) -> bool:
    """A subquery anywhere in the parse tree (what Citus refuses in a policy)."""
    return holds(node, (ast.SubLink, ast.SelectStmt))


def holds(node, kinds: tuple) -> bool:
    """Whether the parse tree (a node, or a list of them) has a node of one of `kinds`."""
    if isinstance(node, (tuple, list)):
        return any(holds(inner, kinds) for inner in node)
    if not isinstance(node, ast.Node):
        return False
    if isinstance(node, kinds):
        return True
    return any(holds(getattr(node, slot), kinds) for slot in node.__slots__)


def _column_name(node: ast.ColumnRef, table: str) -> str | None:
    fields = [f.sval if isinstance(f, ast.String) else None for f in node.fields]
    if len(fields) == 1 or (len(fields) == 2 and fields[0] == table):
        return fields[-1]
    return None
