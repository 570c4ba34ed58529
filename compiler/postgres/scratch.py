"""Scratch databases that look like a fresh Supabase project, for the test suite and benchmarks/.

Installing the Supabase emulation takes a while, so it is done once per cluster into a template
database (:func:`start_supabase_cluster`); every test or benchmark run then gets its own clone
(:func:`clone_database`, :func:`scratch_database`), which PostgreSQL copies file by file.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .cluster import Database, PostgresCluster
from .supabase import install_roles, install_supabase

__all__ = [
    "SUPABASE_TEMPLATE",
    "clone_database",
    "scratch_database",
    "start_supabase_cluster",
    "supabase_cluster",
]

#: The template database :func:`start_supabase_cluster` creates and the clones copy.
SUPABASE_TEMPLATE = "supabase_template"


def start_supabase_cluster(settings: dict[str, str] | None = None) -> PostgresCluster:
    """A started cluster with the Supabase roles and a :data:`SUPABASE_TEMPLATE` database
    (``install_supabase`` applied).  The caller stops it (or use :func:`supabase_cluster`)."""
    cluster = PostgresCluster(settings=settings)
    cluster.start()
    try:
        with cluster.connect("postgres") as conn:
            install_roles(conn)
        template = cluster.create_database(SUPABASE_TEMPLATE)
        with template.connect() as conn:
            install_supabase(conn)
        # CREATE DATABASE ... TEMPLATE refuses while anyone is connected to it.
        template.close()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@contextmanager
def supabase_cluster(settings: dict[str, str] | None = None) -> Iterator[PostgresCluster]:
    """:func:`start_supabase_cluster` for the duration of the block; stopped (and deleted) after."""
    cluster = start_supabase_cluster(settings)
    try:
        yield cluster
    finally:
        cluster.stop()


def clone_database(cluster: PostgresCluster, prefix: str = "test",
                   template: str = SUPABASE_TEMPLATE) -> Database:
    """A new database with a unique name starting with ``prefix``, cloned from ``template``."""
    return cluster.create_database(cluster.unique_database_name(prefix), template=template)


@contextmanager
def scratch_database(cluster: PostgresCluster, prefix: str = "test",
                     template: str = SUPABASE_TEMPLATE) -> Iterator[Database]:
    """:func:`clone_database` for the duration of the block; its connections are closed and
    the database dropped after."""
    db = clone_database(cluster, prefix, template)
    try:
        yield db
    finally:
        db.drop()
