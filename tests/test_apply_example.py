"""The example schema's initial migration on a real PostgreSQL: up, down back to the exact
previous catalog, and up again."""
from pathlib import Path

from compiler.testing import diff_catalogs, snapshot_catalog

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "build" / "migrations"


def apply(conn, sql: str) -> None:
    with conn.transaction():
        conn.execute(sql)


def test_initial_up_down_up_restores_catalog(fresh_db):
    up = (MIGRATIONS / "0001_initial.up.sql").read_text()
    down = (MIGRATIONS / "0001_initial.down.sql").read_text()
    with fresh_db.connect() as conn:
        empty = snapshot_catalog(conn)
        apply(conn, up)
        built = snapshot_catalog(conn)
        assert diff_catalogs(empty, built), "up created nothing"
        apply(conn, down)
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply(conn, up)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []
