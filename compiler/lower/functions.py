"""The spec's own functions: signature, body, and what must exist before them."""
from __future__ import annotations

import pglast
from pglast.parser import ParseError

from ..expressions import function_calls, statement_relations
from ..meaning.context import Context
from ..meaning.function_checks import check_signature, check_sql_body
from ..meaning.view_catalog import ViewCatalog
from ..model import PUBLIC, Argument, Function
from ..sqltext import dollar_quote


def lower_functions(ctx: Context, catalog: ViewCatalog) -> list[Function]:
    result = []
    for name, entry in ctx.spec.functions.items():
        data = entry.data
        security = data.get("security", "invoker")
        body = data.get("body", "")
        check_body(ctx, name, entry)
        if check_signature(ctx, name, entry) and data.get("language") == "sql":
            check_sql_body(ctx, name, entry, catalog)
        reads = tuple(sorted(function_reads(ctx, name, data)))
        arguments = tuple(Argument(a["name"], a["type"]) for a in data.get("arguments") or ())
        result.append(Function(PUBLIC, name, data.get("returns"), data.get("language"), body.rstrip("\n"), arguments,
                               security, data.get("volatility", "volatile"),
                               function_search_path(ctx, security), data.get("comment"),
                               execute_roles=definer_execute_roles(ctx, security), reads=reads))
    return result


def definer_execute_roles(ctx: Context, security: str) -> tuple[str, ...]:
    """Who may call a security definer function of the spec on Supabase: signed-in users (and
    the service role), never anon. It runs as its owner, past row level security, and PostgREST
    exposes every function in `public` as an RPC; Supabase's default privileges would let anon
    call it. Invoker functions keep PostgreSQL's default (PUBLIC): the caller's own rights
    apply inside."""
    return ("authenticated", "service_role") if security == "definer" and ctx.project.supabase else ()


def check_body(ctx: Context, name: str, entry) -> None:
    """A body PostgreSQL's parser refuses would pass the build and fail the migration: sql
    bodies go through the SQL parser, plpgsql bodies through PL/pgSQL's own (both in pglast).
    What an sql body names is checked by function_checks.check_sql_body."""
    data = entry.data
    language, body = data.get("language"), data.get("body", "")
    try:
        if language == "plpgsql":
            # The real signature: PL/pgSQL resolves assignments to arguments and RETURN forms
            # against it while parsing.
            arguments = ", ".join(f"{a.get('name')} {a.get('type')}" for a in data.get("arguments") or ())
            pglast.parse_plpgsql(f"CREATE FUNCTION f({arguments}) RETURNS {data.get('returns') or 'void'} "
                                 f"LANGUAGE plpgsql AS {dollar_quote(body)}")
        elif language == "sql":
            pglast.parse_sql(body)
    except ParseError as exc:
        ctx.error("E504", f"function '{name}' body does not parse as {language}: {exc.args[0]}", entry, "body")


def function_reads(ctx: Context, name: str, data: dict) -> set:
    """What a function needs at creation: an sql body is checked by the server then, so the
    tables, views and functions it names come first; types in its signature always do."""
    reads = set()
    signature = [data.get("returns") or ""] + [a.get("type", "") for a in data.get("arguments") or ()]
    for word in " ".join(signature).replace("[]", " ").replace("(", " ").split():
        word = word.removeprefix("public.")
        if word in ctx.spec.enums:
            reads.add(("enum", PUBLIC, word))
        elif word in ctx.spec.tables:
            reads.add(("table", PUBLIC, word))
    if data.get("language") == "sql":
        body = data.get("body", "")
        for relation in statement_relations(body):
            if relation in ctx.spec.tables:
                reads.add(("table", PUBLIC, relation))
            elif relation in ctx.spec.views:
                reads.add(("view", PUBLIC, relation))
        try:
            called = function_calls(body, statement=True)
        except ParseError:  # the server reports a body it cannot parse when the migration runs
            called = frozenset()
        reads |= {("function", PUBLIC, f) for f in called if f in ctx.spec.functions and f != name}
    return reads


def function_search_path(ctx: Context, security: str) -> str:
    """Definer functions get an empty search_path (no object can be planted ahead of theirs);
    invoker functions a fixed one, so callers cannot change what their names mean."""
    if security == "definer":
        return ""
    return "public, extensions, pg_temp" if ctx.project.supabase else "public, pg_temp"
