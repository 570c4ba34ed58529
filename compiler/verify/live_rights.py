"""The role `verify --database-url` connects as, and what it may prove with it.

A superuser proves everything.  Without superuser, the catalog checks need nothing (every role
reads the catalog; privileges granted to the connecting role itself are left out of the
comparison, since verify needs them).  The probes need, as tests/test_verify_live.py proves on
the example (a LOGIN role, NOSUPERUSER):

* ``BYPASSRLS``: the seed writes rows of two tenants into tables whose row level security is
  forced, so owning them is not enough (FORCE applies to the owner);
* ``GRANT anon, authenticated TO verifier``: the probes switch to them as PostgREST does;
* ``USAGE`` on the managed schemas (public, atlas_private, ...) and on ``auth``;
  ``SELECT, INSERT, UPDATE, DELETE`` on every table in them and on ``auth.users`` (the seed
  signs its members up there);
* ``SELECT, UPDATE`` on their sequences: audit triggers draw from a sequence that no rollback
  undoes, so the probes put it back with ``setval``; the final check reads ``last_value``;
* ownership of the materialized views, or membership in their owner's role (the probes
  ``REFRESH`` them); on Supabase ``postgres`` owns everything without being a superuser;
* ``USAGE`` on schema ``atlas_migrate`` and ``SELECT`` on ``atlas_migrate.history`` (else an
  ERROR says so, and the database is held to the lock's model).

Without superuser one probe is skipped (SKIP with the reason): the owner probe (making a probe
role a table's owner takes a superuser).  Without BYPASSRLS, the memberships or the table
privileges the probes do not run: one ERROR names what the role lacks.  Superusers and BYPASSRLS
roles skip row level security by design, so the probes never test the connecting role itself:
they prove what the API roles can do."""
from __future__ import annotations

from .checks import ERROR, PASS, Check

API_ROLES = ("anon", "authenticated")
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")

_ROLE = """
select current_user, r.rolsuper, r.rolbypassrls from pg_catalog.pg_roles r where r.rolname = current_user
"""
_MEMBER = """
select r from unnest(%s::text[]) as r
where exists (select from pg_catalog.pg_roles where rolname = r) and not pg_catalog.pg_has_role(current_user, r, 'MEMBER')
"""
_TABLES = """
select n.nspname || '.' || c.relname, p
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
cross join unnest(%s::text[]) as p
where c.relkind in ('r', 'p') and (n.nspname = any(%s) or (n.nspname, c.relname) = ('auth', 'users'))
  and not pg_catalog.has_table_privilege(c.oid, p)
order by 1, 2
"""


def is_superuser(conn) -> bool:
    return bool(conn.execute(_ROLE).fetchone()[1])


def rights_check(conn, schemas: list[str]) -> Check:
    """PASS when the connecting role can seed and probe; ERROR naming what it lacks."""
    user, superuser, bypass = conn.execute(_ROLE).fetchone()
    if superuser:
        return Check("isolation", user, "connection_rights", PASS, "a superuser: every probe can run")
    lacking = [] if bypass else ["BYPASSRLS (the seed writes tables whose row level security is forced)"]
    roles = [r for (r,) in conn.execute(_MEMBER, [list(API_ROLES)]).fetchall()]
    if roles:
        lacking.append(f"membership in {', '.join(roles)} (the probes act as them)")
    missing: dict[str, list[str]] = {}
    for table, privilege in conn.execute(_TABLES, [list(PRIVILEGES), schemas]).fetchall():
        missing.setdefault(table, []).append(privilege)
    if missing:
        shown = "; ".join(f"{t}: {', '.join(p)}" for t, p in list(missing.items())[:5])
        more = f" (and {len(missing) - 5} more tables)" if len(missing) > 5 else ""
        lacking.append(f"privileges on tables the seed writes: {shown}{more}")
    if lacking:
        return Check("isolation", user, "connection_rights", ERROR,
                     "the probes cannot run as this role; it lacks " + "; ".join(lacking))
    return Check("isolation", user, "connection_rights", PASS,
                 "not a superuser, but BYPASSRLS, a member of anon and authenticated, with the privileges the "
                 "seed needs: the probes run (those needing a superuser are skipped)")
