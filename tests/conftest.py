"""Shared fixtures: one throwaway PostgreSQL cluster per test session, with a
Supabase-like template database that each test clones.

Nothing is skipped: if PostgreSQL cannot be found or started, the tests that
need it fail with the server's log tail in the error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compiler.postgres import (  # noqa: E402
    Database,
    PostgresCluster,
    install_roles,
    install_supabase,
)

SUPABASE_TEMPLATE = "supabase_template"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A running cluster with the Supabase roles and a ``supabase_template``
    database (``install_supabase`` applied)."""
    cluster = PostgresCluster()
    cluster.start()
    try:
        with cluster.connect("postgres") as conn:
            install_roles(conn)
        template = cluster.create_database(SUPABASE_TEMPLATE)
        with template.connect() as conn:
            install_supabase(conn)
        # CREATE DATABASE ... TEMPLATE refuses while anyone is connected to it.
        template.close()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def fresh_db(pg_cluster: PostgresCluster) -> Iterator[Database]:
    """A new database cloned from the Supabase template; dropped afterwards.

    ``.name``, ``.connect(autocommit=True)`` (connections are closed at
    teardown), ``.conninfo()``.
    """
    db = pg_cluster.create_database(
        pg_cluster.unique_database_name("test"), template=SUPABASE_TEMPLATE
    )
    try:
        yield db
    finally:
        db.drop()
