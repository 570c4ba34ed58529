"""Sign-in built from the spec's ``current_user_id``: which settings a session must set so that
the expression the policies read returns the signed-in user.

Supabase's ``auth.uid()`` reads the JWT claims (``acting_as`` always sets them, as PostgREST
does); a spec for plain PostgreSQL reads a setting (``current_setting('app.user_id')::uuid``),
which ``acting_as(..., settings=sign_in.values(user))`` sets for the transaction as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import ast, parse_sql, parser
from pglast.visitors import Visitor

__all__ = ["SignIn", "sign_in_for"]

JWT_SETTINGS = ("request.jwt.claims", "request.jwt.claim.")   # PostgREST's: set from the claims


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
