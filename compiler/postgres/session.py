"""Run statements the way PostgREST runs a Supabase API request.

PostgREST opens a transaction per request, switches to the JWT's role with a
transaction-local ``role`` setting and exposes the claims through
transaction-local GUCs (``request.jwt.claims``, plus the legacy per-claim
``request.jwt.claim.sub``).  :func:`acting_as` reproduces that and always
rolls the transaction back at exit.

Specs whose ``current_user_id`` is not Supabase's ``auth.uid()`` read the signed-in user from a
setting (``current_setting('app.user_id')::uuid``): :func:`sign_in_for` finds the settings the
expression reads, and ``acting_as(..., settings=...)`` sets them for the transaction as well.

Errors: once a statement fails the transaction is aborted.  To check that a
statement fails and carry on, run it in a savepoint -- ``session.attempt()``,
``session.expect_error()``, or a nested ``with conn.transaction():`` inside
``pytest.raises``.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

import psycopg
from pglast import ast, parse_sql, parser
from pglast.visitors import Visitor
from psycopg import sql

__all__ = ["ActingSession", "SignIn", "acting_as", "jwt_claims", "sign_in_for"]

JWT_SETTINGS = ("request.jwt.claims", "request.jwt.claim.")   # PostgREST's: set from the claims


def jwt_claims(
    user_id: str | None, role: str = "authenticated", extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The JWT claims Supabase would issue.

    With a user id: ``{"sub": user_id, "role": role, "aud": "authenticated"}``;
    without one (anon key, service key): ``{"role": role}``.  ``extra`` is
    merged on top (e.g. ``{"app_metadata": {"tenant_id": ...}}``).
    """
    claims: dict[str, Any] = {}
    if user_id is not None:
        claims["sub"] = str(user_id)
    claims["role"] = role
    if user_id is not None:
        claims["aud"] = "authenticated"
    if extra:
        claims.update(extra)
    return claims


@dataclass(frozen=True)
class SignIn:
    """How a session makes a spec's ``current_user_id`` return the signed-in user.

    JWT claims are always set (``auth.uid()`` and ``current_setting('request.jwt.claims')`` read
    them); ``settings`` are the other settings the expression reads, each set to the user id.
    ``problem`` says why no session can sign in (then ``settings`` is empty)."""

    expression: str
    settings: tuple[str, ...] = ()
    problem: str | None = None

    def values(self, user_id: str | None) -> dict[str, str]:
        return {name: "" if user_id is None else str(user_id) for name in self.settings}


class _Calls(Visitor):
    def __init__(self) -> None:
        self.functions: list[str] = []
        self.settings: list[str | None] = []   # None: a setting whose name is not a literal

    def visit_FuncCall(self, ancestors, node) -> None:
        name = ".".join(n.sval for n in node.funcname)
        self.functions.append(name)
        if name in ("current_setting", "pg_catalog.current_setting"):
            first = node.args[0] if node.args else None
            literal = isinstance(first, ast.A_Const) and isinstance(first.val, ast.String)
            self.settings.append(first.val.sval if literal else None)


def sign_in_for(current_user_id: str) -> SignIn:
    """The sign-in for ``current_user_id``: Supabase's ``auth.uid()`` (JWT claims, as PostgREST
    sets them), or ``current_setting('<name>'[, true])`` in any wrapping (casts, ``nullif``): the
    setting is set to the user id.  Anything else cannot be signed into, and ``problem`` says so."""
    calls = _Calls()
    try:
        calls(parse_sql(f"SELECT {current_user_id}")[0].stmt)
    except parser.ParseError as exc:
        return SignIn(current_user_id, problem=f"current_user_id cannot be parsed: {exc}")
    if None in calls.settings:
        return SignIn(current_user_id, problem="current_user_id reads a setting whose name is not a literal")
    custom = tuple(dict.fromkeys(n for n in calls.settings if not n.startswith(JWT_SETTINGS)))
    if not calls.settings and "auth.uid" not in calls.functions:
        return SignIn(current_user_id, problem=(
            "current_user_id reads neither auth.uid() nor current_setting('<name>'): "
            "no session can be made to return a chosen user"))
    return SignIn(current_user_id, settings=custom)


@dataclass
class ActingSession:
    """What :func:`acting_as` yields: the connection plus a few helpers."""

    conn: psycopg.Connection
    role: str
    user_id: str | None
    claims: dict[str, Any] = field(default_factory=dict)

    def execute(self, query: Any, params: Sequence[Any] | Mapping[str, Any] | None = None):
        """Run a statement (in the acting transaction); returns the cursor."""
        return self.conn.execute(query, params)

    def fetchall(self, query: Any, params: Any = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(query, params).fetchall()

    def fetchone(self, query: Any, params: Any = None) -> tuple[Any, ...] | None:
        return self.conn.execute(query, params).fetchone()

    def scalar(self, query: Any, params: Any = None) -> Any:
        row = self.conn.execute(query, params).fetchone()
        return None if row is None else row[0]

    def attempt(self, query: Any, params: Any = None) -> psycopg.Error | None:
        """Run a statement in a savepoint; return its error instead of raising.

        On error only the savepoint is rolled back, so the session (role,
        claims, earlier statements) stays usable.  Returns None on success.
        """
        try:
            with self.conn.transaction():
                self.conn.execute(query, params)
        except psycopg.Error as exc:
            return exc
        return None

    def expect_error(
        self,
        query: Any,
        params: Any = None,
        *,
        sqlstate: str | type[psycopg.Error] | None = None,
    ) -> psycopg.Error:
        """Assert that a statement fails (optionally with a given SQLSTATE or
        psycopg error class) and return the error."""
        exc = self.attempt(query, params)
        if exc is None:
            raise AssertionError(f"statement succeeded but an error was expected: {query}")
        if isinstance(sqlstate, str):
            if exc.sqlstate != sqlstate:
                raise AssertionError(
                    f"expected SQLSTATE {sqlstate}, got {exc.sqlstate}: {exc}"
                ) from exc
        elif sqlstate is not None and not isinstance(exc, sqlstate):
            raise AssertionError(
                f"expected {sqlstate.__name__}, got {type(exc).__name__}: {exc}"
            ) from exc
        return exc


@contextmanager
def acting_as(
    conn: psycopg.Connection,
    user_id: str | None,
    role: str = "authenticated",
    *,
    claims: Mapping[str, Any] | None = None,
    settings: Mapping[str, str] | None = None,
) -> Iterator[ActingSession]:
    """Act as a Supabase API caller for the duration of the block.

    Inside a transaction (a savepoint if one is already open) runs
    ``SET LOCAL ROLE <role>`` and
    ``set_config('request.jwt.claims', <json>, true)`` /
    ``set_config('request.jwt.claim.sub', <user_id>, true)``, like PostgREST.
    ``claims`` adds or overrides JWT claims; ``settings`` are further
    transaction-local settings (``SignIn.values(user_id)``: what a
    ``current_setting('app.user_id')`` spec reads).  Everything is rolled back
    at exit, including on success.

    ``user_id=None`` models the anon (or service) key: claims are just
    ``{"role": role}``; pass ``role='anon'`` for anon.
    """
    all_claims = jwt_claims(user_id, role, claims)
    with conn.transaction(force_rollback=True):
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
        conn.execute(
            "select set_config('request.jwt.claims', %s, true),"
            " set_config('request.jwt.claim.sub', %s, true)",
            (json.dumps(all_claims), "" if user_id is None else str(user_id)),
        )
        for name, value in (settings or {}).items():
            conn.execute("select set_config(%s, %s, true)", (name, value))
        yield ActingSession(conn=conn, role=role, user_id=user_id, claims=all_claims)
