"""The PostgreSQL toolkit: throwaway clusters (cluster), OID-free catalog snapshots and their
diff (catalog), acting as a Supabase API user (session), the Supabase emulation (supabase), and
scratch databases cloned from a Supabase template (scratch).

Used by the test suite, benchmarks/ and the harness parts of the compiler (isolation, lint,
verify).  It knows nothing of specs or models and imports nothing else from the compiler.  It
needs psycopg, which the ``verify`` extra installs (``pip install atlas-compile[verify]``); the
compiler's build and plan never import it.

Note for packaging: ``supabase.sql`` is package data and must be shipped with
``compiler.postgres``.
"""

from .catalog import DEFAULT_SCHEMAS, diff_catalogs, snapshot_catalog
from .cluster import ClusterError, Database, PostgresCluster, execute_script, find_bindir
from .scratch import (
    SUPABASE_TEMPLATE,
    clone_database,
    scratch_database,
    start_supabase_cluster,
    supabase_cluster,
)
from .session import ActingSession, acting_as, jwt_claims
from .supabase import API_ROLES, install_roles, install_supabase

__all__ = [
    "API_ROLES",
    "ActingSession",
    "ClusterError",
    "DEFAULT_SCHEMAS",
    "Database",
    "PostgresCluster",
    "SUPABASE_TEMPLATE",
    "acting_as",
    "clone_database",
    "diff_catalogs",
    "execute_script",
    "find_bindir",
    "install_roles",
    "install_supabase",
    "jwt_claims",
    "scratch_database",
    "snapshot_catalog",
    "start_supabase_cluster",
    "supabase_cluster",
]
