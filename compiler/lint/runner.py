"""The one query shape every lint is, and running the lints on a connection.

A lint becomes::

    select <object>, <fields...>
    from <source> <joins>
    where <schemas> and <source filter> and <condition>
      [and not <member of an extension>] [and <selectable by an API role>]
    [group by ... [having ...]]
    order by <every column>

and each row is one finding (a policy lint's ``check`` may still drop it).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import psycopg

from .conditions import CONSTANTS, LINTS
from .definition import LEVELS, Finding, Lint, Schemas

_SCHEMAS = {
    Schemas.USER: "n.nspname <> all(%(system)s) and n.nspname !~ '^pg_'",
    Schemas.API: "n.nspname = any(%(exposed)s) and n.nspname <> all(%(system)s)",
    Schemas.EXPOSED: "n.nspname = any(%(exposed)s)",
    Schemas.ANY: "",
}


def _not_extension_member(catalog: str, oid: str) -> str:
    return (f"not exists (select from pg_depend ext where ext.classid = '{catalog}'::regclass"
            f" and ext.objid = {oid} and ext.deptype = 'e')")


def _api_selectable(oid: str) -> str:
    """anon or authenticated, those of them that exist (``api_roles``), may SELECT."""
    return (f"exists (select from unnest(%(api_roles)s::text[]) as api(role)"
            f" where has_table_privilege(api.role::name, {oid}, 'SELECT'))")


def build_query(lint: Lint) -> str:
    """The lint's SQL (a psycopg query; parameters as in :func:`run_lints`)."""
    source = lint.source
    conditions = [_SCHEMAS[lint.schemas], source.where, lint.condition]
    if lint.skip_extension_members:
        conditions.append(_not_extension_member(source.catalog, lint.member or source.oid))
    if lint.api_selectable:
        conditions.append(_api_selectable(source.oid))
    columns = [lint.object or source.object, *lint.fields.values()]
    query = [
        "select " + ",\n       ".join(columns),
        f"from {source.tables} {lint.joins}".rstrip(),
        "where " + "\n  and ".join(f"({c})" for c in conditions if c),
    ]
    if lint.group_by:
        query.append(f"group by {lint.group_by}")
    if lint.having:
        query.append(f"having {lint.having}")
    query.append("order by " + ", ".join(str(i) for i in range(1, len(columns) + 1)))
    return "\n".join(query)


def _findings(cur: psycopg.Cursor, lint: Lint, params: dict) -> Iterable[Finding]:
    names = list(lint.fields)
    for obj, *values in cur.execute(build_query(lint), params).fetchall():  # type: ignore[arg-type]
        row = dict(zip(names, values))
        extra = lint.check(row) if lint.check else {}
        if extra is not None:
            detail = lint.detail.format(**row, **extra)
            yield Finding(lint.name, lint.level, obj, detail, lint.code, lint.category)


def run_lints(
    conn: psycopg.Connection,
    schemas: Sequence[str] = ("public",),
    *,
    pg_graphql: bool | None = None,
    only: Iterable[str] | None = None,
) -> list[Finding]:
    """Run the implemented advisor lints; return the findings, sorted.

    ``schemas``: the API-exposed schemas (see :mod:`compiler.lint`).
    ``pg_graphql``: whether to run 0026/0027 as if pg_graphql were installed;
    ``None`` (default) checks pg_extension, as splinter does.
    ``only``: lint names to run (default: all).

    Runs inside a transaction or savepoint that is rolled back, with
    ``search_path = ''``; the connection must not be in a failed transaction.
    """
    wanted = set(only) if only is not None else None
    if wanted is not None:
        unknown = wanted - {lint.name for lint in LINTS}
        if unknown:
            raise ValueError(f"unknown lint(s): {sorted(unknown)}")
    findings: list[Finding] = []
    with conn.transaction(force_rollback=True):
        cur = conn.cursor()
        # Deparsed policies then print calls schema-qualified (auth.uid()).
        cur.execute("set local search_path = ''")
        api_roles = [r for (r,) in cur.execute(
            "select rolname::text from pg_catalog.pg_roles"
            " where rolname in ('anon', 'authenticated') order by 1").fetchall()]
        if pg_graphql is None:
            pg_graphql = cur.execute(
                "select exists (select from pg_catalog.pg_extension where extname = 'pg_graphql')"
            ).fetchone()[0]
        params = {"exposed": list(schemas), "api_roles": api_roles, **CONSTANTS}
        for lint in LINTS:
            if wanted is not None and lint.name not in wanted:
                continue
            if (lint.needs_pg_graphql and not pg_graphql) or not set(lint.needs_roles) <= set(api_roles):
                continue
            findings.extend(_findings(cur, lint, params))
    return sorted(findings, key=lambda f: (LEVELS.index(f.level), f.code, f.name, f.object))
