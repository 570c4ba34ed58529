"""`tenancy.current_tenant`: how a request names its tenant, and the scalar fence it gives.

`memberships` (the default) fences every tenant table with `column = ANY (user_tenant_ids())`:
the planner cannot know the array's length, so it guesses about ten tenants' rows and picks
plans for them.  In the scalar modes the request names one tenant, from a JWT claim
(`request.jwt.claims`, as PostgREST sets it) or a transaction setting, and the fence is
`column = (SELECT current_tenant_id())`: one value, estimated as one tenant's rows
(benchmarks/rls_variants.py).  The lookup confirms the membership: a value that is not a uuid,
or a tenant the user is not a member of (with the role asked for), is NULL, so the fence admits
nothing and no write passes.  The tenant root keeps the memberships fence, so a user can list
the tenants they may name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..meaning.context import Context
from ..model import PRIVATE, PUBLIC, Argument, Function
from ..sqltext import ident, literal, qualified

MEMBERSHIPS = "memberships"
CURRENT_TENANT_ID = "current_tenant_id"
CURRENT_MEMBERSHIP_ID = "current_membership_id"
# A custom setting's name as PostgreSQL 15 accepts it: two or more dotted parts, each an identifier.
_SETTING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)+")
# nullif: once a transaction that set the claims ends, the setting reads '' (not valid json).
CLAIMS = "nullif(current_setting('request.jwt.claims', true), '')::jsonb"
# The canonical text of a uuid: anything else is no tenant (NULL), never a failed cast.
_UUID_TEXT = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def scalar(ctx: Context) -> bool:
    """Whether the request names one tenant (claim or setting mode)."""
    return ctx.project.current_tenant != MEMBERSHIPS


def call_form(ctx: Context) -> bool:
    """Whether policies call the lookups bare rather than as `(SELECT f())` init plans: Citus
    refuses any subquery in a policy of a distributed table (its policy.c), so under target
    citus every generated rule is a plain call, evaluated where the shard's rows are read."""
    return ctx.project.target == "citus"


def once(ctx: Context, call: str) -> str:
    """`call` as the policies read it: a scalar subquery (one init plan per statement), or the
    bare call under target citus."""
    return call if call_form(ctx) else f"(SELECT {call})"


def check_current_tenant(ctx: Context) -> None:
    """E408: a claim path with an empty part, or a setting name PostgreSQL would refuse (a
    custom setting needs a dot: `app.current_tenant`)."""
    mode, key = ctx.project.current_tenant, ctx.project.current_tenant_key
    if mode == MEMBERSHIPS:
        return
    where = (ctx.spec.project, "tenancy", "current_tenant", mode)
    if mode == "claim" and (not key or any(not part for part in key.split("."))):
        ctx.error("E408", f"tenancy.current_tenant.claim '{key}' is not a claim path: keys joined by dots, "
                          "none empty", *where, value=True, hint="for example organization_id or "
                                                                  "app_metadata.organization_id")
    if mode == "setting" and not _SETTING_NAME.fullmatch(key or ""):
        ctx.error("E408", f"tenancy.current_tenant.setting '{key}' is not a custom setting name PostgreSQL "
                          "accepts: two or more identifiers joined by dots", *where, value=True,
                  hint="for example app.current_tenant")


def current_tenant(ctx: Context, role: str | None = None, enum: str | None = None) -> str:
    """`(SELECT current_tenant_id(['<role>'::<enum>]))`: a scalar subquery, run once per
    statement as an init plan (the bare call under target citus)."""
    args = f"{literal(role)}::{PUBLIC}.{ident(enum)}" if role is not None else ""
    return once(ctx, f"{PRIVATE}.{CURRENT_TENANT_ID}({args})")


def current_membership(ctx: Context) -> str:
    return once(ctx, f"{PRIVATE}.{CURRENT_MEMBERSHIP_ID}()")


def requested_text(ctx: Context, claims: str = CLAIMS) -> str:
    """The text the request names its tenant with; NULL when it names none."""
    key = ctx.project.current_tenant_key
    if ctx.project.current_tenant == "setting":
        return f"current_setting({literal(key)}, true)"
    path = "{" + ",".join('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"' for part in key.split(".")) + "}"
    return f"({claims} #>> {literal(path)})"


def lookup_user(ctx: Context, claims: str | None) -> str:
    """The signed-in user as the lookup reads it. Supabase's auth.uid() (SET search_path, so never
    inlined) re-plans its SQL body in every statement that calls it: about half of the lookup's
    cost (benchmarks/rls_variants.py, section 6). Its body is read here instead, from the claims
    the lookup has already parsed (`claims`) or parsed anew; any other current_user_id as written."""
    if not (ctx.project.supabase and ctx.project.current_user_id == "auth.uid()"):
        return ctx.project.current_user_id
    return f"coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), {claims or CLAIMS} ->> 'sub')::uuid"


@dataclass(frozen=True)
class LookupFrame:
    """What every membership lookup (user_tenant_ids() and the others) is built from."""
    membership: str                 # the membership table, qualified
    tenant: str                     # its tenant column, quoted
    user: str                       # its user column, quoted
    role: str | None                # its role column, quoted, when the role enum is given
    arguments: tuple                # (p_role <enum> DEFAULT NULL,) with the role enum, else ()
    execute: tuple[str, ...]        # who may call it: signed-in users (Supabase) or PUBLIC
    reads: tuple


def lookup_frame(ctx: Context, enum: str | None) -> LookupFrame:
    project = ctx.project
    arguments = (Argument("p_role", qualified(PUBLIC, enum), "NULL"),) if enum else ()
    return LookupFrame(qualified(PUBLIC, project.membership_table), ident(project.tenant_column),
                       ident(project.user_column), ident(project.role_column) if enum else None, arguments,
                       ("authenticated",) if project.supabase else ("public",),
                       (("table", PUBLIC, project.membership_table),))


def current_tenant_functions(ctx: Context, enum: str | None, membership_pk_type: str,
                             membership_soft_delete: bool) -> list[Function]:
    """current_tenant_id([p_role]) and current_membership_id(): stable security definer
    lookups of the request's tenant, confirmed against the membership table, like
    user_tenant_ids(), and readable only by signed-in users."""
    project = ctx.project
    frame = lookup_frame(ctx, enum)
    membership, tenant, user, execute, reads = frame.membership, frame.tenant, frame.user, frame.execute, frame.reads
    arguments = frame.arguments
    live = "\n            AND m.deleted_at IS NULL" if membership_soft_delete else ""
    role_filter = f"\n            AND (p_role IS NULL OR m.{frame.role} = p_role)" if enum else ""

    def lookup(result: str, filters: str) -> str:
        # plpgsql: the membership query's plan is kept for the session (see rls_variants.py).
        # LIMIT 1: a spec need not make (tenant, user) unique; any such row confirms the tenant.
        # Claim mode parses the claims once, for the tenant and the user both.
        claims = "claims" if project.current_tenant == "claim" else None
        declare = f"  claims jsonb := {CLAIMS};\n" if claims else ""
        return (f"DECLARE\n{declare}  requested text := {requested_text(ctx, claims or CLAIMS)};\nBEGIN\n"
                f"  IF requested IS NULL OR requested !~ '{_UUID_TEXT}' THEN\n    RETURN NULL;\n  END IF;\n"
                f"  RETURN (SELECT m.{result}\n          FROM {membership} AS m\n"
                f"          WHERE m.{user} = {lookup_user(ctx, claims)}\n"
                f"            AND m.{tenant} = requested::uuid{filters}{live}\n"
                f"          LIMIT 1);\nEND")

    return [
        Function(PRIVATE, CURRENT_TENANT_ID, "uuid", "plpgsql", lookup(tenant, role_filter), arguments,
                 security="definer", volatility="stable", search_path="",
                 comment="The tenant the request names, if the user is a member of it (optionally with a "
                         "role); used by row level security.",
                 execute_roles=execute, reads=reads),
        Function(PRIVATE, CURRENT_MEMBERSHIP_ID, membership_pk_type, "plpgsql", lookup("id", ""), (),
                 security="definer", volatility="stable", search_path="",
                 comment="The user's membership row in the tenant the request names; what owner rules compare "
                         "with.",
                 execute_roles=execute, reads=reads),
    ]
