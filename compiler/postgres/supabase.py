"""Install the Supabase emulation (supabase.sql) into a database.

Roles are cluster-wide, so they are installed separately (:func:`install_roles`,
once per cluster); :func:`install_supabase` installs them too if missing, then
the per-database objects.  Both are safe to run more than once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import psycopg

from .cluster import execute_script

__all__ = ["API_ROLES", "install_roles", "install_supabase", "supabase_sql"]

#: Roles PostgREST switches to, as in a Supabase project.
API_ROLES = ("anon", "authenticated", "service_role")

_SECTION = re.compile(r"^-- @section (\w+)[ \t]*$", re.MULTILINE)


@lru_cache(maxsize=None)
def _sections() -> dict[str, str]:
    text = resources.files(__package__).joinpath("supabase.sql").read_text(encoding="utf-8")
    parts = _SECTION.split(text)
    # parts = [preamble, name1, body1, name2, body2, ...]
    sections = {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}
    missing = {"roles", "database"} - sections.keys()
    if missing:
        raise RuntimeError(f"supabase.sql lacks section(s): {sorted(missing)}")
    return sections


def supabase_sql(section: str) -> str:
    """SQL text of one section of supabase.sql: ``'roles'`` or ``'database'``."""
    return _sections()[section]


def _run(conn: psycopg.Connection, script: str) -> None:
    if conn.autocommit:
        execute_script(conn, script)
    else:
        with conn.transaction():
            execute_script(conn, script)


def install_roles(conn: psycopg.Connection) -> None:
    """Create anon, authenticated, service_role and authenticator if missing.

    Needs a superuser (or CREATEROLE) connection to any database of the cluster.
    """
    _run(conn, supabase_sql("roles"))


def install_supabase(conn: psycopg.Connection) -> None:
    """Make the connected database look like a fresh Supabase project.

    Installs the roles first if they are missing.  Creates the
    ``supabase_realtime`` publication, the ``extensions`` schema (uuid-ossp,
    pgcrypto), the ``auth`` schema with ``auth.users``, ``auth.uid()``,
    ``auth.role()``, ``auth.email()``, ``auth.jwt()``, the usage grants and
    Supabase's default privileges on schema public (ALL on tables, sequences,
    functions to anon, authenticated, service_role).
    """
    install_roles(conn)
    _run(conn, supabase_sql("database"))
