"""What a database has applied: schema atlas_migrate, table history, one row per migration with
the checksum of its up file and how many of its parts are done (a row with fewer parts done than
its total is a migration stopped half way, which the next run resumes)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import psycopg

SCHEMA = "atlas_migrate"
TABLE = f"{SCHEMA}.history"
# One migrate at a time per database: a session advisory lock on this key.
LOCK_KEY = "atlas_migrate.history"

_CREATE = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {TABLE} (
    version text PRIMARY KEY,
    checksum text NOT NULL,
    parts_done integer NOT NULL,
    parts_total integer NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


@dataclass(frozen=True)
class Applied:
    version: str
    checksum: str
    parts_done: int
    parts_total: int
    applied_at: datetime

    @property
    def complete(self) -> bool:
        return self.parts_done >= self.parts_total


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def ensure(conn: psycopg.Connection) -> None:
    with conn.transaction():
        # its "already exists, skipping" is no news to whoever reads migrate's notices
        conn.execute("SET LOCAL client_min_messages = warning")
        conn.execute(_CREATE)


def exists(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE]).fetchone()[0]


def read(conn: psycopg.Connection) -> list[Applied]:
    """Rows in version order; [] when the table does not exist yet (status never creates it)."""
    if not exists(conn):
        return []
    rows = conn.execute(f"SELECT version, checksum, parts_done, parts_total, applied_at FROM {TABLE} "
                        "ORDER BY version").fetchall()
    return [Applied(*row) for row in rows]


def record(conn: psycopg.Connection, version: str, digest: str, done: int, total: int) -> None:
    """Progress of one migration; inside a transaction part's own transaction when it has one, so
    the part and its record commit together."""
    conn.execute(f"INSERT INTO {TABLE} (version, checksum, parts_done, parts_total) VALUES (%s, %s, %s, %s) "
                 "ON CONFLICT (version) DO UPDATE SET checksum = excluded.checksum, "
                 "parts_done = excluded.parts_done, parts_total = excluded.parts_total, applied_at = now()",
                 [version, digest, done, total])


def forget(conn: psycopg.Connection, version: str) -> None:
    conn.execute(f"DELETE FROM {TABLE} WHERE version = %s", [version])


def try_lock(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK_KEY]).fetchone()[0]
