"""The roles whose row level security the spec's policies rely on, as the catalog sees them:
whether each is a superuser, has BYPASSRLS, and which roles it is a member of (may SET ROLE to)
or inherits the privileges of, with their own SUPERUSER and BYPASSRLS. Role attributes are
cluster-wide and the spec does not create roles, so the comparison reports only what widens
access: `alter role authenticated bypassrls`, anon made a superuser, authenticated granted
service_role or postgres. Each of them voids row level security for every API user.

A live database's roles are held to the reference cluster's (the throwaway cluster with the
Supabase emulation, compiler/postgres/supabase.sql); without a reference, to the baseline every
platform keeps: the API roles neither superuser nor BYPASSRLS nor able to become one."""
from __future__ import annotations

from typing import Any

#: The roles PostgREST switches to; every other role read is a grantee of the managed objects.
API_ROLES = ("anon", "authenticated")

_ROLES = """
select r.rolname, r.rolsuper, r.rolbypassrls,
       case when r.rolsuper then '[]'::jsonb else coalesce((
           select jsonb_agg(jsonb_build_array(g.rolname, pg_catalog.pg_has_role(r.oid, g.oid, 'USAGE'),
                                              g.rolsuper, g.rolbypassrls) order by g.rolname)
           from pg_catalog.pg_roles g
           where g.oid <> r.oid and pg_catalog.pg_has_role(r.oid, g.oid, 'MEMBER')), '[]'::jsonb) end
from pg_catalog.pg_roles r where r.rolname = any(%s)
"""


def read_roles(conn, names: set[str]) -> dict[str, dict[str, Any]]:
    """``{role: {superuser, bypassrls, member_of: {role: {inherits, superuser, bypassrls}}}}``
    for the API roles and ``names`` that exist (a role the cluster lacks is left out)."""
    facts = {}
    for name, superuser, bypassrls, members in conn.execute(_ROLES, [sorted({*API_ROLES, *names})]).fetchall():
        facts[name] = {"superuser": superuser, "bypassrls": bypassrls,
                       "member_of": {m: {"inherits": inherits, "superuser": s, "bypassrls": b}
                                     for m, inherits, s, b in members}}
    return facts


def bypasses(facts: dict) -> bool:
    """A role row level security does not hold anyway (postgres, service_role): nothing to widen."""
    return bool(facts["superuser"] or facts["bypassrls"])


def role_widenings(live: dict, reference: dict | None) -> list[str]:
    """What the live role may do that the reference's may not, in words; [] when nothing.
    Without a reference, only becoming a superuser or a bypassing role counts."""
    found = []
    if live["superuser"] and not (reference or {}).get("superuser"):
        found.append("SUPERUSER off → on: it skips row level security and every privilege check")
    if live["bypassrls"] and not (reference or {}).get("bypassrls"):
        found.append("BYPASSRLS off → on: it skips row level security on every table")
    theirs = (reference or {}).get("member_of", {})
    for role, held in sorted(live["member_of"].items()):
        before, power = theirs.get(role), _power(held)
        said = f"{role} ({power})" if power else role
        if before is None and (reference is not None or power):
            found.append(f"member of {said}: it may SET ROLE {role}"
                         + (" and holds its privileges" if held["inherits"] else ""))
        elif before is not None and held["inherits"] and not before["inherits"]:
            found.append(f"now inherits the privileges of {said}, of which it was a member without them")
        elif before is not None and power and not _power(before):
            found.append(f"member of {role}, which is now {power}")
    return found


def _power(held: dict) -> str:
    if held["superuser"]:
        return "a superuser"
    return "BYPASSRLS: skips row level security" if held["bypassrls"] else ""
