"""Run statements the way PostgREST runs a Supabase API request.

PostgREST opens a transaction per request, switches to the JWT's role with a
transaction-local ``role`` setting and exposes the claims through
transaction-local GUCs (``request.jwt.claims``, plus the legacy per-claim
``request.jwt.claim.sub``).  :func:`acting_as` reproduces that and always
rolls the transaction back at exit.

Specs whose ``current_user_id`` is not Supabase's ``auth.uid()`` read the signed-in user from a
setting (``current_setting('app.user_id')::uuid``): ``acting_as(..., settings=...)`` sets such
settings for the transaction as well.

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
from psycopg import sql

__all__ = ["ActingSession", "acting_as", "jwt_claims"]


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
    transaction-local settings (what a ``current_setting('app.user_id')``
    spec reads).  Everything is rolled back
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
