"""Sign-in built from the spec's ``current_user_id``: which settings a session must set so that
the expression the policies read returns the signed-in user.

Supabase's ``auth.uid()`` reads the JWT claims (``acting_as`` always sets them, as PostgREST
does); a spec for plain PostgreSQL reads a setting (``current_setting('app.user_id')::uuid``),
which ``acting_as(..., settings=sign_in.values(user))`` sets for the transaction as well.

In the scalar modes of ``project.tenancy.current_tenant`` a request also names its tenant, as
an app does: ``{claim: path}`` adds it to the JWT claims (a dotted path nests:
``app_metadata.organization_id``), ``{setting: name}`` sets the transaction setting
(:meth:`SignIn.claims`, :meth:`SignIn.values` with ``tenant``).  Memberships mode names none,
so its sessions are exactly what they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pglast import ast, parse_sql, parser
from pglast.visitors import Visitor

__all__ = ["SignIn", "sign_in_for", "sign_in_of"]

JWT_SETTINGS = ("request.jwt.claims", "request.jwt.claim.")   # PostgREST's: set from the claims


@dataclass(frozen=True)
class SignIn:
    """How a session makes a spec's ``current_user_id`` return the signed-in user.

    JWT claims are always set (``auth.uid()`` and ``current_setting('request.jwt.claims')`` read
    them); ``settings`` are the other settings the expression reads, each set to the user id.
    ``problem`` says why no session can sign in (then ``settings`` is empty).
    ``tenant_claim`` / ``tenant_setting``: where a request names its current tenant (scalar
    modes of ``current_tenant``; both None in memberships mode)."""

    expression: str
    settings: tuple[str, ...] = ()
    problem: str | None = None
    tenant_claim: str | None = None      # dotted path in request.jwt.claims
    tenant_setting: str | None = None    # a transaction setting

    @property
    def names_tenant(self) -> bool:
        """Whether a request names its tenant (a scalar mode)."""
        return bool(self.tenant_claim or self.tenant_setting)

    @property
    def tenant_source(self) -> str:
        """Where the tenant is named, as a finding says it."""
        if self.tenant_claim:
            return f"JWT claim {self.tenant_claim}"
        return f"setting {self.tenant_setting}" if self.tenant_setting else "memberships"

    def values(self, user_id: str | None, tenant: Any = None) -> dict[str, str]:
        """The settings to set: the user settings, and in setting mode the tenant setting; each
        empty where there is no user / no tenant, as on a pooled connection between requests."""
        values = {name: "" if user_id is None else str(user_id) for name in self.settings}
        if self.tenant_setting:
            values[self.tenant_setting] = "" if tenant is None else str(tenant)
        return values

    def claims(self, tenant: Any = None) -> dict[str, Any] | None:
        """Further JWT claims: in claim mode the tenant at its (nested) path; else None.  A
        ``tenant`` that is not a string (a number, an object) is written as it is: a forged or
        malformed claim."""
        if not self.tenant_claim or tenant is None:
            return None
        value: Any = tenant if isinstance(tenant, (int, float, dict, list, bool)) else str(tenant)
        for part in reversed(self.tenant_claim.split(".")):
            value = {part: value}
        return value


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


def sign_in_of(tenancy) -> SignIn:
    """The sign-in for a model's :class:`~compiler.model.Tenancy`: its ``current_user_id`` and
    how a request names its current tenant."""
    mode, key = tenancy.current_tenant, tenancy.current_tenant_key
    return sign_in_for(tenancy.current_user_id, tenant_claim=key if mode == "claim" else None,
                       tenant_setting=key if mode == "setting" else None)


def sign_in_for(current_user_id: str, *, tenant_claim: str | None = None,
                tenant_setting: str | None = None) -> SignIn:
    """The sign-in for ``current_user_id``: Supabase's ``auth.uid()`` (JWT claims, as PostgREST
    sets them), or ``current_setting('<name>'[, true])`` in any wrapping (casts, ``nullif``): the
    setting is set to the user id.  Anything else cannot be signed into, and ``problem`` says so.
    ``tenant_claim`` / ``tenant_setting``: where requests name their tenant (scalar modes)."""
    tenant = {"tenant_claim": tenant_claim, "tenant_setting": tenant_setting}
    calls = _Calls()
    try:
        calls(parse_sql(f"SELECT {current_user_id}")[0].stmt)
    except parser.ParseError as exc:
        return SignIn(current_user_id, problem=f"current_user_id cannot be parsed: {exc}", **tenant)
    if None in calls.settings:
        return SignIn(current_user_id, problem="current_user_id reads a setting whose name is not a literal",
                      **tenant)
    custom = tuple(dict.fromkeys(n for n in calls.settings if not n.startswith(JWT_SETTINGS)))
    if not calls.settings and "auth.uid" not in calls.functions:
        return SignIn(current_user_id, problem=(
            "current_user_id reads neither auth.uid() nor current_setting('<name>'): "
            "no session can be made to return a chosen user"), **tenant)
    return SignIn(current_user_id, settings=custom, **tenant)
