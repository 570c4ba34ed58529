"""Resolves every column reference of a view query against the spec, as PostgreSQL would.

A view that names a column that does not exist builds fine and then fails on PostgreSQL, so
each reference is looked up in the FROM items it can see: tables and views of the spec (with
the columns the compiler adds), CTEs and subqueries (their output columns), joins (USING
columns merged), outer queries (correlated subqueries), and, in GROUP BY and ORDER BY, the
query's own output names. What cannot be known (a function in FROM, a table outside the spec)
is "open": it may have any column, so a name that might be one of its columns is never an error.

The result also says what the view reads, column by column: the diff rebuilds a view only when
something it really reads is dropped, retyped or replaced.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast

from .column_names import output_name
from .suggest import suggest
from .view_scopes import Item, Scope, cte_columns, derived, described, is_local, renamed_columns


@dataclass(frozen=True)
class Relation:
    """A table or view of the spec as a FROM item sees it."""

    kind: str                            # table | view
    schema: str
    name: str
    columns: tuple[str | None, ...]      # None: a column whose name is not known (the relation is open)
    hints: dict = field(default_factory=dict, compare=False)   # missing name -> hint (a renamed_from, a flag)


@dataclass(frozen=True)
class Problem:
    code: str        # E402 unknown or ambiguous column, E401 unknown FROM item, E502 refused query shape
    message: str
    hint: str | None = None


@dataclass
class Resolution:
    outputs: list[str | None]
    reads: frozenset          # ("column", schema, relation, column) and ("table-columns", schema, table)
    problems: list[Problem]
    references: dict = field(default_factory=dict, compare=False)   # id(ColumnRef) -> what it reads


def resolve_query(select, relation_of, postgres: int = 15, parameters: tuple = (),
                  function: str | None = None) -> Resolution:
    """`relation_of(schema, name)` gives a spec Relation, or None for what lies outside the spec.
    `parameters`: the arguments an sql function body (of `function`) may name, bare or as
    `function.argument`; PostgreSQL tries them after every column."""
    resolver = _Resolver(relation_of, postgres)
    outer = None
    if parameters:
        outer = Scope(None, [Item(function, f"the arguments of {function}", {p: frozenset() for p in parameters})])
    outputs = resolver.select(select, outer)
    return Resolution(outputs, frozenset(resolver.reads), resolver.problems, resolver.references)


class _Resolver:
    def __init__(self, relation_of, postgres: int):
        self.relation_of = relation_of
        self.postgres = postgres
        self.reads: set = set()
        self.problems: list[Problem] = []
        self.references: dict = {}     # id(ColumnRef) -> the read keys it resolved to
        self.current = None            # the ColumnRef being resolved

    def problem(self, code: str, message: str, hint: str | None = None) -> None:
        found = Problem(code, message, hint)
        if found not in self.problems:
            self.problems.append(found)

    # --- statements -------------------------------------------------------------------------

    def select(self, stmt, parent: Scope | None) -> list[str | None]:
        scope = Scope(parent)
        if stmt.withClause is not None:
            self.with_clause(stmt.withClause, scope)
        if stmt.op.name != "SETOP_NONE":
            outputs = self.select(stmt.larg, scope)
            self.select(stmt.rarg, scope)
            result = Scope(scope, [Item(None, "the result", {n: frozenset() for n in outputs if n},
                                          open=None in outputs)])
            for sort in stmt.sortClause or ():
                self.expression(sort.node, result)
            self.expression(stmt.limitCount, scope)
            self.expression(stmt.limitOffset, scope)
            return outputs
        if stmt.valuesLists:
            for row in stmt.valuesLists:
                self.expression(row, scope)
            return [f"column{i + 1}" for i in range(len(stmt.valuesLists[0]))]
        for node in stmt.fromClause or ():
            scope.items += self.from_item(node, scope, list(scope.items))
        outputs: list[str | None] = []
        for target in stmt.targetList or ():
            value = target.val
            if isinstance(value, ast.ColumnRef) and isinstance(value.fields[-1], ast.A_Star):
                outputs += self.star(value, scope)
            else:
                self.expression(value, scope)
                outputs.append(target.name or output_name(value, self.subquery_names(scope)))
        self.expression(stmt.whereClause, scope)
        for node in stmt.groupClause or ():
            self.group_item(node, scope, outputs)
        self.expression(stmt.havingClause, scope)
        for window in stmt.windowClause or ():
            self.expression(window, scope)
        for node in stmt.distinctClause or ():
            self.ordering(node, scope, outputs)
        for sort in stmt.sortClause or ():
            self.ordering(sort.node, scope, outputs)
        self.expression(stmt.limitCount, scope)
        self.expression(stmt.limitOffset, scope)
        return outputs

    def subquery_names(self, scope: Scope):
        """Output names of a scalar subquery, without resolving it twice (expression() does)."""
        def names(select):
            probe = _Resolver(self.relation_of, self.postgres)
            return probe.select(select, scope)
        return names

    def with_clause(self, clause, scope: Scope) -> None:
        for cte in clause.ctes:
            query = cte.ctequery
            named = [n.sval for n in cte.aliascolnames or ()]
            if not isinstance(query, ast.SelectStmt):
                scope.ctes[cte.ctename] = (named, True)   # data-modifying: PostgreSQL refuses it in a view
                continue
            if clause.recursive and query.op.name != "SETOP_NONE":
                # The non-recursive term names the columns; the recursive term may read the CTE.
                first = _Resolver(self.relation_of, self.postgres).select(query.larg, scope)
                scope.ctes[cte.ctename] = cte_columns(named, first)
            outputs = self.select(query, scope)
            scope.ctes[cte.ctename] = cte_columns(named, outputs)

    # --- FROM -------------------------------------------------------------------------------

    def from_item(self, node, scope: Scope, left: list) -> list:
        """Items a FROM entry adds; `left` are the items a LATERAL entry may read."""
        lateral = Scope(scope.parent, left, scope.ctes)
        if isinstance(node, ast.RangeVar):
            return [self.range_var(node, scope)]
        if isinstance(node, ast.JoinExpr):
            return self.join(node, scope, left)
        if isinstance(node, ast.RangeSubselect):
            if node.alias is None and self.postgres < 16:
                self.problem("E502", f"a subquery in FROM needs an alias on PostgreSQL {self.postgres}",
                             "add one: (select ...) as s")
            inner = lateral if node.lateral else Scope(scope.parent, [], scope.ctes)
            outputs = self.select(node.subquery, inner)
            name = node.alias.aliasname if node.alias else None
            return [derived(name, f"subquery '{name}'" if name else "a subquery", outputs, node.alias)]
        if isinstance(node, ast.RangeFunction):
            # Functions in FROM may read the items before them, as if LATERAL.
            for function in node.functions:
                self.expression(function, lateral)
            return [self.function_item(node)]
        if isinstance(node, ast.RangeTableSample):
            self.expression(node.args, lateral)
            self.expression(node.repeatable, lateral)
            return self.from_item(node.relation, scope, left)
        for name in node.__slots__:   # XMLTABLE, JSON_TABLE: their expressions read what is before them
            value = getattr(node, name)
            if name != "alias" and isinstance(value, (ast.Node, tuple)):
                self.expression(value, lateral)
        alias = getattr(node, "alias", None)
        return [Item(alias.aliasname if alias else None, "a table function", {}, open=True)]

    def range_var(self, node, scope: Scope) -> Item:
        alias = node.alias
        refname = alias.aliasname if alias else node.relname
        cte = scope.cte(node.relname) if node.schemaname is None else None
        if cte is not None:
            names, is_open = cte
            item = Item(refname, f"CTE '{node.relname}'", {n: frozenset() for n in names}, open=is_open)
        else:
            relation = self.relation_of(node.schemaname, node.relname)
            if relation is None:
                return Item(refname, f"'{node.relname}'", {}, open=True)
            keys = {n: frozenset({("column", relation.schema, relation.name, n)}) for n in relation.columns if n}
            whole = frozenset().union(*keys.values()) if keys else frozenset()
            if relation.kind == "table":   # a star PostgreSQL expands: any change of the columns matters
                whole |= {("table-columns", relation.schema, relation.name)}
            shown = relation.name if relation.schema == "public" else f"{relation.schema}.{relation.name}"
            item = Item(refname, f"{relation.kind} '{shown}'", keys, open=None in relation.columns,
                         system=relation.kind == "table", whole=whole, schema=node.schemaname or relation.schema,
                         hints=dict(relation.hints))
        item.relname = node.relname if alias else None
        if alias and alias.colnames:
            item.columns = renamed_columns(item.columns, [n.sval for n in alias.colnames])
        return item

    def function_item(self, node) -> Item:
        alias = node.alias
        if node.coldeflist and not node.ordinality:
            names = [c.colname for c in node.coldeflist]
            return Item(alias.aliasname if alias else None, "a function", {n: frozenset() for n in names})
        if alias:
            names = [n.sval for n in alias.colnames or ()]
            return Item(alias.aliasname, f"function '{alias.aliasname}'", {n: frozenset() for n in names}, open=True)
        call = node.functions[0][0] if len(node.functions) == 1 and not node.is_rowsfrom else None
        name = call.funcname[-1].sval if isinstance(call, ast.FuncCall) else None
        return Item(name, f"function '{name}'", {}, open=True)

    def join(self, node, scope: Scope, left: list) -> list:
        left_items = self.from_item(node.larg, scope, left)
        right_items = self.from_item(node.rarg, scope, left + left_items)
        items = left_items + right_items
        merged_names = [n.sval for n in node.usingClause or ()]
        if node.isNatural:
            if any(i.open for i in items):
                merged_names = []
            else:
                right_names = {n for i in right_items for n in i.visible()}
                merged_names = [n for i in left_items for n in i.visible() if n in right_names]
        if merged_names:
            reads = {}
            for name in merged_names:
                reads[name] = self.using_side(name, left_items, "left") | self.using_side(name, right_items, "right")
            for item in items:
                item.hidden |= set(merged_names)
            alias = node.join_using_alias.aliasname if node.join_using_alias else None
            items = [Item(alias, "the join", reads), *items]
        self.expression(node.quals, Scope(scope.parent, items, scope.ctes))
        if node.alias is None:
            return items
        # An aliased join hides the names inside it: only `alias.column` reaches its columns.
        columns: dict = {}
        for item in items:
            for name in item.visible():
                columns.setdefault(name, item.columns[name])
        joined = Item(node.alias.aliasname, f"join '{node.alias.aliasname}'", columns,
                       open=any(i.open for i in items), whole=frozenset().union(*(i.whole for i in items)))
        if node.alias.colnames:
            joined.columns = renamed_columns(columns, [n.sval for n in node.alias.colnames])
        return [joined]

    def using_side(self, name: str, items: list, side: str) -> frozenset:
        found = [i for i in items if i.has(name, qualified=False)]
        if found:
            return found[0].columns.get(name, frozenset())
        if not any(i.open for i in items):
            known = [n for i in items for n in i.visible()]
            self.problem("E402", f"USING ({name}): the {side} side of the join has no column '{name}'",
                         _did_you_mean(name, known, items))
        return frozenset()

    # --- references -------------------------------------------------------------------------

    def star(self, ref, scope: Scope) -> list[str | None]:
        """`*` or `t.*` in a select list: the columns it stands for."""
        if len(ref.fields) == 1:
            items = scope.items
        else:
            item = self.qualifier(ref, ".".join(f.sval for f in ref.fields[:-1]), scope)
            items = [item] if item is not None else []
            if item is None:
                return [None]
        names: list[str | None] = []
        for item in items:
            self.reads |= item.whole | frozenset().union(*item.columns.values())
            names += item.visible() if len(ref.fields) == 1 else list(item.columns)
            if item.open:
                names.append(None)
        return names

    def column_ref(self, ref, scope: Scope) -> None:
        fields = ref.fields
        if isinstance(fields[-1], ast.A_Star):
            if len(fields) == 1:
                for item in scope.items:
                    self.reads |= item.whole
                return
            item = self.qualifier(ref, ".".join(f.sval for f in fields[:-1]), scope)
            if item is not None:
                self.reads |= item.whole
            return
        names = [f.sval for f in fields]
        self.current = ref
        if len(names) == 1:
            self.bare(names[0], scope)
        elif len(names) == 2:
            self.qualified(names[0], names[1], scope)
        elif len(names) == 3:
            item = self.find_item(names[1], scope, schema=names[0])
            if item is not None:
                self.member(item, names[1], names[2])
            elif self.find_item(names[0], scope) is not None:
                self.qualified(names[0], names[1], scope)
        # four names (catalog.schema.table.column) are left to PostgreSQL

    def bare(self, name: str, scope: Scope, report: bool = True) -> bool:
        """Resolves an unqualified name, innermost query level first; False when it is unknown."""
        for level in scope.chain():
            found = [i for i in level.items if i.has(name, qualified=False)]
            if len(found) > 1:
                if report:
                    both = " and ".join(described(i) for i in found)
                    quals = " or ".join(f"{i.refname}.{name}" for i in found if i.refname)
                    self.problem("E402", f"column reference '{name}' is ambiguous: {both} both have it",
                                 f"qualify it: {quals}" if quals else None)
                return True
            if found:
                self.resolved(found[0].columns.get(name, frozenset()))
                return True
            if any(i.open for i in level.items):
                return True   # it may be a column of what we cannot see into
        for level in scope.chain():
            whole = next((i for i in level.items if i.refname == name), None)
            if whole is not None:   # a whole-row reference to a FROM item
                self.reads |= whole.whole
                return True
        if report:
            items = [i for level in scope.chain() for i in level.items]
            known = [n for i in items for n in i.visible()]
            if len(items) == 1:
                message = f"{items[0].label} has no column '{name}'"
            elif items:
                message = f"no table or view of its FROM has a column '{name}' ({', '.join(map(described, items))})"
            else:
                message = f"column '{name}' does not exist (the query has no FROM)"
            self.problem("E402", message, _did_you_mean(name, known, items))
        return False

    def qualified(self, qualifier: str, name: str, scope: Scope) -> None:
        item = self.find_item(qualifier, scope)
        if item is not None:
            self.member(item, qualifier, name, scope)
        elif not self.bare(qualifier, scope, report=False):   # `column.field` of a composite column
            self.missing_item(qualifier, f"{qualifier}.{name}", scope)

    def qualifier(self, ref, qualifier: str, scope: Scope) -> Item | None:
        parts = qualifier.split(".")
        item = self.find_item(parts[-1], scope, schema=parts[0] if len(parts) == 2 else None)
        if item is None and len(parts) <= 2:
            self.missing_item(parts[-1], f"{qualifier}.*", scope)
        return item

    def member(self, item: Item, qualifier: str, name: str, scope: Scope | None = None) -> None:
        if item.has(name, qualified=True):
            self.resolved(item.columns.get(name, frozenset()))
        elif not item.open:
            hint = _did_you_mean(name, list(item.columns), [item])
            # The column may belong to another FROM item: the wrong alias is the usual slip.
            others = [i for level in (scope.chain() if scope else ()) for i in level.items
                      if i is not item and i.refname and name in i.columns]
            if hint is None and others:
                hint = f"did you mean {others[0].refname}.{name}? ({described(others[0])} has it)"
            self.problem("E402", f"{qualifier}.{name}: {item.label}"
                                 f"{f' (as {qualifier})' if item.relname else ''} has no column '{name}'", hint)

    def resolved(self, keys: frozenset) -> None:
        self.reads |= keys
        if self.current is not None:
            self.references[id(self.current)] = keys

    def find_item(self, refname: str, scope: Scope, schema: str | None = None) -> Item | None:
        for level in scope.chain():
            for item in level.items:
                if item.refname == refname and (schema is None or (item.schema == schema and not item.relname)):
                    return item
        return None

    def missing_item(self, qualifier: str, ref: str, scope: Scope) -> None:
        items = [i for level in scope.chain() for i in level.items]
        if any(i.open for i in items):
            return
        aliased = next((i for i in items if i.relname == qualifier), None)
        if aliased is not None:
            hint = f"'{qualifier}' is called '{aliased.refname}' in this query: write {aliased.refname}.{ref.split('.')[-1]}"
        else:
            hint = suggest(qualifier, [i.refname for i in items if i.refname])
        self.problem("E401", f"{ref}: no table, view or alias '{qualifier}' in its FROM", hint)

    # --- clauses ----------------------------------------------------------------------------

    def group_item(self, node, scope: Scope, outputs: list) -> None:
        """GROUP BY prefers an input column, then an output name (PostgreSQL's SQL92 rule)."""
        if isinstance(node, ast.GroupingSet):
            for inner in node.content or ():
                self.group_item(inner, scope, outputs)
            return
        name = _bare_name(node)
        if name is not None and name in outputs and not is_local(name, scope):
            return
        self.expression(node, scope)

    def ordering(self, node, scope: Scope, outputs: list) -> None:
        """ORDER BY and DISTINCT ON prefer an output name, then an input column."""
        name = _bare_name(node)
        if name is not None and name in outputs:
            return
        self.expression(node, scope)

    def expression(self, node, scope: Scope) -> None:
        if node is None:
            return
        if isinstance(node, tuple):
            for inner in node:
                self.expression(inner, scope)
            return
        if not isinstance(node, ast.Node):
            return
        if isinstance(node, ast.ColumnRef):
            self.column_ref(node, scope)
            return
        if isinstance(node, ast.SelectStmt):
            self.select(node, scope)
            return
        if isinstance(node, (ast.TypeName, ast.RangeVar)):
            return
        for name in node.__slots__:
            value = getattr(node, name)
            if isinstance(value, (ast.Node, tuple)):
                self.expression(value, scope)


def _bare_name(node) -> str | None:
    if isinstance(node, ast.ColumnRef) and len(node.fields) == 1 and isinstance(node.fields[0], ast.String):
        return node.fields[0].sval
    return None


def _did_you_mean(name: str, known: list, items: list) -> str | None:
    for item in items:
        if name in item.hints:
            return item.hints[name]
    return suggest(name, set(known))
