"""Real-PostgreSQL harness: throwaway clusters, Supabase emulation, acting as
API users, and catalog snapshots.  Used by the test suite and by
``atlas-compile verify``.

Note for packaging: ``supabase.sql`` is package data and must be shipped with
``compiler.postgres``.
"""

from .catalog import DEFAULT_SCHEMAS, diff_catalogs, snapshot_catalog
from .cluster import ClusterError, Database, PostgresCluster, execute_script, find_bindir
from .session import ActingSession, acting_as, jwt_claims
from .supabase import API_ROLES, install_roles, install_supabase

__all__ = [
    "API_ROLES",
    "ActingSession",
    "ClusterError",
    "DEFAULT_SCHEMAS",
    "Database",
    "PostgresCluster",
    "acting_as",
    "diff_catalogs",
    "execute_script",
    "find_bindir",
    "install_roles",
    "install_supabase",
    "jwt_claims",
    "snapshot_catalog",
]
