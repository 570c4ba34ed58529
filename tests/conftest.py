"""Shared fixtures: one throwaway PostgreSQL cluster per test session, with a
Supabase-like template database that each test clones (compiler.postgres.scratch).

Nothing is skipped: if PostgreSQL cannot be found or started, the tests that
need it fail with the server's log tail in the error.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compiler.postgres import (  # noqa: E402
    SUPABASE_TEMPLATE,
    Database,
    PostgresCluster,
    scratch_database,
    supabase_cluster,
)

# The load cache (compiler/source/cache.py) of every build the tests run, subprocesses included,
# goes to a folder of this session rather than the user's ~/.cache.
if "ATLAS_CACHE_DIR" not in os.environ:
    os.environ["ATLAS_CACHE_DIR"] = tempfile.mkdtemp(prefix="atlas-cache-")
    atexit.register(shutil.rmtree, os.environ["ATLAS_CACHE_DIR"], True)

__all__ = ["SUPABASE_TEMPLATE"]   # test modules import the template's name from here


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A running cluster with the Supabase roles and a ``supabase_template``
    database (``install_supabase`` applied)."""
    with supabase_cluster() as cluster:
        yield cluster


@pytest.fixture
def fresh_db(pg_cluster: PostgresCluster) -> Iterator[Database]:
    """A new database cloned from the Supabase template; dropped afterwards.

    ``.name``, ``.connect(autocommit=True)`` (connections are closed at
    teardown), ``.conninfo()``.
    """
    with scratch_database(pg_cluster, "test") as db:
        yield db


@pytest.fixture
def cron_db(pg_cluster: PostgresCluster) -> Iterator[Database]:
    """Like ``fresh_db``, but the one database pg_cron can be created in (``cron.database_name``):
    dropped and cloned again from the Supabase template for each test, emptied after."""
    name = pg_cluster.cron_database
    if name is None:
        pytest.fail("pg_cron is not installed (postgresql-15-cron): the cluster could not preload it")
    pg_cluster.drop_database(name)
    db = pg_cluster.create_database(name, template=SUPABASE_TEMPLATE)
    try:
        yield db
    finally:
        db.drop()
        pg_cluster.create_database(name)   # pg_cron's launcher waits in it
